"""Two writers on one data directory at once, as the TUI (a service shared by worker threads) and the CLI:
no "database is locked", no lost update, and the history keeps every answer of both."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from assistant.locations import resolve_data_dir
from assistant.sessions.models import Scope, SessionHeader
from assistant.sessions.service import SessionService

ROUNDS = 12
QUESTIONS = ("pur_reeval", "pur_po_information")

# The TUI side: one SessionService shared by two worker threads, as the app's workers use it.
TUI_LIKE = """
import sys, threading, time
from pathlib import Path
from assistant.locations import resolve_data_dir
from assistant.sessions.models import Scope, SessionHeader
from assistant.sessions.service import SessionService

home, sid, finding, go, rounds = Path(sys.argv[1]), sys.argv[2], sys.argv[3], Path(sys.argv[4]), int(sys.argv[5])
questions = sys.argv[6].split(",")
service = SessionService(resolve_data_dir(home))
service.engine
while not go.exists():
    time.sleep(0.01)

def answers():
    for i in range(rounds):
        for q in questions:
            service.answer(sid, q, "partial", note=f"tui-{i}", by="tui")

def others():
    for i in range(rounds):
        service.set_corrective_action(sid, finding, correction=f"tui-{i}", by="tui")
        service.add_manual_finding(sid, "minor", ["Q1 5.5.1.2"], f"tui manual {i}", by="tui")
        service.create(SessionHeader(title=f"tui {i}", scope=Scope(processes=["purchasing"])))

threads = [threading.Thread(target=answers), threading.Thread(target=others)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("tui done")
"""

# The CLI side: `q1audit` commands one after another, as a script in a second terminal would run them.
CLI = """
import sys, time
from pathlib import Path
from click.testing import CliRunner
from assistant.cli import main

home, sid, finding, go, rounds = sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4]), int(sys.argv[5])
questions = sys.argv[6].split(",")
runner = CliRunner()

def q1audit(*args):
    result = runner.invoke(main, ["--data-dir", home, *args])
    if result.exit_code != 0:
        raise SystemExit(f"q1audit {args} failed: {result.output} {result.exception!r}")

while not go.exists():
    time.sleep(0.01)
for i in range(rounds):
    for q in questions:
        q1audit("session", "answer", sid, q, "no", "--note", f"cli-{i}", "--by", "cli")
    q1audit("finding", "action", sid, finding, "--root-cause", f"cli-{i}", "--by", "cli")
    q1audit("finding", "add", sid, "--grade", "minor", "--clause", "ISO 8.4.1", "--text", f"cli manual {i}")
    q1audit("session", "new", "--title", f"cli {i}", "--scope", "purchasing")
print("cli done")
"""


def test_tui_and_cli_writing_at_once_lose_nothing(tmp_path):
    home = tmp_path / "home"
    paths = resolve_data_dir(home)
    service = SessionService(paths)
    sid = service.create(SessionHeader(title="Shared", scope=Scope(processes=["purchasing"]))).id
    service.answer(sid, "pur_po_information", "no - PO lacks the revision", by="setup")
    finding = next(f.id for f in service.findings(sid) if "pur_po_information" in f.fired_by)
    service.disconnect()

    go = tmp_path / "go"
    args = [str(home), sid, finding, str(go), str(ROUNDS), ",".join(QUESTIONS)]
    root = Path(__file__).parents[2]
    procs = {
        name: subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], cwd=root,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, code in (("tui", TUI_LIKE), ("cli", CLI))
    }
    go.touch()
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0 and f"{name} done" in out, err[-3000:]

    service = SessionService(paths)
    try:
        for question in QUESTIONS:
            notes = [change.new.note for change in service.history(sid, question)]
            for side in ("tui", "cli"):
                assert [n for n in notes if n.startswith(side)] == [f"{side}-{i}" for i in range(ROUNDS)]
            assert service.answers(sid)[question].note == notes[-1]
        # Each side set its own field of the same corrective action: neither overwrote the other's.
        action = service.finding(sid, finding).action
        assert action.correction == f"tui-{ROUNDS - 1}" and action.root_cause == f"cli-{ROUNDS - 1}"
        manual = [f for f in service.findings(sid) if f.id.startswith("M-")]
        assert len(manual) == 2 * ROUNDS and len({f.id for f in manual}) == 2 * ROUNDS
        assert len({s.id for s in service.list()}) == 1 + 2 * ROUNDS
        integrity = service.db.execute("PRAGMA integrity_check").fetchone()[0]
        assert integrity == "ok"
        assert service.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        service.disconnect()


class _OtherWriter:
    """Another process's write lock, held while a service's write is under way (its reads done, its write waiting)."""

    def __init__(self, db: Path):
        self.conn = sqlite3.connect(str(db), timeout=10, isolation_level=None)
        self.conn.execute("BEGIN IMMEDIATE")

    def run_blocked(self, write) -> threading.Thread:
        thread = threading.Thread(target=write)
        thread.start()
        # The service reads without waiting (WAL), then waits for this lock at BEGIN IMMEDIATE.
        time.sleep(1.0)
        return thread

    def commit(self, sql: str, params: tuple) -> None:
        self.conn.execute(sql, params)
        self.conn.execute("COMMIT")
        self.conn.close()


@pytest.fixture
def shared(tmp_path):
    paths = resolve_data_dir(tmp_path / "home")
    service = SessionService(paths)
    sid = service.create(SessionHeader(title="Shared", scope=Scope(processes=["purchasing"]))).id
    service.answer(sid, "pur_po_information", "no - PO lacks the revision")
    finding = next(f.id for f in service.findings(sid) if "pur_po_information" in f.fired_by)
    yield paths, service, sid, finding
    service.disconnect()


def test_a_corrective_action_field_set_by_another_writer_meanwhile_is_kept(shared):
    paths, service, sid, finding = shared
    service.set_corrective_action(sid, finding, correction="first correction")
    other = _OtherWriter(paths.audits_db)
    errors: list[Exception] = []

    def tui_write():
        try:
            service.set_corrective_action(sid, finding, correction="second correction")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            service.disconnect()

    thread = other.run_blocked(tui_write)
    service_action = SessionService(paths).finding(sid, finding).action
    changed = service_action.model_copy(update={"root_cause": "set in the CLI meanwhile"})
    other.commit("update corrective_actions set action = ? where session_id = ? and finding_id = ?",
                 (changed.model_dump_json(), sid, finding))
    thread.join(timeout=30)
    assert not errors and service_action.correction == "first correction"
    final = SessionService(paths).finding(sid, finding).action
    assert (final.correction, final.root_cause) == ("second correction", "set in the CLI meanwhile")


def test_answers_are_not_written_into_a_session_another_writer_closed_meanwhile(shared):
    paths, service, sid, _ = shared
    other = _OtherWriter(paths.audits_db)
    errors: list[Exception] = []

    def tui_write():
        try:
            service.answer(sid, "pur_reeval", "no - none re-evaluated")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            service.disconnect()

    thread = other.run_blocked(tui_write)
    other.commit("update sessions set status = 'closed' where id = ?", (sid,))
    thread.join(timeout=30)
    assert len(errors) == 1 and "closed" in str(errors[0])
    reader = SessionService(paths)
    assert "pur_reeval" not in reader.answers(sid) and reader.get(sid).status == "closed"
