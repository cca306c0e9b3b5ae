"""`session merge`: two auditors' parts of one audit put together, conflicts listed, settled, undone."""

from __future__ import annotations

import json

from click.testing import CliRunner

from assistant.cli import main
from assistant.locations import DataPaths
from assistant.recovery import recover


def cli(home, *args: str):
    result = CliRunner().invoke(main, ["--data-dir", str(home), *args], catch_exceptions=False)
    return result


def ok(home, *args: str) -> str:
    result = cli(home, *args)
    assert result.exit_code == 0, result.output
    return result.output


def answers(home, sid: str) -> dict[str, dict]:
    return {a["question_id"]: a for a in json.loads(ok(home, "session", "show", sid, "--json"))["answers"]}


def test_merge_of_two_auditors_gives_the_union_with_conflicts_listed(tmp_path):
    lead, ana, bob = tmp_path / "lead", tmp_path / "ana", tmp_path / "bob"
    sid = ok(lead, "session", "new", "--title", "Purchasing and calibration", "--scope", "purchasing,calibration",
             "--lead", "Lee", "--start", "2026-03-02").strip()
    ok(lead, "export", sid, "--format", "json", "-o", str(tmp_path / "plan.json"))
    for home in (ana, bob):
        ok(home, "session", "import", str(tmp_path / "plan.json"))
    photo = tmp_path / "po-0211.jpg"
    photo.write_bytes(b"\xff\xd8 a photo of PO-24-0211")

    ok(ana, "session", "answer", sid, "pur_procedure", "yes", "--by", "ana", "--attach", str(photo))
    ok(ana, "session", "answer", sid, "pur_reeval", "no - none re-evaluated", "--by", "ana")
    ok(ana, "finding", "add", sid, "--grade", "minor", "--clause", "Q1 5.6.1.1", "--text", "Approved supplier list not signed",
       "--by", "ana")
    gauge = tmp_path / "bob-photos" / "po-0211.jpg"  # same file name as Ana's, other bytes
    gauge.parent.mkdir()
    gauge.write_bytes(b"\xff\xd8 gauge G-12 label")
    ok(bob, "session", "answer", sid, "cal_due_date", "2026-01-31", "--by", "bob", "--attach", str(gauge))
    ok(bob, "session", "answer", sid, "pur_reeval", "yes", "--by", "bob")
    ok(bob, "finding", "add", sid, "--grade", "major", "--clause", "Q1 5.8", "--text", "Gauge G-12 used past its due date",
       "--by", "bob")
    for home, name in ((ana, "ana.json"), (bob, "bob.json")):
        ok(home, "export", sid, "--format", "json", "-o", str(tmp_path / name))

    unpaired = cli(lead, "session", "merge", sid, str(tmp_path / "ana.json"), str(tmp_path / "bob.json"),
                   "--attachments", str(ana / "attachments"))
    assert unpaired.exit_code == 2 and "once per file (2)" in unpaired.output
    merged = ok(lead, "session", "merge", sid, str(tmp_path / "ana.json"), str(tmp_path / "bob.json"),
                "--attachments", str(ana / "attachments"), "--attachments", str(bob / "attachments"), "--by", "lee")
    assert "1 conflict to settle" in merged and "merged (1 answer, 1 manual finding," in merged and "answer pur_reeval: kept “yes” by bob" in merged
    assert "manual finding M-001 is now M-002" in merged

    current = answers(lead, sid)
    assert set(current) == {"pur_procedure", "pur_reeval", "cal_due_date"}
    assert json.loads(ok(lead, "session", "show", sid, "--json"))["status"] == "in_progress", "answered now"
    assert current["pur_reeval"]["value"] == "yes" and current["pur_reeval"]["answered_by"] == "bob"
    attached = current["pur_procedure"]["attachments"]
    assert len(attached) == 1 and (lead / "attachments" / attached[0]).read_bytes() == photo.read_bytes()
    (bobs,) = current["cal_due_date"]["attachments"]
    assert (lead / "attachments" / bobs).read_bytes() == gauge.read_bytes()
    # The start-up sweep removes attachment files no answer names; a merged one is named, so it stays.
    assert recover(DataPaths(lead), grace_s=0).orphans_removed == 0
    assert (lead / "attachments" / attached[0]).is_file()
    history = ok(lead, "session", "history", sid, "pur_reeval")
    assert "ana" in history and "bob" in history, "both answers stay in the history"
    found = {f["id"]: f for f in json.loads(ok(lead, "findings", sid, "--json"))}
    assert found["M-001"]["statement"]["nonconformity"] == "Approved supplier list not signed"
    assert found["M-002"]["statement"]["nonconformity"] == "Gauge G-12 used past its due date"
    assert found["M-002"]["status"] == "confirmed" and found["M-002"]["decided_by"] == "bob"

    listed = json.loads(ok(lead, "session", "conflicts", sid, "--json"))
    assert [(c["kind"], c["item"], c["kept_by"], c["other_by"]) for c in listed] == [("answer", "pur_reeval", "bob", "ana")]
    # Merging the same file again brings nothing new.
    assert "nothing new to merge" in ok(lead, "session", "merge", sid, str(tmp_path / "bob.json"))

    ok(lead, "session", "settle", sid, "pur_reeval", "--take-other", "--by", "lee")
    assert answers(lead, sid)["pur_reeval"]["value"] == "no"
    assert "No conflicts to settle." in ok(lead, "session", "conflicts", sid)


def test_a_merge_is_undone_from_its_record(tmp_path):
    lead, ana = tmp_path / "lead", tmp_path / "ana"
    sid = ok(lead, "session", "new", "--title", "Purchasing", "--scope", "purchasing").strip()
    ok(lead, "session", "answer", sid, "pur_procedure", "yes", "--by", "lee")
    ok(ana, "session", "new", "--title", "Purchasing (Ana's part)", "--scope", "purchasing")
    ok(ana, "session", "answer", sid, "pur_procedure", "no - not issued", "--by", "ana")
    ok(ana, "session", "answer", sid, "pur_reeval", "yes", "--by", "ana")
    ok(ana, "export", sid, "--format", "json", "-o", str(tmp_path / "ana.json"))
    ok(lead, "export", sid, "--format", "json", "-o", str(tmp_path / "before.json"))

    ok(lead, "session", "merge", sid, str(tmp_path / "ana.json"), "--by", "lee")
    assert answers(lead, sid)["pur_procedure"]["answered_by"] == "ana"
    undone = ok(lead, "session", "merge", sid, "--undo")
    assert f"merge of {sid} undone" in undone
    ok(lead, "export", sid, "--format", "json", "-o", str(tmp_path / "after.json"))
    assert (tmp_path / "after.json").read_bytes() == (tmp_path / "before.json").read_bytes()
    refused = cli(lead, "session", "merge", sid, "--undo")
    assert refused.exit_code == 1 and "no merge to undo" in refused.output
