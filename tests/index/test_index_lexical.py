"""FTS5 query building: user text never breaks MATCH."""

from __future__ import annotations

import pytest

from index import lexical
from index.store import KnowledgeStore


@pytest.mark.parametrize(
    "query",
    ["7.1.5", "ISO-9001 8.4", "calibration:", "gauges AND", 'say "hello', "NEAR(x y)", "a OR", "*", "(", "c++ -x"],
)
def test_awkward_queries_do_not_raise(tmp_path, query):
    store = KnowledgeStore(tmp_path / "k.db")
    assert isinstance(lexical.search(store.db, query), list)


def test_tokens_are_quoted_and_stopwords_dropped():
    assert lexical.match_expression("What does ISO-9001 say about 7.1.5?") == '"iso-9001" OR "7.1.5"'
    assert lexical.match_expression("the and of") is None
