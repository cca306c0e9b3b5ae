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


def _library(tmp_path) -> KnowledgeStore:
    """Passages built to test the scoring's corners: headings, a word in most passages, equal scores, phrases."""
    from knowledge.documents.models import Passage

    store = KnowledgeStore(tmp_path / "k.db")
    texts = [f"torque wrench record {i}" if i % 5 else f"calibration sticker gauge {i}" for i in range(40)]
    texts += [
        "calibration record of the torque wrench, calibrated yearly",  # calibration / calibrated: one stem
        "sticker on the gauge; see ISO-9001 7.1.5 and API Q1 5.8",
        "ISO 9001 7.1.5 again, with 7.1.5.2 beside it",
        "heat treatment by a subcontractor under a purchase order",
    ]
    store.sync_builtin("LIB", "Library", [
        (f"Calibration {i}" if i % 7 == 0 else f"Section {i}", Passage(ordinal=i, section_path=[f"S{i}"], text=t))
        for i, t in enumerate(texts)
    ])
    return store


QUERIES = [
    "record of the calibration sticker",  # 'record' is in 33 of 44 passages: its IDF is clamped to 1e-6
    "calibrated calibration gauges",  # three words, two of them one FTS5 term: counted twice, as FTS5 does
    "What does ISO-9001 say about 7.1.5?",  # phrases
    "heat treat subcontractor",
    "nothing here matches",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_lexical_matrix_scores_as_fts5_does(tmp_path, query):
    store = _library(tmp_path)
    matrix = lexical.LexicalMatrix.from_db(store.db, store.version())
    for limit in (3, 100):
        by_fts5 = lexical.search(store.db, query, limit)
        by_matrix = lexical.search(store.db, query, limit, matrix)
        assert [pid for pid, _ in by_matrix] == [pid for pid, _ in by_fts5]
        assert [s for _, s in by_matrix] == pytest.approx([s for _, s in by_fts5], rel=1e-12)
    assert bool(lexical.search(store.db, query, 100)) == (query != "nothing here matches")


def test_the_matrix_on_disk_is_used_only_while_the_store_is_as_it_was_read(tmp_path):
    from knowledge.documents.models import Passage

    store = _library(tmp_path)
    read = lexical.LexicalMatrix.from_db(store.db, store.version())
    read.save(tmp_path / "index")
    loaded = lexical.LexicalMatrix.load(tmp_path / "index", store.version())
    assert loaded is not None and loaded.search(store.db, QUERIES[0], 5) == read.search(store.db, QUERIES[0], 5)
    store.sync_builtin("MORE", "More", [("Extra", Passage(ordinal=0, section_path=["E"], text="calibration sticker"))])
    assert lexical.LexicalMatrix.load(tmp_path / "index", store.version()) is None
    assert lexical.LexicalMatrix.load(tmp_path / "elsewhere", store.version()) is None


@pytest.mark.parametrize("damage", [b"", b"garbage", b"PK\x03\x04 cut short"])
def test_a_damaged_matrix_file_leaves_lexical_search_to_fts5_until_the_next_build(tmp_path, damage):
    store = _library(tmp_path)
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / lexical.MATRIX_FILE).write_bytes(damage)
    assert lexical.LexicalMatrix.saved_stamp(tmp_path / "index") is None
    assert lexical.LexicalMatrix.load(tmp_path / "index", store.version()) is None


def test_an_index_build_writes_the_matrix_once_and_again_when_it_is_damaged(service, procedure_file):
    from index.importer import import_files

    list(import_files(service.store, [procedure_file], service.catalogue))
    assert service.build().lexical_rebuilt
    assert not service.build().lexical_rebuilt  # nothing changed: the stamp is read, nothing more
    (service.index_dir / lexical.MATRIX_FILE).write_bytes(b"garbage")
    assert service.build().lexical_rebuilt
    assert lexical.LexicalMatrix.load(service.index_dir, service.store.version()) is not None
