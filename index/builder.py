"""The index builder (every write search needs): the catalogue as passages, the vector index, the lexical
matrix, the clause classifier, the ONNX export.

Whether a build is needed is decided from the manifests and the store's (id, hash) signature alone,
so `q1audit index build` with nothing changed imports no model.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel

from index.clause_classifier import ClauseClassifier, stamp_of
from index.embedder import MINILM_NAME, Embedder, EmbedderUnavailable
from index.facets import FacetIndex
from index.lexical import LexicalMatrix
from index.manifest import Manifest, corpus_hash, read_manifest, write_manifest
from index.store import CATALOGUE_DOC_ID, KnowledgeStore
from index.vectors import INDEX_FILE, VectorIndex, embed_with_cache
from knowledge.catalogue import Catalogue, ClauseKey
from knowledge.documents.models import Passage

IndexState = Literal["current", "stale", "missing", "mismatch"]


class IndexStatus(BaseModel):
    state: IndexState
    mode: Literal["hybrid", "lexical"]
    model: str
    documents: int
    passages: int
    """All passages, catalogue clauses included."""
    clauses: int
    indexed: int
    """Vectors in the index on disk."""
    built_at: str | None = None
    reason: str
    onnx: Literal["current", "missing", "stale"] | None = None
    """The ONNX export queries load (MiniLM only): `index build` makes it when missing or stale."""

    @property
    def needs_build(self) -> bool:
        return self.state != "current" or self.onnx not in (None, "current")


class BuildReport(BaseModel):
    rebuilt: bool
    passages: int
    embedded: int
    """Texts embedded in this build (the rest came from the cache)."""
    seconds: float
    reason: str
    exported: bool = False
    """The ONNX export for fast queries was (re)made by this build."""
    export_error: str | None = None
    """Why the ONNX export failed (queries then stay on sentence-transformers)."""
    embedded_by: str | None = None
    """Which runtime embedded the passages: `onnxruntime` (the export) or the embedder's own."""
    lexical_rebuilt: bool = False
    """The lexical matrix (index/lexical.py) was read out of the passage index again."""
    classifier_trained: bool = False
    """The clause classifier (index/clause_classifier.py) was trained again: its facets or model changed."""

    @property
    def passages_per_second(self) -> float:
        return self.embedded / self.seconds if self.embedded and self.seconds else 0.0


def catalogue_passages(catalogue: Catalogue) -> list[tuple[str, Passage]]:
    """Each clause as a passage: label and title (with its parent's) as heading, our summary and keywords as text."""
    out = []
    for ordinal, clause in enumerate(catalogue.clauses()):
        parent = catalogue.parent(clause)
        context = f" ({parent.title})" if parent is not None else ""
        heading = f"{clause.label} {clause.title}{context}"
        text = clause.summary
        if clause.keywords:
            text += " " + "; ".join(clause.keywords) + "."
        passage = Passage(
            ordinal=ordinal,
            section_path=[f"{clause.id} {clause.title}"],
            text=text,
            clause_refs=[str(clause.key)],
            clause_id=clause.id,
        )
        out.append((heading, passage))
    return out


