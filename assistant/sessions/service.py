"""SessionService: the one object the CLI, TUI and exports use for audit sessions (they never open SQLite)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from sqlite_utils import Database

from assistant.locations import DataPaths
from assistant.sessions import sources
from assistant.sessions.answer_files import AnswerEntry, attachment_path, read_answers_file
from assistant.sessions.attachments import check_source, copy_or_reuse_attachments, remove_attachments
from assistant.sessions.db import open_db, write_transaction
from assistant.sessions.derived import Derived, SessionRows, derive
from assistant.sessions.errors import (
    AnswerFileError,
    FindingNotFoundError,
    SessionClosedError,
    SessionError,
    SessionNotFoundError,
)
from assistant.sessions.filing import process_for_clauses
from assistant.sessions.identity import new_uid, next_number
from assistant.sessions.models import (
    AnswerChange,
    AnswerRecord,
    CorrectiveAction,
    EscalationHint,
    Finding,
    FindingStatus,
    Session,
    SessionHeader,
    SessionStatus,
    SourceChange,
    SourceFingerprint,
)
from knowledge.errors import Q1AuditError
from rules.answers import EARLIEST_YEAR, LATEST_YEAR
from rules.checklist import cite
from rules.models import ClauseCitation, Grade, Statement

if TYPE_CHECKING:
    from assistant.sessions.turn import AuditSession
    from knowledge.catalogue import Catalogue, Clause
    from rules.answers import ParsedAnswer
    from rules.checklist import Question
    from rules.engine import RuleEngine

MANUAL_PREFIX = "M-"




def _now() -> datetime:
    return datetime.now(UTC)


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


class _Pending(BaseModel):
    """An answer validated and ready to store, with the files still to copy."""

    record: AnswerRecord
    files: list[Path]


class SessionService:
    """Audit sessions in `audits.db`: headers, answers with history, decisions and corrective actions.

    Safe to share between threads (each thread gets its own SQLite connection); every write is one
    transaction committed before the method returns.
    """

    def __init__(self, paths: DataPaths, engine: RuleEngine | None = None):
        self.paths = paths
        self._engine = engine
        self._engine_lock = threading.Lock()
        self._local = threading.local()
        self._turns: dict[str, AuditSession] = {}
        self._turns_lock = threading.Lock()

    # --- plumbing ----------------------------------------------------------------------------------

    @property
    def db(self) -> Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = open_db(self.paths.audits_db)
        return db

    @property
    def engine(self) -> RuleEngine:
        """The bundled checklists and rule packs, loaded on first use (a few hundred ms)."""
        with self._engine_lock:
            if self._engine is None:
                from rules.engine import RuleEngine

                self._engine = RuleEngine.load()
        return self._engine

    def audit(self, session_id: str) -> AuditSession:
        """The session open for the audit turn, shared by every screen that shows it (opened on first use)."""
        from assistant.sessions.turn import AuditSession

        key = session_id.strip()
        with self._turns_lock:
            if key not in self._turns:
                self._turns[key] = AuditSession(self, key)
            return self._turns[key]

    def disconnect(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def _current_sources(self) -> list[SourceFingerprint]:
        return [
            *sources.catalogue_sources(),
            *sources.rule_sources(self.engine.fingerprint()),
            *sources.procedure_sources(self.paths.knowledge_db),
        ]

    # --- sessions ----------------------------------------------------------------------------------

    def _check_header(self, header: SessionHeader) -> SessionHeader:
        """Processes must be checklist processes; standards are normalised to `API Q1:10th` form."""
        from knowledge.catalogue import load_catalogue

        dates = {"start date": header.start_date, "end date": header.end_date,
                 "approval date": header.approval.approved_on if header.approval else None}
        for name, day in dates.items():
            # The bounds typed answers use: a year 0001 or 9999 is a slip of the keyboard, not an audit.
            if day is not None and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
                raise SessionError(f"{name} {day}: expected a year from {EARLIEST_YEAR} to {LATEST_YEAR}")
        processes = self.engine.checklist.processes()
        for process in header.scope.processes:
            if process not in processes:
                raise SessionError(f"scope: no process {process!r}; processes are: {', '.join(processes)}")
        known = {f"{s}:{e}".casefold(): f"{s}:{e}" for s, e in load_catalogue().editions()}
        standards = []
        for standard in header.criteria.standards:
            name = known.get(" ".join(standard.split()).casefold())
            if name is None:
                raise SessionError(f"criteria: unknown standard {standard!r}; use one of: {', '.join(known.values())}")
            standards.append(name)
        return header.model_copy(update={"criteria": header.criteria.model_copy(update={"standards": standards})})

    def create(self, header: SessionHeader) -> Session:
        """A new planned session; records the sources it is audited against."""
        header = self._check_header(header)
        now = _now()
        current = self._current_sources()
        with write_transaction(self.db) as db:
            session_id, seq = next_number(db, now.year)
            db["sessions"].insert(
                {
                    "id": session_id,
                    "uid": new_uid(),
                    "seq": seq,
                    "title": header.title,
                    "audit_type": header.audit_type,
                    "status": SessionStatus.planned.value,
                    "header": header.model_dump_json(),
                    "created_at": now.isoformat(),
                    "updated_at": now.isoformat(),
                }
            )
            self._record_sources(db, session_id, current)
        return self.get(session_id)

    @staticmethod
    def _record_sources(db: Database, session_id: str, current: list[SourceFingerprint]) -> None:
        db.execute("delete from session_sources where session_id = ?", (session_id,))
        db["session_sources"].insert_all({"session_id": session_id, **s.model_dump()} for s in current)

    def _session_from(self, row: Mapping[str, Any]) -> Session:
        recorded = [
            SourceFingerprint(kind=r["kind"], name=r["name"], revision=r["revision"], sha256=r["sha256"])
            for r in self.db["session_sources"].rows_where("session_id = ?", [row["id"]], order_by="kind, name")
        ]
        return Session(
            id=row["id"],
            uid=row["uid"],
            header=SessionHeader.model_validate_json(row["header"]),
            status=row["status"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            sources=recorded,
        )

    def get(self, session_id: str) -> Session:
        rows = list(self.db["sessions"].rows_where("id = ?", [session_id.strip()]))
        if not rows:
            raise SessionNotFoundError(f"no session {session_id!r} (q1audit session list shows them)")
        return self._session_from(rows[0])

    def list(self) -> list[Session]:
        """Every session, the most recently created first."""
        return [self._session_from(r) for r in self.db["sessions"].rows_where(order_by="created_at desc, id desc")]

    def _writable(self, session_id: str) -> Session:
        session = self.get(session_id)
        if session.closed:
            raise SessionClosedError(f"session {session.id} is closed: it is a record now and cannot change")
        return session

    @staticmethod
    def _still_open(db: Database, session_id: str) -> SessionStatus:
        """The session's status read inside a write transaction; SessionClosedError if it is closed.

        `_writable` checks before the work starts; another window (TUI and CLI side by side) may close
        the session or change its status before this writer gets the lock.
        """
        status = SessionStatus(db.execute("select status from sessions where id = ?", (session_id,)).fetchone()[0])
        if status == SessionStatus.closed:
            raise SessionClosedError(f"session {session_id} is closed: it is a record now and cannot change")
        return status

    @staticmethod
    def _open_and_stamp(db: Database, session_id: str) -> tuple[SessionStatus, str]:
        """`_still_open` and the session's `updated_at` in one read."""
        status, stamp = db.execute("select status, updated_at from sessions where id = ?", (session_id,)).fetchone()
        if status == SessionStatus.closed:
            raise SessionClosedError(f"session {session_id} is closed: it is a record now and cannot change")
        return SessionStatus(status), stamp

    def _touch(self, db: Database, session_id: str, **fields: str) -> None:
        # Plain SQL: sqlite-utils' table helpers read the schema first, which the audit turn cannot afford.
        values = {"updated_at": _now().isoformat(), **fields}
        assignments = ", ".join(f"{column} = ?" for column in values)  # column names come from this module
        db.execute(f"update sessions set {assignments} where id = ?", (*values.values(), session_id))

    def update_header(self, session_id: str, header: SessionHeader) -> Session:
        self._writable(session_id)
        header = self._check_header(header)
        with write_transaction(self.db) as db:
            self._still_open(db, session_id)
            self._touch(db, session_id, header=header.model_dump_json(), title=header.title,
                        audit_type=header.audit_type)
        return self.get(session_id)

    def set_status(self, session_id: str, status: SessionStatus | str) -> Session:
        session = self._writable(session_id)
        with write_transaction(self.db) as db:
            self._still_open(db, session.id)
            self._touch(db, session.id, status=SessionStatus(status).value)
        return self.get(session.id)

    def close(self, session_id: str) -> Session:
        """Lock the session: from now on every change is refused. Refused while a finding is undecided."""
        undecided = [f.id for f in self.findings(session_id) if f.status == FindingStatus.proposed]
        if undecided:
            raise SessionError(f"session {session_id}: confirm or dismiss {', '.join(undecided)} before closing it "
                               "(q1audit finding decide)")
        return self.set_status(session_id, SessionStatus.closed)

    def delete(self, session_id: str) -> None:
        """Remove a session that is not closed (a test or a mistake) with its answers, findings and files."""
        import shutil

        session = self._writable(session_id)
        with write_transaction(self.db) as db:
            self._still_open(db, session.id)
            for table in db.table_names():
                if table != "sessions" and "session_id" in db[table].columns_dict:
                    db.execute(f"delete from [{table}] where session_id = ?", (session.id,))
            db.execute("delete from sessions where id = ?", (session.id,))
        shutil.rmtree(self.paths.attachments_dir / session.id, ignore_errors=True)

    # --- answers -----------------------------------------------------------------------------------

    def _prepare(
        self,
        question_id: str,
        *,
        text: str | None,
        value: object,
        note: str,
        records: Iterable[str],
        files: Iterable[Path],
        interviewee: str | None,
        role: str | None,
        by: str | None,
        now: datetime,
        settle: str | None = None,
    ) -> _Pending:
        from rules.answers import ParsedAnswer, coerce_value, parse_answer, uncertain_error

        question = self.engine.checklist.get(question_id)
        if isinstance(value, str):
            text, value = value, None
        if text is None and value is None:
            raise SessionError(f"{question.id}: no answer given")
        if text is not None:
            parsed = parse_answer(question, text, settle)
            if not parsed.certain:
                raise uncertain_error(question, text, parsed)
        else:
            parsed = ParsedAnswer(value=coerce_value(question, value))
        record = answer_record(
            question, parsed, raw=text, note=note, records=records, interviewee=interviewee, role=role, by=by, at=now
        )
        return _Pending(record=record, files=[check_source(Path(f)) for f in files])

    def answer(
        self,
        session_id: str,
        question_id: str,
        text: str | None = None,
        value: object = None,
        note: str = "",
        records: Iterable[str] = (),
        attachments: Iterable[str | Path] = (),
        interviewee: str | None = None,
        role: str | None = None,
        by: str | None = None,
        settle: str | None = None,
    ) -> AnswerRecord:
        """Record one answer, committed at once; a change keeps the previous answer in the history.

        `text` is parsed as typed ("no - only 3 of 5", "2024-03-11"); an unreadable answer raises
        `AnswerParseError` saying what is expected, and so does an uncertain one ("no problem") unless
        `settle` picks its reading. Records, interviewee and role are kept from the previous answer when
        not given; attachments are added to the earlier ones.
        """
        session = self._writable(session_id)
        pending = self._prepare(
            question_id, text=text, value=value, note=note, records=records, files=[Path(a) for a in attachments],
            interviewee=interviewee, role=role, by=by, now=_now(), settle=settle,
        )
        return self._store(session, [pending])[0][0]

    def _store(
        self, session: Session, pending: Sequence[_Pending], had_answers: bool | None = None
    ) -> tuple[list[AnswerRecord], tuple[str, str]]:
        """Copy the attachments, then write every answer in one transaction (removing the copies if it fails).

        Returns the stored answers and the session's `updated_at` just before and just after this write, so
        a caller holding the session in memory can tell whether another window wrote in between.
        `had_answers` saves a query when the caller knows the session already has answers.
        """
        if had_answers is None:
            had_answers = bool(
                self.db.execute("select 1 from answers where session_id = ? limit 1", (session.id,)).fetchone()
            )
        # What the session is audited against counts from the first answer on, not from its planning.
        rebaseline = None if had_answers else self._current_sources()
        copied: list[str] = []
        try:
            for item in pending:
                names, made = copy_or_reuse_attachments(
                    item.files, self.paths.attachments_dir, session.id, item.record.question_id
                )
                copied += made
                item.record.attachments = names
            return self._write_answers(session, [p.record for p in pending], rebaseline)
        except BaseException:
            remove_attachments(self.paths.attachments_dir, copied)
            raise

    def store_answer(
        self, session: Session, record: AnswerRecord, files: Iterable[Path] = (), had_answers: bool | None = None
    ) -> tuple[AnswerRecord, tuple[str, str]]:
        """Write one prepared answer (the audit turn's one write); see `_store` for what comes back."""
        pending = _Pending(record=record, files=[check_source(Path(f)) for f in files])
        stored, stamps = self._store(session, [pending], had_answers)
        return stored[0], stamps

    def _write_answers(
        self, session: Session, records: list[AnswerRecord], rebaseline: list[SourceFingerprint] | None
    ) -> tuple[list[AnswerRecord], tuple[str, str]]:
        stored: list[AnswerRecord] = []
        with write_transaction(self.db) as db:
            current, stamp = self._open_and_stamp(db, session.id)
            for new in records:
                old = self._answer_row(db, session.id, new.question_id)
                if old is not None:
                    new = new.model_copy(
                        update={
                            "records": new.records or old.records,
                            "interviewee": new.interviewee or old.interviewee,
                            "role": new.role or old.role,
                            "attachments": list(dict.fromkeys(old.attachments + new.attachments)),
                        }
                    )
                    if old.same_answer(new):
                        stored.append(old)
                        continue
                stored_json = new.model_dump_json()
                db.execute(
                    "insert into answers (session_id, question_id, record, answered_at) values (?, ?, ?, ?) "
                    "on conflict (session_id, question_id) do update set record = excluded.record, "
                    "answered_at = excluded.answered_at",
                    (session.id, new.question_id, stored_json, new.answered_at.isoformat()),
                )
                db.execute(
                    "insert into answer_history (session_id, question_id, changed_at, changed_by, old, new) "
                    "values (?, ?, ?, ?, ?, ?)",
                    (session.id, new.question_id, new.answered_at.isoformat(), new.answered_by,
                     old.model_dump_json() if old else None, stored_json),
                )
                stored.append(new)
            status = SessionStatus.in_progress if current == SessionStatus.planned else current
            after = _now().isoformat()
            self._touch(db, session.id, status=status.value, updated_at=after)
            if rebaseline is not None:
                self._record_sources(db, session.id, rebaseline)
        return stored, (stamp, after)

    @staticmethod
    def _answer_row(db: Database, session_id: str, question_id: str) -> AnswerRecord | None:
        row = db.execute(
            "select record from answers where session_id = ? and question_id = ?", (session_id, question_id)
        ).fetchone()
        return AnswerRecord.model_validate_json(row[0]) if row else None

    def answers(self, session_id: str) -> dict[str, AnswerRecord]:
        """The current answers by question id, in checklist order (answers to retired questions last)."""
        session = self.get(session_id)
        found = {
            r["question_id"]: AnswerRecord.model_validate_json(r["record"])
            for r in self.db["answers"].rows_where("session_id = ?", [session.id], order_by="question_id")
        }
        order = {q.id: i for i, q in enumerate(self.engine.checklist.questions())}
        return dict(sorted(found.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))

    def history(self, session_id: str, question_id: str) -> list[AnswerChange]:
        """Every answer given to the question, oldest first (the first with `old` None)."""
        session = self.get(session_id)
        changes = [
            AnswerChange(
                question_id=r["question_id"],
                changed_at=r["changed_at"],
                changed_by=r["changed_by"],
                old=AnswerRecord.model_validate_json(r["old"]) if r["old"] else None,
                new=AnswerRecord.model_validate_json(r["new"]),
            )
            for r in self.db["answer_history"].rows_where(
                "session_id = ? and question_id = ?", [session.id, question_id], order_by="id"
            )
        ]
        if not changes:
            self.engine.checklist.get(question_id)  # a mistyped id is named, not answered with nothing
        return changes

    def load_answers(self, session_id: str, file: str | Path, by: str | None = None) -> list[AnswerRecord]:
        """Answers in bulk from a YAML or JSON mapping of question id to a value or {value, note, records ...}.

        Every entry is checked first; if any is bad, `AnswerFileError` lists them all (one line each,
        naming the file and question id) and nothing is stored.
        """
        session = self._writable(session_id)
        path = Path(file)
        data, lines = read_answers_file(path)
        now = _now()
        pending: list[_Pending] = []
        problems: list[str] = []
        for key, entry in data.items():
            question_id = str(key)
            where = f"{path}:{lines[question_id]}" if question_id in lines else str(path)
            try:
                pending.append(self._prepare_entry(question_id, entry, path.parent, by, now))
            except Q1AuditError as exc:
                message = exc.message.removeprefix(f"{question_id}: ")
                problems.append(f"{where}: {question_id}: {message}")
        if problems:
            raise AnswerFileError(problems)
        return self._store(session, pending)[0]

    def _prepare_entry(self, question_id: str, entry: object, folder: Path, by: str | None, now: datetime) -> _Pending:
        if not isinstance(entry, dict):
            entry = {"value": entry}
        try:
            parsed = AnswerEntry.model_validate(entry)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "entry"
            raise SessionError(f"{field}: {err['msg']}") from None
        return self._prepare(
            question_id, text=None, value=parsed.value, note=parsed.note, records=parsed.records,
            files=[attachment_path(folder, a) for a in parsed.attachments], interviewee=parsed.interviewee,
            role=parsed.role, by=by, now=now,
        )

    # --- findings ----------------------------------------------------------------------------------

    def rows(self, session_id: str) -> SessionRows:
        """Everything findings depend on for one session: header, answers, decisions, actions, manual findings."""
        session = self.get(session_id)
        where = "session_id = ?"
        return SessionRows(
            session=session,
            answers=self.answers(session.id),
            decisions={r["finding_id"]: r for r in self.db["decisions"].rows_where(where, [session.id])},
            actions={
                r["finding_id"]: CorrectiveAction.model_validate_json(r["action"])
                for r in self.db["corrective_actions"].rows_where(where, [session.id])
            },
            manual=[
                Finding.model_validate_json(r["finding"])
                for r in self.db["manual_findings"].rows_where(where, [session.id], order_by="seq")
            ],
        )

    def derived(self, session_id: str) -> Derived:
        """Findings, withdrawn findings, escalation hints and progress of the session as stored now."""
        return derive(self.engine, self.rows(session_id))

    def findings(self, session_id: str, include_withdrawn: bool = False) -> list[Finding]:
        """Rule findings for the current answers (engine order), reinstated ones, then manual ones; with
        decisions and actions. Withdrawn findings (decided, then their answer changed) follow when asked for."""
        state = self.derived(session_id)
        return state.findings + (state.withdrawn if include_withdrawn else [])

    def finding(self, session_id: str, finding_id: str) -> Finding:
        """One finding by id, live or withdrawn (case does not matter)."""
        wanted = finding_id.strip().upper()
        for f in self.findings(session_id, include_withdrawn=True):
            if f.id.upper() == wanted:
                return f
        raise FindingNotFoundError(f"session {session_id}: no finding {finding_id!r} (q1audit findings {session_id})")

    def _check_grade(self, session: Session, grade: Grade | str) -> Grade:
        from rules.grading import load_grading

        grading = load_grading()
        allowed = list(dict.fromkeys(grading.schemes[grading.audit_types[session.header.audit_type]].values()))
        if grade not in allowed:
            listed = ", ".join(allowed)
            raise SessionError(f"grade {grade!r} is not used in {session.header.audit_type} audits; use one of: {listed}")
        return Grade(grade)

    def decide(
        self,
        session_id: str,
        finding_id: str,
        status: FindingStatus | str,
        reason: str | None = None,
        grade: Grade | str | None = None,
        by: str | None = None,
    ) -> Finding:
        """Confirm (optionally with another grade), dismiss (with a reason) or reopen (status proposed) a finding.

        The decision is kept by finding id, so it survives re-evaluation and applies again whenever
        the rule fires.
        """
        session = self._writable(session_id)
        finding = self.finding(session.id, finding_id)
        status = FindingStatus(status)
        if finding.status == FindingStatus.withdrawn:
            raise SessionError(f"{finding.id} was withdrawn when its answer changed; reinstate it to decide again")
        if status == FindingStatus.withdrawn:
            raise SessionError(f"{finding.id}: a finding is withdrawn by an answer change, not by a decision")
        if status == FindingStatus.dismissed and not (reason or "").strip():
            raise SessionError(f"{finding.id}: say why the finding is dismissed")
        if grade is not None and status != FindingStatus.confirmed:
            raise SessionError(f"{finding.id}: a new grade confirms the finding; it cannot go with status {status}")
        regraded = self._check_grade(session, grade) if grade is not None else None
        with write_transaction(self.db) as db:
            self._still_open(db, session.id)
            db.execute("delete from decisions where session_id = ? and finding_id = ?", (session.id, finding.id))
            if status != FindingStatus.proposed:
                db["decisions"].insert(
                    {
                        "session_id": session.id,
                        "finding_id": finding.id,
                        "status": status.value,
                        "reason": reason.strip() if reason else None,
                        "regraded": regraded.value if regraded and regraded != finding.proposed_grade else None,
                        "decided_by": by,
                        "decided_at": _now().isoformat(),
                        "finding": _snapshot(finding),
                    }
                )
            self._touch(db, session.id)
        return self.finding(session.id, finding.id)

    def reinstate(self, session_id: str, finding_id: str, by: str | None = None) -> Finding:
        """Keep a withdrawn finding as the auditor decided it, although its rule no longer fires."""
        session = self._writable(session_id)
        finding = self.finding(session.id, finding_id)
        if finding.status != FindingStatus.withdrawn:
            raise SessionError(f"{finding.id} is {finding.status.value}, not withdrawn: there is nothing to reinstate")
        with write_transaction(self.db) as db:
            self._still_open(db, session.id)
            db.execute(
                "update decisions set reinstated_at = ?, decided_by = coalesce(?, decided_by) "
                "where session_id = ? and finding_id = ?",
                (_now().isoformat(), by, session.id, finding.id),
            )
            self._touch(db, session.id)
        return self.finding(session.id, finding.id)

    def add_manual_finding(
        self,
        session_id: str,
        grade: Grade | str,
        clauses: Sequence[str],
        text: str,
        title: str | None = None,
        evidence: str = "",
        process: str | None = None,
        by: str | None = None,
        requirement: str = "",
        near_process: str | None = None,
    ) -> Finding:
        """A finding the auditor writes (ids M-001, M-002 ...), confirmed from the start.

        `clauses` are references as people write them ("Q1 5.6.1.1", "ISO 8.4.1"); the crosswalk adds
        the matching clauses of the other standard and edition. The process is `process` when given, else
        the one whose checklist questions cite those clauses (`near_process`, the question on screen,
        only breaks a tie). The requirement defaults to the cited clauses' titles.
        """
        from knowledge.catalogue import load_catalogue
        from knowledge.clause_refs import resolve_clause_ref

        session = self._writable(session_id)
        text = " ".join(text.split())
        if not text:
            raise SessionError("the finding needs a text (what was found)")
        if not clauses:
            raise SessionError("the finding needs at least one clause reference")
        checked = self._check_grade(session, grade)
        processes = self.engine.checklist.processes()
        if process is not None and process not in processes:
            raise SessionError(f"no process {process!r}; processes are: {', '.join(processes)}")
        catalogue = load_catalogue()
        cited = [resolve_clause_ref(ref, catalogue) for ref in clauses]
        citations = _citations(cited, catalogue)
        if process is None:
            primary = [ClauseCitation(standard=c.standard, edition=c.edition, id=c.id) for c in cited]
            process = process_for_clauses(self.engine.checklist, primary, citations, near_process)
        now = _now()
        with write_transaction(self.db) as db:
            self._still_open(db, session.id)
            seq = db.execute(
                "select coalesce(max(seq), 0) + 1 from manual_findings where session_id = ?", (session.id,)
            ).fetchone()[0]
            finding = Finding(
                id=f"{MANUAL_PREFIX}{seq:03d}",
                title=title or _short(text),
                process=process,
                grade=checked,
                proposed_grade=checked,
                clauses=citations,
                statement=Statement(
                    requirement=" ".join(requirement.split()) or "; ".join(f"{c.label} {c.title}" for c in cited),
                    evidence=" ".join(evidence.split()),
                    nonconformity=text,
                ),
            )
            db["manual_findings"].insert(
                {"session_id": session.id, "id": finding.id, "seq": seq, "finding": finding.model_dump_json(),
                 "created_at": now.isoformat()}
            )
            db["decisions"].insert(
                {"session_id": session.id, "finding_id": finding.id, "status": FindingStatus.confirmed.value,
                 "reason": None, "regraded": None, "decided_by": by, "decided_at": now.isoformat()}
            )
            self._touch(db, session.id)
        return self.finding(session.id, finding.id)

    def set_corrective_action(
        self,
        session_id: str,
        finding_id: str,
        correction: str | None = None,
        root_cause: str | None = None,
        corrective_action: str | None = None,
        evidence: str | None = None,
        owner: str | None = None,
        due_date: date | None = None,
        by: str | None = None,
    ) -> Finding:
        """Set the given corrective-action fields of a finding; fields left None keep their value."""
        session = self._writable(session_id)
        finding = self.finding(session.id, finding_id)
        given = {
            "correction": correction,
            "root_cause": root_cause,
            "corrective_action": corrective_action,
            "evidence": evidence,
            "owner": owner,
            "due_date": due_date,
        }
        changes = {k: v for k, v in given.items() if v is not None} | {"updated_by": by, "updated_at": _now()}
        with write_transaction(self.db) as db:
            self._still_open(db, session.id)
            # Merged with the row as stored now, under the write lock: another window may have set
            # other fields since `finding` was read, and those must not be overwritten.
            row = db.execute(
                "select action from corrective_actions where session_id = ? and finding_id = ?", (session.id, finding.id)
            ).fetchone()
            stored = CorrectiveAction.model_validate_json(row[0]) if row else CorrectiveAction()
            action = stored.model_copy(update=changes)
            db["corrective_actions"].upsert(
                {"session_id": session.id, "finding_id": finding.id, "action": action.model_dump_json(),
                 "updated_at": action.updated_at.isoformat()},
                pk=("session_id", "finding_id"),
            )
            self._touch(db, session.id)
        return self.finding(session.id, finding.id)

    def escalation_hints(self, session_id: str) -> list[EscalationHint]:
        """Several minors on one clause or process (dismissed findings left out, regrades counted)."""
        return self.derived(session_id).hints

    def changed_sources(self, session_id: str) -> list[SourceChange]:
        """Catalogue files, checklists, rule packs and procedures that changed since answers were given."""
        session = self.get(session_id)
        if not self.db.execute("select 1 from answers where session_id = ? limit 1", (session.id,)).fetchone():
            return []
        return sources.compare(session.sources, self._current_sources())


