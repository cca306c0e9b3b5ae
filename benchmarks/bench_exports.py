"""Time every export format for a large session, and the reports for a session holding 1 MB of answer text.

The large session has all checklist questions answered through 600 answer entries. The long-text session
has four answers with 256 KiB notes each (one of them a single unbroken token), every one firing a finding,
so the report prints each note twice (finding evidence and answer table). The target for the long-text
session: PDF and DOCX under 10 s.

Run: `.venv/bin/python benchmarks/bench_exports.py [--runs N]`. Works in a temporary data directory and
prints per-format median seconds and file sizes as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from assistant.exports import FORMATS, export_session
from assistant.locations import resolve_data_dir
from assistant.sessions.models import AuditTeam, Criteria, Scope, SessionHeader
from assistant.sessions.service import SessionService
from rules.engine import RuleEngine

ANSWER_ENTRIES = 600
MANUAL_FINDINGS = 30
LONG_NOTE = 256 * 1024
LONG_ANSWERS = {"pur_procedure": "no", "pur_po_information": "partial", "pur_records_kept": "no", "cal_procedure": "no"}
TYPED = {"yesno": "no", "number": "3", "date": "2024-01-15", "text": "free text", "records": "PO-1, PO-2"}


def build_session(service: SessionService, workdir: Path) -> str:
    """A session whose answers were given in rounds, so the history holds `ANSWER_ENTRIES` entries."""
    questions = service.engine.checklist.questions()
    header = SessionHeader(
        title="Benchmark: full supplier audit", audit_type="supplier",
        scope=Scope(processes=service.engine.checklist.processes()),
        criteria=Criteria(standards=["API Q1:10th", "ISO 9001:2015"], procedures=["QP-08"]),
        team=AuditTeam(lead="Lead Auditor", members=["Second Auditor"]), start_date=date(2025, 6, 2),
    )
    sid = service.create(header).id
    given, round_no = 0, 0
    while given < ANSWER_ENTRIES:
        batch = questions[: ANSWER_ENTRIES - given]
        answers = {
            q.id: {"value": q.choices[0] if q.choices else TYPED[q.type],
                   "note": f"round {round_no}: sampled records on the shop floor and in the ERP " * 3,
                   "records": [f"REC-{round_no}-{i}" for i in range(3)], "interviewee": "Quality manager"}
            for q in batch
        }
        file = workdir / f"answers-{round_no}.json"
        file.write_text(json.dumps(answers), encoding="utf-8")
        service.load_answers(sid, file, by="bench")
        given += len(batch)
        round_no += 1
    for i in range(MANUAL_FINDINGS):
        service.add_manual_finding(
            sid, "minor", ["Q1 5.5.1"], text=f"Finding {i}: supplier re-evaluation overdue. " * 20,
            evidence="Scorecards for 2024 missing for three suppliers. " * 10, process="purchasing", by="bench",
        )
    for finding in service.findings(sid):  # decided, so the reports are final and list every finding
        if finding.status.value == "proposed":
            service.decide(sid, finding.id, "confirmed", by="bench")
    return sid


def build_long_text_session(service: SessionService, workdir: Path) -> str:
    """Four firing answers with 256 KiB notes: 1 MiB of answer text, all of it in the report."""
    sid = service.create(SessionHeader(title="Benchmark: 1 MB of answer text",
                                       scope=Scope(processes=["purchasing", "calibration"]))).id
    words = "Supplier file checked against the approved supplier list and the purchase order history. "
    prose = (words * (LONG_NOTE // len(words) + 1))[:LONG_NOTE]
    notes = [prose, prose, prose, "x" * LONG_NOTE]
    answers = {q: {"value": value, "note": note} for (q, value), note in zip(LONG_ANSWERS.items(), notes, strict=True)}
    file = workdir / "long-answers.json"
    file.write_text(json.dumps(answers), encoding="utf-8")
    service.load_answers(sid, file, by="bench")
    for finding in service.findings(sid):
        service.decide(sid, finding.id, "confirmed", by="bench")
    return sid


def time_export(service: SessionService, sid: str, fmt: str, workdir: Path, runs: int, tag: str) -> dict:
    times = []
    for run in range(runs):
        target = workdir / f"out-{tag}-{fmt}-{run}{FORMATS[fmt].suffix}"
        started = time.perf_counter()
        export_session(service, sid, fmt, target)
        times.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(times), 3), "first_s": round(times[0], 3),
            "kib": round(target.stat().st_size / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="q1audit-bench-exports-") as workdir:
        paths = resolve_data_dir(Path(workdir) / "home")
        service = SessionService(paths, engine=RuleEngine.load())
        sid = build_session(service, Path(workdir))
        figures = {fmt: time_export(service, sid, fmt, Path(workdir), args.runs, "large") for fmt in FORMATS}
        long_sid = build_long_text_session(service, Path(workdir))
        long_text = {fmt: time_export(service, long_sid, fmt, Path(workdir), args.runs, "long")
                     for fmt in ("pdf", "docx", "html")}
        print(json.dumps({
            "answers_current": len(service.answers(sid)),
            "answer_entries": ANSWER_ENTRIES,
            "findings": len(service.findings(sid)),
            "runs": args.runs,
            "formats": figures,
            "long_text": {"answer_text_bytes": sum(len(a.note.encode()) for a in service.answers(long_sid).values()),
                          "findings": len(service.findings(long_sid)), "formats": long_text},
        }, indent=2))
        service.disconnect()


if __name__ == "__main__":
    main()
