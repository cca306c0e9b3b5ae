"""Registry-wide invariants of the bundled checklists and rule packs, and every rule's own fixtures."""

from __future__ import annotations

import re

import pytest

from knowledge.catalogue import load_catalogue
from rules.engine import RuleEngine

ENGINE = RuleEngine.load()
ACTIVE = ENGINE.active_rules()


def test_enough_questions_and_rules():
    assert len(ENGINE.checklist.questions()) >= 150
    assert len(ACTIVE) >= 80


def test_rule_ids_and_slugs_unique_and_well_formed():
    ids = [r.id for r in ENGINE.rules]
    slugs = [r.entry.slug for r in ENGINE.rules]
    assert len(set(ids)) == len(ids)
    assert len(set(slugs)) == len(slugs)
    assert all(re.fullmatch(r"[A-Z]{2,4}-\d{3}", i) for i in ids)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", s) for s in slugs)


def test_retired_rules_stay_listed():
    assert any(not r.active for r in ENGINE.rules)


def test_every_active_rule_has_fixtures_both_ways():
    assert all(r.fires and r.quiet for r in ACTIVE)


def test_every_cited_clause_and_question_exists():
    catalogue = load_catalogue()
    for item in [*ACTIVE, *ENGINE.checklist.questions()]:
        clauses = item.entry.clauses if hasattr(item, "entry") else item.clauses
        for citation in clauses.citations():
            assert catalogue.get(citation.standard, citation.edition, citation.id) is not None, (item, citation)
    for rule in ACTIVE:
        for question_id in rule.question_ids:
            assert ENGINE.checklist.get(question_id).id == question_id


def test_every_q1_only_requirement_has_a_rule():
    uncovered = []
    for link in load_catalogue().crosswalk.q1_only():
        covered = any(
            (link.q1_10th is not None and link.q1_10th in r.entry.clauses.q1_10th)
            or (link.q1_9th is not None and link.q1_9th in r.entry.clauses.q1_9th)
            for r in ACTIVE
        )
        if not covered:
            uncovered.append((link.q1_10th, link.q1_9th))
    assert uncovered == []


def test_q1_only_processes_come_first():
    flags = [f.q1_only for f in ENGINE.checklist.files]
    assert flags == sorted(flags, reverse=True)
    assert flags[0] is True


def test_every_process_has_rules():
    assert {r.process for r in ACTIVE} == set(ENGINE.checklist.processes())


@pytest.mark.parametrize(
    ("rule", "kind", "index"),
    [(r, kind, i) for r in ACTIVE for kind in ("fires", "quiet") for i in range(len(getattr(r, kind)))],
    ids=lambda v: v.id if hasattr(v, "id") else str(v),
)
def test_rule_fixture(rule, kind, index):
    fixture = getattr(rule, kind)[index]
    fired = rule.id in {f.id for f in ENGINE.evaluate(fixture.answers, fixture.context)}
    assert fired == (kind == "fires"), f"{rule.source}: {rule.id} {kind} fixture {index + 1}"
