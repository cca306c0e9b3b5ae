"""The knowledge store: import, replace on change, skip unchanged, remove; the FTS index follows."""

from __future__ import annotations

from index import lexical
from index.importer import import_files
from index.store import KnowledgeStore
from knowledge.catalogue import load_catalogue
from knowledge.documents.loader import load_document


def test_import_copies_file_and_stores_passages(tmp_path, procedure_file):
    store = KnowledgeStore(tmp_path / "knowledge.db")
    doc = load_document(procedure_file, load_catalogue())
    result = store.import_document(doc, source=procedure_file, documents_dir=tmp_path / "documents")
    assert result.status == "added"
    assert (tmp_path / "documents" / "QP-99.md").read_bytes() == procedure_file.read_bytes()
    [stored] = store.documents()
    assert (stored.doc_id, stored.revision, stored.passages) == ("QP-99", "B", len(doc.passages))
    passages = store.passages()
    assert any("API Q1:10th:5.8" in p.clause_refs for p in passages)
    assert all(p.heading.startswith("QP-99 Calibration of Measuring Equipment") for p in passages)


def test_unchanged_file_is_skipped_and_changed_file_replaces(tmp_path, procedure_file):
    store = KnowledgeStore(tmp_path / "knowledge.db")
    catalogue = load_catalogue()
    [first] = list(import_files(store, [procedure_file.parent], catalogue))
    assert first.result.status == "added"
    [again] = list(import_files(store, [procedure_file], catalogue))
    assert again.result.status == "unchanged"
    before = len(store.passages())

    procedure_file.write_text(procedure_file.read_text().replace("revision: B", "revision: C") + "\n## 4 Spare\n\nA brand new closing section about spare gauges kept in the crib.\n")
    [changed] = list(import_files(store, [procedure_file], catalogue))
    assert changed.result.status == "replaced"
    [doc] = store.documents()
    assert doc.revision == "C"
    after = store.passages()
    assert len(after) == before + 1, "the old passages were replaced, not kept alongside"
    assert any("spare gauges" in p.text for p in after)


def test_remove_deletes_document_passages_copy_and_fts_rows(tmp_path, procedure_file):
    store = KnowledgeStore(tmp_path / "knowledge.db")
    docs_dir = tmp_path / "documents"
    store.import_document(load_document(procedure_file, load_catalogue()), procedure_file, docs_dir)
    assert lexical.search(store.db, "torque wrench sticker")
    store.remove("qp-99", docs_dir)  # document ids match case-insensitively
    assert store.documents() == [] and store.passages() == []
    assert not list(docs_dir.iterdir())
    assert lexical.search(store.db, "torque wrench sticker") == []


def test_unreadable_file_is_reported_and_others_still_import(tmp_path, procedure_file):
    (procedure_file.parent / "broken.pdf").write_bytes(b"not a pdf at all")
    store = KnowledgeStore(tmp_path / "knowledge.db")
    outcomes = list(import_files(store, [procedure_file.parent], load_catalogue()))
    errors = [o for o in outcomes if o.error is not None]
    assert len(errors) == 1 and "broken.pdf" in str(errors[0].error)
    assert [d.doc_id for d in store.documents()] == ["QP-99"]
