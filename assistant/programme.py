"""The audit programme across every session of a data directory: audits by process and date, findings
over time by clause and process, repeat findings, and processes not audited lately."""

from __future__ import annotations

import calendar
from collections import Counter
from datetime import date

from pydantic import BaseModel, Field

from assistant.sessions.models import (
    CorrectiveAction,
    Finding,
    FindingStatus,
    RepeatOf,
    Session,
    SessionStatus,
)
from assistant.sessions.service import SessionService
from rules.models import ClauseCitation

REPEAT_WINDOW_MONTHS = 24
"""A finding counts as a repeat when found again within this long after the earlier one's action closed."""
STALE_MONTHS = 12
"""Processes with no audit in this many months are listed as due (ISO 19011 5.4, Q1 audit frequency)."""
NOT_COUNTED = {"dismissed", "withdrawn"}
"""Finding statuses left out of the programme: dismissed, or withdrawn because the answer changed."""


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier, when negative), the month's last day if it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def primary_clause(clauses: list[ClauseCitation]) -> str:
    """The clause a finding is counted under: its first API Q1 10th citation, else its first one."""
    for c in clauses:
        if c.standard == "API Q1" and c.edition == "10th":
            return str(c)
    return str(clauses[0]) if clauses else "-"


def action_closed(action: CorrectiveAction) -> date | None:
    """When a corrective action was closed: the day its evidence of completion was recorded; None while open."""
    if action.evidence.strip() and action.updated_at is not None:
        return action.updated_at.date()
    return None


class AuditRow(BaseModel):
    number: str
    uid: str
    title: str
    audit_type: str
    status: SessionStatus
    date: date
    processes: list[str]
    criteria: list[str]
    """Standards and company procedures audited against."""
    result: dict[str, int]
    """Findings that count (not dismissed), by grade; empty when none were found."""


class FindingRow(BaseModel):
    audit: str
    audit_date: date
    id: str
    number: str | None = None
    """F-01 ... in the audit's report to the auditee."""
    rule: str | None
    title: str
    process: str | None
    grade: str
    status: str
    clause: str
    action_closed: date | None = None
    repeat_of: RepeatOf | None = None


class TrendRow(BaseModel):
    """Findings counted per year and clause and process."""

    year: int
    clause: str
    process: str | None
    count: int


class ProcessDue(BaseModel):
    process: str
    last_audited: date | None
    last_audit: str | None


class Programme(BaseModel):
    as_of: date
    repeat_window_months: int
    stale_months: int
    audits: list[AuditRow]
    """Oldest first."""
    findings: list[FindingRow]
    trends: list[TrendRow]
    repeats: list[FindingRow] = Field(default_factory=list)
    not_audited: list[ProcessDue]


def _counted(finding: Finding) -> bool:
    return finding.status.value not in NOT_COUNTED


def _held(session: Session, as_of: date) -> bool:
    """An audit that took place: started, and on or before the day the programme looks from."""
    return session.status != SessionStatus.planned and session.audit_date <= as_of


def auditee_numbers(findings: list[Finding]) -> dict[str, str]:
    """F-01 ... as the session's report to the auditee numbers them: decided findings that count, in order."""
    listed = [f for f in findings if _counted(f) and f.status != FindingStatus.proposed]
    return {f.id: f"F-{i:02d}" for i, f in enumerate(listed, start=1)}


def _rows(session: Session, found: list[Finding]) -> list[FindingRow]:
    numbers = auditee_numbers(found)
    return [
        FindingRow(audit=session.id, audit_date=session.audit_date, id=f.id, number=numbers.get(f.id),
                   rule=f.rule_id, title=f.title, process=f.process, grade=f.grade.value, status=f.status.value,
                   clause=primary_clause(f.clauses), action_closed=action_closed(f.action))
        for f in found if _counted(f)
    ]


