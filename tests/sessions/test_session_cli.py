"""The session, findings and finding commands end to end through the CLI."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from assistant.cli import main


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True):
        result = runner.invoke(main, list(args))
        assert (result.exit_code == 0) == ok, result.output
        return result

    return invoke


NEW = ("session", "new", "--title", "Purchasing and calibration", "--type", "internal",
       "--scope", "purchasing,calibration", "--standard", "API Q1:10th", "--start", "2025-03-11")


def test_new_prints_the_id_and_json_prints_an_object(run):
    session_id = run(*NEW).output.strip()
    assert session_id.endswith("-001")
    created = json.loads(run(*NEW, "--json", "--auditee", "Dana Whitfield:Supply Chain Manager").output)
    assert created["id"].endswith("-002")
    assert created["status"] == "planned"
    assert created["header"]["scope"]["processes"] == ["purchasing", "calibration"]
    assert created["header"]["criteria"]["standards"] == ["API Q1:10th"]
    assert created["header"]["auditees"] == [{"name": "Dana Whitfield", "role": "Supply Chain Manager"}]
    listed = run("session", "list").output
    assert session_id in listed and created["id"] in listed


def test_user_mistakes_print_one_line(run):
    bad = run("session", "new", "--title", "T", "--scope", "purchase", ok=False)
    assert bad.output.strip().startswith("q1audit: scope: no process 'purchase'")
    assert len(bad.output.strip().splitlines()) == 1
    dates = run("session", "new", "--title", "T", "--start", "2025-03-11", "--end", "2025-03-01", ok=False)
    assert "end date 2025-03-01 is before start date 2025-03-11" in dates.output
    missing = run("session", "show", "1999-001", ok=False)
    assert missing.output.strip() == "q1audit: no session '1999-001' (q1audit session list shows them)"


def test_a_year_no_audit_has_is_refused_and_nothing_changes(run):
    far = run("session", "new", "--title", "T", "--start", "0001-01-01", ok=False)
    assert far.output.strip() == "q1audit: start date 0001-01-01: expected a year from 1900 to 2099"
    sid = run(*NEW).output.strip()
    late = run("session", "edit", sid, "--end", "9999-12-31", ok=False)
    assert "end date 9999-12-31: expected a year from 1900 to 2099" in late.output
    assert json.loads(run("session", "show", sid, "--json").output)["header"]["end_date"] is None


def test_history_of_a_mistyped_question_names_it(run):
    sid = run(*NEW).output.strip()
    typo = run("session", "history", sid, "pur_procedur", ok=False)
    assert "no checklist question 'pur_procedur' (did you mean 'pur_procedure'?)" in typo.output
    assert run("session", "history", sid, "pur_procedure").output.strip() == "No answer to pur_procedure yet."


def test_answer_show_findings_decide_and_close(run, tmp_path):
    sid = run(*NEW).output.strip()
    photo = tmp_path / "po.jpg"
    photo.write_bytes(b"jpeg")
    out = run("session", "answer", sid, "pur_reeval", "no - only 3 of 5 re-evaluated", "--record", "SUP-1,SUP-2",
              "--attach", str(photo), "--interviewee", "Dana", "--role", "Buyer", "--by", "lee").output
    assert out.splitlines()[0] == (
        "pur_reeval: recorded: NO, note: only 3 of 5 re-evaluated, records: SUP-1, SUP-2, 1 file(s)"
    )
    run("session", "answer", sid, "pur_reeval_sampled", "5")
    run("session", "answer", sid, "pur_reeval_done", "3")
    unreadable = run("session", "answer", sid, "pur_reeval_done", "a few", ok=False)
    assert "cannot read 'a few'" in unreadable.output

    shown = json.loads(run("session", "show", sid, "--json").output)
    assert shown["status"] == "in_progress"
    first = shown["answers"][0]
    assert (first["question_id"], first["value"], first["records"]) == ("pur_reeval", "no", ["SUP-1", "SUP-2"])
    assert first["attachments"] == [f"{sid}/pur_reeval_po.jpg"]
    assert "pur_reeval_sampled: 5" in run("session", "show", sid).output

    findings = json.loads(run("findings", sid, "--json").output)
    reeval = next(f for f in findings if f["id"] == "PUR-002")
    assert set(reeval) >= {"id", "rule", "grade", "status", "clauses", "statement", "answers"}
    assert (reeval["rule"], reeval["grade"], reeval["status"]) == ("PUR-002", "minor", "proposed")
    assert set(reeval["clauses"][0]) == {"standard", "edition", "id", "confirmed"}
    assert set(reeval["statement"]) == {"requirement", "evidence", "nonconformity"}
    assert {"question_id": "pur_reeval_done", "value": 3.0, "note": "", "records": []} in reeval["answers"]

    run("finding", "decide", sid, "PUR-002", "--regrade", "major", "--by", "lee")
    run("finding", "add", sid, "--grade", "observation", "--clause", "ISO 8.4.1", "--text", "ASL not dated")
    run("finding", "action", sid, "PUR-002", "--correction", "Re-evaluated both", "--owner", "Dana", "--due",
        "2025-04-30")
    both = run("finding", "decide", sid, "PUR-002", "--confirm", "--dismiss", "dup", ok=False)
    assert "exactly one of" in both.output
    decided = {f["id"]: f for f in json.loads(run("findings", sid, "--json").output)}
    assert (decided["PUR-002"]["grade"], decided["PUR-002"]["status"]) == ("major", "confirmed")
    assert decided["PUR-002"]["corrective_action"]["due_date"] == "2025-04-30"
    assert decided["M-001"]["rule"] is None
    text = run("findings", sid).output
    assert "PUR-002  major (proposed minor)  confirmed" in text

    history = run("session", "history", sid, "pur_reeval_done").output
    assert "-> 3" in history

    undecided = [f["id"] for f in json.loads(run("findings", sid, "--json").output) if f["status"] == "proposed"]
    if undecided:
        assert ", ".join(undecided) in run("session", "close", sid, ok=False).output
    for finding_id in undecided:
        run("finding", "decide", sid, finding_id, "--confirm")
    run("session", "close", sid)
    refused = run("session", "answer", sid, "pur_procedure", "yes", ok=False)
    assert "is closed" in refused.output
    assert "is closed" in run("finding", "decide", sid, "PUR-002", "--dismiss", "late", ok=False).output


def test_an_uncertain_answer_is_refused_with_its_readings_and_settled_with_as(run):
    sid = run(*NEW).output.strip()
    refused = run("session", "answer", sid, "pur_procedure", "no problem, QP-07 rev C is on the wall", ok=False)
    assert refused.exit_code == 1
    line = refused.output.strip()
    assert len(line.splitlines()) == 1
    assert "could be yes or no" in line and "--as yes|no" in line and "nothing stored" in line
    assert json.loads(run("session", "show", sid, "--json").output)["answers"] == []
    settled = run("session", "answer", sid, "pur_procedure", "no problem, QP-07 rev C is on the wall", "--as", "yes")
    assert settled.output.startswith("pur_procedure: recorded: YES")
    assert "note: no problem, QP-07 rev C is on the wall" in settled.output
    qualified = run("session", "answer", sid, "pur_reeval", "yes, but two suppliers out of date", ok=False)
    assert "--as partial|yes" in qualified.output


def test_a_decided_finding_whose_answer_changes_is_listed_as_withdrawn(run):
    sid = run(*NEW).output.strip()
    fired = run("session", "answer", sid, "pur_procedure", "no").output
    assert "appeared" in fired
    finding_id = fired.split("finding ", 1)[1].split(" ", 1)[0]
    run("finding", "decide", sid, finding_id, "--confirm", "--by", "lee")
    changed = run("session", "answer", sid, "pur_procedure", "yes").output
    assert f"finding {finding_id}" in changed and "withdrawn" in changed
    listed = {f["id"]: f for f in json.loads(run("findings", sid, "--json").output)}
    assert listed[finding_id]["status"] == "withdrawn"
    assert listed[finding_id]["decision"] == "confirmed"
    assert [a["value"] for a in listed[finding_id]["answers_now"]] == ["yes"]
    assert "Withdrawn by answer change: confirmed by lee" in run("findings", sid).output
    assert "reinstated" in run("finding", "reinstate", sid, finding_id).output
    listed = {f["id"]: f for f in json.loads(run("findings", sid, "--json").output)}
    assert listed[finding_id]["status"] == "confirmed"


def test_a_manual_finding_lands_under_the_process_of_its_clause(run):
    sid = run("session", "new", "--title", "T", "--scope", "moc,record_retention").output.strip()
    out = run("finding", "add", sid, "--grade", "major", "--clause", "5.10", "--text",
              "Heat treat subcontractor changed without management of change").output
    assert "(major, moc)" in out


def test_load_reports_every_bad_entry(run, tmp_path):
    sid = run(*NEW).output.strip()
    bad = tmp_path / "bad.yaml"
    bad.write_text("pur_reeval: maybe\ncal_sampled: lots\npur_procedure: yes\n", encoding="utf-8")
    result = run("session", "load", sid, str(bad), ok=False)
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(f"q1audit: {bad}:1: pur_reeval:")
    assert lines[1].startswith(f"q1audit: {bad}:2: cal_sampled:")
    assert lines[-1] == "q1audit: 2 bad entries; nothing was stored"
    assert json.loads(run("session", "show", sid, "--json").output)["answers"] == []


def test_same_answers_in_another_order_give_identical_findings_json(run, tmp_path, sample_answers):
    first = run(*NEW).output.strip()
    second = run(*NEW).output.strip()
    run("session", "load", first, str(sample_answers))
    entries = yaml.safe_load(sample_answers.read_text(encoding="utf-8"))
    reversed_file = tmp_path / "reversed.json"
    reversed_file.write_text(json.dumps(dict(reversed(entries.items())), default=str), encoding="utf-8")
    run("session", "load", second, str(reversed_file))
    findings_first = run("findings", first, "--json").output
    assert findings_first == run("findings", second, "--json").output
    assert len(json.loads(findings_first)) >= 4


def test_edit_sets_report_fields_and_status_and_keeps_the_rest(run):
    session_id = run(*NEW).output.strip()
    run("session", "edit", session_id, "--conclusions", "Purchasing partly effective.",
        "--diverging-opinions", "Auditee disputes PUR-002.", "--status", "in_review")
    shown = json.loads(run("session", "show", session_id, "--json").output)
    assert shown["status"] == "in_review"
    assert shown["header"]["conclusions"] == "Purchasing partly effective."
    assert shown["header"]["diverging_opinions"] == "Auditee disputes PUR-002."
    assert shown["header"]["scope"]["processes"] == ["purchasing", "calibration"]
    bad = run("session", "edit", session_id, "--end", "2025-03-01", ok=False)
    assert "end date 2025-03-01 is before start date 2025-03-11" in bad.output
    run("session", "close", session_id)
    locked = run("session", "edit", session_id, "--title", "Renamed", ok=False)
    assert len(locked.output.strip().splitlines()) == 1
    assert json.loads(run("session", "show", session_id, "--json").output)["header"]["title"] != "Renamed"
