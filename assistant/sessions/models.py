"""Audit sessions, answers, answer history and findings as the CLI, TUI and exports see them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.sessions.identity import new_uid, uid_before_uids
from rules.models import AnswerType, AnswerValue, AuditType, ClauseCitation, EscalationHint, Grade, Statement

__all__ = [
    "AnswerChange",
    "AnswerRecord",
    "AuditTeam",
    "AuditType",
    "Auditee",
    "CorrectiveAction",
    "Criteria",
    "EscalationHint",
    "Finding",
    "FindingStatus",
    "RepeatOf",
    "ReportApproval",
    "Scope",
    "Session",
    "SessionHeader",
    "SessionStatus",
    "SourceChange",
    "SourceFingerprint",
]


class SessionStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    in_review = "in_review"
    closed = "closed"
    """Locked: nothing in the session can change any more."""


class Scope(BaseModel):
    """What the audit covers."""

    processes: list[str] = Field(default_factory=list)
    """Checklist process names (purchasing, calibration ...)."""
    sites: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)


class Criteria(BaseModel):
    """What the audit is held against."""

    standards: list[str] = Field(default_factory=list)
    """Standard and edition as `"API Q1:10th"`, `"API Q1:9th"`, `"ISO 9001:2015"`."""
    procedures: list[str] = Field(default_factory=list)
    """Company procedure numbers (QP-08 ...)."""


class AuditTeam(BaseModel):
    lead: str | None = None
    members: list[str] = Field(default_factory=list)


class Auditee(BaseModel):
    name: str
    role: str = ""


class ReportApproval(BaseModel):
    """Who reviewed and accepted the audit report (ISO 19011 6.5.1), as the lead auditor records it."""

    name: str = Field(min_length=1)
    role: str = ""
    approved_on: date | None = None


class SessionHeader(BaseModel):
    """What ISO 19011 expects an audit record to carry, as the auditor fills it in."""

    title: str = Field(min_length=1)
    audit_type: AuditType = "internal"
    objectives: list[str] = Field(default_factory=list)
    scope: Scope = Field(default_factory=Scope)
    criteria: Criteria = Field(default_factory=Criteria)
    team: AuditTeam = Field(default_factory=AuditTeam)
    auditees: list[Auditee] = Field(default_factory=list)
    client: str | None = None
    """Who asked for the audit (management, a customer, the supplier quality group ...)."""
    start_date: date | None = None
    """Also the date rule conditions compare against (calibration due dates ...); creation date when unset."""
    end_date: date | None = None
    location: str | None = None
    conclusions: str = ""
    """The audit conclusions as the team agreed them; reports draft one from the findings while empty."""
    diverging_opinions: str = ""
    """Opinions the audit team and auditee could not settle, as ISO 19011 asks a report to record."""
    organisation: str | None = None
    """The organisation audited (the supplier, the company of the site); reports name it on the title page."""
    distribution: list[str] = Field(default_factory=list)
    """Who receives the audit report."""
    approval: ReportApproval | None = None
    report_revision: str | None = None
    """The report's revision as issued (1, 2, B ...); reports say 1 while unset."""

    @model_validator(mode="after")
    def _dates_in_order(self) -> SessionHeader:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError(f"end date {self.end_date} is before start date {self.start_date}")
        return self


SourceKind = Literal["catalogue", "checklist", "rule-pack", "procedure"]


class SourceFingerprint(BaseModel):
    """One file or document a session was audited against, as it was when recorded."""

    model_config = ConfigDict(frozen=True)

    kind: SourceKind
    name: str
    """File name (catalogue, checklists, packs) or document number (procedures)."""
    revision: str | None = None
    sha256: str


class SourceChange(BaseModel):
    """A source that differs from the one recorded for the session."""

    kind: SourceKind
    name: str
    change: Literal["changed", "added", "removed"]
    old_revision: str | None = None
    new_revision: str | None = None

    def describe(self) -> str:
        """One line for the auditor, e.g. `procedure QP-08 changed (rev B -> rev C)`."""
        revisions = ""
        if self.change == "changed" and self.old_revision != self.new_revision:
            revisions = f" (rev {self.old_revision or '?'} -> rev {self.new_revision or '?'})"
        return f"{self.kind} {self.name} {self.change} since answers were given{revisions}"


class Session(BaseModel):
    id: str
    """Like `2025-003`: the number people say aloud; unique in one data directory, renumbered on import."""
    uid: str = Field(default_factory=new_uid)
    """Unique across every laptop and data directory (a UUID4; a UUID5 for sessions made before uids)."""
    header: SessionHeader
    status: SessionStatus = SessionStatus.planned
    created_at: datetime
    updated_at: datetime
    sources: list[SourceFingerprint] = Field(default_factory=list)
    """What the session was audited against: catalogue, checklists, rule packs and company procedures."""

    @model_validator(mode="before")
    @classmethod
    def _uid_of_an_old_export(cls, data: object) -> object:
        # An export made before uids: the uid its data directory's migration gives it, not a random one.
        if isinstance(data, dict) and not data.get("uid") and isinstance(data.get("id"), str) and data.get("created_at"):
            created = data["created_at"]
            try:
                when = created if isinstance(created, datetime) else datetime.fromisoformat(str(created))
            except ValueError:
                return data  # the field's own validation says what is wrong
            return {**data, "uid": uid_before_uids(data["id"], when)}
        return data

    @property
    def closed(self) -> bool:
        return self.status == SessionStatus.closed

    @property
    def audit_date(self) -> date:
        return self.header.start_date or self.created_at.date()


