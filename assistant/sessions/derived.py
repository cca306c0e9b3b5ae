"""What a session's stored rows imply: findings (live, withdrawn), escalation hints and progress, computed
in one pass and shared by the interview, the findings screen, the CLI and the exports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from assistant.sessions.models import (
    AnswerRecord,
    CorrectiveAction,
    EscalationHint,
    Finding,
    FindingStatus,
    Session,
)
from rules.models import AuditContext, Grade, ProposedFinding

if TYPE_CHECKING:
    from rules.checklist import Checklist, Question
    from rules.engine import RuleEngine


class SessionRows(BaseModel):
    """Everything stored for one session that findings depend on, read in one go."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    session: Session
    answers: dict[str, AnswerRecord]
    decisions: dict[str, dict[str, Any]]
    """Decision rows by finding id, as stored."""
    actions: dict[str, CorrectiveAction]
    manual: list[Finding]


class ProcessProgress(BaseModel):
    process: str
    title: str
    answered: int
    total: int


class Progress(BaseModel):
    processes: list[ProcessProgress]

    @property
    def answered(self) -> int:
        return sum(p.answered for p in self.processes)

    @property
    def total(self) -> int:
        return sum(p.total for p in self.processes)

    def of(self, process: str | None) -> ProcessProgress | None:
        return next((p for p in self.processes if p.process == process), None)


class Derived(BaseModel):
    """A session's findings, hints and progress for one state of its rows."""

    findings: list[Finding]
    """Live findings: rule findings that fire now (engine order), reinstated ones, then manual ones."""
    withdrawn: list[Finding]
    """Decided findings whose rule no longer fires since an answer changed (status withdrawn)."""
    hints: list[EscalationHint]
    progress: Progress

    def counted(self) -> list[Finding]:
        """The findings that count (not dismissed, not withdrawn)."""
        return [f for f in self.findings if f.status != FindingStatus.dismissed]

    def by_id(self) -> dict[str, Finding]:
        return {f.id: f for f in [*self.findings, *self.withdrawn]}


def derive(engine: RuleEngine, rows: SessionRows) -> Derived:
    """One rule pass over the answers, merged with decisions and actions, plus hints and progress."""
    checklist = engine.checklist
    answers = rows.answers
    known = {q.id for q in checklist.questions()}
    values = {q: a.as_value() for q, a in answers.items() if q in known}
    session = rows.session
    context = AuditContext(audit_date=session.audit_date, audit_type=session.header.audit_type)
    proposed = engine.evaluate(values, context)
    fired = {p.id for p in proposed}
    live = [_merged(_from_proposed(p, answers), rows) for p in proposed]
    withdrawn: list[Finding] = []
    manual_ids = {m.id for m in rows.manual}
    for finding_id, decision in sorted(rows.decisions.items()):
        if finding_id in fired or finding_id in manual_ids or not decision.get("finding"):
            continue
        kept = _kept(Finding.model_validate_json(decision["finding"]), decision, answers)
        (live if kept.reinstated_at else withdrawn).append(kept)
    live += [_merged(m, rows) for m in rows.manual]
    return Derived(
        findings=live, withdrawn=withdrawn, hints=_hints(engine, live), progress=progress(checklist, rows)
    )


def _from_proposed(proposed: ProposedFinding, answers: Mapping[str, AnswerRecord]) -> Finding:
    return Finding(
        **proposed.model_dump(),
        proposed_grade=proposed.grade,
        answers=[answers[q].as_value() for q in proposed.fired_by if q in answers],
    )


def _merged(finding: Finding, rows: SessionRows) -> Finding:
    decision = rows.decisions.get(finding.id)
    update: dict[str, Any] = {"action": rows.actions.get(finding.id) or CorrectiveAction()}
    if decision is not None:
        decided_at = datetime.fromisoformat(decision["decided_at"])
        update |= {
            "status": FindingStatus(decision["status"]),
            "dismiss_reason": decision["reason"],
            "grade": Grade(decision["regraded"]) if decision["regraded"] else finding.proposed_grade,
            "decided_by": decision["decided_by"],
            "decided_at": decided_at,
            "answers_changed_since_decision": any(
                rows.answers[q].answered_at > decided_at for q in finding.fired_by if q in rows.answers
            ),
        }
    return finding.model_copy(update=update)


def _kept(snapshot: Finding, decision: Mapping[str, Any], answers: Mapping[str, AnswerRecord]) -> Finding:
    """A decided finding whose rule no longer fires: withdrawn, or kept because the auditor reinstated it."""
    reinstated = decision.get("reinstated_at")
    decided = FindingStatus(decision["status"])
    return snapshot.model_copy(
        update={
            "status": decided if reinstated else FindingStatus.withdrawn,
            "decision": decided,
            "dismiss_reason": decision["reason"],
            "decided_by": decision["decided_by"],
            "decided_at": datetime.fromisoformat(decision["decided_at"]),
            "answers_now": [answers[q].as_value() for q in snapshot.fired_by if q in answers],
            "reinstated_at": datetime.fromisoformat(reinstated) if reinstated else None,
        }
    )


def _hints(engine: RuleEngine, findings: Sequence[Finding]) -> list[EscalationHint]:
    """Several minors on one clause or process (dismissed findings left out, regrades counted).

    Manual findings count when they name a process.
    """
    counted = [
        ProposedFinding(
            id=f.id, rule_id=f.rule_id or f.id, slug=f.slug or "manual", title=f.title, process=f.process,
            grade=f.grade, clauses=f.clauses, statement=f.statement, fired_by=f.fired_by,
        )
        for f in findings
        if f.status != FindingStatus.dismissed and f.process
    ]
    return engine.escalation_hints(counted)


# --- which questions are asked ----------------------------------------------------------------------------


def in_scope(checklist: Checklist, session: Session) -> list[str]:
    """The processes the session covers, in checklist order (all of them when the scope names none)."""
    wanted = set(session.header.scope.processes)
    return [p for p in checklist.processes() if not wanted or p in wanted]


def gate_open(question: Question, answers: Mapping[str, AnswerRecord]) -> bool:
    """A gated question is asked only when its gate question was answered yes."""
    gate = getattr(question, "gate", None)
    if not gate:
        return True
    answer = answers.get(gate)
    return answer is not None and answer.value == "yes"


def asked(checklist: Checklist, process: str, answers: Mapping[str, AnswerRecord]) -> list[Question]:
    """The questions of a process that are asked given the answers so far (follow-ups and gates applied)."""
    values = {qid: a.as_value() for qid, a in answers.items()}
    return [q for q in checklist.questions(process) if gate_open(q, answers) and _visible(checklist, q, values)]


def _visible(checklist: Checklist, question: Question, values: Mapping[str, Any]) -> bool:
    return question.show_if is None or checklist.visible(question, values)


def progress(checklist: Checklist, rows: SessionRows) -> Progress:
    processes = []
    for process in in_scope(checklist, rows.session):
        questions = asked(checklist, process, rows.answers)
        done = sum(1 for q in questions if q.id in rows.answers)
        processes.append(ProcessProgress(process=process, title=checklist.title(process), answered=done,
                                         total=len(questions)))
    return Progress(processes=processes)


def next_question(
    checklist: Checklist, session: Session, answers: Mapping[str, AnswerRecord], skipped: set[str]
) -> Question | None:
    """The first question in scope that is asked, not answered and not skipped."""
    for process in in_scope(checklist, session):
        for question in asked(checklist, process, answers):
            if question.id not in answers and question.id not in skipped:
                return question
    return None

