"""Query understanding in search: clause numbers across editions, thesaurus expansion (fake embedder)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.cli import main
from index.query import understand
from knowledge.catalogue import ClauseKey, load_catalogue
from knowledge.errors import DataFileError
from knowledge.thesaurus import load_thesaurus, load_thesaurus_from


def clauses(response):
    return [(r.standard, r.edition, r.id) for r in response.results if r.kind == "clause"]


def test_9th_only_number_is_shown_with_its_10th_home(service):
    response = service.ask("what's in API Q1 5.6.1.2")
    assert clauses(response)[:2] == [("API Q1", "9th", "5.6.1.2"), ("API Q1", "10th", "5.5.1.2")]
    assert response.results[0].reading == "9th-edition 5.6.1.2 (in the 10th: 5.5.1.2)"


def test_clashing_number_shows_both_editions_labelled_session_edition_first(service):
    default = service.ask("Q1 sec 5.5")
    assert clauses(default)[:2] == [("API Q1", "10th", "5.5"), ("API Q1", "9th", "5.5")]
    assert [r.reading for r in default.results[:2]] == ["5.5 in the 10th edition", "5.5 in the 9th edition"]
    assert [r.title for r in default.results[:2]] == ["Purchasing", "Contingency Planning"]
    ninth = service.ask("Q1 sec 5.5", q1_edition="9th")
    assert clauses(ninth)[:2] == [("API Q1", "9th", "5.5"), ("API Q1", "10th", "5.5")]


def test_iso_number_asked_in_q1_terms_puts_the_counterpart_first(service):
    response = service.ask("9001 10.2 - what does Q1 call the same thing?")
    # ISO 10.2 covers the nonconforming product (Q1 10th 5.9, the crosswalk's first link) and the
    # corrective action (6.4.2): both counterparts lead, in crosswalk order, then the number itself.
    assert clauses(response)[:2] == [("API Q1", "10th", "5.9"), ("API Q1", "10th", "6.4.2")]
    assert ("ISO 9001", "2015", "10.2") in clauses(response)[:4]


def test_a_filter_to_one_standard_still_leads_with_the_numbers_counterpart(service):
    response = service.ask("Q1 6.2.1", standard="ISO 9001")
    assert clauses(response)[0] == ("ISO 9001", "2015", "9.1.2")


def test_site_words_are_expanded_and_point_at_their_clauses(service):
    response = service.ask("customer sent us their own pipe to thread")
    assert any("customer-supplied property" in words for words in response.expanded)
    assert ("API Q1", "10th", "5.6.7") in clauses(response)
    plan = understand("heat treat subcontractor changed", load_catalogue(), load_thesaurus())
    assert any("management of change" in words for words in plan.expanded)
    assert ClauseKey("API Q1", "10th", "5.10") in plan.hinted and ClauseKey("API Q1", "9th", "5.11") in plan.hinted


@pytest.mark.parametrize(("question", "meant", "not_meant"), [
    ("our only heat treater went bust and we had no backup plan", "contingency planning", "control of records"),
    ("the server crashed and there was no backup of the test charts", "control of records", "contingency planning"),
])
def test_where_site_words_overlap_the_longer_one_says_what_is_meant(question, meant, not_meant):
    expanded = understand(question, load_catalogue(), load_thesaurus()).expanded
    assert any(meant in words for words in expanded)
    assert not any(not_meant in words for words in expanded)


def test_thesaurus_points_only_at_catalogue_clauses(tmp_path):
    assert len(load_thesaurus().entries) >= 40
    bad = tmp_path / "thesaurus.yaml"
    bad.write_text(
        "description: test\nentries:\n  - term: cal sticker\n    means: calibration label\n"
        "    clauses: {q1_10th: ['9.9.9']}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match=r"thesaurus.yaml:5: entries\[0\].clauses.q1_10th\[0\]: no API Q1 10th"):
        load_thesaurus_from(bad, load_catalogue())


def test_ask_json_shows_the_expansion(fake_embedder_env):
    result = CliRunner().invoke(main, ["ask", "--json", "red tag on a valve body"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["expanded"] and "nonconforming" in data["expanded"][0]
