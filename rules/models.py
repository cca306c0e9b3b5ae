"""The data that crosses the rules boundary: answers in, audit context, proposed findings and hints out."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from knowledge.catalogue import UNCONFIRMED_MARK

AuditType = Literal["internal", "supplier", "pre-certification", "api"]


class AnswerType(StrEnum):
    """How a checklist question is answered, and so which typed value the engine sees."""

    yesno = "yesno"
    """One of "yes", "no", "partial", "na"."""
    number = "number"
    date = "date"
    text = "text"
    choice = "choice"
    """One of the question's `choices`."""
    records = "records"
    """A list of record ids (PO-1234, NCR-77 ...)."""


YESNO_VALUES = ("yes", "no", "partial", "na")


class AnswerValue(BaseModel):
    """What the engine sees for one answered question."""

    model_config = ConfigDict(frozen=True)

    question_id: str
    value: str | float | date | list[str] | None
    """yes/no answers are "yes", "no", "partial", "na"; a date may also come as ISO text."""
    note: str = ""
    records: list[str] = Field(default_factory=list)
    """Records sampled while asking (any question type)."""


class AuditContext(BaseModel):
    """Facts about the audit that conditions may use besides the answers."""

    audit_date: date
    audit_type: AuditType = "internal"
    criteria: list[str] = Field(default_factory=list)
    """The session's standards as `"API Q1:10th"`, `"API Q1:9th"`, `"ISO 9001:2015"`; empty when not set.
    A rule that states its editions is evaluated only when the criteria name one of them (or name no
    Q1 edition at all)."""


class Grade(StrEnum):
    major = "major"
    minor = "minor"
    observation = "observation"
    ofi = "ofi"
    """Opportunity for improvement."""
    nonconformity = "nonconformity"
    """Ungraded nonconformity, as API audits record them."""


class ClauseCitation(BaseModel):
    """One clause a finding cites, e.g. {standard: "API Q1", edition: "10th", id: "5.5.1.2"}."""

    model_config = ConfigDict(frozen=True)

    standard: str
    edition: str
    id: str
    confirmed: bool = True
    """False for an API Q1 10th-edition clause whose number is not confirmed by a public source (the
    catalogue's confidence is not "verified"). Every rendering must then say so: use `text()` or `str()`."""

    def text(self, title: str = "") -> str:
        """"API Q1 10th 6.4.3 Preventive Action (number not confirmed)": the one way to show a citation."""
        edition = f" {self.edition}" if self.standard == "API Q1" else ""
        named = f"{self.standard}{edition} {self.id}" + (f" {title}" if title else "")
        return named if self.confirmed else f"{named} {UNCONFIRMED_MARK}"

    def __str__(self) -> str:
        return self.text()


class Statement(BaseModel):
    """A finding statement in the requirement / evidence / nonconformity form."""

    requirement: str
    evidence: str
    nonconformity: str


class ProposedFinding(BaseModel):
    """A finding the rule layer proposes; the auditor confirms, dismisses or regrades it."""

    id: str
    """Stable: the rule id (one finding per rule per session), e.g. "PUR-004"."""
    rule_id: str
    slug: str
    title: str
    process: str
    grade: Grade
    """Already mapped through the audit type's grading scheme."""
    clauses: list[ClauseCitation]
    """Q1 10th, Q1 9th, ISO 9001:2015, in that order."""
    statement: Statement
    fired_by: list[str]
    """Question ids whose answers fired it, in checklist order."""


class EscalationHint(BaseModel):
    """Several minor findings on one clause or process: the auditor may consider a major."""

    process: str | None = None
    clause: ClauseCitation | None = None
    finding_ids: list[str]
    message: str
