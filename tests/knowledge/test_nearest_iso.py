"""A Q1 requirement with no ISO counterpart points to its nearest ISO clause, and that clause knows it back."""

from __future__ import annotations

import pytest

from knowledge.catalogue import ISO, Q1, load_catalogue


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.mark.parametrize("edition, clause_id", [("10th", "5.3.3"), ("9th", "5.5")])
def test_contingency_planning_is_looked_for_in_iso_6_1(catalogue, edition, clause_id):
    contingency = catalogue.get(Q1, edition, clause_id)
    assert catalogue.nearest_iso(contingency).key == (ISO, "2015", "6.1")


def test_the_nearest_iso_clause_lists_the_q1_only_requirements_near_it(catalogue):
    near = {(c.edition, c.id) for c in catalogue.q1_only_near(catalogue.get(ISO, "2015", "6.1"))}
    assert {("10th", "5.3.3"), ("9th", "5.5"), ("10th", "5.3"), ("9th", "6.4.3")} <= near


def test_a_clause_with_a_counterpart_or_without_a_nearest_has_none(catalogue):
    assert catalogue.nearest_iso(catalogue.get(Q1, "10th", "5.5")) is None  # purchasing: ISO 8.4
    assert catalogue.nearest_iso(catalogue.get(Q1, "9th", "Annex A")) is None  # the Monogram: nothing near
    assert catalogue.nearest_iso(catalogue.get(ISO, "2015", "6.1")) is None
    assert catalogue.q1_only_near(catalogue.get(Q1, "10th", "5.3.3")) == []
