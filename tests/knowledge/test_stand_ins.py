"""Stand-ins: where a reader of the other standard or edition looks for a clause whose own counterpart there is
not established, and the reverse."""

from __future__ import annotations

import pytest

from knowledge.catalogue import ISO, Q1, load_catalogue


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def keys(clauses):
    return [c.key for c in clauses]


@pytest.mark.parametrize("edition, clause_id", [("10th", "5.3.3"), ("9th", "5.5")])
def test_contingency_planning_is_looked_for_in_iso_6_1(catalogue, edition, clause_id):
    assert (ISO, "2015", "6.1") in keys(catalogue.stand_ins(catalogue.get(Q1, edition, clause_id)))


def test_a_9th_clause_with_no_known_10th_number_stands_under_its_ancestors_home(catalogue):
    validation = catalogue.get(Q1, "9th", "5.7.1.5")  # process validation: 10th number not seen
    assert keys(catalogue.stand_ins(validation)) == [(Q1, "10th", "5.6")]
    assert catalogue.other_edition_home(validation) == (catalogue.get(Q1, "10th", "5.6"), False)


def test_a_clause_with_established_counterparts_has_no_stand_ins(catalogue):
    purchasing = catalogue.get(Q1, "10th", "5.5")  # ISO 8.4, 9th 5.6
    assert catalogue.stand_ins(purchasing) == []
    assert catalogue.other_edition_home(purchasing) == (catalogue.get(Q1, "9th", "5.6"), True)
    assert catalogue.stand_ins(catalogue.get(Q1, "9th", "Annex A")) == []  # the Monogram: nothing near in ISO
    assert catalogue.stand_ins(catalogue.get(ISO, "2015", "6.1")) == []


def test_a_stand_in_knows_what_it_stands_in_for(catalogue):
    iso_risk = {(c.edition, c.id) for c in catalogue.stood_in_for(catalogue.get(ISO, "2015", "6.1"))}
    assert {("10th", "5.3.3"), ("9th", "5.5"), ("10th", "5.3"), ("9th", "6.4.3")} <= iso_risk
    production = {(c.edition, c.id) for c in catalogue.stood_in_for(catalogue.get(Q1, "10th", "5.6"))}
    assert {("9th", "5.7.1.5"), ("9th", "5.7.2")} <= production
    assert catalogue.stood_in_for(catalogue.get(Q1, "10th", "5.5.2")) == []  # purchasing information
