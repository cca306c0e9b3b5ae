"""What every export shows, worked out once from a `SessionExport`: rows, clause titles, summaries, gaps."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from pydantic import BaseModel

from assistant.exports.json_export import SessionExport
from assistant.sessions.models import AnswerRecord, Finding, FindingStatus, Session, SessionHeader
from knowledge.catalogue import ISO, Q1, Catalogue
from rules.checklist import Checklist
from rules.models import ClauseCitation, Grade

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

FINDING_COLUMNS = [
    "Finding", "Title", "Grade", "Proposed grade", "Status", "Dismissed because", "Process",
    *(f"{label} clauses" for label in EDITION_LABELS.values()),
    "Requirement", "Evidence", "Nonconformity", "Records sampled", "Rule", "Decided by", "Decided at",
    "Correction", "Root cause", "Corrective action", "Evidence of completion", "Action owner", "Due date",
]
"""The finding-list columns of CSV, XLSX and Markdown, in order (`FindingRow.cells` fills them)."""

SAMPLING_STATEMENT = (
    "An audit looks at a sample of the activities, records and people of the organisation in the time "
    "available. Findings rest on that sample: nonconformities may exist that the sample did not show, "
    "and an area without findings is not thereby shown to conform throughout."
)


class ClauseLine(BaseModel):
    standard: str
    edition: str
    id: str
    title: str

    @property
    def label(self) -> str:
        return f"{EDITION_LABELS.get((self.standard, self.edition), self.standard)} {self.id}"

    @property
    def text(self) -> str:
        return f"{self.label} {self.title}"


ANSWER_COLUMNS = [
    "Process", "Question", "Question text", "Answer", "Note", "Records sampled", "Interviewee", "Role",
    "Attachments", "As typed", "Answered at", "Answered by",
]
"""The answers-with-evidence columns (XLSX), in order (`AnswerRow.cells` fills them)."""


class AnswerRow(BaseModel):
    process: str
    process_title: str
    question_id: str
    question: str
    answer: str
    """The value as a person reads it (`n/a`, `3`, `2024-03-11`, `PO-1, PO-2`)."""
    record: AnswerRecord

    def cells(self) -> list[str]:
        r = self.record
        return [
            self.process_title, self.question_id, self.question, self.answer, r.note, ", ".join(r.records),
            r.interviewee or "", r.role or "", ", ".join(r.attachments), r.raw or "", r.answered_at.isoformat(),
            r.answered_by or "",
        ]


class FindingRow(BaseModel):
    finding: Finding
    clauses: dict[str, list[ClauseLine]]
    """By edition label (`API Q1 10th`, `API Q1 9th`, `ISO 9001:2015`), each possibly empty."""
    records: list[str]
    """Records sampled in the answers that fired it."""
    evidence: list[AnswerRow]
    """The answers that fired it."""

    @property
    def rule(self) -> str:
        return self.finding.rule_id or "manual"

    @property
    def grade_label(self) -> str:
        return GRADE_LABELS[self.finding.grade]

    @property
    def counts(self) -> bool:
        return self.finding.status != FindingStatus.dismissed

    def clause_ids(self, edition_label: str) -> str:
        return ", ".join(c.id for c in self.clauses[edition_label])

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

    def cells(self) -> list[str]:
        """The finding-list values under `FINDING_COLUMNS`, all as text."""
        f = self.finding
        cells = {
            "Finding": f.id,
            "Title": f.title,
            "Grade": f.grade.value,
            "Proposed grade": f.proposed_grade.value,
            "Status": f.status.value,
            "Dismissed because": f.dismiss_reason or "",
            "Process": f.process or "",
            **{f"{label} clauses": self.clause_ids(label) for label in EDITION_LABELS.values()},
            "Requirement": f.statement.requirement,
            "Evidence": f.statement.evidence,
            "Nonconformity": f.statement.nonconformity,
            "Records sampled": ", ".join(self.records),
            "Rule": self.rule,
            "Decided by": f.decided_by or "",
            "Decided at": f.decided_at.isoformat() if f.decided_at else "",
            **self.action_fields(),
        }
        return [cells[c] for c in FINDING_COLUMNS]


class ProcessResult(BaseModel):
    """How far one audited process met the criteria, for the sample taken."""

    process: str
    title: str
    asked: int
    answered: int
    not_applicable: int
    grades: dict[Grade, int]

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
    """Findings grouped by their first API Q1 clause, with the ISO clauses they also cite."""

    q1: ClauseLine | None
    iso: list[ClauseLine]
    grades: dict[Grade, int]
    finding_ids: list[str]


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
    findings: list[FindingRow]
    answers: list[AnswerRow]
    grade_counts: dict[Grade, int]
    """Findings that count (dismissed left out), by grade."""
    by_clause: list[ClauseSummary]
    processes: list[ProcessResult]
    gaps: list[Gap]
    out_of_scope: list[str]
    """Checklist processes not in the audit scope (titles)."""
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
    def counted(self) -> list[FindingRow]:
        return [row for row in self.findings if row.counts]

    @property
    def nonconformities(self) -> list[FindingRow]:
        """What the auditee has to answer: nonconformities not dismissed (proposed or confirmed)."""
        return [row for row in self.counted if row.finding.grade in NONCONFORMITY_GRADES]

    @property
    def hints(self) -> list[str]:
        return [h.message for h in self.export.escalation_hints]

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
        grades = ", ".join(
            f"{self.grade_counts[g]} {GRADE_LABELS[g].lower()}" for g in GRADE_ORDER if self.grade_counts.get(g)
        )
        return (
            f"Draft for the audit team to confirm: {audited} of {len(self.processes)} processes in scope were "
            f"audited ({sum(p.answered for p in self.processes)} questions answered). Findings: {grades or 'none'}. "
            f"For the sample taken, the criteria were met in {levels['met']}, partly met in {levels['partly met']} "
            f"and not met in {levels['not met']} of them."
        )

    @property
    def diverging_opinions(self) -> str:
        return self.header.diverging_opinions.strip() or "None recorded."

    def header_fields(self) -> list[tuple[str, str]]:
        """The audit header as label/value pairs, empty values included (a form shows what is missing)."""
        s, h = self.session, self.header
        return [
            ("Audit", s.id),
            ("Title", h.title),
            ("Audit type", h.audit_type),
            ("Status", s.status.value),
            ("Client", h.client or ""),
            ("Objectives", "; ".join(h.objectives)),
            ("Processes in scope", ", ".join(h.scope.processes)),
            ("Sites", ", ".join(h.scope.sites)),
            ("Products", ", ".join(h.scope.products)),
            ("Standards", "; ".join(c.name for c in self.standards)),
            ("Procedures", "; ".join(f"{c.name} ({c.detail})" for c in self.procedures)),
            ("Lead auditor", h.team.lead or ""),
            ("Audit team", ", ".join(h.team.members)),
            ("Auditees", "; ".join(f"{a.name} ({a.role})" if a.role else a.name for a in h.auditees)),
            ("Location", h.location or ""),
            ("Dates", " to ".join(str(d) for d in dict.fromkeys((h.start_date, h.end_date)) if d)),
            ("Created", f"{s.created_at:%Y-%m-%d %H:%M} UTC"),
            ("Last changed", f"{s.updated_at:%Y-%m-%d %H:%M} UTC"),
        ]

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


def _clause_lines(citations: list[ClauseCitation], catalogue: Catalogue) -> dict[str, list[ClauseLine]]:
    lines: dict[str, list[ClauseLine]] = {label: [] for label in EDITION_LABELS.values()}
    for c in citations:
        clause = catalogue.get(c.standard, c.edition, c.id)
        label = EDITION_LABELS.get((c.standard, c.edition), f"{c.standard} {c.edition}")
        title = clause.title if clause else "(not in the catalogue)"
        lines.setdefault(label, []).append(ClauseLine(standard=c.standard, edition=c.edition, id=c.id, title=title))
    return lines


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


def _finding_row(finding: Finding, answers: dict[str, AnswerRow], catalogue: Catalogue) -> FindingRow:
    evidence = [answers[q] for q in finding.fired_by if q in answers]
    records = list(dict.fromkeys(r for a in finding.answers for r in a.records))
    return FindingRow(finding=finding, clauses=_clause_lines(finding.clauses, catalogue), records=records, evidence=evidence)


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
                finding_ids=[row.finding.id for row in members],
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


def build_content(export: SessionExport, checklist: Checklist, catalogue: Catalogue) -> ReportContent:
    answers = _answer_rows(export, checklist)
    findings = [_finding_row(f, answers, catalogue) for f in export.findings]
    counted = [row for row in findings if row.counts]
    processes, gaps, out_of_scope = _processes(export, checklist, answers, counted)
    standards, procedures = _criteria(export, catalogue)
    return ReportContent(
        export=export,
        findings=findings,
        answers=list(answers.values()),
        grade_counts=_grade_counts(counted),
        by_clause=_by_clause(counted),
        processes=processes,
        gaps=gaps,
        out_of_scope=out_of_scope,
        standards=standards,
        procedures=procedures,
    )
