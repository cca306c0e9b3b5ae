"""Merge colleagues' parts of one audit into a session: the union of answers, findings and decisions,
with the clashes kept as conflicts for the lead to settle, and every merge undoable from its record."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.sessions.archive import (
    ActionRow,
    Decision,
    ManualFindingRow,
    SessionArchive,
    read_archive,
    write_session_rows,
)
from assistant.sessions.attachments import remove_attachments
from assistant.sessions.db import write_transaction
from assistant.sessions.errors import SessionClosedError, SessionError
from assistant.sessions.models import AnswerChange, AnswerRecord, SessionStatus
from assistant.sessions.service import MANUAL_PREFIX, SessionService
from assistant.sessions.transfer import bring_attachments

ConflictKind = Literal["answer", "decision", "corrective action"]

CHILD_TABLES = ("session_sources", "answers", "answer_history", "decisions", "manual_findings", "corrective_actions")


class Conflict(BaseModel):
    """One question, decision or corrective action two people settled differently; the later one is kept."""

    id: int | None = None
    merge_id: int | None = None
    kind: ConflictKind
    item: str
    """Question id for answers, finding id for decisions and corrective actions."""
    kept: dict[str, Any]
    """The stored row now current (an answer record, a decision or a corrective action)."""
    other: dict[str, Any]
    """The earlier one, by someone else; kept here and in the answer history."""
    kept_by: str | None = None
    other_by: str | None = None
    settled_by: str | None = None
    settled_at: datetime | None = None

    def summary(self, side: Literal["kept", "other"]) -> str:
        """One side in a few words, in quotes: the answer as given, the decision, or the action."""
        data = self.kept if side == "kept" else self.other
        if self.kind == "answer":
            value = data.get("value")
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            text = shown + (f" ({data['note']})" if data.get("note") else "")
        elif self.kind == "decision":
            text = data.get("status", "?") + (f" as {data['regraded']}" if data.get("regraded") else "")
        else:
            action = data.get("action") or {}
            text = action.get("corrective_action") or action.get("correction") or "(empty)"
        return f"“{text}”"  # as people quote what someone said, not Python's repr


class MergePlan(BaseModel):
    """The merged session and what the merge did (counts per kind of row, the conflicts)."""

    archive: SessionArchive
    added: dict[str, int] = Field(default_factory=dict)
    """Rows the incoming session brought that the target did not have, per kind."""
    updated: int = 0
    """Answers, decisions and actions replaced by a later one of the same person."""
    conflicts: list[Conflict] = Field(default_factory=list)
    renamed: dict[str, str] = Field(default_factory=dict)
    """Incoming manual finding ids that are another id here: added under the next free number because the
    target had another M-001, or the same finding the target holds under another id."""

    @property
    def changed(self) -> bool:
        return bool(sum(self.added.values()) or self.updated or self.conflicts)


class MergeReport(BaseModel):
    session_id: str
    merge_id: int | None
    """None when there was nothing to merge."""
    plan: MergePlan
    missing_attachments: list[str] = Field(default_factory=list)
    """Attachment names whose files were not found (the names are kept in the answers)."""

    def describe(self) -> list[str]:
        p = self.plan
        if not p.changed:
            return [f"{self.session_id}: nothing new to merge"]
        added = ", ".join(counted(n, kind) for kind, n in p.added.items() if n) or "nothing new"
        lines = [f"{self.session_id}: merged ({added}; {p.updated} replaced by a later one; "
                 f"{counted(len(p.conflicts), 'conflicts')})"]
        lines += [f"  manual finding {old} is now {new}" for old, new in p.renamed.items()]
        lines += [f"  missing attachment file {name} (name kept)" for name in self.missing_attachments]
        return lines


def counted(n: int, plural: str) -> str:
    """`2 answers`, `1 answer`: every noun here takes a plain -s."""
    return f"{n} {plural if n != 1 else plural.removesuffix('s')}"


# --- the merge itself: a pure function of two archives ---------------------------------------------


def _said(record: AnswerRecord) -> dict[str, Any]:
    """What the auditor said, without who/when and the attached files (those are joined, never a clash)."""
    return record.model_dump(exclude={"answered_at", "answered_by", "raw", "attachments"})


def _with_attachments(record: AnswerRecord, *others: AnswerRecord) -> AnswerRecord:
    joined = list(dict.fromkeys(name for r in (record, *others) for name in r.attachments))
    return record if joined == record.attachments else record.model_copy(update={"attachments": joined})


def _history_key(change: AnswerChange) -> tuple[str, str, str]:
    return change.question_id, change.changed_at.isoformat(), change.new.model_dump_json(exclude={"attachments"})


def _merge_answers(target: SessionArchive, incoming: SessionArchive, plan: MergePlan) -> tuple[list, list]:
    answers = {r.question_id: r for r in target.answers}
    history: dict[str, list[AnswerChange]] = {}
    for change in target.history:
        history.setdefault(change.question_id, []).append(change)
    theirs_history: dict[str, list[AnswerChange]] = {}
    for change in incoming.history:
        theirs_history.setdefault(change.question_id, []).append(change)
    for theirs in incoming.answers:
        q = theirs.question_id
        ours = answers.get(q)
        if ours is None:
            answers[q] = theirs
            plan.added["answers"] = plan.added.get("answers", 0) + 1
        elif _said(ours) == _said(theirs):
            answers[q] = _with_attachments(ours, theirs)
        else:
            kept, other = (theirs, ours) if theirs.answered_at > ours.answered_at else (ours, theirs)
            answers[q] = _with_attachments(kept, other)
            if (kept.answered_by or "") != (other.answered_by or ""):
                plan.conflicts.append(Conflict(kind="answer", item=q, kept=kept.model_dump(mode="json"),
                                               other=other.model_dump(mode="json"), kept_by=kept.answered_by,
                                               other_by=other.answered_by))
            elif kept is theirs:
                plan.updated += 1
        seen = {_history_key(c) for c in history.get(q, [])}
        extra = [c for c in theirs_history.get(q, []) if _history_key(c) not in seen]
        history[q] = sorted(history.get(q, []) + extra, key=lambda c: c.changed_at)
    order = [r.question_id for r in target.answers] + [r.question_id for r in incoming.answers]
    ordered = list(dict.fromkeys(order))
    return [answers[q] for q in ordered], [c for q in ordered for c in history.get(q, [])]


def _merge_manual(target: SessionArchive, incoming: SessionArchive, plan: MergePlan) -> list[ManualFindingRow]:
    rows = list(target.manual_findings)
    content = {r.finding.model_dump_json(exclude={"id"}): r.finding.id for r in rows}
    seq = max((r.seq for r in rows), default=0)
    for row in incoming.manual_findings:
        same = content.get(row.finding.model_dump_json(exclude={"id"}))
        if same is not None:
            if same != row.finding.id:
                plan.renamed[row.finding.id] = same
            continue
        seq += 1
        new_id = f"{MANUAL_PREFIX}{seq:03d}"
        if new_id != row.finding.id:
            plan.renamed[row.finding.id] = new_id
        rows.append(ManualFindingRow(seq=seq, created_at=row.created_at,
                                     finding=row.finding.model_copy(update={"id": new_id})))
        plan.added["manual findings"] = plan.added.get("manual findings", 0) + 1
    return rows


def _merge_keyed(
    kind: ConflictKind,
    ours: Iterable[Any],
    theirs: Iterable[Any],
    when: Callable[[Any], datetime | None],
    who: Callable[[Any], str | None],
    plan: MergePlan,
) -> list[Any]:
    """Decisions or corrective actions by finding id: new ones added, differing ones the later kept."""
    merged = {row.finding_id: row for row in ours}
    for row in theirs:
        row = row.model_copy(update={"finding_id": plan.renamed.get(row.finding_id, row.finding_id)})
        mine = merged.get(row.finding_id)
        if mine is None:
            merged[row.finding_id] = row
            plan.added[f"{kind}s"] = plan.added.get(f"{kind}s", 0) + 1
            continue
        if mine == row:
            continue
        epoch = datetime.min.replace(tzinfo=UTC)
        kept, other = (row, mine) if (when(row) or epoch) > (when(mine) or epoch) else (mine, row)
        merged[row.finding_id] = kept
        if (who(kept) or "") != (who(other) or ""):
            plan.conflicts.append(Conflict(kind=kind, item=row.finding_id, kept=kept.model_dump(mode="json"),
                                           other=other.model_dump(mode="json"), kept_by=who(kept),
                                           other_by=who(other)))
        elif kept is row:
            plan.updated += 1
    return [merged[k] for k in sorted(merged)]


def merge_archives(target: SessionArchive, incoming: SessionArchive, merged_at: datetime) -> MergePlan:
    """The target with the incoming session's work added; the target's header, status and sources stay.

    Answers to questions only one side answered are taken as they are; answers that differ keep the
    later one current and the other in the history, as a conflict when two people gave them. Manual
    findings the target does not have (by content) are added under the next free M- number.
    """
    plan = MergePlan(archive=target)
    answers, history = _merge_answers(target, incoming, plan)
    manual = _merge_manual(target, incoming, plan)
    decisions = _merge_keyed("decision", target.decisions, incoming.decisions,
                             lambda d: d.decided_at, lambda d: d.decided_by, plan)
    actions = _merge_keyed("corrective action", target.corrective_actions, incoming.corrective_actions,
                           lambda a: a.action.updated_at, lambda a: a.action.updated_by, plan)
    header = target.session.header
    team = header.team
    people = [p for p in (incoming.session.header.team.lead, *incoming.session.header.team.members) if p]
    members = list(dict.fromkeys([*team.members, *(p for p in people if p != team.lead)]))
    status = target.session.status
    if status == SessionStatus.planned and answers:  # as when the lead answers a question here
        status = SessionStatus.in_progress
    session = target.session.model_copy(update={
        "header": header.model_copy(update={"team": team.model_copy(update={"members": members})}),
        "status": status,
        "updated_at": merged_at,
    })
    plan.archive = SessionArchive(session=session, answers=answers, history=history, decisions=decisions,
                                  manual_findings=manual, corrective_actions=actions)
    return plan


# --- applying it to the data directory --------------------------------------------------------------


def _replace_rows(db, archive: SessionArchive) -> None:
    """The session's rows replaced by the archive's, inside the caller's transaction (the row keeps its id)."""
    sid = archive.session.id
    for table in CHILD_TABLES:
        db.execute(f"delete from {table} where session_id = ?", (sid,))  # noqa: S608 (fixed table names)
    session = archive.session
    db["sessions"].update(sid, {"header": session.header.model_dump_json(), "title": session.header.title,
                                "audit_type": session.header.audit_type, "status": session.status.value,
                                "updated_at": session.updated_at.isoformat()})
    write_session_rows(db, archive)


