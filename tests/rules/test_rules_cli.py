"""`q1audit rules check|test|list` and `q1audit checklist show` through the CLI."""

from __future__ import annotations

import json

from click.testing import CliRunner

from assistant.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_rules_check_passes_on_bundled_packs():
    result = run("rules", "check")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")


def test_rules_check_reports_each_broken_rule(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "process: purchasing\nrules:\n"
        "  - {id: PUR-990, slug: bad-one, title: Broken on purpose, grade: minor, basis: lapse, clauses: {iso: ['8.4.1']},\n"
        "     when: 'pur_nothing == \"no\"', statement: {requirement: Something required here, nonconformity: Not done here},\n"
        "     fixtures: {fires: [{pur_reeval: 'no'}], quiet: [{pur_reeval: 'yes'}]}}\n"
    )
    result = run("rules", "check", str(path))
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"{path}:4: rules[0] (id PUR-990).when: unknown question id 'pur_nothing'")


def test_rules_check_missing_path_is_one_line():
    result = run("rules", "check", "no-such-pack.yaml")
    assert result.exit_code == 1
    assert result.output.strip() == "q1audit: no-such-pack.yaml: no such file or directory"


def test_rules_test_runs_every_fixture():
    result = run("rules", "test")
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(", 0 failed")


def test_rules_list_json():
    result = run("rules", "list", "--json")
    assert result.exit_code == 0
    rules = json.loads(result.output)
    assert len(rules) >= 80
    first = rules[0]
    assert {"id", "title", "grade", "clauses"} <= set(first)
    assert set(first["clauses"][0]) == {"standard", "edition", "id", "confirmed"}
    assert any(r["status"] == "retired" for r in rules)


def test_rules_list_text():
    result = run("rules", "list")
    assert "PUR-002" in result.output and "API Q1 10th 5.5.1" in result.output


def test_checklist_show_process_json():
    result = run("checklist", "show", "critical_suppliers", "--json")
    assert result.exit_code == 0
    questions = json.loads(result.output)
    assert {q["process"] for q in questions} == {"critical_suppliers"}
    choice = next(q for q in questions if q["type"] == "choice")
    assert "on-site assessment" in choice["choices"]
    assert all("choices" not in q for q in questions if q["type"] != "choice")


def test_checklist_show_all_text_and_unknown_process():
    result = run("checklist", "show")
    assert "== Risk assessment and management (risk)" in result.output
    assert "only if pur_reeval" in result.output
    bad = run("checklist", "show", "nowhere")
    assert bad.exit_code == 1 and "no process 'nowhere'" in bad.output


def test_rules_list_marks_unconfirmed_tenth_numbers():
    line = next(x for x in run("rules", "list").output.splitlines() if x.startswith("CAR-004"))
    assert "API Q1 10th 6.4.3 (number not confirmed)" in line and "API Q1 9th 6.4.3;" in line


def test_checklist_show_names_the_gate():
    result = run("checklist", "show", "critical_suppliers")
    assert "[only after yes to sup_special_sources]" in result.output
    listed = json.loads(run("checklist", "show", "critical_suppliers", "--json").output)
    assert next(q for q in listed if q["id"] == "sup_special_critical")["gate"] == "sup_special_sources"
