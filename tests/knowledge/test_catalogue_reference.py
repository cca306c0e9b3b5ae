"""The bundled catalogue and crosswalk against the reference facts: numbers, titles, confidence, Q1-only topics."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from knowledge.catalogue import ISO, Q1, load_catalogue
from knowledge.crosswalk import Relation

REFERENCE = json.loads((Path(__file__).parent / "reference_clauses.json").read_text(encoding="utf-8"))


def _plain(title: str) -> str:
    """Compare titles with case and punctuation aside ("Evaluation—Critical" == "evaluation - critical")."""
    return " ".join(re.sub(r"[^\w]+", " ", title.lower()).split())


def _ref_id(row: dict) -> str:
    return f"{row['standard']} {row['edition']} {row['id']}"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_every_reference_clause_is_in_the_catalogue(catalogue):
    missing = [
        _ref_id(r)
        for r in REFERENCE["clauses"]
        if catalogue.get(r["standard"], r["edition"], r["id"]) is None
    ]
    assert missing == []


def test_verified_titles_match_the_reference(catalogue):
    wrong = []
    for row in REFERENCE["clauses"]:
        clause = catalogue.get(row["standard"], row["edition"], row["id"])
        if (
            row["confidence"] == "verified"
            and clause is not None
            and _plain(clause.title) != _plain(row["title"])
        ):
            wrong.append(f"{_ref_id(row)}: {clause.title!r} != {row['title']!r}")
    assert wrong == []


def test_unconfirmed_clauses_are_not_marked_verified(catalogue):
    overclaimed = [
        _ref_id(row)
        for row in REFERENCE["clauses"]
        if row["confidence"] != "verified"
        and (clause := catalogue.get(row["standard"], row["edition"], row["id"])) is not None
        and clause.verified
    ]
    assert overclaimed == []


def test_every_crosswalk_link_resolves(catalogue):
    dangling = []
    for link in catalogue.crosswalk.links:
        keys = [(Q1, edition, clause_id) for edition, clause_id in link.q1_ids().items()]
        keys += [(ISO, "2015", clause_id) for clause_id in link.iso + link.iso_closest]
        dangling += [" ".join(key) for key in keys if catalogue.get(*key) is None]
    assert dangling == []


def test_every_q1_clause_with_a_link_shows_its_counterparts(catalogue):
    for link in catalogue.crosswalk.links:
        if link.q1_only:
            continue
        for edition, clause_id in link.q1_ids().items():
            clause = catalogue.get(Q1, edition, clause_id)
            assert {c.id for c in catalogue.counterparts(clause)} >= set(link.iso), clause.label


@pytest.mark.parametrize("topic", REFERENCE["q1_only"], ids=lambda t: t["q1_9th"])
def test_q1_only_topics_are_marked_relation_none(topic, catalogue):
    """A requirement the reference finds no ISO counterpart for has a Q1-only link (9th id, or its 10th home)."""
    ninth = topic["q1_9th"]
    homes = {m.q1_10th for m in catalogue.edition_map.moves if m.q1_9th == ninth and m.q1_10th}
    links = [link for link in catalogue.crosswalk.links if link.q1_9th == ninth or link.q1_10th in homes]
    assert any(link.relation == Relation.none for link in links), f"{ninth}: {topic['topic']}"


@pytest.mark.parametrize(
    "move",
    [m for m in REFERENCE["renumbering"] if m["confidence"] == "verified"],
    ids=lambda m: f"{m['q1_9th']}->{m['q1_10th']}",
)
def test_verified_renumbering_is_in_the_edition_map(move, catalogue):
    pairs = {(m.q1_9th, m.q1_10th) for m in catalogue.edition_map.moves}
    assert (move["q1_9th"], move["q1_10th"]) in pairs
