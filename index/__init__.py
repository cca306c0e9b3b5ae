"""Search over the knowledge base: store, embeddings, vector and lexical indexes, hybrid search, coverage."""
