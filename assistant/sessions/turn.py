"""The audit turn: an answer in, its reading back, the findings that changed out; UI-free, for the TUI and CLI.

`AuditSession` holds one session's rows in memory. A turn is one write (the answer and its history entry),
one read of what changed (the stored answer; everything only when another window wrote in between) and one
rule pass; the derived state (findings, hints, progress) is computed once per change and read by everyone.
"""

from __future__ import annotations

import getpass
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from assistant.sessions.derived import Derived, Progress, derive, next_question
from assistant.sessions.models import AnswerRecord, Finding, FindingStatus, Session
from assistant.sessions.service import SessionService, answer_record
from rules.answers import ParsedAnswer, format_answer, parse_answer
from rules.models import AnswerType, Grade

if TYPE_CHECKING:
    from rules.checklist import Question


def login_name() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def who_acts(session: Session, by: str | None) -> str | None:
    """Who answers and decides: the name given, else the session's lead auditor, else the login name."""
    return (by or "").strip() or session.header.team.lead or login_name()


def describe_answer(question: Question, record: AnswerRecord) -> str:
    """The reading shown back for a stored answer: `NO, note: only 3 of 5 re-evaluated`."""
    if record.says and record.value in (None, []):
        shown = record.says
    else:
        shown = format_answer(question, record.value)
    if question.type == AnswerType.yesno:
        shown = shown.upper()
    parts = [shown]
    if record.reading:
        parts.append(record.reading)
    if record.note:
        parts.append(f"note: {record.note}")
    if record.records and question.type != AnswerType.records:
        parts.append(f"records: {', '.join(record.records)}")
    if record.attachments:
        parts.append(f"{len(record.attachments)} file(s)")
    return ", ".join(parts)


