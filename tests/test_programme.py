"""`q1audit programme`: audits by process and date, findings over time, repeat findings, processes due."""

from __future__ import annotations

import csv
import json
import zipfile
from datetime import date, timedelta

from click.testing import CliRunner
from openpyxl import load_workbook

from assistant.cli import main

FIRING = {
    "pur_reeval": "partial - two suppliers overdue",
    "pur_reeval_sampled": "5",
    "pur_reeval_done": "3",
    "cal_due_date": "2025-02-28",
}
"""PUR-002 (3 of 5 suppliers re-evaluated) and CAL-001 (a gauge past its due date) fire on these."""


def ok(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def audit(start: date, processes: str = "purchasing,calibration") -> str:
    sid = ok("session", "new", "--title", f"Audit of {start}", "--scope", processes, "--start", start.isoformat(),
             "--standard", "API Q1:10th").strip()
    for question, answer in FIRING.items():
        ok("session", "answer", sid, question, answer)
    return sid


def test_a_repeat_finding_is_flagged_across_two_audits(tmp_path):
    first = audit(date(2025, 3, 11))
    ok("finding", "action", first, "PUR-002", "--corrective-action", "Re-evaluation added to the monthly plan",
       "--evidence", "Plan rev 4 and two re-evaluations seen")
    ok("finding", "action", first, "CAL-001", "--corrective-action", "Recall list")  # not closed: no evidence
    second = audit(date.today() + timedelta(days=30))

    data = json.loads(ok("programme", "--json", "--as-of", (date.today() + timedelta(days=31)).isoformat()))
    assert [a["number"] for a in data["audits"]] == [first, second]
    assert data["audits"][0]["processes"] == ["purchasing", "calibration"]
    assert data["audits"][0]["criteria"] == ["API Q1:10th"] and sum(data["audits"][0]["result"].values()) >= 2
    flagged = {(r["audit"], r["id"]): r["repeat_of"] for r in data["findings"] if r["repeat_of"]}
    assert flagged.keys() == {(second, "PUR-002")}
    assert flagged[(second, "PUR-002")]["finding"] == "PUR-002" and flagged[(second, "PUR-002")]["audit"] == first
    assert [(r["audit"], r["id"]) for r in data["repeats"]] == [(second, "PUR-002")]
    years = {t["year"] for t in data["trends"] if t["process"] == "purchasing"}
    assert years == {2025, (date.today() + timedelta(days=30)).year}
    due = {p["process"] for p in data["not_audited"]}
    assert due and not due & {"purchasing", "calibration"}

    text = ok("programme", "--xlsx", str(tmp_path / "programme.xlsx"))
    assert f"{second} PUR-002" in text and f"repeat of PUR-002 in audit {first}" in text
    book = load_workbook(tmp_path / "programme.xlsx")
    assert book.sheetnames == ["Audits", "Findings", "Findings over time", "Not audited"]
    with zipfile.ZipFile(tmp_path / "programme.xlsx") as package:
        assert [n for n in package.namelist() if n.startswith("xl/charts/")] == ["xl/charts/chart1.xml"]
    rows = list(book["Findings"].iter_rows(values_only=True))
    assert rows[0][-1] == "Repeat"
    assert [(r[0], r[2], r[-1]) for r in rows[1:] if r[-1]] == [(second, "PUR-002", f"repeat of PUR-002 in audit {first}")]


def test_no_repeat_outside_the_window_and_stale_processes_listed():
    first = audit(date(2023, 1, 10), processes="purchasing")
    ok("finding", "action", first, "PUR-002", "--evidence", "Closed")
    audit(date.today() + timedelta(days=45), processes="purchasing")
    data = json.loads(ok("programme", "--json", "--repeat-window", "1"))
    assert data["repeats"] == []
    due = {p["process"]: p for p in data["not_audited"]}
    # The second audit is still ahead, the first long past: purchasing is due, calibration never audited.
    assert due["purchasing"]["last_audit"] == first and due["calibration"]["last_audited"] is None


def test_the_repeat_shows_on_the_new_finding_in_findings_the_exports_and_reports(tmp_path):
    """Ana audited purchasing last year on her laptop; Lee imports it and audits again: the new PUR-002
    says what it repeats wherever the finding is shown."""
    ana, lead = ["--data-dir", str(tmp_path / "ana")], ["--data-dir", str(tmp_path / "lead")]
    first = ok(*ana, "session", "new", "--title", "Purchasing 2025", "--scope", "purchasing,calibration",
               "--start", "2025-03-11").strip()
    for question, answer in FIRING.items():
        ok(*ana, "session", "answer", first, question, answer)
    ok(*ana, "finding", "decide", first, "CAL-001", "--confirm")
    ok(*ana, "finding", "decide", first, "PUR-002", "--confirm")
    ok(*ana, "finding", "action", first, "PUR-002", "--evidence", "Plan rev 4 and two re-evaluations seen")
    earlier_report = ok(*ana, "export", first, "--format", "md", "-o", str(tmp_path / "first.md"))
    number = next(line.split(":")[0].removeprefix("### ") for line in (tmp_path / "first.md").read_text().splitlines()
                  if line.startswith("### ") and "PUR-002" not in line and "re-evaluat" in line.lower())
    assert earlier_report and number.startswith("F-0")
    ok(*ana, "export", first, "--format", "json", "-o", str(tmp_path / "first.json"))
    ok(*lead, "session", "import", str(tmp_path / "first.json"))

    second = ok(*lead, "session", "new", "--title", "Purchasing 2026", "--scope", "purchasing",
                "--start", (date.today() + timedelta(days=30)).isoformat()).strip()
    for question, answer in FIRING.items():
        ok(*lead, "session", "answer", second, question, answer)
    flag = f"repeat of {number} (PUR-002) in audit {first}"

    text = ok(*lead, "findings", second)
    pur = text[text.index("PUR-002"):]
    assert pur.splitlines()[1].strip().startswith(f"Repeat of {number} (PUR-002) in audit {first}, whose"), text
    assert "CAL-001" in text and text.count("Repeat of") == 1, "CAL-001's action was never closed"
    listed = {f["id"]: f["repeat_of"] for f in json.loads(ok(*lead, "findings", second, "--json"))}
    assert listed["CAL-001"] is None
    assert listed["PUR-002"]["audit"] == first and listed["PUR-002"]["number"] == number

    ok(*lead, "finding", "decide", second, "PUR-002", "--confirm")
    ok(*lead, "finding", "decide", second, "CAL-001", "--dismiss", "gauge out of scope")
    for audience in ("auditee", "team"):
        ok(*lead, "export", second, "--format", "md", "--for", audience, "-o", str(tmp_path / f"{audience}.md"))
        assert flag in (tmp_path / f"{audience}.md").read_text(), audience
    ok(*lead, "export", second, "--format", "csv", "--for", "team", "-o", str(tmp_path / "second.csv"))
    with (tmp_path / "second.csv").open(newline="", encoding="utf-8-sig") as f:
        rows = {r["Finding id"]: r for r in csv.DictReader(f)}
    assert rows["PUR-002"]["Repeat of"] == flag.removeprefix("repeat of ") and rows["CAL-001"]["Repeat of"] == ""
    ok(*lead, "export", second, "--format", "json", "-o", str(tmp_path / "second.json"))
    exported = {f["id"]: f for f in json.loads((tmp_path / "second.json").read_text())["findings"]}
    assert exported["PUR-002"]["repeat_of"]["audit_uid"] == json.loads((tmp_path / "first.json").read_text())["session"]["uid"]
