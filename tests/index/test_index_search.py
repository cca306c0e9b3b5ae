"""Hybrid search through SearchService: exact clause numbers, editions side by side, fallback, no padding."""

from __future__ import annotations

from index.clause_classifier import CLASSIFIER_FILE
from index.coverage import build_coverage
from index.search import SearchService
from knowledge.catalogue import load_catalogue
from knowledge.documents.loader import load_document, load_standard_document


def test_exact_clause_number_comes_first(service):
    response = service.ask("what does API Q1 5.5.1.2 want?", standard="API Q1")
    first = response.results[0]
    assert (first.kind, first.standard, first.edition, first.id) == ("clause", "API Q1", "10th", "5.5.1.2")
    assert first.score == 1.0


def test_default_answer_has_both_standards_and_respects_filters(service):
    response = service.ask("purchasing and evaluation of suppliers", top=3)
    kinds = {(r.standard, r.edition) for r in response.results if r.kind == "clause"}
    assert kinds == {("API Q1", "10th"), ("ISO 9001", "2015")}
    only_9th = service.ask("purchasing and evaluation of suppliers", top=3, edition="9th")
    assert {(r.standard, r.edition) for r in only_9th.results if r.kind == "clause"} == {("API Q1", "9th")}
    assert sum(r.kind == "clause" for r in only_9th.results) <= 3


def test_scores_are_ranked_and_bounded(service, procedure_file):
    service.store.import_document(load_document(procedure_file, load_catalogue()))
    response = service.ask("calibration sticker expired on a torque wrench")
    scores = [r.score for r in response.results]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
    procedure = next(r for r in response.results if r.kind == "procedure")
    assert procedure.doc == "QP-99" and procedure.revision == "B" and procedure.section


def test_lexical_fallback_says_so_in_every_answer(tmp_path):
    service = SearchService(tmp_path / "k.db", tmp_path / "index", load_catalogue())
    service.model_error = "model files missing"
    for question in ("calibration of measuring equipment", "who approves a concession?"):
        response = service.ask(question)
        assert response.mode == "lexical"
        assert response.note.startswith("lexical only") and "model files missing" in response.note
    assert service.ask("calibration").results


def test_nothing_relevant_gives_no_good_match_not_padding(tmp_path):
    service = SearchService(tmp_path / "k.db", tmp_path / "index", load_catalogue())
    response = service.ask("zyxxy qwertz plumbus")
    assert response.no_good_match and response.results == []


def test_licensed_text_attaches_to_its_clause(service, licensed_file):
    catalogue = load_catalogue()
    doc = load_standard_document(licensed_file, "API Q1", "10th", catalogue)
    service.store.import_document(doc)
    response = service.ask("quokka marmot critical supplier", standard="API Q1")
    licensed = [r for r in response.results if r.kind == "licensed-text"]
    assert licensed and licensed[0].id == "5.5.1.2" and licensed[0].edition == "10th"
    assert licensed[0].doc == "API Q1 10th"


def test_coverage_lists_citing_procedures_and_gaps(service, procedure_file):
    service.store.import_document(load_document(procedure_file, load_catalogue()))
    report = build_coverage(service, "API Q1", "10th")
    rows = {row.id: row for row in report.clauses}
    assert any(p.doc == "QP-99" and p.how == "cites" for p in rows["5.8"].procedures)
    assert rows["5"].covered  # through its sub-clause 5.8
    assert report.uncovered and "5.8" not in report.uncovered
    documented = [c for c in report.uncovered if rows[c].documented_procedure]
    assert report.uncovered[: len(documented)] == documented
    assert all(rows[c].q1_only for c in report.q1_only)


def test_lexical_only_search_still_reads_words_through_the_saved_clause_classifier(service, monkeypatch):
    """Without the model, the classifier an earlier build saved still ranks clauses by word pieces, so a
    misspelt question finds its clause; with no saved classifier, BM25 alone answers."""
    monkeypatch.setenv("Q1AUDIT_EMBEDDER", "hashing")  # the name the build's classifier is stamped with
    service.build()
    question = "torqe wrench calibraton overdue"

    def lexical_answer():
        lexical = SearchService(service.store.path, service.index_dir, service.catalogue)
        lexical.model_error = "model files missing"
        return lexical.ask(question, standard="API Q1", edition="10th")

    with_classifier = lexical_answer()
    assert with_classifier.mode == "lexical" and with_classifier.signals.word_lift is not None
    assert with_classifier.results[0].id.startswith("5.8")  # TMMDE (calibrated equipment)
    (service.index_dir / CLASSIFIER_FILE).unlink()
    without = lexical_answer()
    assert without.signals.word_lift is None
    assert [r.id for r in without.results] != [r.id for r in with_classifier.results]
