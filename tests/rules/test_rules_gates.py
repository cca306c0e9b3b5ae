"""Applicability before compliance: no rule fires when a gate says the thing does not exist or did not happen."""

from __future__ import annotations

from datetime import date

import pytest

from rules.answers import parse_answer
from rules.engine import RuleEngine
from rules.models import AnswerType, AnswerValue, AuditContext

ENGINE = RuleEngine.load()
CHECKLIST = ENGINE.checklist
CTX = AuditContext(audit_date=date(2025, 6, 30))
GATES = sorted({q.gate for q in CHECKLIST.questions() if q.gate})
WORST = {AnswerType.number: "3", AnswerType.date: "2020-01-01", AnswerType.text: "free text",
         AnswerType.records: "none"}


def answers(**texts: str) -> dict[str, AnswerValue]:
    parsed = {}
    for question_id, text in texts.items():
        result = parse_answer(CHECKLIST.get(question_id), text)
        parsed[question_id] = AnswerValue(question_id=question_id, value=result.value, note=result.note)
    return parsed


def gated_by(gate: str) -> list[str]:
    """Every question behind `gate`, directly or through another gate."""
    found: list[str] = []
    frontier = [gate]
    while frontier:
        current = frontier.pop()
        for q in CHECKLIST.questions():
            if q.gate == current:
                found.append(q.id)
                frontier.append(q.id)
    return found


def chain(gate: str) -> list[str]:
    """The gates in front of `gate` (answered yes so that `gate` itself is asked)."""
    ahead = []
    question = CHECKLIST.get(gate)
    while question.gate:
        ahead.append(question.gate)
        question = CHECKLIST.get(question.gate)
    return ahead


def test_there_are_gates_for_every_compound_question_of_the_review():
    # F-1 .. F-9 of the knowledge review: each compliance question now sits behind a gate.
    for question_id in ["sup_special_critical", "sup_outsourced_activities", "ret_contract_longer", "prd_quality_plan",
                        "ncp_after_delivery", "moc_customer_notified", "csn_customer_approval",
                        "con_incidents_reviewed", "cpr_loss_reported", "moc_recent_changes", "cal_due_date",
                        "trn_cert_expiry"]:
        assert CHECKLIST.get(question_id).gate is not None, question_id


@pytest.mark.parametrize("closed", ["no", "n/a", "no - we buy none / none happened"])
@pytest.mark.parametrize("worst_yes_no", ["no", "yes", "partial"])
@pytest.mark.parametrize("gate", GATES)
def test_no_rule_fires_behind_a_closed_gate(gate, worst_yes_no, closed):
    texts = {g: "yes" for g in chain(gate)} | {gate: closed}
    for question_id in gated_by(gate):
        question = CHECKLIST.get(question_id)
        if question.type == AnswerType.choice:
            texts[question_id] = question.choices[-1]
        elif question.type == AnswerType.yesno:
            texts[question_id] = worst_yes_no
        else:
            texts[question_id] = WORST[question.type]
    given = answers(**texts)
    assert ENGINE.evaluate(given, CTX) == []
    assert not any(CHECKLIST.applicable(q, given) for q in gated_by(gate))


@pytest.mark.parametrize("gate", GATES)
def test_gated_questions_are_asked_only_after_yes(gate):
    first = CHECKLIST.get(gated_by(gate)[0])
    ahead = {g: "yes" for g in chain(gate)}
    assert not CHECKLIST.visible(first, answers(**ahead))
    assert not CHECKLIST.visible(first, answers(**ahead, **{gate: "no"}))
    if first.show_if is None:
        assert CHECKLIST.visible(first, answers(**ahead, **{gate: "yes"}))
    assert CHECKLIST.applicable(first.id, answers(**ahead, **{gate: "yes"}))


@pytest.mark.parametrize(
    ("texts", "rule_id"),
    [
        ({"sup_special_sources": "yes", "sup_special_critical": "no - no documented basis"}, "SUP-007"),
        ({"sup_outsources": "yes", "sup_outsourced_activities": "no - NDE vendor not on list"}, "SUP-008"),
        ({"ret_longer_required": "yes", "ret_contract_longer": "no"}, "RET-004"),
        ({"prd_quality_plan_required": "yes", "prd_quality_plan": "no"}, "PRD-004"),
        ({"ncp_found_after_delivery": "yes", "ncp_after_delivery": "no"}, "NCP-004"),
        ({"moc_changes_made": "yes", "moc_recent_changes": "none"}, "MOC-006"),
        ({"cal_gauge_in_use": "yes", "cal_due_date": "2025-01-01"}, "CAL-001"),
        ({"trn_certified_staff": "yes", "trn_cert_expiry": "2024-12-31"}, "TRN-003"),
    ],
)
def test_after_a_yes_the_compliance_answer_still_fires(texts, rule_id):
    assert rule_id in {f.id for f in ENGINE.evaluate(answers(**texts), CTX)}


@pytest.mark.parametrize(
    "texts",
    [
        {"sup_special_sources": "no - we buy no customer-specified items"},
        {"sup_outsources": "no - nothing outsourced"},
        {"moc_changes_made": "no", "moc_recent_changes": "none"},
        {"cal_gauge_in_use": "no - tagged out of service", "cal_due_date": "2025-01-01 - tagged out"},
        {"trn_certified_staff": "no - the welder left", "trn_cert_expiry": "2024-12-31 - welder left"},
        # F-7: no interval written is not an interval of 0 months.
        {"rsk_procedure": "yes", "rsk_register": "yes", "rsk_last_review": "2025-06-01",
         "rsk_review_interval_months": "0"},
    ],
)
def test_review_false_alarm_patterns_stay_quiet(texts):
    assert ENGINE.evaluate(answers(**texts), CTX) == []


@pytest.mark.parametrize("text", ["no - not applicable", "No, N/A - nothing of the kind here", "no - does not apply"])
@pytest.mark.parametrize(
    "question", [q for q in CHECKLIST.questions() if q.type == AnswerType.yesno], ids=lambda q: q.id
)
def test_no_rule_fires_on_a_no_that_says_not_applicable(question, text):
    given = answers(**({g: "yes" for g in [question.gate, *chain(question.gate)] if g} if question.gate else {}),
                    **{question.id: text})
    assert given[question.id].value == "na"
    fired = [f.id for f in ENGINE.evaluate(given, CTX) if question.id in f.fired_by]
    assert fired == [], (question.id, fired)