def merge_into(
    service: SessionService,
    target_id: str,
    incoming: SessionArchive,
    source_file: str = "",
    by: str | None = None,
    attachments: Path | None = None,
) -> MergeReport:
    """Merge an archive (a colleague's export) into session `target_id`, in one transaction.

    The target as it was and the incoming archive are both stored with the merge, so nothing is lost
    and `undo_merge` can put the target back. `attachments` is a folder holding the colleague's
    attachment files (their data directory's `attachments/`), copied in under new names.
    """
    target = service.get(target_id)
    if target.closed:
        raise SessionClosedError(f"session {target.id} is closed: it is a record now and cannot change")
    before = read_archive(service, target.id)
    incoming = SessionArchive(**{field: getattr(incoming, field) for field in SessionArchive.model_fields})
    known = {name for r in before.answers for name in r.attachments}
    incoming, copied, missing = bring_attachments(service, target.id, incoming, attachments, "merged", known)
    now = datetime.now(UTC)
    plan = merge_archives(before, incoming, now)
    if not plan.changed:
        remove_attachments(service.paths.attachments_dir, copied)
        return MergeReport(session_id=target.id, merge_id=None, plan=plan, missing_attachments=missing)
    try:
        with write_transaction(service.db) as db:
            service._still_open(db, target.id)
            if db.execute("select updated_at from sessions where id = ?", (target.id,)).fetchone()[0] != (
                before.session.updated_at.isoformat()
            ):
                raise SessionError(f"session {target.id} changed while merging; run the merge again")
            _replace_rows(db, plan.archive)
            merge_id = db["merges"].insert({
                "session_id": target.id, "merged_at": now.isoformat(), "merged_by": by,
                "source_uid": incoming.session.uid, "source_number": incoming.session.id,
                "source_file": source_file, "before": before.model_dump_json(),
                "incoming": incoming.model_dump_json(), "undone_at": None,
            }).last_pk
            db["merge_conflicts"].insert_all(
                {"merge_id": merge_id, "session_id": target.id, "kind": c.kind, "item": c.item,
                 "kept": _json(c.kept), "other": _json(c.other), "settled_by": None, "settled_at": None}
                for c in plan.conflicts
            )
    except BaseException:
        remove_attachments(service.paths.attachments_dir, copied)
        raise
    return MergeReport(session_id=target.id, merge_id=merge_id, plan=plan, missing_attachments=missing)


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def conflicts(service: SessionService, session_id: str, include_settled: bool = False) -> list[Conflict]:
    """The conflicts merges left in a session, oldest first; settled ones only when asked."""
    session = service.get(session_id)
    where = "session_id = ?" + ("" if include_settled else " and settled_at is null")
    rows = service.db["merge_conflicts"].rows_where(where, [session.id], order_by="id")

    def who(kind: str, data: dict[str, Any]) -> str | None:
        if kind == "answer":
            return data.get("answered_by")
        if kind == "decision":
            return data.get("decided_by")
        return (data.get("action") or {}).get("updated_by")

    found = []
    for r in rows:
        kept, other = json.loads(r["kept"]), json.loads(r["other"])
        found.append(Conflict(id=r["id"], merge_id=r["merge_id"], kind=r["kind"], item=r["item"], kept=kept,
                              other=other, kept_by=who(r["kind"], kept), other_by=who(r["kind"], other),
                              settled_by=r["settled_by"], settled_at=r["settled_at"]))
    return found


