"""The crash harness in its short form: a few SIGKILLs mid-write lose nothing acknowledged, and its checks do catch a loss."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).parents[2] / "benchmarks" / "crash_harness.py"


def _harness():
    spec = importlib.util.spec_from_file_location("crash_harness", HARNESS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_a_few_kills_lose_nothing_even_to_a_power_cut(tmp_path):
    result = subprocess.run(
        [sys.executable, str(HARNESS), "--trials", "3", "--seed", "1", "--max-delay", "1.0", "--power-loss",
         "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    report = json.loads(result.stdout)
    assert report["trials"] == 3
    assert report["problems"] == [] and report["losses"] == 0, report["problems"]
    assert report["acknowledged"].get("answer", 0) > 0
    assert report["integrity_checks"] == 6
    assert report["power_cuts"] == 3  # each trial was checked on the image a power cut left, not the live files
    assert result.returncode == 0


def test_the_checks_report_an_acknowledged_write_that_is_not_stored(tmp_path):
    harness = _harness()
    ledger = harness._Ledger()
    ledger.add({"op": "session", "sid": "2025-999"})
    ledger.add({"op": "import", "doc_id": "CR-99", "generation": 1})
    problems = ledger.check(tmp_path / "data")
    assert any("session 2025-999 lost" in p for p in problems)
    assert any("import lost: CR-99" in p for p in problems)


def test_the_checks_report_an_acknowledged_answer_or_decision_that_is_not_stored(tmp_path):
    from assistant.locations import resolve_data_dir
    from assistant.sessions.models import Scope, SessionHeader
    from assistant.sessions.service import SessionService

    service = SessionService(resolve_data_dir(tmp_path / "data"))
    sid = service.create(SessionHeader(title="t", scope=Scope(processes=["purchasing"]))).id
    stored = service.answer(sid, "pur_reeval", "yes")
    service.disconnect()
    ledger = _harness()._Ledger()
    ledger.add({"op": "answer", "sid": sid, "qid": "pur_reeval", "answered_at": stored.answered_at.isoformat(),
                "value": "no", "files": {}})
    ledger.add({"op": "decision", "sid": sid, "fid": "PUR-001", "status": "confirmed",
                "decided_at": "2026-01-01T00:00:00+00:00"})
    ledger.add({"op": "answer", "sid": sid, "qid": "pur_reeval", "answered_at": stored.answered_at.isoformat(),
                "value": "yes", "files": {}, "not_durable": ["photo.jpg: its content was not synced"]})
    problems = ledger.check(tmp_path / "data") + ledger.not_durable
    assert any(p.startswith("answer lost") and "'value': 'no'" in p for p in problems)
    assert any(p.startswith("decision lost") for p in problems)
    assert "answer lost on power loss: photo.jpg: its content was not synced" in problems