def _repeat_of(row: FindingRow, earlier: list[FindingRow], window: int, uids: dict[str, str]) -> RepeatOf | None:
    """The latest earlier finding on the same rule or clause whose action closed in the window before `row`."""
    for old in sorted(earlier, key=lambda r: r.audit_date, reverse=True):
        same = (row.rule and row.rule == old.rule) or row.clause == old.clause
        if same and old.action_closed and old.action_closed < row.audit_date <= add_months(old.action_closed, window):
            return RepeatOf(finding=old.id, number=old.number, audit=old.audit, audit_uid=uids[old.audit],
                            action_closed=old.action_closed)
    return None


class RepeatFinder:
    """Flags a session's findings that repeat an earlier audit's, for `findings`, the TUI and the exports.

    The earlier audits' findings are read once (they do not change while this session is worked on);
    `flag` is then cheap enough to run at every refresh of the findings panel.
    """

    def __init__(self, service: SessionService, session_id: str, window_months: int = REPEAT_WINDOW_MONTHS):
        self.session = service.get(session_id)
        self.window = window_months
        # An earlier audit matters only if an action of it closed within the window, so it changed since.
        since = add_months(self.session.audit_date, -window_months)
        earlier = [s for s in service.list() if s.audit_date < self.session.audit_date and s.uid != self.session.uid
                   and s.updated_at.date() >= since]
        self.uids = {s.id: s.uid for s in earlier}
        self.earlier = [row for s in earlier for row in _rows(s, service.findings(s.id))]

    def flag(self, findings: list[Finding]) -> list[Finding]:
        """The findings, each with `repeat_of` set where it repeats an earlier one (None elsewhere)."""
        if not self.earlier:
            return findings
        rows = {row.id: row for row in _rows(self.session, findings)}
        return [
            f.model_copy(update={"repeat_of": _repeat_of(rows[f.id], self.earlier, self.window, self.uids)
                                 if f.id in rows else None})
            for f in findings
        ]


def build_programme(
    service: SessionService,
    as_of: date | None = None,
    repeat_window_months: int = REPEAT_WINDOW_MONTHS,
    stale_months: int = STALE_MONTHS,
) -> Programme:
    """The programme from every session here (run `session import` on colleagues' exports first)."""
    as_of = as_of or date.today()
    sessions = sorted(service.list(), key=lambda s: (s.audit_date, s.id))
    uids = {s.id: s.uid for s in sessions}
    audits: list[AuditRow] = []
    findings: list[FindingRow] = []
    for s in sessions:
        found = [f for f in service.findings(s.id) if _counted(f)]
        audits.append(AuditRow(
            number=s.id, uid=s.uid, title=s.header.title, audit_type=s.header.audit_type, status=s.status,
            date=s.audit_date, processes=s.header.scope.processes,
            criteria=s.header.criteria.standards + s.header.criteria.procedures,
            result=dict(Counter(f.grade.value for f in found)),
        ))
        for row in _rows(s, found):
            earlier = [r for r in findings if r.audit_date < s.audit_date]
            row.repeat_of = _repeat_of(row, earlier, repeat_window_months, uids)
            findings.append(row)
    trends = Counter((r.audit_date.year, r.clause, r.process) for r in findings)
    last: dict[str, Session] = {}
    for s in sessions:
        if _held(s, as_of):
            for p in s.header.scope.processes:
                last[p] = s
    cutoff = add_months(as_of, -stale_months)
    due = [
        ProcessDue(process=p, last_audited=last[p].audit_date if p in last else None,
                   last_audit=last[p].id if p in last else None)
        for p in service.engine.checklist.processes()
        if p not in last or last[p].audit_date < cutoff
    ]
    return Programme(
        as_of=as_of, repeat_window_months=repeat_window_months, stale_months=stale_months, audits=audits,
        findings=findings,
        trends=[TrendRow(year=y, clause=c, process=p, count=n)
                for (y, c, p), n in sorted(trends.items(), key=lambda item: (item[0][0], item[0][1], item[0][2] or ""))],
        repeats=[r for r in findings if r.repeat_of], not_audited=due,
    )

