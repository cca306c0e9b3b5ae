"""The kb, index, ask and setup commands, run through click with the fake embedder."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.cli import main

pytestmark = pytest.mark.usefixtures("fake_embedder_env")


def run(*args, input=None):
    result = CliRunner().invoke(main, list(args), input=input)
    return result


def test_kb_import_list_remove(procedure_file):
    first = run("kb", "import", str(procedure_file.parent))
    assert first.exit_code == 0, first.output
    assert "added" in first.output and "QP-99" in first.output
    assert "unchanged" in run("kb", "import", str(procedure_file)).output
    listed = json.loads(run("kb", "list", "--json").output)
    assert [d["doc_id"] for d in listed] == ["QP-99"] and listed[0]["revision"] == "B"
    removed = run("kb", "remove", "QP-99")
    assert removed.exit_code == 0 and "removed" in removed.output
    missing = run("kb", "remove", "QP-99")
    assert missing.exit_code == 1 and "no document 'QP-99'" in missing.output


def test_kb_import_licensed_standard(licensed_file):
    result = run("kb", "import", "--standard", "API Q1", "--edition", "10th", str(licensed_file))
    assert result.exit_code == 0, result.output
    listed = json.loads(run("kb", "list", "--json").output)
    assert listed[0]["kind"] == "standard" and listed[0]["edition"] == "10th"
    bad = run("kb", "import", "--standard", "ISO 9001", "--edition", "10th", str(licensed_file))
    assert bad.exit_code != 0


def test_index_status_before_and_after_build(procedure_file):
    run("kb", "import", str(procedure_file))
    before = json.loads(run("index", "status", "--json").output)
    assert before["state"] == "missing" and before["documents"] == 1 and before["clauses"] > 0
    built = run("index", "build")
    assert built.exit_code == 0, built.output
    after = json.loads(run("index", "status", "--json").output)
    assert after["state"] == "current" and after["indexed"] == after["passages"]
    assert "nothing to do" in run("index", "build").output


def test_ask_json_schema(procedure_file):
    run("kb", "import", str(procedure_file))
    result = run("ask", "--json", "calibration sticker expired on a torque wrench")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["query"] == "calibration sticker expired on a torque wrench"
    assert data["mode"] == "hybrid" and data["results"]
    for r in data["results"]:
        assert r["kind"] in ("clause", "licensed-text", "procedure") and isinstance(r["score"], float)
        if r["kind"] == "clause":
            assert r["standard"] in ("API Q1", "ISO 9001") and r["edition"] and r["id"] and r["title"]
        if r["kind"] == "procedure":
            assert r["doc"] == "QP-99" and r["title"] and r["section"] and isinstance(r["clauses"], list)


def test_ask_json_stdin_one_object_per_line():
    result = run("ask", "--json", input="calibration of gauges\n\nsupplier evaluation\n")
    lines = result.output.strip().splitlines()
    assert [json.loads(line)["query"] for line in lines] == ["calibration of gauges", "supplier evaluation"]


def test_ask_text_output_and_lexical_fallback(monkeypatch):
    shown = run("ask", "supplier evaluation for critical purchases")
    assert shown.exit_code == 0 and "API Q1 10th" in shown.output and "ISO 9001:2015" in shown.output
    monkeypatch.setenv("Q1AUDIT_EMBEDDER", "none")
    fallback = run("ask", "--json", "supplier evaluation")
    data = json.loads(fallback.output)
    assert data["mode"] == "lexical" and data["note"].startswith("lexical only")
    nothing = run("ask", "zyxxy qwertz plumbus")
    assert "lexical only" in nothing.output and "relevant enough" in nothing.output


def test_ask_without_question_is_a_usage_error():
    result = run("ask")
    assert result.exit_code == 2 and "give a question" in result.output


def test_setup_imports_samples_then_only_checks():
    first = run("setup")
    assert first.exit_code == 0, first.output
    assert "sample company QMS" in first.output and "added" in first.output
    second = run("setup")
    assert second.exit_code == 0 and "index current" in second.output and "added" not in second.output


def test_kb_coverage_json(procedure_file):
    run("kb", "import", str(procedure_file))
    data = json.loads(run("kb", "coverage", "--json").output)
    assert data["standard"] == "API Q1" and data["edition"] == "10th"
    assert any(row["id"] == "5.8" and row["covered"] for row in data["clauses"])
    text = run("kb", "coverage", "--standard", "ISO 9001")
    assert text.exit_code == 0 and "nothing covers" in text.output
