"""A session's stored rows as one model (`SessionArchive`), read out of and written back into audits.db."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, field_validator
from sqlite_utils import Database

from assistant.sessions.db import write_transaction
from assistant.sessions.errors import SessionError
from assistant.sessions.identity import NUMBER
from assistant.sessions.models import (
    AnswerChange,
    AnswerRecord,
    CorrectiveAction,
    Finding,
    FindingStatus,
    Session,
)
from assistant.sessions.service import SessionService
from rules.models import Grade


class Decision(BaseModel):
    """The auditor's decision on a finding as stored (the merged `Finding` hides the raw regrade)."""

    finding_id: str
    status: FindingStatus
    reason: str | None = None
    regraded: Grade | None = None
    decided_by: str | None = None
    decided_at: datetime
    finding: Finding | None = None
    """The finding as it was decided (absent for decisions made before snapshots were kept)."""
    reinstated_at: datetime | None = None

    @field_validator("finding", mode="before")
    @classmethod
    def _stored_json(cls, value: object) -> object:
        return Finding.model_validate_json(value) if isinstance(value, str) else value


class ManualFindingRow(BaseModel):
    seq: int
    created_at: datetime
    finding: Finding
    """As written when the auditor added it; decisions and actions are kept apart."""


class ActionRow(BaseModel):
    finding_id: str
    action: CorrectiveAction


class SessionArchive(BaseModel):
    """Everything stored for one session: enough to restore it exactly in another data directory."""

    session: Session
    answers: list[AnswerRecord]
    """Current answers in checklist order."""
    history: list[AnswerChange]
    """Every answer change, question by question in checklist order, oldest first."""
    decisions: list[Decision]
    manual_findings: list[ManualFindingRow]
    corrective_actions: list[ActionRow]


def read_archive(service: SessionService, session_id: str) -> SessionArchive:
    """The stored rows of one session, in a stable order (so equal sessions give equal archives)."""
    session = service.get(session_id)
    answers = service.answers(session.id)
    db = service.db
    where = "session_id = ?"
    return SessionArchive(
        session=session,
        answers=list(answers.values()),
        history=[change for question_id in answers for change in service.history(session.id, question_id)],
        decisions=[
            Decision.model_validate(row)
            for row in db["decisions"].rows_where(where, [session.id], order_by="finding_id")
        ],
        manual_findings=[
            ManualFindingRow(seq=row["seq"], created_at=row["created_at"], finding=Finding.model_validate_json(row["finding"]))
            for row in db["manual_findings"].rows_where(where, [session.id], order_by="seq")
        ],
        corrective_actions=[
            ActionRow(finding_id=row["finding_id"], action=CorrectiveAction.model_validate_json(row["action"]))
            for row in db["corrective_actions"].rows_where(where, [session.id], order_by="finding_id")
        ],
    )


def _sequence(session_id: str) -> int:
    # The id names the session's attachment folder: nothing but `year-number` may come in from a file.
    if not NUMBER.fullmatch(session_id):
        raise SessionError(f"session id {session_id!r} is not like 2025-003")
    return int(session_id.rsplit("-", 1)[1])


def restore_archive(service: SessionService, archive: SessionArchive) -> Session:
    """Write an archived session into this data directory as it was (same id, status, history, decisions).

    Answers given to questions the checklist no longer has are kept, as in the original session.
    Attachment files are not part of an archive: only their names come back.
    """
    session = archive.session
    if list(service.db["sessions"].rows_where("id = ?", [session.id])):
        raise SessionError(f"session {session.id} already exists in this data directory; nothing was imported")
    sid = session.id
    with write_transaction(service.db) as db:
        db["sessions"].insert(
            {
                "id": sid,
                "uid": session.uid,
                "seq": _sequence(sid),
                "title": session.header.title,
                "audit_type": session.header.audit_type,
                "status": session.status.value,
                "header": session.header.model_dump_json(),
                "created_at": session.created_at.isoformat(),
                "updated_at": session.updated_at.isoformat(),
            }
        )
        write_session_rows(db, archive)
    return service.get(sid)


def write_session_rows(db: Database, archive: SessionArchive) -> None:
    """Everything of the archive but the `sessions` row itself, inside the caller's transaction."""
    session = archive.session
    sid = session.id
    db["session_sources"].insert_all(
        {"session_id": sid, **source.model_dump()} for source in session.sources
    )
    db["answers"].insert_all(
        {"session_id": sid, "question_id": a.question_id, "record": a.model_dump_json(),
         "answered_at": a.answered_at.isoformat()}
        for a in archive.answers
    )
    db["answer_history"].insert_all(
        {"session_id": sid, "question_id": c.question_id, "changed_at": c.changed_at.isoformat(),
         "changed_by": c.changed_by, "old": c.old.model_dump_json() if c.old else None,
         "new": c.new.model_dump_json()}
        for c in archive.history
    )
    db["decisions"].insert_all(
        {"session_id": sid, "finding_id": d.finding_id, "status": d.status.value, "reason": d.reason,
         "regraded": d.regraded.value if d.regraded else None, "decided_by": d.decided_by,
         "decided_at": d.decided_at.isoformat(),
         "finding": d.finding.model_dump_json() if d.finding else None,
         "reinstated_at": d.reinstated_at.isoformat() if d.reinstated_at else None}
        for d in archive.decisions
    )
    db["manual_findings"].insert_all(
        {"session_id": sid, "id": m.finding.id, "seq": m.seq, "finding": m.finding.model_dump_json(),
         "created_at": m.created_at.isoformat()}
        for m in archive.manual_findings
    )
    db["corrective_actions"].insert_all(
        {"session_id": sid, "finding_id": r.finding_id, "action": r.action.model_dump_json(),
         "updated_at": r.action.updated_at.isoformat() if r.action.updated_at else None}
        for r in archive.corrective_actions
    )