def answer_record(
    question: Question,
    parsed: ParsedAnswer,
    *,
    raw: str | None,
    note: str = "",
    records: Iterable[str] = (),
    interviewee: str | None = None,
    role: str | None = None,
    by: str | None = None,
    at: datetime | None = None,
) -> AnswerRecord:
    """The answer to store for a certain reading: its value, its note joined with `note`, how it was read."""
    return AnswerRecord(
        question_id=question.id,
        answer_type=question.type,
        value=parsed.value,
        raw=raw,
        note=_join(parsed.note, note),
        reading=parsed.reading,
        says=parsed.says,
        interviewee=interviewee,
        role=role,
        records=list(records),
        answered_at=at or _now(),
        answered_by=by,
    )


def _snapshot(finding: Finding) -> str:
    """The finding as decided, without the parts kept elsewhere (decision fields, corrective action)."""
    return finding.model_copy(update={"action": CorrectiveAction()}).model_dump_json()


def _short(text: str, limit: int = 80) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + " ..."


def _citations(cited: Sequence[Clause], catalogue: Catalogue) -> list[ClauseCitation]:
    """The cited clauses plus their crosswalk and edition-map counterparts, Q1 10th, Q1 9th, ISO order."""
    from knowledge.catalogue import Q1

    keys: list[tuple[str, str, str]] = []
    for clause in cited:
        keys.append(clause.key)
        keys += [c.key for c in catalogue.counterparts(clause)]
        for move in catalogue.edition_moves(clause):
            keys += [(Q1, ed, i) for ed, i in (("10th", move.q1_10th), ("9th", move.q1_9th)) if i]
    rank = {(Q1, "10th"): 0, (Q1, "9th"): 1}
    unique = list(dict.fromkeys(tuple(k) for k in keys if catalogue.get(*k) is not None))
    ordered = sorted(unique, key=lambda k: rank.get((k[0], k[1]), 2))
    return [cite(catalogue, s, e, i) for s, e, i in ordered]