def settle(
    service: SessionService, session_id: str, item: str, take: Literal["kept", "other"] = "kept", by: str | None = None
) -> Conflict:
    """Close the open conflicts on `item` (a question or finding id): keep the current one, or take the other."""
    wanted = item.strip().casefold()
    open_ = [c for c in conflicts(service, session_id) if c.item.casefold() == wanted]
    if not open_:
        raise SessionError(f"session {session_id}: no open conflict on {item!r} (q1audit session conflicts {session_id})")
    chosen = open_[-1]
    if take == "other":
        _take_other(service, session_id, chosen, by)
    with write_transaction(service.db) as db:
        db.execute(
            "update merge_conflicts set settled_by = ?, settled_at = ? where session_id = ? and item = ? "
            "and settled_at is null",
            (by, datetime.now(UTC).isoformat(), service.get(session_id).id, chosen.item),
        )
    return chosen


def _take_other(service: SessionService, session_id: str, conflict: Conflict, by: str | None) -> None:
    if conflict.kind == "answer":
        other = AnswerRecord.model_validate(conflict.other)
        service.answer(session_id, other.question_id, value=other.value, note=other.note, records=other.records,
                       interviewee=other.interviewee, role=other.role, by=by)
    elif conflict.kind == "decision":
        decision = Decision.model_validate(conflict.other)
        service.decide(session_id, decision.finding_id, decision.status, reason=decision.reason,
                       grade=decision.regraded, by=by)
    else:
        action = ActionRow.model_validate(conflict.other).action
        fields = action.model_dump(exclude={"updated_by", "updated_at"})
        service.set_corrective_action(session_id, conflict.item, **fields, by=by)


def undo_merge(service: SessionService, session_id: str) -> str:
    """Put the session back as it was before its latest merge; refused if it changed since."""
    session = service.get(session_id)
    row = service.db.execute(
        "select id, merged_at, source_number, before from merges where session_id = ? and undone_at is null "
        "order by id desc limit 1",
        (session.id,),
    ).fetchone()
    if row is None:
        raise SessionError(f"session {session.id}: no merge to undo")
    merge_id, merged_at, source_number, before = row
    if session.updated_at.isoformat() != merged_at:
        raise SessionError(
            f"session {session.id} changed after the merge of {source_number}; undoing it would lose those changes"
        )
    archive = SessionArchive.model_validate_json(before)
    with write_transaction(service.db) as db:
        service._still_open(db, session.id)
        _replace_rows(db, archive)
        db.execute("delete from merge_conflicts where merge_id = ?", (merge_id,))
        db["merges"].update(merge_id, {"undone_at": datetime.now(UTC).isoformat()})
    return source_number
