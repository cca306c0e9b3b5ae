"""Session uids across laptops: the migration, export and import by uid, renumbering, --as-new."""

from __future__ import annotations

import json
import uuid

from click.testing import CliRunner
from sqlite_utils import Database

from assistant.cli import main
from assistant.sessions.db import migrations, open_db


def cli(home, *args: str):
    return CliRunner().invoke(main, ["--data-dir", str(home), *args], catch_exceptions=False)


def new_session(home, title: str) -> str:
    result = cli(home, "session", "new", "--title", title, "--scope", "purchasing", "--start", "2026-02-03")
    assert result.exit_code == 0, result.output
    return result.output.strip()


def export(home, session_id: str, path) -> dict:
    result = cli(home, "export", session_id, "--format", "json", "-o", str(path))
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text(encoding="utf-8"))


def test_two_laptops_export_and_a_third_imports_both_without_clash(tmp_path):
    ana, bob, lead = tmp_path / "ana", tmp_path / "bob", tmp_path / "lead"
    a_id, b_id = new_session(ana, "Purchasing, plant 1"), new_session(bob, "Purchasing, plant 2")
    assert a_id == b_id, "each laptop numbers from 001: the clash this test is about"
    cli(ana, "session", "answer", a_id, "pur_procedure", "yes")
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(b"\xff\xd8 a photo")
    for home, sid in ((ana, a_id), (bob, b_id)):
        assert cli(home, "session", "answer", sid, "pur_reeval", "yes", "--attach", str(photo)).exit_code == 0
    a = export(ana, a_id, tmp_path / "a.json")
    b = export(bob, b_id, tmp_path / "b.json")
    assert uuid.UUID(a["session"]["uid"]).version == 4 and a["session"]["uid"] != b["session"]["uid"]

    first = cli(lead, "session", "import", str(tmp_path / "a.json"))
    second = cli(lead, "session", "import", str(tmp_path / "b.json"))
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    number = second.output.strip().splitlines()[-1]
    assert number != a_id and f"was {b_id}" in second.output
    listed = {s["id"]: s for s in json.loads(cli(lead, "session", "list", "--json").output)}
    assert {s["uid"] for s in listed.values()} == {a["session"]["uid"], b["session"]["uid"]}
    assert listed[a_id]["header"]["title"] == "Purchasing, plant 1"
    assert listed[number]["header"]["title"] == "Purchasing, plant 2"
    # Bob's photo had the same name as Ana's: under its new number it can never show Ana's file.
    shown = json.loads(cli(lead, "session", "show", number, "--json").output)["answers"]
    bobs = next(a["attachments"] for a in shown if a["question_id"] == "pur_reeval")
    assert bobs == [f"{number}/pur_reeval_IMG_0001.jpg"], bobs
    assert "nothing to do" in cli(lead, "session", "import", str(tmp_path / "b.json")).output
    # The renumbered session is exported with its uid and the new number.
    again = export(lead, number, tmp_path / "b-again.json")
    assert again["session"]["uid"] == b["session"]["uid"] and again["session"]["id"] == number


def test_import_again_is_idempotent_differences_refused_as_new_keeps_both(tmp_path):
    ana, lead = tmp_path / "ana", tmp_path / "lead"
    sid = new_session(ana, "Calibration")
    cli(ana, "session", "answer", sid, "pur_procedure", "yes")
    export(ana, sid, tmp_path / "v1.json")
    assert cli(lead, "session", "import", str(tmp_path / "v1.json")).exit_code == 0

    same = cli(lead, "session", "import", str(tmp_path / "v1.json"))
    assert same.exit_code == 0 and "nothing to do" in same.output
    assert len(json.loads(cli(lead, "session", "list", "--json").output)) == 1

    cli(ana, "session", "answer", sid, "pur_procedure", "no - not issued")
    cli(ana, "session", "answer", sid, "pur_reeval", "yes")
    export(ana, sid, tmp_path / "v2.json")
    refused = cli(lead, "session", "import", str(tmp_path / "v2.json"))
    assert refused.exit_code == 1
    assert "answer pur_procedure differs" in refused.output and "answer pur_reeval only in the file" in refused.output
    assert "nothing was imported" in refused.output and len(refused.output.strip().splitlines()) == 1

    kept = cli(lead, "session", "import", "--as-new", str(tmp_path / "v2.json"))
    assert kept.exit_code == 0, kept.output
    listed = json.loads(cli(lead, "session", "list", "--json").output)
    assert len(listed) == 2 and len({s["uid"] for s in listed}) == 2


