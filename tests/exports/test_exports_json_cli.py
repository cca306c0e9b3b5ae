"""JSON export and import round trip, byte-identical finding lists, and the `export` / `session import` commands."""

from __future__ import annotations

import json

from click.testing import CliRunner

from assistant.cli import main
from assistant.exports import export_session
from assistant.exports.json_export import SCHEMA_VERSION, SessionExport


def _cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_csv_json_and_markdown_are_byte_identical_between_runs(service, hostile_session, tmp_path):
    for fmt in ("csv", "json", "md"):
        first = export_session(service, hostile_session, fmt, tmp_path / f"a.{fmt}").read_bytes()
        second = export_session(service, hostile_session, fmt, tmp_path / f"b.{fmt}").read_bytes()
        assert first == second, fmt


def test_json_is_complete_and_versioned(service, hostile_session, hostile, tmp_path):
    out = export_session(service, hostile_session, "json", tmp_path / "s.json")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "q1audit-session" and data["schema_version"] == SCHEMA_VERSION
    export = SessionExport.model_validate(data)
    assert export.session.header.diverging_opinions.startswith("Auditee disagrees")
    history = [c for c in export.history if c.question_id == "pur_reeval"]
    assert [c.new.value for c in history] == ["no", "partial"] and history[1].old.value == "no"
    manual_decisions = {d.finding_id: d.status.value for d in export.decisions if d.finding_id.startswith("M-")}
    assert manual_decisions == {"M-001": "confirmed", "M-002": "confirmed", "M-003": "dismissed"}
    assert [m.finding.id for m in export.manual_findings] == ["M-001", "M-002", "M-003"]
    assert export.corrective_actions[0].action.root_cause == f"No schedule {hostile.CYRILLIC}"
    m1 = next(f for f in export.findings if f.id == "M-001")
    assert {(c.standard, c.edition, c.id) for c in m1.clauses} >= {("API Q1", "10th", "5.5.1"), ("API Q1", "9th", "5.6.1")}


def test_import_restores_the_session_exactly(service, hostile_session, tmp_path):
    first = export_session(service, hostile_session, "json", tmp_path / "s.json")
    other = tmp_path / "other-home"
    result = _cli("--data-dir", str(other), "session", "import", str(first))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == hostile_session
    again = tmp_path / "again.json"
    result = _cli("--data-dir", str(other), "export", hostile_session, "-o", str(again))
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == first.read_bytes()
    # The restored session is a working session: the auditor can go on answering.
    result = _cli("--data-dir", str(other), "session", "answer", hostile_session, "pur_procedure", "no")
    assert result.exit_code == 0, result.output


def test_import_of_an_existing_session_does_nothing_and_bad_files_are_refused(service, hostile_session, tmp_path):
    out = export_session(service, hostile_session, "json", tmp_path / "s.json")
    result = _cli("session", "import", str(out))
    assert result.exit_code == 0
    assert result.output.splitlines() == [f"{hostile_session}: already here with the same content; nothing to do",
                                          hostile_session]

    data = json.loads(out.read_text(encoding="utf-8"))
    for name, change, message in [
        ("newer.json", {"schema_version": SCHEMA_VERSION + 1}, "schema_version"),
        ("other.json", {"format": "something-else"}, "not a q1audit session export"),
        ("badfield.json", {"answers": [{"question_id": "x"}]}, "answers.0.answer_type"),
    ]:
        bad = tmp_path / name
        bad.write_text(json.dumps(data | change), encoding="utf-8")
        result = _cli("--data-dir", str(tmp_path / "fresh"), "session", "import", str(bad))
        assert result.exit_code == 1
        assert result.output.startswith(f"q1audit: {bad}") and message in result.output
        assert len(result.output.strip().splitlines()) == 1
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": \n', encoding="utf-8")
    result = _cli("session", "import", str(broken))
    assert result.exit_code == 1 and f"{broken}:2: JSON syntax error" in result.output


def test_export_never_overwrites_without_force(hostile_session, tmp_path):
    target = tmp_path / "out" / "list.csv"
    target.parent.mkdir()
    target.write_text("keep me", encoding="utf-8")
    result = _cli("export", hostile_session, "-o", str(target))
    assert result.exit_code == 1
    assert result.output == f"q1audit: {target} already exists; use --force to overwrite it\n"
    assert target.read_text(encoding="utf-8") == "keep me"
    result = _cli("export", hostile_session, "-o", str(target), "--force")
    assert result.exit_code == 0 and target.read_text(encoding="utf-8-sig").startswith("Audit,Audit title,")
    assert [p.name for p in target.parent.iterdir()] == ["list.csv"], "no partial file left behind"


def test_export_default_path_and_format_errors(isolated_home, hostile_session, tmp_path):
    result = _cli("export", hostile_session, "--format", "pdf")
    assert result.exit_code == 0, result.output
    written = isolated_home.exports_dir / f"{hostile_session}-script-alert-x-script-Supplier-audit.pdf"
    assert result.output.strip() == str(written) and written.exists()
    result = _cli("export", hostile_session, "--format", "pdf", "--for", "team")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(written.with_name(written.stem + "-team.pdf"))
    result = _cli("export", hostile_session, "--format", "pdf", "--for", "client")
    assert result.exit_code == 2 and "'client' is not one of 'auditee', 'team'" in result.output

    result = _cli("export", hostile_session, "--format", "odt", "-o", str(tmp_path / "x.odt"))
    assert result.exit_code == 1 and "no export format 'odt'" in result.output
    result = _cli("export", hostile_session, "-o", str(tmp_path / "x.unknown"))
    assert result.exit_code == 1 and "say which format with --format" in result.output
    result = _cli("export", "1999-001", "--format", "csv")
    assert result.exit_code == 1 and "no session '1999-001'" in result.output
