"""Pins the lead-auditor review's knowledge fixes (D-1..D-6, D-8..D-11, X-1..X-3, X-6, X-7, E-1..E-3, titles)."""

from __future__ import annotations

import re

import pytest

from knowledge.catalogue import ISO, Q1, UNCONFIRMED_MARK, load_catalogue

CATALOGUE = load_catalogue()


def test_tenth_supplier_reevaluation_is_present_with_its_ninth_origin():
    clause = CATALOGUE.get(Q1, "10th", "5.5.1.5")
    assert clause is not None and clause.title == "Supplier Reevaluation" and clause.verified
    assert clause.parent == "5.5.1"
    (move,) = CATALOGUE.edition_moves(clause)
    assert (move.q1_9th, move.q1_10th, move.confidence) == ("5.6.1.4", "5.5.1.5", "verified")
    assert "risk" in clause.summary and "performance" in clause.summary


def test_ninth_reevaluation_is_q1_stricter_and_links_to_its_tenth_home():
    ninth = CATALOGUE.get(Q1, "9th", "5.6.1.4")
    (link,) = [link for link in CATALOGUE.links_for(ninth) if link.iso]
    assert link.relation.value == "superset"
    assert link.q1_10th == "5.5.1.5"
    assert "risk" in link.beyond_iso and "performance" in link.beyond_iso
    assert "risk" in ninth.summary


def test_receiving_verification_line_no_longer_denies_iso_verification_at_the_supplier():
    clause = CATALOGUE.get(Q1, "10th", "5.5.3")
    texts = " ".join(link.beyond_iso or "" for link in CATALOGUE.links_for(clause))
    assert "ISO does not" not in texts
    assert "8.4.3" in texts


@pytest.mark.parametrize(("edition", "clause_id"), [("10th", "5.5.1.2"), ("9th", "5.6.1.2")])
def test_critical_supplier_summaries_name_all_three_elements(edition, clause_id):
    summary = " ".join(CATALOGUE.get(Q1, edition, clause_id).summary.split())
    assert "all three" in summary and "site by site" in summary
    assert "quality system" in summary and "sub-suppliers" in summary and "first article" in summary


def test_no_evidence_item_is_split_inside_brackets():
    for clause in CATALOGUE.clauses():
        for item in clause.evidence:
            assert item.count("(") == item.count(")"), (clause.label, item)


def test_every_unconfirmed_tenth_clause_shows_a_marker():
    tenth = CATALOGUE.clauses(Q1, "10th")
    unconfirmed = [c for c in tenth if not c.verified]
    assert unconfirmed
    for clause in unconfirmed:
        assert not clause.confirmed
        assert clause.marked_title.endswith(UNCONFIRMED_MARK)
    for clause in [c for c in tenth if c.verified] + CATALOGUE.clauses(ISO):
        assert clause.marked_title == clause.title


def test_plain_titles_of_unconfirmed_clauses_were_the_problem():
    # The review counted 34 unconfirmed 10th clauses whose title looks like an established one.
    plain = [c for c in CATALOGUE.clauses(Q1, "10th") if not c.verified and not re.search(r"[(\[]", c.title)]
    assert len(plain) >= 30
    assert all(UNCONFIRMED_MARK in c.marked_title for c in plain)


@pytest.mark.parametrize(("edition", "clause_id"), [("10th", "5.4.6"), ("9th", "5.4.5")])
def test_final_design_review_is_by_someone_other_than_the_designer(edition, clause_id):
    assert "other than those who did the design" in CATALOGUE.get(Q1, edition, clause_id).summary


def test_customer_specified_route_keeps_qms_verification_and_limits_the_approval():
    summary = CATALOGUE.get(Q1, "10th", "5.5.1.3").summary
    assert "quality management system is still verified" in summary and "that customer's contract" in summary


@pytest.mark.parametrize("clause_id", ["6.2.2", "6.5.1"])
def test_audit_and_review_summaries_carry_the_twelve_month_minimum(clause_id):
    assert "at least once every 12 months" in CATALOGUE.get(Q1, "9th", clause_id).summary
    tenth = CATALOGUE.get(Q1, "10th", clause_id).summary
    assert "12 months" in tenth and "not confirmed for the 10th" in tenth


def test_review_output_owners_are_good_practice_not_the_requirement():
    for edition in ("9th", "10th"):
        assert "good practice" in CATALOGUE.get(Q1, edition, "6.5.3").summary


def test_every_non_verified_tenth_clause_has_a_note():
    assert [c.id for c in CATALOGUE.clauses(Q1, "10th") if not c.verified and not c.note] == []


def test_numbering_gaps_are_named_not_filled_with_guesses():
    assert "5.7.1.4" in (CATALOGUE.get(Q1, "9th", "5.7.1.3").note or "")
    note = CATALOGUE.files[(Q1, "10th")].structure_note
    for gap in ("5.3.2", "5.6.1-5.6.4", "5.6.9.1-5.6.9.3", "5.8.3-5.8.4"):
        assert gap in note
    assert CATALOGUE.get(Q1, "9th", "5.7.1.4") is None and CATALOGUE.get(Q1, "10th", "5.8.3") is None


def test_risk_beyond_iso_is_not_counted_twice():
    links = [link for link in CATALOGUE.crosswalk.links if link.q1_9th == "5.3"]
    assert {link.relation.value for link in links} == {"superset", "none"}
    superset, none = sorted(links, key=lambda link: link.relation.value != "superset")
    assert "documented procedure" in none.beyond_iso and "delivery" not in none.beyond_iso
    assert "delivery" in superset.beyond_iso and "Q1-only link" in superset.beyond_iso


def test_nonconforming_product_links_include_the_reaction_to_nonconformity():
    (link,) = [link for link in CATALOGUE.crosswalk.links if link.q1_10th == "5.9" and link.q1_9th == "5.10"]
    assert "10.2" in link.iso


@pytest.mark.parametrize("edition", ["9th", "10th"])
def test_organization_structure_is_described_where_the_crosswalk_says_so(edition):
    assert "organization chart" in CATALOGUE.get(Q1, edition, "4.2.1").summary


@pytest.mark.parametrize("ninth", ["4.5", "5.3"])
def test_changed_content_under_the_same_number_is_not_unchanged(ninth):
    (move,) = [m for m in CATALOGUE.edition_map.moves if m.q1_9th == ninth]
    assert move.change.value == "restructured"
