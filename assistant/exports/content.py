"""What every export shows, worked out once from a `SessionExport`: rows, clause titles, summaries, gaps.

A report is made for one audience. The auditee's copy carries only decided findings, numbered F-01 ...,
with no rule ids, proposed grades or notes for the team; the team's copy keeps all of that. While any
finding is undecided the report is a draft, and every format says so.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from assistant.exports.json_export import SessionExport
from assistant.sessions.models import AnswerRecord, Finding, FindingStatus, Session, SessionHeader
from knowledge.catalogue import ISO, Q1, Catalogue, Clause, Confidence
from rules.checklist import Checklist
from rules.models import ClauseCitation, Grade

Audience = Literal["auditee", "team"]
AUDIENCES: tuple[Audience, ...] = ("auditee", "team")

GRADE_ORDER = [Grade.major, Grade.minor, Grade.nonconformity, Grade.observation, Grade.ofi]
GRADE_LABELS = {
    Grade.major: "Major",
    Grade.minor: "Minor",
    Grade.nonconformity: "Nonconformity",
    Grade.observation: "Observation",
    Grade.ofi: "Opportunity for improvement",
}
NONCONFORMITY_GRADES = {Grade.major, Grade.minor, Grade.nonconformity}
EDITIONS = [(Q1, "10th"), (Q1, "9th"), (ISO, "2015")]
EDITION_LABELS = {(Q1, "10th"): "API Q1 10th", (Q1, "9th"): "API Q1 9th", (ISO, "2015"): "ISO 9001:2015"}

WITHDRAWN = "withdrawn"
"""The status of a decided finding whose firing answer changed (kept for the team's record, never counted)."""
SET_ASIDE = {FindingStatus.dismissed.value, WITHDRAWN}
FINDING_STATUS_LABELS = {
    "proposed": "Proposed, not yet decided",
    "confirmed": "Confirmed",
    "dismissed": "Dismissed",
    WITHDRAWN: "Withdrawn (answer changed)",
}
SESSION_STATUS_LABELS = {"planned": "Planned", "in_progress": "In progress", "in_review": "In review",
                         "closed": "Closed"}
AUDIT_TYPE_LABELS = {"internal": "Internal audit", "supplier": "Supplier audit",
                     "pre-certification": "Pre-certification audit", "api": "API audit"}
AUDIENCE_LABELS = {"auditee": "Auditee and distribution list", "team": "Audit team only"}
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif")

SAMPLING_STATEMENT = (
    "An audit looks at a sample of the activities, records and people of the organisation in the time "
    "available. Findings rest on that sample: nonconformities may exist that the sample did not show, "
    "and an area without findings is not thereby shown to conform throughout."
)
CONFIDENTIALITY_STATEMENT = (
    "This report is confidential. It is written for {organisation} and the audit client, and may be passed "
    "on only to the people on its distribution list, or to others with the agreement of both. The audit "
    "team keeps the working notes behind it confidential as well."
)
TEAM_ONLY_NOTICE = (
    "AUDIT TEAM ONLY. This copy carries proposed grades, rule ids and notes for the audit team. "
    "Do not pass it to the auditee; export the auditee's copy with --for auditee."
)
DRAFT_NOTICE = (
    "DRAFT. {count} finding(s) are still to be decided by the audit team; they are not in the auditee's copy. "
    "This report may change and is not the final report."
)
NOT_CONFIRMED_NOTE = (
    "Clause numbers marked (not confirmed) are API Q1 10th edition numbers not yet checked against the "
    "published standard; check them in your licensed copy."
)


class ClauseLine(BaseModel):
    standard: str
    edition: str
    id: str
    title: str
    confirmed: bool = True
    """False for an API Q1 10th number not yet confirmed against the published standard."""

    @property
    def ref(self) -> str:
        """The clause number, marked `(not confirmed)` where it is not."""
        return self.id if self.confirmed else f"{self.id} (not confirmed)"

    @property
    def label(self) -> str:
        return f"{EDITION_LABELS.get((self.standard, self.edition), self.standard)} {self.ref}"

    @property
    def text(self) -> str:
        return f"{self.label} {self.title}"


def number_confirmed(clause: Clause) -> bool:
    """Whether a clause number is confirmed; only API Q1 10th numbers can be unconfirmed.

    Read from the catalogue's confidence until the catalogue carries its own confirmed flag: this is the
    one place to switch over.
    """
    return (clause.standard, clause.edition) != (Q1, "10th") or clause.confidence == Confidence.verified


ANSWER_COLUMNS = [
    "Audit", "Process", "Question", "Question text", "Answer", "Note", "Records sampled", "Interviewee", "Role",
    "Attachments", "As typed", "Answered at", "Answered by",
]
"""The answers-with-evidence columns (XLSX), in order (`ReportContent.answer_table` fills them)."""


class AnswerRow(BaseModel):
    process: str
    process_title: str
    question_id: str
    question: str
    answer: str
    """The value as a person reads it (`n/a`, `3`, `2024-03-11`, `PO-1, PO-2`)."""
    record: AnswerRecord

    @property
    def interviewee(self) -> str:
        r = self.record
        return " ".join(x for x in (r.interviewee or "", f"({r.role})" if r.role else "") if x)

    def cells(self, audit: str) -> list[str]:
        r = self.record
        return [
            audit, self.process_title, self.question_id, self.question, self.answer, r.note, ", ".join(r.records),
            r.interviewee or "", r.role or "", ", ".join(r.attachments), r.raw or "",
            r.answered_at.isoformat(timespec="seconds"), r.answered_by or "",
        ]


class Photo(BaseModel):
    path: Path
    caption: str


class FindingRow(BaseModel):
    finding: Finding
    number: str = ""
    """F-01 ... in the order of this report; empty for findings set aside (dismissed, withdrawn)."""
    clauses: dict[str, list[ClauseLine]]
    """The clauses the auditor or the rule cited, by edition label (`API Q1 10th` ...), each possibly empty."""
    related: list[ClauseLine]
    """Crosswalk and edition-map counterparts of the cited clauses that were not cited themselves."""
    process_title: str = ""
    records: list[str]
    """Records sampled in the answers that fired it."""
    evidence: list[AnswerRow]
    """The answers that fired it."""
    photos: list[Photo] = []

    @property
    def rule(self) -> str:
        return self.finding.rule_id or "manual"

    @property
    def grade_label(self) -> str:
        return GRADE_LABELS[self.finding.grade]

    @property
    def status_label(self) -> str:
        return FINDING_STATUS_LABELS.get(self.finding.status.value, self.finding.status.value)

    @property
    def heading(self) -> str:
        return f"{self.number or self.finding.id}: {self.finding.title}"

    @property
    def counts(self) -> bool:
        return self.finding.status.value not in SET_ASIDE

    @property
    def decided(self) -> bool:
        return self.finding.status != FindingStatus.proposed

    @property
    def cited(self) -> list[ClauseLine]:
        return [line for lines in self.clauses.values() for line in lines]

    def clause_ids(self, edition_label: str) -> str:
        return ", ".join(c.ref for c in self.clauses[edition_label])

    def meta(self, audience: Audience) -> str:
        """Grade and process for the auditee; the team also sees status, the proposed grade and the rule."""
        f = self.finding
        parts = [self.grade_label]
        if self.process_title:
            parts.append(f"process {self.process_title}")
        if audience == "team":
            regrade = f" (proposed {GRADE_LABELS[f.proposed_grade].lower()})" if f.regraded else ""
            parts[0] += regrade
            parts += [self.status_label.lower(), f"rule {self.rule}" if f.rule_id else f"manual finding {f.id}"]
        if f.repeat_of is not None:  # Q1 and ISO both ask whether the earlier corrective action worked
            parts.append(f.repeat_of.describe())
        return ", ".join(parts)

    def action_fields(self) -> dict[str, str]:
        """The corrective-action response (API's correction / root cause / action / evidence), as text."""
        action = self.finding.action
        return {
            "Correction": action.correction,
            "Root cause": action.root_cause,
            "Corrective action": action.corrective_action,
            "Evidence of completion": action.evidence,
            "Action owner": action.owner,
            "Due date": action.due_date.isoformat() if action.due_date else "",
        }


class ProcessResult(BaseModel):
    """How far one audited process met the criteria, for the sample taken."""

    process: str
    title: str
    asked: int
    answered: int
    not_applicable: int
    grades: dict[Grade, int]

    @property
    def grades_text(self) -> str:
        return ", ".join(f"{n} {GRADE_LABELS[g].lower()}" for g, n in self.grades.items()) or "none"

    @property
    def level(self) -> str:
        """`not met`, `partly met`, `met` (for what was audited) or `not audited`."""
        if self.grades.get(Grade.major):
            return "not met"
        if self.grades.get(Grade.minor) or self.grades.get(Grade.nonconformity):
            return "partly met"
        return "met" if self.answered or self.grades else "not audited"

    @property
    def verdict(self) -> str:
        if self.level == "not met":
            return "Not met: major nonconformity"
        if self.level == "partly met":
            return "Partly met: nonconformities found"
        if self.level == "not audited":
            return "Not audited"
        if self.answered < self.asked:
            return f"No nonconformity found; {self.answered} of {self.asked} questions answered"
        return "Met for the sample taken"


class ClauseSummary(BaseModel):
    """Findings grouped by the first API Q1 clause they cite, with the ISO clauses they cite."""

    q1: ClauseLine | None
    iso: list[ClauseLine]
    grades: dict[Grade, int]
    numbers: list[str]

    @property
    def grades_text(self) -> str:
        return ", ".join(f"{n} {GRADE_LABELS[g].lower()}" for g, n in self.grades.items())


class Gap(BaseModel):
    process_title: str
    question_id: str
    question: str
    reason: str


class Criterion(BaseModel):
    name: str
    detail: str


class ReportContent(BaseModel):
    export: SessionExport
    audience: Audience = "auditee"
    findings: list[FindingRow]
    """The findings this report lists and counts, numbered F-01 ... (the auditee's copy: decided ones only)."""
    set_aside: list[FindingRow]
    """Dismissed and withdrawn findings (the team's copy only)."""
    undecided: list[str]
    """Ids of the findings still proposed, whatever the audience: while there are any, the report is a draft."""
    answers: list[AnswerRow]
    grade_counts: dict[Grade, int]
    """Findings that count, by grade."""
    by_clause: list[ClauseSummary]
    processes: list[ProcessResult]
    gaps: list[Gap]
    out_of_scope: list[str]
    """Checklist processes not in the audit scope (titles)."""
    scope_titles: list[str]
    standards: list[Criterion]
    procedures: list[Criterion]
    generated_at: datetime | None = None
    """Set for reports (HTML, PDF, DOCX) only, so finding lists stay byte-identical."""

    @property
    def session(self) -> Session:
        return self.export.session

    @property
    def header(self) -> SessionHeader:
        return self.export.session.header

    @property
    def team(self) -> bool:
        return self.audience == "team"

    @property
    def draft(self) -> bool:
        return bool(self.undecided)

    @property
    def state(self) -> str:
        return "DRAFT" if self.draft else "Final"

    @property
    def draft_notice(self) -> str:
        return DRAFT_NOTICE.format(count=len(self.undecided))

    @property
    def issue_date(self) -> date:
        """The day the report was made; finding lists carry the session's last change, so they stay byte-stable."""
        return (self.generated_at or self.session.updated_at).date()

    @property
    def revision(self) -> str:
        return self.header.report_revision or "1"

    @property
    def report_line(self) -> str:
        """`Final, revision 1, issued 2025-03-14` / `DRAFT, revision 1, issued ...`."""
        return f"{self.state}, revision {self.revision}, issued {self.issue_date:%Y-%m-%d}"

    @property
    def organisation(self) -> str:
        return self.header.organisation or "not recorded"

    @property
    def confidentiality(self) -> str:
        return CONFIDENTIALITY_STATEMENT.format(organisation=self.header.organisation or "the organisation audited")

    @property
    def distribution(self) -> list[str]:
        return self.header.distribution or ["not recorded"]

    @property
    def nonconformities(self) -> list[FindingRow]:
        """What the auditee has to answer: the nonconformities this report counts."""
        return [row for row in self.findings if row.finding.grade in NONCONFORMITY_GRADES]

    @property
    def hints(self) -> list[str]:
        """Notes for the audit team (several minors on one clause ...); never in the auditee's copy."""
        return [h.message for h in self.export.escalation_hints] if self.team else []

    @property
    def unconfirmed_clauses(self) -> bool:
        return any(not c.confirmed for row in self.findings for c in (*row.cited, *row.related))

    @property
    def conclusions(self) -> str:
        return self.header.conclusions.strip() or self.draft_conclusion

    @property
    def conclusions_drafted(self) -> bool:
        return not self.header.conclusions.strip()

    @property
    def draft_conclusion(self) -> str:
        levels = Counter(p.level for p in self.processes)
        audited = len(self.processes) - levels["not audited"]
        answered = sum(p.answered for p in self.processes)
        prefix = "Drafted from the findings for the audit team to confirm: " if self.team else ""
        return (
            f"{prefix}{audited} of {len(self.processes)} processes in scope were audited ({answered} "
            f"{'question' if answered == 1 else 'questions'} answered). Findings: {self.grades_text}. For the "
            f"sample taken, the criteria were met in {levels['met']}, partly met in {levels['partly met']} and "
            f"not met in {levels['not met']} of them."
        )

    @property
    def grades_text(self) -> str:
        return ", ".join(
            f"{self.grade_counts[g]} {GRADE_LABELS[g].lower()}" for g in GRADE_ORDER if self.grade_counts.get(g)
        ) or "none"

    @property
    def executive_summary(self) -> str:
        h = self.header
        who = h.organisation or "the organisation"
        where = f" at {h.location}" if h.location else ""
        days = [d for d in dict.fromkeys((h.start_date, h.end_date)) if d]
        when = f" from {days[0]} to {days[1]}" if len(days) == 2 else f" on {days[0]}" if days else ""
        scope = ", ".join(self.scope_titles) or "the processes answered"
        return (
            f"{AUDIT_TYPE_LABELS.get(h.audit_type, h.audit_type)} of {who}{where}{when}, covering {scope}. "
            f"{len(self.findings)} {'finding' if len(self.findings) == 1 else 'findings'}: {self.grades_text}."
        )

    @property
    def diverging_opinions(self) -> str:
        return self.header.diverging_opinions.strip() or "None recorded."

    @property
    def dates(self) -> str:
        h = self.header
        return " to ".join(str(d) for d in dict.fromkeys((h.start_date, h.end_date)) if d) or "not recorded"

    @property
    def approval(self) -> list[tuple[str, str]]:
        """Report approval as label/value pairs; blanks for the lines to sign by hand."""
        a = self.header.approval
        return [
            ("Approved by", a.name if a else ""),
            ("Role", a.role if a else ""),
            ("Date", a.approved_on.isoformat() if a and a.approved_on else ""),
            ("Signature", ""),
        ]

    def title_facts(self) -> list[tuple[str, str]]:
        """The title block: who was audited, when, by whom, and which report this is."""
        h = self.header
        return [
            ("Organisation audited", self.organisation),
            ("Audit", f"{self.session.id}, {AUDIT_TYPE_LABELS.get(h.audit_type, h.audit_type).lower()}"),
            ("Dates", self.dates),
            ("Location", h.location or "not recorded"),
            ("Audit client", h.client or "not recorded"),
            ("Lead auditor", h.team.lead or "not recorded"),
            ("Report", self.report_line),
            ("Copy for", AUDIENCE_LABELS[self.audience]),
        ]

    def detail_fields(self) -> list[tuple[str, str]]:
        """The rest of the audit plan ISO 19011 6.5.1 asks for (the title block holds the others)."""
        h = self.header
        return [
            ("Objectives", "; ".join(h.objectives)),
            ("Processes in scope", ", ".join(self.scope_titles)),
            ("Sites", ", ".join(h.scope.sites)),
            ("Products", ", ".join(h.scope.products)),
            ("Audit team", ", ".join(filter(None, [f"{h.team.lead} (lead)" if h.team.lead else "", *h.team.members]))),
            ("Auditees", "; ".join(f"{a.name} ({a.role})" if a.role else a.name for a in h.auditees)),
            ("Audit status", SESSION_STATUS_LABELS.get(self.session.status.value, self.session.status.value)),
        ]

    def header_fields(self) -> list[tuple[str, str]]:
        """Every header field as label/value pairs, empty values included (a form shows what is missing)."""
        facts = dict(self.title_facts())
        approval = dict(self.approval)
        return [
            ("Audit", self.session.id),
            ("Title", self.header.title),
            ("Audit type", AUDIT_TYPE_LABELS.get(self.header.audit_type, self.header.audit_type)),
            *((label, facts[label]) for label in ("Organisation audited", "Dates", "Location", "Audit client",
                                                  "Lead auditor", "Report", "Copy for")),
            *self.detail_fields(),
            ("Standards", "; ".join(c.name for c in self.standards)),
            ("Procedures", "; ".join(f"{c.name} ({c.detail})" for c in self.procedures)),
            ("Distribution", "; ".join(self.header.distribution)),
            ("Report approved by", "; ".join(filter(None, (approval["Approved by"], approval["Role"])))),
            ("Report approved on", approval["Date"]),
            ("Confidentiality", self.confidentiality),
        ]

    def finding_columns(self) -> list[str]:
        """The finding-list columns of CSV, XLSX and Markdown for this audience, in order."""
        columns = [
            "Audit", "Audit title", "Organisation", "Audit date", "Report", "Finding", "Title", "Grade", "Proposed grade",
            "Status", "Dismissed because", "Repeat of", "Process", *(f"{label} clauses" for label in EDITION_LABELS.values()),
            "Related clauses (crosswalk)", "Requirement", "Evidence", "Nonconformity", "Records sampled", "Rule",
            "Finding id", "Decided by", "Decided at", "Correction", "Root cause", "Corrective action",
            "Evidence of completion", "Action owner", "Due date",
        ]
        if not self.team:
            team_only = {"Proposed grade", "Dismissed because", "Rule", "Finding id", "Decided by", "Decided at"}
            columns = [c for c in columns if c not in team_only]
        return columns

    def finding_table(self) -> list[list[str]]:
        """One row per finding (set-aside ones last, team only) under `finding_columns`, all as text."""
        h = self.header
        audit = {"Audit": self.session.id, "Audit title": h.title, "Organisation": h.organisation or "",
                 "Audit date": h.start_date.isoformat() if h.start_date else "", "Report": self.report_line}
        columns = self.finding_columns()
        table = []
        for row in [*self.findings, *self.set_aside]:
            f = row.finding
            cells = audit | {
                "Finding": row.number or f.id,
                "Title": f.title,
                "Grade": row.grade_label,
                "Proposed grade": GRADE_LABELS[f.proposed_grade],
                "Status": row.status_label,
                "Dismissed because": f.dismiss_reason or "",
                "Repeat of": f.repeat_of.describe().removeprefix("repeat of ") if f.repeat_of else "",
                "Process": row.process_title,
                **{f"{label} clauses": row.clause_ids(label) for label in EDITION_LABELS.values()},
                "Related clauses (crosswalk)": "; ".join(c.label for c in row.related),
                "Requirement": f.statement.requirement,
                "Evidence": f.statement.evidence,
                "Nonconformity": f.statement.nonconformity,
                "Records sampled": ", ".join(row.records),
                "Rule": row.rule,
                "Finding id": f.id,
                "Decided by": f.decided_by or "",
                "Decided at": f.decided_at.isoformat(timespec="seconds") if f.decided_at else "",
                **row.action_fields(),
            }
            table.append([cells[c] for c in columns])
        return table

    def answer_table(self) -> list[list[str]]:
        return [row.cells(self.session.id) for row in self.answers]

    def with_timestamp(self, when: datetime) -> ReportContent:
        return self.model_copy(update={"generated_at": when})


def format_value(record: AnswerRecord) -> str:
    value = record.value
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if value == "na":
        return "n/a"
    return str(value)


_TITLE_DOUBT = re.compile(r"\s*(\([^()]*(9th-ed\.|not seen|unconfirmed)[^()]*\)|- title unconfirmed)$")


def report_title(title: str) -> str:
    """A catalogue title without its research notes ("(9th-ed. title; 10th title not seen)"): a report
    marks doubt once, with "not confirmed" on the number, and does not pass our notes to the auditee."""
    return _TITLE_DOUBT.sub("", title) or "title not confirmed"


def _clause_line(c: ClauseCitation, catalogue: Catalogue) -> ClauseLine:
    clause = catalogue.get(c.standard, c.edition, c.id)
    return ClauseLine(standard=c.standard, edition=c.edition, id=c.id,
                      title=report_title(clause.title) if clause else "(not in the catalogue)",
                      confirmed=number_confirmed(clause) if clause else False)


def _cited(finding: Finding, catalogue: Catalogue) -> list[ClauseCitation]:
    """What the rule or the auditor cited.

    A rule's clauses are all its author's citations. A manual finding stores its cited clauses with
    their counterparts; the cited ones are those its requirement names (it is written as
    `<label> <title>; ...` from exactly them).
    """
    if not finding.manual:
        return list(finding.clauses)
    named = [part.strip() for part in finding.statement.requirement.split(";")]
    cited = []
    for c in finding.clauses:
        clause = catalogue.get(c.standard, c.edition, c.id)
        if clause and any(part == clause.label or part.startswith(f"{clause.label} ") for part in named):
            cited.append(c)
    return cited or list(finding.clauses)


def _clause_lines(finding: Finding, catalogue: Catalogue) -> tuple[dict[str, list[ClauseLine]], list[ClauseLine]]:
    from assistant.sessions.service import _citations

    cited = _cited(finding, catalogue)
    lines: dict[str, list[ClauseLine]] = {label: [] for label in EDITION_LABELS.values()}
    for c in cited:
        label = EDITION_LABELS.get((c.standard, c.edition), f"{c.standard} {c.edition}")
        lines.setdefault(label, []).append(_clause_line(c, catalogue))
    known = [clause for c in cited if (clause := catalogue.get(c.standard, c.edition, c.id)) is not None]
    seen = set(cited)
    related = [c for c in (*_citations(known, catalogue), *finding.clauses) if c not in seen]
    return lines, [_clause_line(c, catalogue) for c in dict.fromkeys(related)]


def _answer_rows(export: SessionExport, checklist: Checklist) -> dict[str, AnswerRow]:
    questions = {q.id: q for q in checklist.questions()}
    rows = {}
    for record in export.answers:
        q = questions.get(record.question_id)
        process = q.process if q else "retired"
        rows[record.question_id] = AnswerRow(
            process=process,
            process_title=checklist.title(process) if q else "Questions no longer in the checklist",
            question_id=record.question_id,
            question=q.text if q else "(no longer in the checklist)",
            answer=format_value(record),
            record=record,
        )
    return rows


def _photos(evidence: list[AnswerRow], attachments_dir: Path | None) -> list[Photo]:
    if attachments_dir is None:
        return []
    photos = []
    for answer in evidence:
        for name in answer.record.attachments:
            path = attachments_dir / name
            if path.suffix.lower() in PHOTO_SUFFIXES and path.is_file():
                photos.append(Photo(path=path, caption=f"{Path(name).name}, attached to: {answer.question}"))
    return photos


def _finding_row(
    finding: Finding, answers: dict[str, AnswerRow], checklist: Checklist, catalogue: Catalogue,
    attachments_dir: Path | None,
) -> FindingRow:
    evidence = [answers[q] for q in finding.fired_by if q in answers]
    records = list(dict.fromkeys(r for a in finding.answers for r in a.records))
    clauses, related = _clause_lines(finding, catalogue)
    process_title = checklist.title(finding.process) if finding.process in checklist.processes() else ""
    return FindingRow(finding=finding, clauses=clauses, related=related, process_title=process_title,
                      records=records, evidence=evidence, photos=_photos(evidence, attachments_dir))


def _grade_counts(rows: list[FindingRow]) -> dict[Grade, int]:
    counts = Counter(row.finding.grade for row in rows)
    return {g: counts[g] for g in GRADE_ORDER if counts[g]}


def _by_clause(rows: list[FindingRow]) -> list[ClauseSummary]:
    groups: dict[str, list[FindingRow]] = {}
    for row in rows:
        q1 = row.clauses["API Q1 10th"] or row.clauses["API Q1 9th"]
        groups.setdefault(q1[0].label if q1 else "", []).append(row)
    summaries = []
    for members in groups.values():
        q1 = members[0].clauses["API Q1 10th"] or members[0].clauses["API Q1 9th"]
        iso = {c.id: c for row in members for c in row.clauses["ISO 9001:2015"]}
        summaries.append(
            ClauseSummary(
                q1=q1[0] if q1 else None,
                iso=[iso[i] for i in sorted(iso, key=_clause_sort_key)],
                grades=_grade_counts(members),
                numbers=[row.number for row in members],
            )
        )
    return sorted(summaries, key=lambda s: (s.q1 is None, s.q1.edition if s.q1 else "", _clause_sort_key(s.q1.id if s.q1 else "")))


def _clause_sort_key(clause_id: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in clause_id.split("."))


def _processes(
    export: SessionExport, checklist: Checklist, answers: dict[str, AnswerRow], rows: list[FindingRow]
) -> tuple[list[ProcessResult], list[Gap], list[str]]:
    from rules.models import AnswerValue

    scope = export.session.header.scope.processes or list(dict.fromkeys(a.process for a in answers.values()))
    values: dict[str, AnswerValue] = {q: a.record.as_value() for q, a in answers.items()}
    results, gaps = [], []
    for process in checklist.processes():
        if process not in scope:
            continue
        title = checklist.title(process)
        asked = [q for q in checklist.questions(process) if q.id in answers or checklist.visible(q, values)]
        answered = [q for q in asked if q.id in answers]
        not_applicable = [q for q in answered if answers[q.id].record.value == "na"]
        gaps += [Gap(process_title=title, question_id=q.id, question=q.text, reason="not answered")
                 for q in asked if q.id not in answers]
        gaps += [Gap(process_title=title, question_id=q.id, question=q.text, reason="answered not applicable")
                 for q in not_applicable]
        results.append(
            ProcessResult(
                process=process, title=title, asked=len(asked), answered=len(answered),
                not_applicable=len(not_applicable),
                grades=_grade_counts([r for r in rows if r.finding.process == process]),
            )
        )
    out_of_scope = [checklist.title(p) for p in checklist.processes() if p not in scope]
    return results, gaps, out_of_scope


def _criteria(export: SessionExport, catalogue: Catalogue) -> tuple[list[Criterion], list[Criterion]]:
    standards = []
    for name in export.session.header.criteria.standards:
        standard, _, edition = name.partition(":")
        doc = catalogue.files.get((standard, edition))
        detail = f"{doc.full_title}, published {doc.published}" if doc else ""
        label = f"{standard} {edition} edition" if standard == Q1 else f"{standard}:{edition}"
        standards.append(Criterion(name=label, detail=detail))
    revisions = {s.name.casefold(): s.revision for s in export.session.sources if s.kind == "procedure"}
    procedures = []
    for number in export.session.header.criteria.procedures:
        revision = revisions.get(number.casefold())
        procedures.append(Criterion(name=number, detail=f"revision {revision}" if revision else "revision not recorded"))
    return standards, procedures


def build_content(
    export: SessionExport,
    checklist: Checklist,
    catalogue: Catalogue,
    audience: Audience = "auditee",
    attachments_dir: Path | None = None,
) -> ReportContent:
    """The report for one audience; `attachments_dir` lets reports show the photos attached to answers."""
    answers = _answer_rows(export, checklist)
    rows = [_finding_row(f, answers, checklist, catalogue, attachments_dir) for f in export.findings]
    listed = [r for r in rows if r.counts and (audience == "team" or r.decided)]
    for i, row in enumerate(listed, start=1):
        row.number = f"F-{i:02d}"
    processes, gaps, out_of_scope = _processes(export, checklist, answers, listed)
    standards, procedures = _criteria(export, catalogue)
    titles = {p: checklist.title(p) for p in checklist.processes()}
    return ReportContent(
        export=export,
        audience=audience,
        findings=listed,
        set_aside=[r for r in rows if not r.counts] if audience == "team" else [],
        undecided=[r.finding.id for r in rows if not r.decided],
        answers=list(answers.values()),
        grade_counts=_grade_counts(listed),
        by_clause=_by_clause(listed),
        processes=processes,
        gaps=gaps,
        out_of_scope=out_of_scope,
        scope_titles=[titles.get(p, p) for p in export.session.header.scope.processes],
        standards=standards,
        procedures=procedures,
    )
