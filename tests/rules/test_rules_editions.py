"""Edition-aware rules and citations: the session's criteria reach the rules; unconfirmed 10th numbers say so."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from assistant.cli import main
from knowledge.catalogue import Q1, load_catalogue
from rules.checklist import cite
from rules.engine import RuleEngine
from rules.models import UNCONFIRMED_MARK, AnswerValue, AuditContext

ENGINE = RuleEngine.load()
CATALOGUE = load_catalogue()


def ctx(*criteria: str) -> AuditContext:
    return AuditContext(audit_date=date(2025, 6, 30), criteria=list(criteria))


def fired(criteria: tuple[str, ...], **values: object) -> set[str]:
    given = {k: AnswerValue(question_id=k, value=v) for k, v in values.items()}
    return {f.id for f in ENGINE.evaluate(given, ctx(*criteria))}


@pytest.mark.parametrize(
    ("criteria", "fires"),
    [(("API Q1:10th",), True), (("API Q1:9th",), False), (("API Q1:9th", "ISO 9001:2015"), False),
     (("ISO 9001:2015",), True), ((), True), (("API Q1:9th", "API Q1:10th"), True)],
)
def test_ten_year_retention_is_a_tenth_edition_rule(criteria, fires):
    assert ("RET-001" in fired(criteria, ret_period_years=5.0)) is fires


def test_every_unverified_tenth_clause_is_cited_as_not_confirmed():
    for clause in CATALOGUE.clauses(Q1, "10th"):
        citation = cite(CATALOGUE, clause.standard, clause.edition, clause.id)
        assert citation.confirmed is clause.verified
        assert (UNCONFIRMED_MARK in str(citation)) is (not clause.verified)
        assert (UNCONFIRMED_MARK in citation.text(clause.title)) is (not clause.verified)
    for clause in CATALOGUE.clauses(Q1, "9th") + CATALOGUE.clauses("ISO 9001"):
        assert cite(CATALOGUE, clause.standard, clause.edition, clause.id).confirmed


def test_a_rule_resting_on_unconfirmed_tenth_numbers_also_cites_the_ninth_and_iso():
    for rule in ENGINE.active_rules():
        tenth = [c for c in rule.citations if c.edition == "10th"]
        if all(not c.confirmed for c in tenth):
            assert rule.entry.clauses.q1_9th, rule.id
            assert rule.entry.clauses.iso or rule.entry.clauses.q1_9th == ["Annex A"], rule.id


def test_findings_carry_the_confirmation():
    given = {"car_preventive_procedure": AnswerValue(question_id="car_preventive_procedure", value="no")}
    (finding,) = ENGINE.evaluate(given, ctx("API Q1:10th"))
    tenth = [c for c in finding.clauses if c.edition == "10th"]
    assert tenth and not any(c.confirmed for c in tenth)
    assert "API Q1 10th 6.4.3 (number not confirmed)" in [str(c) for c in finding.clauses]


def test_cli_findings_say_not_confirmed_and_honour_the_criteria():
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(main, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    ninth = run("session", "new", "--title", "9th", "--standard", "API Q1:9th", "--start", "2025-06-30").strip()
    tenth = run("session", "new", "--title", "10th", "--standard", "API Q1:10th", "--start", "2025-06-30").strip()
    for sid in (ninth, tenth):
        run("session", "answer", sid, "ret_period_years", "5 years per QP-4.5")
        run("session", "answer", sid, "car_preventive_procedure", "no")
    assert "RET-001" not in {f["id"] for f in json.loads(run("findings", ninth, "--json"))}
    findings = {f["id"]: f for f in json.loads(run("findings", tenth, "--json"))}
    assert "RET-001" in findings
    assert {"standard": "API Q1", "edition": "10th", "id": "6.4.3", "confirmed": False} in findings["CAR-004"]["clauses"]
    assert "6.4.3 (number not confirmed)" in run("findings", tenth)
