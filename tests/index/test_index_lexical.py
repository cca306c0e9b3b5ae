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


def test_words_in_half_the_library_are_left_out_without_changing_a_score(tmp_path, monkeypatch):
    from knowledge.documents.models import Passage

    store = KnowledgeStore(tmp_path / "k.db")
    texts = [f"torque wrench record {i}" if i % 5 else f"calibration sticker gauge {i}" for i in range(40)]
    texts += ["calibration record of the torque wrench", "sticker on the gauge"]
    store.sync_builtin("LIB", "Library", [(f"S{i}", Passage(ordinal=i, section_path=[f"S{i}"], text=t))
                                           for i, t in enumerate(texts)])
    query = "record of the calibration sticker"  # 'record' is in 33 of 42 passages: IDF clamped to ~0
    monkeypatch.setattr(lexical, "PRUNE_FROM", 10**9)
    everything = dict(lexical.search(store.db, query, 100))
    monkeypatch.setattr(lexical, "PRUNE_FROM", 10)
    pruned = lexical.search(store.db, query, 100)
    assert len(pruned) < len(everything)  # the passages matched only by 'record' are not scored at all
    # The clamped IDF (1e-6) is all the left-out word ever added.
    assert all(abs(everything[pid] - score) < 1e-5 for pid, score in pruned)
    best = sorted(everything.values(), reverse=True)[: len(pruned)]
    assert [round(s, 4) for _, s in pruned] == [round(s, 4) for s in best]
