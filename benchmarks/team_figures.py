"""Time the team operations: merging two auditors' halves of one audit, exporting and importing it, and
flagging repeat findings against the earlier audits of a programme.

Two colleagues each answer half of the yes/no questions (ten answered by both, differently, so some
conflicts come up); their archives are merged into the lead's session and the merges undone, five times.
The merged session is exported to JSON and imported into fresh data directories, then imported again
(nothing to do). For repeats, AUDITS audits a day apart each confirm PUR-002 and close its action; the
findings of the last are flagged against the others (once per findings view), then refreshed.

Run: `.venv/bin/python benchmarks/team_figures.py [--audits N]`. Prints the figures as JSON (seconds).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from assistant.exports.json_export import build_export, import_session, render_json
from assistant.locations import DataPaths
from assistant.programme import RepeatFinder
from assistant.sessions.archive import read_archive
from assistant.sessions.merge import merge_into, undo_merge
from assistant.sessions.models import Scope, SessionHeader
from assistant.sessions.service import SessionService
from assistant.sessions.transfer import import_archive

RUNS = 5
FIRING = {"pur_reeval": "partial - two overdue", "pur_reeval_sampled": "5", "pur_reeval_done": "3"}
"""PUR-002 (3 of 5 suppliers re-evaluated) fires on these."""


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def merge_figures(root: Path) -> dict:
    lead = SessionService(DataPaths(root / "lead"))
    questions = [q for q in lead.engine.checklist.questions() if q.type == "yesno"]
    sid = lead.create(SessionHeader(title="Team audit", scope=Scope(processes=lead.engine.checklist.processes()))).id
    plan = read_archive(lead, sid)
    parts = []
    for who, share, text in (("ana", questions[0::2] + questions[1:20:2], "yes"), ("bob", questions[1::2], "no - missing")):
        colleague = SessionService(DataPaths(root / who))
        import_archive(colleague, plan)
        for question in share:
            colleague.answer(sid, question.id, text, by=who)
        parts.append(read_archive(colleague, sid))
        colleague.disconnect()

    conflicts = 0

    def merge_both() -> None:
        nonlocal conflicts
        reports = [merge_into(lead, sid, part, f"{n}.json", by="lee") for n, part in enumerate(parts)]
        conflicts = sum(len(r.plan.conflicts) for r in reports)

    merges = []
    for _ in range(RUNS):
        merges.append(_timed(merge_both))
        undo_merge(lead, sid)
        undo_merge(lead, sid)
    merge_both()
    export_file = root / "merged.json"
    exports = [_timed(lambda: export_file.write_text(render_json(build_export(lead, sid)), encoding="utf-8"))
               for _ in range(RUNS)]
    imports = []
    for n in range(RUNS):
        third = SessionService(DataPaths(root / f"third-{n}"))
        imports.append(_timed(lambda third=third: import_session(third, export_file)))
    again = [_timed(lambda: import_session(third, export_file)) for _ in range(RUNS)]
    return {
        "answers_merged": [len(p.answers) for p in parts], "conflicts": conflicts,
        "merge_two_parts_median_s": round(statistics.median(merges), 3),
        "export_json_median_s": round(statistics.median(exports), 3), "export_kb": export_file.stat().st_size // 1024,
        "import_median_s": round(statistics.median(imports), 3),
        "import_again_median_s": round(statistics.median(again), 3),
    }


def repeat_figures(root: Path, audits: int) -> dict:
    service = SessionService(DataPaths(root / "programme"))
    last = ""
    for n in range(audits):
        start = date.today() + timedelta(days=n + 1)  # after today, when the earlier actions closed
        header = SessionHeader(title=f"Audit {n}", scope=Scope(processes=["purchasing"]), start_date=start)
        last = service.create(header).id
        for question, text in FIRING.items():
            service.answer(last, question, text, by="bench")
        service.decide(last, "PUR-002", "confirmed", by="bench")
        service.set_corrective_action(last, "PUR-002", evidence="closed", by="bench")
    finders, flags = [], []
    flagged = []
    for _ in range(RUNS):
        started = time.perf_counter()
        finder = RepeatFinder(service, last)
        finders.append(time.perf_counter() - started)
        findings = service.findings(last)
        started = time.perf_counter()
        flagged = finder.flag(findings)
        flags.append(time.perf_counter() - started)
    return {
        "earlier_audits": audits - 1, "repeats_flagged": sum(1 for f in flagged if f.repeat_of),
        "read_earlier_audits_median_s": round(statistics.median(finders), 3),
        "flag_median_s": round(statistics.median(flags), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audits", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="q1audit-team-") as tmp:
        figures = {"merge": merge_figures(Path(tmp)), "repeats": repeat_figures(Path(tmp), args.audits)}
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