def test_migration_gives_existing_sessions_a_uid(tmp_path):
    path = tmp_path / "audits.db"
    old = Database(path)
    migrations.apply(old, stop_before="m003_team_work")
    for n in (1, 2):
        old["sessions"].insert({"id": f"2025-00{n}", "seq": n, "title": "t", "audit_type": "internal",
                                "status": "planned", "header": '{"title": "t"}', "created_at": "2025-01-01T00:00:00+00:00",
                                "updated_at": "2025-01-01T00:00:00+00:00"})
    old.close()
    db = open_db(path)
    uids = [r["uid"] for r in db["sessions"].rows]
    assert len(set(uids)) == 2 and all(uuid.UUID(u).version == 5 for u in uids)
    db.close()


def test_an_export_from_before_uids_gets_the_uid_its_laptop_migrates_to(tmp_path):
    # Ana's laptop still runs a q1audit from before uids: one session, no uid column yet.
    (tmp_path / "ana").mkdir()
    old = Database(tmp_path / "ana" / "audits.db")
    migrations.apply(old, stop_before="m003_team_work")
    old["sessions"].insert({"id": "2025-001", "seq": 1, "title": "Purchasing", "audit_type": "internal",
                            "status": "planned", "header": '{"title": "Purchasing"}',
                            "created_at": "2025-01-01T09:30:00+00:00", "updated_at": "2025-01-01T09:30:00+00:00"})
    old.close()
    # What her q1audit exported then: today's format without the uid.
    scratch = new_session(tmp_path / "scratch", "Purchasing")
    exported = export(tmp_path / "scratch", scratch, tmp_path / "new.json")
    exported["session"].update(id="2025-001", created_at="2025-01-01T09:30:00Z")
    del exported["session"]["uid"]
    (tmp_path / "old.json").write_text(json.dumps(exported), encoding="utf-8")

    lead = tmp_path / "lead"
    assert cli(lead, "session", "import", str(tmp_path / "old.json")).exit_code == 0
    assert "nothing to do" in cli(lead, "session", "import", str(tmp_path / "old.json")).output
    (imported,) = json.loads(cli(lead, "session", "list", "--json").output)
    # Ana upgrades: the migration gives her session the uid the lead's copy has, so later exports match it.
    migrated = open_db(tmp_path / "ana" / "audits.db")
    assert [r["uid"] for r in migrated["sessions"].rows] == [imported["uid"]]


def test_import_copies_the_attachment_files_an_export_only_names(tmp_path):
    ana, lead = tmp_path / "ana", tmp_path / "lead"
    sid = new_session(ana, "Calibration, plant 1")
    photo = tmp_path / "IMG_0042.jpg"
    photo.write_bytes(b"\xff\xd8 the gauge's cal sticker")
    assert cli(ana, "session", "answer", sid, "pur_reeval", "yes", "--attach", str(photo)).exit_code == 0
    assert cli(ana, "session", "answer", sid, "pur_procedure", "yes", "--attach", str(photo)).exit_code == 0
    (ana / "attachments" / sid / "pur_procedure_IMG_0042.jpg").unlink()  # lost on Ana's side
    export(ana, sid, tmp_path / "a.json")
    new_session(lead, "The lead's own session")  # takes the number: the import is renumbered

    done = cli(lead, "session", "import", str(tmp_path / "a.json"), "--attachments", str(ana / "attachments"))
    assert done.exit_code == 0, done.output
    number = done.output.strip().splitlines()[-1]
    assert number != sid and "1 attachment file copied" in done.output
    assert f"missing attachment file {sid}/pur_procedure_IMG_0042.jpg (name kept)" in done.output
    shown = {a["question_id"]: a["attachments"] for a in json.loads(cli(lead, "session", "show", number, "--json").output)["answers"]}
    assert shown["pur_reeval"] == [f"{number}/pur_reeval_IMG_0042.jpg"]
    assert (lead / "attachments" / number / "pur_reeval_IMG_0042.jpg").read_bytes() == photo.read_bytes()
    # The same export again is the same session: nothing to do, nothing copied twice.
    again = cli(lead, "session", "import", str(tmp_path / "a.json"), "--attachments", str(ana / "attachments"))
    assert "nothing to do" in again.output
    assert [p.name for p in (lead / "attachments" / number).iterdir()] == ["pur_reeval_IMG_0042.jpg"]