class IndexBuilder:
    """Keeps the catalogue passages, the vector index, the lexical matrix and the ONNX export in step with the store."""

    def __init__(self, store: KnowledgeStore, index_dir: Path, catalogue: Catalogue):
        self.store = store
        self.index_dir = Path(index_dir)
        self.catalogue = catalogue

    def sync_catalogue(self) -> bool:
        """Store the bundled catalogue's clauses as passages; False when they were already current."""
        return self.store.sync_builtin(CATALOGUE_DOC_ID, "Clause catalogue", catalogue_passages(self.catalogue))

    def state(self, model: str, dim: int | None, current_hash: str) -> tuple[IndexState, str]:
        manifest = read_manifest(self.index_dir)
        if manifest is None or not (self.index_dir / INDEX_FILE).exists():
            return "missing", "no vector index has been built"
        if manifest.model != model or (dim is not None and manifest.dim != dim):
            return "mismatch", f"index built with {manifest.model} ({manifest.dim}-d), search uses {model}"
        if manifest.corpus_hash != current_hash:
            return "stale", "documents changed since the index was built"
        return "current", "index matches the knowledge base"

    def status(self, model: str, embedder: Embedder | None = None) -> IndexStatus:
        signature = self.store.signature()
        manifest = read_manifest(self.index_dir)
        state, reason = self.state(model, embedder.dim if embedder else None, corpus_hash(signature))
        clauses = self.store.db.execute(
            "select count(*) from passages p join documents d on d.id = p.document_id where d.doc_id = ?",
            (CATALOGUE_DOC_ID,),
        ).fetchone()[0]
        return IndexStatus(
            state=state,
            mode="hybrid" if embedder is not None else "lexical",
            model=model,
            documents=len(self.store.documents()),
            passages=len(signature),
            clauses=clauses,
            indexed=manifest.count if manifest else 0,
            built_at=manifest.built_at if manifest else None,
            reason=reason,
            onnx=self._export_state()[0] if model == MINILM_NAME else None,
        )

    def _export_state(self, verify: bool = False):
        from index.onnx_model import export_dir, export_state

        return export_state(export_dir(self.index_dir), verify)

    def build(
        self,
        embedder: Embedder,
        progress: Callable[[int, int], None] | None = None,
        force: bool = False,
        export: bool = True,
    ) -> tuple[BuildReport, VectorIndex | None]:
        """Bring the vector index (and, for MiniLM with `export`, the ONNX export) up to date.

        Returns the report and the new index (None when nothing was rebuilt).
        """
        started = time.perf_counter()
        signature = self.store.signature()
        current_hash = corpus_hash(signature)
        state, reason = self.state(embedder.name, embedder.dim, current_hash)
        vectors = None
        embedded, embedded_by = 0, None
        rebuild = state != "current" or force
        exported, export_error = False, None
        try:
            # Exported before embedding, so the passages go through the faster ONNX path too.
            exported = export and self._export_if_needed(embedder, verify=rebuild)
        except Exception as exc:  # queries (and this build) stay on sentence-transformers, saying why
            exported, export_error = False, f"ONNX export failed: {exc}"
        if rebuild:
            passages = self.store.passages()
            items = [(p.content_hash, p.search_text) for p in passages]
            batch_embedder = self._batch_embedder(embedder)
            embedded_by = getattr(batch_embedder, "runtime", batch_embedder.name)
            matrix, embedded = embed_with_cache(self.store.db, batch_embedder, items, progress)
            ids = np.array([p.id for p in passages], dtype=np.int64)
            vectors = VectorIndex.build(ids, matrix)
            vectors.save(self.index_dir)
            write_manifest(self.index_dir, Manifest.create(embedder.name, embedder.dim, len(passages), current_hash))
        lexical_rebuilt = self.write_lexical(force)
        return BuildReport(
            rebuilt=vectors is not None, passages=len(signature), embedded=embedded,
            seconds=time.perf_counter() - started, reason=reason, exported=exported, export_error=export_error,
            embedded_by=embedded_by, lexical_rebuilt=lexical_rebuilt,
        ), vectors

    def write_lexical(self, force: bool = False) -> bool:
        """Write the lexical matrix when the store changed since it was read (False: it was current)."""
        version = self.store.version()
        if not force and LexicalMatrix.saved_stamp(self.index_dir) == LexicalMatrix.stamp_of(version):
            return False
        LexicalMatrix.from_db(self.store.db, version).save(self.index_dir)
        return True

    def embed_facets(self, embedder: Embedder, facets: list[tuple[ClauseKey, str]]) -> FacetIndex:
        """The clause facets' vectors, embedding (and caching) those not embedded before."""
        return FacetIndex.build(facets, self._batch_embedder(embedder), self.store.db)

    def classifier_current(self, model: str, facets: list[tuple[ClauseKey, str]]) -> bool:
        """The classifier on disk was trained on these facets (no index build will train it again)."""
        return ClauseClassifier.saved_stamp(self.index_dir) == stamp_of(model, facets)

    def classifier(
        self, model: str, facets: list[tuple[ClauseKey, str]], indexes: list[FacetIndex]
    ) -> tuple[ClauseClassifier | None, bool]:
        """The clause classifier for these facets (the `indexes` hold their vectors, in the same order): the one on
        disk when it was trained on them, else trained now and saved (True). None: fewer than two clauses."""
        stamp = stamp_of(model, facets)
        current = ClauseClassifier.load(self.index_dir, stamp)
        if current is not None or len({key for key, _ in facets}) < 2:
            return current, False
        classifier = ClauseClassifier.train(stamp, facets, np.concatenate([index.vectors() for index in indexes]))
        classifier.save(self.index_dir)
        return classifier, True

    def _batch_embedder(self, embedder: Embedder) -> Embedder:
        """The ONNX export in place of sentence-transformers when it is current: the same vectors
        (tests/index/test_index_onnx.py), about twice the passages per second on this machine kind."""
        from index.embedder import MiniLMEmbedder

        if not isinstance(embedder, MiniLMEmbedder) or self._export_state()[0] != "current":
            return embedder
        from index.onnx_model import OnnxMiniLMEmbedder, export_dir

        try:
            return OnnxMiniLMEmbedder(export_dir(self.index_dir))
        except EmbedderUnavailable:
            return embedder

    def _export_if_needed(self, embedder: Embedder, verify: bool) -> bool:
        """Export MiniLM to ONNX when the export is missing or stale (full checksums after a rebuild)."""
        if embedder.name != MINILM_NAME or self._export_state(verify)[0] == "current":
            return False
        from index.embedder import MiniLMEmbedder
        from index.onnx_model import export_dir, export_onnx

        reference = embedder.reference_model if isinstance(embedder, MiniLMEmbedder) else None
        export_onnx(export_dir(self.index_dir), reference)
        return True
