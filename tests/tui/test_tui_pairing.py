"""Clause results paired across the crosswalk, as the chat shows them side by side."""

from __future__ import annotations

from assistant.tui.pairing import pair_results
from index.search import AskResponse, SearchResult
from knowledge.catalogue import load_catalogue


def _clause(standard: str, edition: str, clause_id: str, score: float) -> SearchResult:
    return SearchResult(kind="clause", score=score, standard=standard, edition=edition, id=clause_id)


def test_a_q1_result_sits_beside_its_iso_counterpart():
    response = AskResponse(query="cal sticker", mode="lexical", results=[_clause("API Q1", "10th", "5.8.1", 0.8)])
    (row,) = pair_results(response, load_catalogue())
    assert row.q1.key.id == "5.8.1"
    assert row.iso is not None and row.iso.key.id.startswith("7.1.5")
    assert row.relation == "Q1 stricter"


def test_a_q1_only_requirement_names_the_nearest_iso_clause_without_pairing_it():
    response = AskResponse(query="new mill", mode="lexical", results=[_clause("API Q1", "10th", "5.5.1.2", 0.7)])
    (row,) = pair_results(response, load_catalogue())
    assert row.iso is None
    assert row.relation.startswith("none (Q1 only); nearest ISO 9001 8.4.1 General")


def test_a_card_says_how_sure_the_model_is_and_falls_back_to_the_score_without_it():
    from assistant.tui.widgets.clause_card import card_content

    sure = _clause("API Q1", "10th", "5.8.1", 0.8).model_copy(update={"confidence": 0.58})
    (row,) = pair_results(AskResponse(query="cal sticker", mode="hybrid", results=[sure]), load_catalogue())
    assert "58% sure" in card_content(row.q1).plain
    assert row.iso.sure is None and "sure" not in card_content(row.iso).plain  # the partner was not a result
    (plain,) = pair_results(AskResponse(query="cal sticker", mode="lexical", results=[_clause("API Q1", "10th", "5.8.1", 0.8)]),
                            load_catalogue())
    assert "0.80" in card_content(plain.q1).plain