class TurnResult(BaseModel):
    """What one answer did."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    question_id: str
    reading: ParsedAnswer
    """How the text was read; not certain means nothing was stored and the auditor must pick a reading."""
    stored: AnswerRecord | None = None
    shown: str = ""
    """The stored answer as read back ("NO, note: only 3 of 5 re-evaluated"); empty when nothing was stored."""
    appeared: list[Finding] = Field(default_factory=list)
    changed: list[Finding] = Field(default_factory=list)
    """Live findings whose grade, statement or answers changed with this answer."""
    withdrawn: list[Finding] = Field(default_factory=list)
    """Findings that no longer fire: decided ones are kept with status withdrawn, undecided ones are gone."""
    next_question: str | None = None
    progress: Progress

    @property
    def recorded(self) -> bool:
        return self.stored is not None


class AuditSession:
    """One open session: answers, manual findings and decisions through one object, its state kept current.

    Safe to call from a worker thread; calls are serialised.
    """

    def __init__(self, service: SessionService, session_id: str, by: str | None = None):
        self.service = service
        self._lock = threading.RLock()
        self.skipped: set[str] = set()
        self._load(session_id)
        self.by = who_acts(self.session, by)

    # --- state --------------------------------------------------------------------------------------

    def _load(self, session_id: str) -> None:
        self._rows = self.service.rows(session_id)
        self._stamp = self._rows.session.updated_at.isoformat()
        self._state = derive(self.service.engine, self._rows)

    def refresh(self) -> Derived:
        """Read the session again (another window may have changed it)."""
        with self._lock:
            self._load(self.session.id)
            return self._state

    @property
    def session(self) -> Session:
        return self._rows.session

    @property
    def state(self) -> Derived:
        """Findings, withdrawn findings, hints and progress as of the last change."""
        return self._state

    @property
    def answers(self) -> dict[str, AnswerRecord]:
        return self._rows.answers

    def question(self, question_id: str) -> Question:
        return self.service.engine.checklist.get(question_id)

    def next_question(self) -> Question | None:
        return next_question(self.service.engine.checklist, self.session, self.answers, self._state.asked,
                             self.skipped)

    # --- the turn -----------------------------------------------------------------------------------

    def read(self, question_id: str, text: str, settle: str | None = None) -> ParsedAnswer:
        """How `text` reads as an answer to the question, without storing anything."""
        return parse_answer(self.question(question_id), text, settle)

    def submit(
        self,
        question_id: str,
        text: str,
        settle: str | None = None,
        note: str = "",
        records: Sequence[str] = (),
        attachments: Iterable[str | Path] = (),
        interviewee: str | None = None,
        role: str | None = None,
    ) -> TurnResult:
        """Read and store one answer; an uncertain reading stores nothing and says what it could be.

        AnswerParseError when the text cannot be read at all (or `settle` is not one of its readings).
        """
        question = self.question(question_id)
        parsed = parse_answer(question, text, settle)
        if not parsed.certain:
            self.skipped.discard(question.id)
            return TurnResult(
                question_id=question.id, reading=parsed, next_question=question.id, progress=self._state.progress
            )
        record = answer_record(
            question, parsed, raw=text, note=note, records=records, interviewee=interviewee, role=role, by=self.by
        )
        return self._write(question, parsed, record, attachments)

    def amend(
        self, question_id: str, note: str = "", records: Sequence[str] = (), attachments: Iterable[str | Path] = ()
    ) -> TurnResult:
        """Add a note, records or files to an answer already given (the value stays)."""
        question = self.question(question_id)
        existing = self.answers[question.id]
        record = existing.model_copy(
            update={
                "note": "; ".join(n for n in (existing.note, note) if n),
                "records": [*existing.records, *(r for r in records if r not in existing.records)],
                "attachments": [],
                "answered_by": self.by,
                "answered_at": datetime.now(UTC),
            }
        )
        return self._write(question, ParsedAnswer(value=existing.value, note=record.note), record, attachments)

    def _write(
        self, question: Question, parsed: ParsedAnswer, record: AnswerRecord, attachments: Iterable[str | Path]
    ) -> TurnResult:
        with self._lock:
            before = self._state
            stored, (before_write, after_write) = self.service.store_answer(
                self.session, record, [Path(a) for a in attachments], had_answers=bool(self.answers) or None
            )
            if before_write != self._stamp:
                self._load(self.session.id)  # another window wrote in between: read everything again
            else:
                answers = self._ordered({**self._rows.answers, question.id: stored})
                self._rows = self._rows.model_copy(update={"answers": answers})
                self._stamp = after_write
                self._state = derive(self.service.engine, self._rows, before, question.id)
            self.skipped.discard(question.id)
            upcoming = self.next_question()
            return TurnResult(
                question_id=question.id,
                reading=parsed,
                stored=stored,
                shown=describe_answer(question, stored),
                next_question=upcoming.id if upcoming else None,
                progress=self._state.progress,
                **_difference(before, self._state),
            )

    def _ordered(self, answers: dict[str, AnswerRecord]) -> dict[str, AnswerRecord]:
        order = {q.id: i for i, q in enumerate(self.service.engine.checklist.questions())}
        return dict(sorted(answers.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))

    # --- findings -----------------------------------------------------------------------------------

    def add_finding(
        self,
        grade: Grade | str,
        clauses: Sequence[str],
        text: str,
        evidence: str = "",
        requirement: str = "",
        process: str | None = None,
        near_process: str | None = None,
    ) -> Finding:
        """A manual finding filed under the process its clauses belong to (`near_process` breaks a tie)."""
        with self._lock:
            finding = self.service.add_manual_finding(
                self.session.id, grade, clauses, text, evidence=evidence, requirement=requirement, process=process,
                near_process=near_process, by=self.by,
            )
            self._load(self.session.id)
            return finding

    def decide(
        self, finding_id: str, status: FindingStatus | str, reason: str | None = None, grade: Grade | str | None = None
    ) -> Finding:
        with self._lock:
            decided = self.service.decide(self.session.id, finding_id, status, reason=reason, grade=grade, by=self.by)
            self._load(self.session.id)
            return decided

    def reinstate(self, finding_id: str) -> Finding:
        with self._lock:
            kept = self.service.reinstate(self.session.id, finding_id, by=self.by)
            self._load(self.session.id)
            return kept


def _difference(before: Derived, after: Derived) -> dict[str, list[Finding]]:
    old, new = before.by_id(), after.by_id()
    live_before = {f.id for f in before.findings}
    live_after = {f.id for f in after.findings}

    def essence(f: Finding) -> tuple:
        return f.grade, f.status, f.statement, f.answers

    return {
        "appeared": [f for f in after.findings if f.id not in live_before],
        "changed": [f for f in after.findings if f.id in live_before and essence(f) != essence(old[f.id])],
        "withdrawn": [new.get(fid, old[fid]) for fid in live_before - live_after],
    }
