"""What a session's stored rows imply: findings (live, withdrawn), escalation hints and progress, computed
in one pass and shared by the interview, the findings screen, the CLI and the exports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from string import Template
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from pydantic import BaseModel, ConfigDict

from assistant.sessions.models import (
    AnswerRecord,
    CorrectiveAction,
    EscalationHint,
    Finding,
    FindingStatus,
    Session,
)
from rules.answers import typed_values
from rules.models import AnswerValue, AuditContext, Grade, ProposedFinding

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
    proposed: list[ProposedFinding]
    """What the rules proposed (before decisions), kept so the next turn re-runs only the rules it touches."""
    kept: dict[str, Any]
    """The typed answers the rules saw (follow-ups whose condition fails left out)."""
    asked: set[str]
    """Ids of the questions asked given the answers (follow-ups whose condition holds, open gates)."""

    def counted(self) -> list[Finding]:
        """The findings that count (not dismissed, not withdrawn)."""
        return [f for f in self.findings if f.status != FindingStatus.dismissed]

    def by_id(self) -> dict[str, Finding]:
        return {f.id: f for f in [*self.findings, *self.withdrawn]}


def derive(
    engine: RuleEngine, rows: SessionRows, previous: Derived | None = None, changed: str | None = None
) -> Derived:
    """One rule pass over the answers, merged with decisions and actions, plus hints and progress.

    With `previous` (the state before) and `changed` (the one question answered since), only the rules that
    read a question whose answer or visibility changed are run again; the result is the same as a full pass.
    """
    checklist = engine.checklist
    answers = rows.answers
    known = {q.id for q in checklist.questions()}
    values = {q: a.as_value() for q, a in answers.items() if q in known}
    session = rows.session
    context = AuditContext(
        audit_date=session.audit_date, audit_type=session.header.audit_type,
        criteria=session.header.criteria.standards,
    )
    kept = checklist.effective(
        typed_values(checklist, values), {"audit_date": context.audit_date, "audit_type": context.audit_type}
    )
    reused: dict[str, Finding] = {}
    if previous is None or changed is None:
        proposed = engine.evaluate(values, context)
    else:
        proposed, unchanged = _reevaluate(engine, previous, changed, kept, values, context)
        # A rule that read nothing that changed keeps its finding (answers, decision and action included).
        reused = {f.id: f for f in previous.findings if f.id in unchanged}
    fired = {p.id for p in proposed}
    live = [reused.get(p.id) or _merged(_from_proposed(p, values), rows) for p in proposed]
    withdrawn: list[Finding] = []
    manual_ids = {m.id for m in rows.manual}
    for finding_id, decision in sorted(rows.decisions.items()):
        if finding_id in fired or finding_id in manual_ids or not decision.get("finding"):
            continue
        kept_finding = _kept(Finding.model_validate_json(decision["finding"]), decision, answers)
        (live if kept_finding.reinstated_at else withdrawn).append(kept_finding)
    live += [_merged(m, rows) for m in rows.manual]
    shown = asked_ids(checklist, answers, kept)
    return Derived(
        findings=live, withdrawn=withdrawn, hints=_hints(engine, live), progress=progress(checklist, rows, shown),
        proposed=proposed, kept=kept, asked=shown,
    )


def _reevaluate(
    engine: RuleEngine,
    previous: Derived,
    changed: str,
    kept: Mapping[str, Any],
    values: Mapping[str, AnswerValue],
    context: AuditContext,
) -> tuple[list[ProposedFinding], set[str]]:
    """The rules' findings after one answer, and the ids of those kept from before because no input of
    their rule changed."""
    from rules.engine import RuleEngine

    touched = {changed} | {q for q in kept.keys() | previous.kept.keys() if kept.get(q) != previous.kept.get(q)}
    inputs = _rule_inputs(engine)
    rules = engine.active_rules()
    affected = [r for r in rules if inputs[r.id] & touched]
    affected_ids = {r.id for r in affected}
    fresh = RuleEngine(engine.checklist, affected, engine.grading, []).evaluate(values, context) if affected else []
    order = {r.id: i for i, r in enumerate(rules)}
    kept_before = [p for p in previous.proposed if p.id not in affected_ids]
    proposed = sorted([*kept_before, *fresh], key=lambda p: order.get(p.id, len(order)))
    return proposed, {p.id for p in kept_before}


_INPUTS: WeakKeyDictionary[RuleEngine, dict[str, set[str]]] = WeakKeyDictionary()


def _rule_inputs(engine: RuleEngine) -> dict[str, set[str]]:
    """Rule id -> the questions it reads: in its condition and in its statement templates."""
    from rules.packs import template_slot

    if engine not in _INPUTS:
        known = {q.id for q in engine.checklist.questions()}
        inputs: dict[str, set[str]] = {}
        for rule in engine.rules:
            read = set(rule.question_ids)
            statement = rule.entry.statement
            texts = (statement.requirement, statement.evidence, statement.nonconformity) if statement else ()
            for text in texts:
                for name in Template(text or "").get_identifiers():
                    slot = template_slot(name, known)
                    if slot is not None:
                        read.add(slot[0])
            inputs[rule.id] = read
        _INPUTS[engine] = inputs
    return _INPUTS[engine]


def _from_proposed(proposed: ProposedFinding, values: Mapping[str, AnswerValue]) -> Finding:
    fields = {name: getattr(proposed, name) for name in type(proposed).model_fields}
    return Finding(
        **fields,
        proposed_grade=proposed.grade,
        answers=[values[q] for q in proposed.fired_by if q in values],
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
    gate = question.gate
    if not gate:
        return True
    answer = answers.get(gate)
    return answer is not None and answer.value == "yes"


def asked_ids(checklist: Checklist, answers: Mapping[str, AnswerRecord], kept: Mapping[str, Any]) -> set[str]:
    """The questions asked given the answers so far (follow-ups and gates applied); `kept` is what
    `Checklist.effective` keeps of them."""
    visible = checklist.asked_ids(kept)
    return {q.id for q in checklist.questions() if q.id in visible and gate_open(q, answers)}


def progress(checklist: Checklist, rows: SessionRows, asked: set[str]) -> Progress:
    processes = []
    for process in in_scope(checklist, rows.session):
        questions = [q for q in checklist.questions(process) if q.id in asked]
        done = sum(1 for q in questions if q.id in rows.answers)
        processes.append(ProcessProgress(process=process, title=checklist.title(process), answered=done,
                                         total=len(questions)))
    return Progress(processes=processes)


def next_question(
    checklist: Checklist, session: Session, answers: Mapping[str, AnswerRecord], asked: set[str], skipped: set[str]
) -> Question | None:
    """The first question in scope that is asked, not answered and not skipped."""
    for process in in_scope(checklist, session):
        for question in checklist.questions(process):
            if question.id in asked and question.id not in answers and question.id not in skipped:
                return question
    return None
