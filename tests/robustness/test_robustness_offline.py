"""Offline guarantee: the whole journey on the real model with every network call blocked, and none attempted.

The journey runs in a fresh interpreter with no HF_* or TRANSFORMERS_* variables, so the switches that
keep Hugging Face libraries offline must come from the app itself, not from the test's environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SAMPLES = ROOT / "knowledge" / "samples" / "qms"

JOURNEY = """
import json, os, socket, sys
from pathlib import Path

attempts = []

def refuse(what):
    def blocked(*args, **kwargs):
        attempts.append(f"{what}{args[1:2] or args[:1]}")
        raise OSError(f"network blocked by the offline test: {what}")
    return blocked

# Every way out: DNS, TCP/UDP connects (unix sockets stay allowed: they never leave the machine).
_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex
def connect(self, address, _real=_connect):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        return refuse("connect")(self, address)
    return _real(self, address)
def connect_ex(self, address, _real=_connect_ex):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        return refuse("connect_ex")(self, address)
    return _real(self, address)
socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
socket.create_connection = refuse("create_connection")
socket.getaddrinfo = refuse("getaddrinfo")
socket.gethostbyname = refuse("gethostbyname")

from click.testing import CliRunner
from assistant.cli import main

home, samples, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
runner = CliRunner()

def q1audit(*args):
    result = runner.invoke(main, ["--data-dir", home, *args])
    if result.exit_code != 0:
        raise SystemExit(f"q1audit {args} failed: {result.output} {result.exception!r}")
    return result.output

q1audit("kb", "import", str(samples / "QP-07_purchasing_and_supplier_evaluation.md"),
        str(samples / "QP-12_control_of_tmmde.md"), str(samples / "QP-05_contingency_planning.docx"))
q1audit("index", "build")
status = json.loads(q1audit("index", "status", "--json"))
asked = json.loads(q1audit("ask", "--json", "we bought forgings from a new mill without visiting them"))
sid = q1audit("session", "new", "--title", "Offline journey", "--scope", "purchasing,calibration").split()[-1]
q1audit("session", "answer", sid, "pur_reeval", "partial - two suppliers overdue")
q1audit("session", "answer", sid, "pur_reeval_sampled", "5")
q1audit("session", "answer", sid, "pur_reeval_done", "3")
q1audit("session", "answer", sid, "cal_due_date", "2020-01-31")
findings = json.loads(q1audit("findings", sid, "--json"))
q1audit("finding", "decide", sid, findings[0]["id"], "--confirm")
exports = [q1audit("export", sid, "-o", str(out / f"report.{fmt}")).strip() for fmt in ("pdf", "docx")]
print(json.dumps({
    "attempts": attempts,
    "state": status["state"],
    "mode": asked["mode"],
    "results": len(asked["results"]),
    "findings": len(findings),
    "exports": [Path(e).stat().st_size for e in exports],
    "offline_switches": {k: os.environ.get(k) for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")},
}))
"""


@pytest.mark.model
def test_whole_journey_runs_with_the_network_blocked(tmp_path):
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("HF_", "TRANSFORMERS_", "HUGGINGFACE", "SENTENCE_TRANSFORMERS", "Q1AUDIT_"))
    }
    out = tmp_path / "exports"
    out.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(JOURNEY), str(tmp_path / "home"), str(SAMPLES), str(out)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["attempts"] == [], report["attempts"]
    # The real model did the work (hybrid search), not a lexical fallback after a failed download.
    assert report["state"] == "current" and report["mode"] == "hybrid" and report["results"] > 0
    assert report["findings"] > 0 and all(size > 0 for size in report["exports"])
    assert report["offline_switches"] == {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
