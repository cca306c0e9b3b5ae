"""Time the audit turn (`AuditSession.submit`) with 600 answers on file; target p95 under 20 ms.

Four sessions of 150 answers each are stored first; then answers are submitted to the last one in turn,
changing yes/no answers so findings appear and go, and numbers. Per turn it also counts the SQL statements
run, the writes among them, and the rule passes.

Run: `.venv/bin/python benchmarks/bench_turn.py [--turns N]`. Prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from assistant.locations import DataPaths
from assistant.sessions.models import SessionHeader
from assistant.sessions.service import SessionService
from assistant.sessions.turn import AuditSession
from rules.engine import RuleEngine

TARGET_P95_MS = 20.0
SESSIONS, ANSWERS_EACH = 4, 150
TYPED = {"yesno": "no - seen on site", "number": "3", "date": "2020-01-01", "text": "free text", "records": "PO-1, PO-2"}


def _fill(service: SessionService, engine: RuleEngine) -> str:
    questions = engine.checklist.questions()[:ANSWERS_EACH]
    session_id = ""
    for n in range(SESSIONS):
        session_id = service.create(SessionHeader(title=f"Bench {n}")).id
        for question in questions:
            text = question.choices[-1] if question.choices else TYPED[question.type]
            service.answer(session_id, question.id, text=text, by="bench")
    return session_id


def _percentile(times: list[float], share: float) -> float:
    return sorted(times)[int(share * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=200)
    args = parser.parse_args()

    engine = RuleEngine.load()
    with tempfile.TemporaryDirectory(prefix="q1audit-bench-turn-") as workdir:
        service = SessionService(DataPaths(Path(workdir)), engine)
        session_id = _fill(service, engine)
        on_file = service.db.execute("select count(*) from answers").fetchone()[0]
        turn = AuditSession(service, session_id, by="bench")

        statements: list[str] = []
        service.db.conn.set_trace_callback(statements.append)
        passes = 0
        evaluate = RuleEngine.evaluate

        def counted(*a, **k):
            nonlocal passes
            passes += 1
            return evaluate(*a, **k)

        RuleEngine.evaluate = counted  # type: ignore[method-assign]
        writing: list[float] = []
        store = service.store_answer

        def timed_store(*a, **k):
            started = time.perf_counter()
            try:
                return store(*a, **k)
            finally:
                writing.append((time.perf_counter() - started) * 1000)

        service.store_answer = timed_store  # type: ignore[method-assign]
        yesno = [q for q in engine.checklist.questions()[:ANSWERS_EACH] if q.type == "yesno"]
        numbers = [q for q in engine.checklist.questions()[:ANSWERS_EACH] if q.type == "number"]
        times, sql, writes, rule_passes, changed = [], [], [], [], 0
        for i in range(args.turns):
            if i % 2:
                question, text = yesno[i % len(yesno)], ("yes" if (i // len(yesno)) % 2 else "no - none seen")
            else:
                question, text = numbers[i % len(numbers)], str(i % 7)
            statements.clear()
            passes = 0
            started = time.perf_counter()
            result = turn.submit(question.id, text)
            times.append((time.perf_counter() - started) * 1000)
            sql.append(len(statements))
            writes.append(sum(1 for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))))
            rule_passes.append(passes)
            changed += bool(result.appeared or result.withdrawn)
        service.db.conn.set_trace_callback(None)
        service.disconnect()

    p95 = _percentile(times, 0.95)
    print(
        json.dumps(
            {
                "answers_on_file": on_file,
                "answers_in_session": len(turn.answers),
                "turns": args.turns,
                "turns_that_changed_findings": changed,
                "submit_median_ms": round(statistics.median(times), 2),
                "submit_p95_ms": round(p95, 2),
                "write_median_ms": round(statistics.median(writing), 2),
                "write_p95_ms": round(_percentile(writing, 0.95), 2),
                "sql_statements_per_turn_median": statistics.median(sql),
                "writes_per_turn_median": statistics.median(writes),
                "rule_passes_per_turn": max(rule_passes),
                "rules_rerun": "only those reading the question answered (or a follow-up it shows or hides)",
                "target_p95_ms": TARGET_P95_MS,
                "within_target": p95 < TARGET_P95_MS,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
