"""Coverage: every question feeds a rule, opens a gate or says why not; `partial` means the same everywhere."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from rules.answers import parse_answer
from rules.engine import RuleEngine
from rules.models import AnswerType, AnswerValue, AuditContext

ENGINE = RuleEngine.load()
CHECKLIST = ENGINE.checklist
CTX = AuditContext(audit_date=date(2025, 6, 30))
READ = {q for r in ENGINE.active_rules() for q in r.question_ids}
GATES = {q.gate for q in CHECKLIST.questions() if q.gate}
# Questions where "yes" is the bad answer ("Was any product shipped before ...?"): no is the conforming answer.
EVENT_QUESTIONS = {"mon_nonconforming_marked", "ins_release_before_complete", "csn_api_spec_violated",
                   "cal_oot_product_shipped", "mon_marked_shipped"}
# Impact questions only move the grade of a finding that fires anyway: no answer to them is "good". A yes to
# the last three (re-planned with an interim control; nothing to change; maintained another way) lowers a
# minor to an observation (rules/GRADING.md).
IMPACT_QUESTIONS = {"cal_oot_product_shipped", "mon_marked_shipped",
                    "rsk_overdue_replanned", "ext_addendum_no_change", "pm_unlisted_maintained"}


def answers(texts: dict[str, str]) -> dict[str, AnswerValue]:
    return {
        k: AnswerValue(question_id=k, value=parse_answer(CHECKLIST.get(k), v).value) for k, v in texts.items()
    }


def asked(question_id: str) -> dict[str, str]:
    """Answers to earlier questions under which `question_id` is asked (gates yes, show_if satisfied)."""
    question = CHECKLIST.get(question_id)
    needed: dict[str, str] = {}
    current = question
    while current.gate:
        needed[current.gate] = "yes"
        current = CHECKLIST.get(current.gate)
    for q in [CHECKLIST.get(g) for g in list(needed)] + [question]:
        if not q.show_if:
            continue
        symbols = [s.id for s in CHECKLIST.questions() if s.id in q.show_if and s.id != q.id]
        options = [("yes", "no", "partial") if CHECKLIST.get(s).type == AnswerType.yesno else ("1",) for s in symbols]
        for combo in itertools.product(*options):
            trial = needed | dict(zip(symbols, combo, strict=True))
            if CHECKLIST.visible(q, answers(trial)):
                needed = trial
                break
    return needed


def test_every_question_is_read_by_a_rule_is_a_gate_or_says_why_not():
    silent = [q.id for q in CHECKLIST.questions() if q.id not in READ and q.id not in GATES and not q.info]
    assert silent == []


def test_info_questions_are_not_read_by_rules():
    assert [q.id for q in CHECKLIST.questions() if q.info and q.id in READ] == []


@pytest.mark.parametrize(
    "question",
    [q for q in CHECKLIST.questions() if q.type == AnswerType.yesno and q.id in READ and q.id not in GATES],
    ids=lambda q: q.id,
)
def test_partial_fires_wherever_no_does(question):
    bad = "yes" if question.id in EVENT_QUESTIONS else "no"
    base = asked(question.id)
    on_bad = ENGINE.evaluate(answers(base | {question.id: bad}), CTX)
    on_partial = ENGINE.evaluate(answers(base | {question.id: "partial"}), CTX)
    if on_bad:
        assert on_partial, f"{question.id}: '{bad}' fires {[f.id for f in on_bad]}, 'partial' fires nothing"
    # partial never gives a heavier grade than the plain bad answer
    rank = {"ofi": 0, "observation": 1, "minor": 2, "major": 3}
    assert max((rank[f.grade.value] for f in on_partial), default=0) <= max(
        (rank[f.grade.value] for f in on_bad), default=0
    )


@pytest.mark.parametrize(
    "question",
    [q for q in CHECKLIST.questions()
     if q.type == AnswerType.yesno and q.id in READ and q.id not in GATES | IMPACT_QUESTIONS],
    ids=lambda q: q.id,
)
def test_the_good_answer_and_na_fire_nothing(question):
    good = "no" if question.id in EVENT_QUESTIONS else "yes"
    base = asked(question.id)
    for text in (good, "n/a"):
        fired = [f.id for f in ENGINE.evaluate(answers(base | {question.id: text}), CTX) if question.id in f.fired_by]
        assert fired == [], (question.id, text, fired)