class AnswerRecord(BaseModel):
    """One question's current answer in a session."""

    question_id: str
    answer_type: AnswerType
    value: str | float | date | list[str] | None
    """Typed as `answer_type` says: yes/no as "yes", "no", "partial", "na"; dates as dates; records as ids."""
    raw: str | None = None
    """The text as typed, when the answer was given as free text."""
    note: str = ""
    interviewee: str | None = None
    role: str | None = None
    records: list[str] = Field(default_factory=list)
    """Records sampled (PO numbers, certificates ...)."""
    attachments: list[str] = Field(default_factory=list)
    """Files copied into the data directory, relative to its `attachments/` folder."""
    answered_at: datetime
    answered_by: str | None = None
    reading: str = ""
    """How the typed text was read when that was more than a plain value ("'none' read as 0", "read as
    yes, as the auditor chose")."""
    says: Literal["", "none", "not applicable", "all"] = ""
    """The answer said there are none, or that the question does not apply (not just a 0 or an empty list)."""

    @model_validator(mode="after")
    def _typed_value(self) -> AnswerRecord:
        # JSON has no date type: a stored "2024-03-11" comes back as text unless the type says otherwise.
        if self.answer_type == AnswerType.date and isinstance(self.value, str):
            self.value = date.fromisoformat(self.value)
        elif self.answer_type == AnswerType.number and isinstance(self.value, int | str):
            self.value = float(self.value)
        return self

    def as_value(self) -> AnswerValue:
        """What the rule engine sees."""
        return AnswerValue(question_id=self.question_id, value=self.value, note=self.note, records=self.records)

    def same_answer(self, other: AnswerRecord) -> bool:
        """True when nothing the auditor said changed (timestamps and who typed it aside)."""
        ignore = {"answered_at", "answered_by", "raw", "reading"}
        return self.model_dump(exclude=ignore) == other.model_dump(exclude=ignore)


class AnswerChange(BaseModel):
    """One entry of a question's history: who changed the answer when, from what to what."""

    question_id: str
    changed_at: datetime
    changed_by: str | None = None
    old: AnswerRecord | None
    """None for the first answer."""
    new: AnswerRecord


class FindingStatus(StrEnum):
    proposed = "proposed"
    confirmed = "confirmed"
    dismissed = "dismissed"
    withdrawn = "withdrawn"
    """Decided, then the answer that fired it changed so the rule no longer fires: kept with the answers
    it was decided on, the answers now and the decision; the auditor may reinstate it."""


class CorrectiveAction(BaseModel):
    """The auditee's response to a finding, as an API audit expects it."""

    correction: str = ""
    """What was done at once about the instance found."""
    root_cause: str = ""
    corrective_action: str = ""
    """What was changed so it does not happen again."""
    evidence: str = ""
    """Evidence of completion."""
    owner: str = ""
    due_date: date | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None

    @property
    def empty(self) -> bool:
        return not any((self.correction, self.root_cause, self.corrective_action, self.evidence, self.owner)) and (
            self.due_date is None
        )


class RepeatOf(BaseModel):
    """An earlier audit's finding on the same rule or clause, found again after its corrective action closed."""

    finding: str
    """Its id in that audit (`PUR-004`, `M-001`)."""
    number: str | None = None
    """Its number in that audit's report to the auditee (`F-03`); None if it was never reported."""
    audit: str
    audit_uid: str
    action_closed: date

    def describe(self) -> str:
        shown = f"{self.number} ({self.finding})" if self.number else self.finding
        return f"repeat of {shown} in audit {self.audit}"

    def warning(self) -> str:
        """The line shown with the new finding: the question Q1 and ISO ask about the earlier action."""
        return f"R{self.describe()[1:]}, whose corrective action was closed {self.action_closed}: was it effective?"


class Finding(BaseModel):
    """A proposed or manual finding merged with the auditor's decision and the corrective action."""

    id: str
    """The rule id for rule findings (`PUR-004`), `M-001` ... for manual ones."""
    rule_id: str | None = None
    """None for a manual finding."""
    slug: str | None = None
    title: str
    process: str | None = None
    grade: Grade
    """The grade that counts: the auditor's regrade if any, else the proposed one."""
    proposed_grade: Grade
    clauses: list[ClauseCitation]
    statement: Statement
    fired_by: list[str] = Field(default_factory=list)
    answers: list[AnswerValue] = Field(default_factory=list)
    """The answers that fired it, in checklist order."""
    status: FindingStatus = FindingStatus.proposed
    dismiss_reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    answers_changed_since_decision: bool = False
    """An answer that fired it changed after the auditor decided: the decision may need a second look."""
    action: CorrectiveAction = Field(default_factory=CorrectiveAction)
    decision: FindingStatus | None = None
    """For a withdrawn or reinstated finding: what the auditor had decided (confirmed or dismissed)."""
    answers_now: list[AnswerValue] = Field(default_factory=list)
    """For a withdrawn or reinstated finding: the current answers to the questions that fired it
    (`answers` keeps those it was decided on)."""
    reinstated_at: datetime | None = None
    """Set when the auditor kept a withdrawn finding although its rule no longer fires."""
    repeat_of: RepeatOf | None = None
    """Set where findings are shown or exported (`assistant.programme.RepeatFinder`): it depends on the
    other audits in the data directory, so the session itself never stores it."""

    @property
    def manual(self) -> bool:
        return self.rule_id is None

    @property
    def regraded(self) -> bool:
        return self.grade != self.proposed_grade
