"""Clause numbers across editions: one-edition numbers with their home, clashing numbers both, crosswalk asks."""

from __future__ import annotations

import pytest

from knowledge.catalogue import load_catalogue
from knowledge.clause_refs import read_clause_numbers


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def keys(text, catalogue, q1_edition=None):
    return [(str(r.key), r.role) for r in read_clause_numbers(text, catalogue, q1_edition)]


def test_a_9th_only_number_resolves_there_with_its_10th_home(catalogue):
    readings = read_clause_numbers("what's in API Q1 5.6.1.2", catalogue)
    assert [(str(r.key), r.role) for r in readings[:2]] == [
        ("API Q1:9th:5.6.1.2", "number"),
        ("API Q1:10th:5.5.1.2", "home"),
    ]
    assert "9th" in readings[0].label and "5.5.1.2" in readings[0].label


def test_a_number_meaning_different_clauses_gives_both_chosen_edition_first(catalogue):
    assert keys("Q1 sec 5.5", catalogue)[:2] == [("API Q1:10th:5.5", "number"), ("API Q1:9th:5.5", "number")]
    assert keys("Q1 sec 5.5", catalogue, "9th")[:2] == [("API Q1:9th:5.5", "number"), ("API Q1:10th:5.5", "number")]
    labels = [r.label for r in read_clause_numbers("Q1 sec 5.5", catalogue)[:2]]
    assert labels == ["5.5 in the 10th edition", "5.5 in the 9th edition"]


def test_an_edition_written_after_the_number_counts(catalogue):
    assert keys("Q1 5.5 ninth edition", catalogue)[:2] == [("API Q1:9th:5.5", "number"), ("API Q1:10th:5.3.3", "home")]


@pytest.mark.parametrize(
    "text, first",
    [
        ("9001 10.2 - what does Q1 call the same thing?", "API Q1:10th:5.9"),  # then 6.4.2 (crosswalk order)
        ("ISO 8.4 in Q1 terms", "API Q1:10th:5.5"),
        ("Q1 5.5.1.2 in ISO terms", "ISO 9001:2015:8.4.1"),
        ("what's the ISO equivalent of Q1 6.2.2", "ISO 9001:2015:9.2"),
    ],
)
def test_asking_for_the_other_standard_puts_the_counterpart_first(text, first, catalogue):
    readings = read_clause_numbers(text, catalogue)
    assert str(readings[0].key) == first and readings[0].role == "counterpart"


def test_counterparts_follow_the_number_otherwise(catalogue):
    assert keys("Q1 6.2.1", catalogue)[-1] == ("ISO 9001:2015:9.1.2", "counterpart")


def test_no_number_no_readings(catalogue):
    assert read_clause_numbers("cal sticker expired on a torque wrench", catalogue) == []
