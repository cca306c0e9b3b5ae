"""The engine: deterministic findings, unanswered and hidden questions, grading schemes, hints, fingerprint."""

from __future__ import annotations

import json
import random
from datetime import date

from rules.answers import parse_answer
from rules.engine import RuleEngine
from rules.models import AnswerValue, AuditContext, Grade

ENGINE = RuleEngine.load()
CTX = AuditContext(audit_date=date(2025, 6, 30), audit_type="internal")


def answers(**texts: str) -> dict[str, AnswerValue]:
    """Answers as an auditor types them, parsed like the session layer does."""
    parsed = {}
    for question_id, text in texts.items():
        result = parse_answer(ENGINE.checklist.get(question_id), text)
        parsed[question_id] = AnswerValue(question_id=question_id, value=result.value, note=result.note)
    return parsed


def full_session() -> dict[str, AnswerValue]:
    """An answer for every question, worst case first: "no", zero counts, old dates, empty record lists."""
    typed = {"yesno": "no", "number": "3", "date": "2020-01-01", "text": "free text", "records": "PO-1, PO-2"}
    texts = {}
    for q in ENGINE.checklist.questions():
        texts[q.id] = q.choices[-1] if q.choices else typed[q.type]
    texts |= {"pur_reeval_sampled": "5", "pur_reeval_done": "3", "sup_sampled": "5", "sup_evaluated": "2"}
    return answers(**texts)


def findings_json(given: dict[str, AnswerValue], ctx: AuditContext = CTX) -> str:
    return json.dumps([f.model_dump(mode="json") for f in ENGINE.evaluate(given, ctx)])


def test_same_answers_in_any_order_give_identical_findings():
    session = full_session()
    items = list(session.items())
    reference = findings_json(session)
    for seed in range(3):
        random.Random(seed).shuffle(items)
        assert findings_json(dict(items)) == reference
    assert len(json.loads(reference)) > 20


def test_finding_cites_rule_answers_and_clauses():
    given = answers(pur_reeval="no - only 3 of 5 suppliers re-evaluated", pur_reeval_sampled="5", pur_reeval_done="3")
    (finding,) = [f for f in ENGINE.evaluate(given, CTX) if f.id == "PUR-002"]
    assert finding.rule_id == "PUR-002" and finding.grade == Grade.minor
    assert finding.fired_by == ["pur_reeval_sampled", "pur_reeval_done"]
    assert [c.standard for c in finding.clauses] == sorted(
        (c.standard for c in finding.clauses), key=["API Q1", "ISO 9001"].index
    )
    assert "Of 5 suppliers due for re-evaluation, only 3" in finding.statement.nonconformity
    assert "only 3 of 5 suppliers re-evaluated" in finding.statement.evidence


def test_default_evidence_quotes_question_answer_and_note():
    given = answers(pur_procedure="no - buyers use their own judgement")
    (finding,) = [f for f in ENGINE.evaluate(given, CTX) if f.id == "PUR-001"]
    assert "Answer: no." in finding.statement.evidence
    assert "buyers use their own judgement" in finding.statement.evidence


def test_unanswered_questions_keep_rules_quiet():
    assert ENGINE.evaluate({}, CTX) == []
    only_sampled = answers(pur_reeval="no", pur_reeval_sampled="5")
    assert "PUR-002" not in {f.id for f in ENGINE.evaluate(only_sampled, CTX)}


def test_hidden_follow_up_cannot_fire():
    given = answers(pur_reeval="yes", pur_reeval_sampled="5", pur_reeval_done="1")
    assert "PUR-002" not in {f.id for f in ENGINE.evaluate(given, CTX)}
    follow_up = ENGINE.checklist.get("pur_reeval_done")
    assert not ENGINE.checklist.visible(follow_up, given)
    assert ENGINE.checklist.visible(follow_up, answers(pur_reeval="partial"))


def test_dates_compare_with_audit_date():
    given = answers(cal_due_date="2025-05-01", cal_gauge_id="MIC-0042")
    (finding,) = [f for f in ENGINE.evaluate(given, CTX) if f.id == "CAL-001"]
    assert "MIC-0042" in finding.statement.nonconformity and "2025-05-01" in finding.statement.nonconformity
    later = AuditContext(audit_date=date(2025, 4, 1))
    assert "CAL-001" not in {f.id for f in ENGINE.evaluate(given, later)}


def test_api_audits_record_ungraded_nonconformities():
    given = answers(pur_procedure="no", mr_actions_open="2")
    api = {f.id: f.grade for f in ENGINE.evaluate(given, AuditContext(audit_date=date(2025, 6, 30), audit_type="api"))}
    assert api == {"PUR-001": Grade.nonconformity, "MR-004": Grade.observation}


def test_stale_answers_are_ignored():
    stale = {"gone_question": AnswerValue(question_id="gone_question", value="no")}
    unreadable = {"pur_reeval": AnswerValue(question_id="pur_reeval", value="perhaps")}
    assert ENGINE.evaluate(stale | unreadable, CTX) == []


def test_stored_json_values_are_coerced():
    given = {
        "cal_due_date": AnswerValue(question_id="cal_due_date", value="2025-05-01"),
        "cal_overdue": AnswerValue(question_id="cal_overdue", value=2),
    }
    assert "CAL-001" in {f.id for f in ENGINE.evaluate(given, CTX)}
    assert "CAL-002" in {f.id for f in ENGINE.evaluate({"cal_overdue": given["cal_overdue"]}, CTX)}


def test_several_minors_on_one_clause_or_process_give_hints():
    given = answers(cal_due_date="2025-05-01", cal_sampled="10", cal_overdue="2", cal_traceable="no", cal_oot_assessed="no")
    findings = ENGINE.evaluate(given, CTX)
    hints = ENGINE.escalation_hints(findings)
    # CAL-001 (the overdue gauge) stands for the overdue count too (one event, one finding); the three cite
    # API Q1 10th 5.8.1 first, so one clause hint covers them (no duplicate process hint).
    assert [set(h.finding_ids) for h in hints] == [{"CAL-001", "CAL-005", "CAL-006"}]
    assert hints[0].clause is not None and hints[0].clause.id == "5.8.1"
    for hint in hints:
        assert set(hint.finding_ids) <= {f.id for f in findings}
        assert "major" in hint.message
    assert ENGINE.escalation_hints(ENGINE.evaluate(answers(cal_traceable="no"), CTX)) == []
    across_clauses = answers(pur_po_information="no", pur_unapproved_used="2", pur_noncritical_evaluated="no")
    (process_hint,) = ENGINE.escalation_hints(ENGINE.evaluate(across_clauses, CTX))
    assert process_hint.process == "purchasing" and len(process_hint.finding_ids) == 3


def test_fingerprint_covers_every_data_file():
    fingerprint = ENGINE.fingerprint()
    assert "grading.yaml" in fingerprint
    assert sum(name.startswith("checklists/") for name in fingerprint) == len(ENGINE.checklist.processes())
    assert sum(name.startswith("packs/") for name in fingerprint) >= 29
    assert all(len(digest) == 64 for digest in fingerprint.values())
