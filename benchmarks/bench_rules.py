"""Time one rule evaluation pass over a full audit session (every question answered); target under 50 ms.

Run: `.venv/bin/python benchmarks/bench_rules.py [--runs N]`. Prints the median and other figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date

from rules.answers import parse_answer
from rules.engine import RuleEngine
from rules.models import AnswerValue, AuditContext

TARGET_MS = 50.0
# Answers that make follow-ups visible and many rules fire: the expensive case.
TYPED = {"yesno": "no - seen on site", "number": "3", "date": "2020-01-01", "text": "free text", "records": "PO-1, PO-2"}


def full_session(engine: RuleEngine) -> dict[str, AnswerValue]:
    answers = {}
    for question in engine.checklist.questions():
        text = question.choices[-1] if question.choices else TYPED[question.type]
        parsed = parse_answer(question, text)
        answers[question.id] = AnswerValue(question_id=question.id, value=parsed.value, note=parsed.note)
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    started = time.perf_counter()
    engine = RuleEngine.load()
    load_ms = (time.perf_counter() - started) * 1000
    answers = full_session(engine)
    ctx = AuditContext(audit_date=date(2025, 6, 30), audit_type="internal")
    engine.evaluate(answers, ctx)  # warm-up

    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        findings = engine.evaluate(answers, ctx)
        engine.escalation_hints(findings)
        times.append((time.perf_counter() - started) * 1000)
    median = statistics.median(times)
    print(
        json.dumps(
            {
                "questions_answered": len(answers),
                "active_rules": len(engine.active_rules()),
                "findings": len(findings),
                "runs": args.runs,
                "median_ms": round(median, 2),
                "p95_ms": round(sorted(times)[int(0.95 * (len(times) - 1))], 2),
                "load_and_validate_ms": round(load_ms, 1),
                "target_ms": TARGET_MS,
                "within_target": median < TARGET_MS,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
