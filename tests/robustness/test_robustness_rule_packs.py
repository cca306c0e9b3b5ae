"""A rule pack from someone else cannot read files, run code or hang: hostile conditions and templates are refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from knowledge.catalogue import load_catalogue
from knowledge.errors import Q1AuditError
from rules.answers import parse_answer
from rules.engine import RuleEngine
from rules.models import AnswerValue, AuditContext
from rules.packs import read_packs

GOOD_RULE = {
    "id": "HOS-001",
    "slug": "hostile-rule",
    "title": "A rule written by someone else",
    "grade": "minor",
    "basis": "lapse",
    "clauses": {"q1_10th": ["5.5"]},
    "when": 'pur_reeval == "no"',
    "statement": {"requirement": "Suppliers are re-evaluated.", "nonconformity": "Suppliers were not re-evaluated."},
    "fixtures": {"fires": [{"pur_reeval": "no"}], "quiet": [{"pur_reeval": "yes"}]},
}


def _pack(tmp_path: Path, **changes) -> Path:
    rule = GOOD_RULE | changes
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump({"process": "purchasing", "rules": [rule]}))
    return path


def _nest(levels: int) -> str:
    expression = "pur_reeval_done"
    for i in range(levels):
        expression = f"[{expression} for v{i} in [1,2,3,4,5,6,7,8,9,0]]"
    return expression + " == []"


@pytest.mark.parametrize(
    "when, reason",
    [
        ('open("/etc/passwd") == ""', "unknown question id 'open'"),
        ('__import__("os").system("touch pwned") == 0', "unknown question id '__import__'"),
        ("pur_reeval_done.__class__ == 1", "unknown attribute"),
        ("pur_reeval_done.__globals__ == 1", "unknown attribute"),
        ('$now > audit_date', "$now is not allowed"),
        ('$parse_datetime("2020-01-01") > audit_date', "$parse_datetime is not allowed"),
        ('$split("a b") == ["a"]', "$split is not allowed"),
        ('pur_reeval =~ "(a+)+$"', "regular-expression operators"),
        # A regex on literals would run (and backtrack) while the condition is parsed.
        ('"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" =~ "(a+)+$"', "regular-expression operators"),
        ('pur_reeval !~~ "x"', "regular-expression operators"),
        # Ten nested comprehensions over ten items would take 10^10 steps.
        (_nest(10), "comprehensions"),
        ("[1 for x in [1,2]] == [1, 1]", "comprehensions"),
        ("pur_reeval_done " + "+ 1 " * 200 + "> 0", "limit is 400"),
    ],
)
def test_hostile_conditions_are_refused_at_load(tmp_path, monkeypatch, when, reason):
    monkeypatch.chdir(tmp_path)
    engine = RuleEngine.load()
    rules, errors = read_packs([_pack(tmp_path, when=when)], engine.checklist, load_catalogue())
    assert not rules
    assert len(errors) == 1 and reason in errors[0] and "\n" not in errors[0]
    assert not (tmp_path / "pwned").exists()


def test_tildes_and_for_inside_string_literals_are_fine(tmp_path):
    engine = RuleEngine.load()
    when = 'pur_reeval == "no" and audit_type != "for =~ supplier"'
    _, errors = read_packs([_pack(tmp_path, when=when)], engine.checklist, load_catalogue())
    assert all("regular-expression" not in e and "comprehensions" not in e for e in errors)


@pytest.mark.parametrize(
    "template",
    [
        "Evidence: ${pur_reeval.__class__.__mro__}",
        "Evidence: {pur_reeval.__class__}",
        "Evidence: $__import__",
        "Evidence: %(pur_reeval)s {0} ${'{'}",
    ],
)
def test_statement_templates_only_substitute_names(tmp_path, template):
    engine = RuleEngine.load()
    statement = {"requirement": "Suppliers are re-evaluated.", "nonconformity": template}
    rules, errors = read_packs([_pack(tmp_path, statement=statement)], engine.checklist, load_catalogue())
    if errors:
        assert len(errors) == 1 and "nonconformity" in errors[0]
        return
    answers = {"pur_reeval": AnswerValue(question_id="pur_reeval", value="no")}
    engine = RuleEngine(engine.checklist, rules, engine.grading, [])
    [finding] = engine.evaluate(answers, AuditContext(audit_date=date(2025, 6, 30), audit_type="internal"))
    assert "<class" not in finding.statement.nonconformity and "function" not in finding.statement.nonconformity


def test_a_condition_failing_on_some_answers_is_one_line_naming_the_rule(tmp_path):
    """Fixtures pass, but a zero on site divides by zero: the auditor gets one line, not a traceback."""
    when = "pur_reeval_done / pur_reeval_sampled < 0.5"
    fixtures = {
        "fires": [{"pur_reeval_sampled": "10", "pur_reeval_done": "2"}],
        "quiet": [{"pur_reeval_sampled": "10", "pur_reeval_done": "9"}],
    }
    engine = RuleEngine.load()
    rules, errors = read_packs([_pack(tmp_path, when=when, fixtures=fixtures)], engine.checklist, load_catalogue())
    assert not errors, errors
    engine = RuleEngine(engine.checklist, rules, engine.grading, [])
    answers = {
        q: AnswerValue(question_id=q, value=parse_answer(engine.checklist.get(q), text).value)
        for q, text in {"pur_reeval": "partial", "pur_reeval_sampled": "0", "pur_reeval_done": "0"}.items()
    }
    with pytest.raises(Q1AuditError) as caught:
        engine.evaluate(answers, AuditContext(audit_date=date(2025, 6, 30), audit_type="internal"))
    message = str(caught.value)
    assert "HOS-001" in message and "hostile.yaml" in message and "\n" not in message
