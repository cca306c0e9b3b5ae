"""Broken rule packs and checklists are refused when they load, with one line naming file, line and rule."""

from __future__ import annotations

import pytest

from knowledge.catalogue import load_catalogue
from knowledge.errors import DataFileError
from rules.checklist import load_checklist_from
from rules.engine import RuleEngine
from rules.packs import read_packs

GOOD_RULE = """\
  - id: {id}
    slug: {slug}
    title: A rule written for the test
    grade: {grade}
    basis: lapse
    clauses: {clauses}
    when: '{when}'
    statement:
      requirement: Suppliers are re-evaluated as planned.
      nonconformity: {nonconformity}
    fixtures:
      fires: [{{pur_reeval: "no"}}]
      quiet: [{{pur_reeval: "{quiet}"}}]
"""


def pack(tmp_path, **overrides) -> tuple[list[str], list]:
    fields = {
        "id": "PUR-901",
        "slug": "test-rule",
        "clauses": '{q1_10th: ["5.5.1"], iso: ["8.4.1"]}',
        "when": 'pur_reeval == "no"',
        "nonconformity": "Suppliers were not re-evaluated ($pur_reeval_note).",
        "quiet": "yes",
        "grade": "minor",
    } | overrides
    path = tmp_path / "pack.yaml"
    path.write_text("process: purchasing\nrules:\n" + GOOD_RULE.format(**fields))
    engine = RuleEngine.load()
    rules, errors = read_packs([path], engine.checklist, load_catalogue())
    return errors, rules


def test_a_good_pack_loads(tmp_path):
    errors, rules = pack(tmp_path)
    assert errors == [] and [r.id for r in rules] == ["PUR-901"]


@pytest.mark.parametrize(
    ("overrides", "line", "field", "message"),
    [
        ({"when": 'pur_reeval == "no" and ('}, 9, "when", "syntax error"),
        ({"when": 'pur_reeval == "no" and ) x'}, 9, "when", "column 24"),
        ({"when": 'pur_reevall == "no"'}, 9, "when", "unknown question id 'pur_reevall' (did you mean 'pur_reeval'?)"),
        ({"when": "pur_reeval > 3"}, 9, "when", "type error"),
        ({"when": 'pur_reeval == "No"'}, 9, "when", "pur_reeval is never 'No'"),
        ({"when": 'pur_reeval =~ "n.*"'}, 9, "when", "regular-expression operators"),
        ({"when": "$now > audit_date"}, 9, "when", "$now is not allowed"),
        ({"clauses": '{q1_10th: ["5.5.77"]}'}, 8, "clauses.q1_10th[0]", "no API Q1 10th clause '5.5.77'"),
        ({"clauses": "{iso: [8.4]}"}, 8, "clauses.iso[0]", "must be quoted"),
        ({"nonconformity": "Not done ($nobody)."}, 12, "statement.nonconformity", "$nobody names no checklist question"),
        ({"quiet": "perhaps"}, 15, "fixtures.quiet[0]", "'perhaps' is not certain"),
        ({"id": "PUR-9"}, 3, "id", "String should match pattern"),
        ({"grade": "major"}, 3, "(id PUR-901)", "disagrees with the grading policy: basis 'lapse' gives 'minor'"),
    ],
)
def test_broken_rule_is_named_in_one_line(tmp_path, overrides, line, field, message):
    errors, rules = pack(tmp_path, **overrides)
    assert rules == []
    (error,) = errors
    assert error.startswith(f"{tmp_path / 'pack.yaml'}:{line}: rules[0]")
    assert f".{field}:" in error or f" {field}:" in error
    assert message in error
    assert "\n" not in error


def test_every_broken_rule_is_reported(tmp_path):
    path = tmp_path / "two.yaml"
    first = GOOD_RULE.format(id="PUR-901", slug="one-rule", clauses='{iso: ["8.4.1"]}', when="x_y == 1",
                             nonconformity="Not done here.", quiet="yes", grade="minor")
    second = GOOD_RULE.format(id="PUR-901", slug="two-rule", clauses='{iso: ["8.4.1"]}', when='pur_reeval == "no"',
                              nonconformity="Not done here.", quiet="yes", grade="minor")
    path.write_text("process: purchasing\nrules:\n" + first + second)
    _, errors = read_packs([path], RuleEngine.load().checklist, load_catalogue())
    assert len(errors) == 2
    assert "unknown question id 'x_y'" in errors[0]
    assert "PUR-901 is used twice" in errors[1]


def test_engine_load_raises_one_data_file_error(tmp_path):
    (tmp_path / "pack.yaml").write_text("process: nowhere\nrules: []\n")
    with pytest.raises(DataFileError) as caught:
        RuleEngine.load(packs=tmp_path)
    assert str(caught.value).startswith(str(tmp_path / "pack.yaml"))
    assert "\n" not in str(caught.value)


def test_show_if_may_only_use_earlier_questions(tmp_path):
    (tmp_path / "01_one.yaml").write_text(
        "process: one\ntitle: One\nquestions:\n"
        "  - id: one_first\n    text: The first question asked\n    help: Help for the first one\n"
        "    type: yesno\n    clauses: {iso: ['8.4']}\n    show_if: one_second == \"no\"\n"
        "  - id: one_second\n    text: The second question asked\n    help: Help for the second one\n"
        "    type: yesno\n    clauses: {iso: ['8.4']}\n"
    )
    with pytest.raises(DataFileError, match=r"01_one.yaml:9: questions\[0\] \(id one_first\).show_if: unknown question"):
        load_checklist_from(tmp_path, load_catalogue())
