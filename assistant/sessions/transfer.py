"""Import a session archive from another laptop: by uid, idempotent, renumbered when its number is taken."""

from __future__ import annotations

from collections.abc import Set
from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import BaseModel

from assistant.sessions.archive import SessionArchive, read_archive, restore_archive
from assistant.sessions.attachments import copy_or_reuse_attachments, remove_attachments
from assistant.sessions.errors import SessionError
from assistant.sessions.identity import NUMBER, new_uid, next_number
from assistant.sessions.models import AnswerRecord, Session
from assistant.sessions.service import SessionService


class SessionDiffersError(SessionError):
    """The session is here already (same uid) with other content; `differences` says what differs."""

    title = "Session differs"

    def __init__(self, number: str, differences: list[str]):
        self.differences = differences
        shown = "; ".join(differences[:5]) + (f"; and {len(differences) - 5} more" if len(differences) > 5 else "")
        super().__init__(
            f"session {number} is already here with other content ({shown}); nothing was imported. "
            "Use `session merge` to bring the changes in, or `--as-new` to keep both"
        )


class ImportOutcome(BaseModel):
    session: Session
    action: Literal["imported", "unchanged"]
    renumbered_from: str | None = None
    """The number the session had on the laptop it came from, when that number was taken here."""
    attachments_copied: int = 0
    missing_attachments: list[str] = []
    """Attachment names whose files the given attachments folder did not hold (the names are kept)."""

    def describe(self) -> list[str]:
        if self.action == "unchanged":
            return [f"{self.session.id}: already here with the same content; nothing to do"]
        was = f" (was {self.renumbered_from} where it came from)" if self.renumbered_from else ""
        n = self.attachments_copied
        copied = f", {n} attachment file{'s' if n != 1 else ''} copied" if n else ""
        return [f"{self.session.id}: imported{was}{copied}"] + [
            f"  missing attachment file {name} (name kept)" for name in self.missing_attachments
        ]


def bring_attachments(
    service: SessionService, session_id: str, incoming: SessionArchive, folder: Path | None, prefix: str | None,
    known: Set[str] = frozenset(),
) -> tuple[SessionArchive, list[str], list[str]]:
    """Copy the files the incoming answers attach (found below `folder`, a colleague's `attachments/`) into
    session `session_id`'s folder here, as `<prefix>_<name>` (or under their own name), skipping names in `known`.

    Returns the incoming archive with the new names, the copies made (to remove if storing the archive
    fails) and the names whose files were not found.
    """
    wanted = [name for r in incoming.answers for name in r.attachments if name not in known]
    renamed: dict[str, str] = {}
    copied: list[str] = []
    missing: list[str] = []
    try:
        for name in dict.fromkeys(wanted):
            parts = PurePosixPath(name).parts
            source = folder.joinpath(*parts) if folder and parts and ".." not in parts and not name.startswith("/") else None
            if source is None or not source.is_file() or source.is_symlink():
                missing.append(name)
                continue
            # The same bytes brought before (say, a merge undone and done again) are not copied twice.
            names, made = copy_or_reuse_attachments([source], service.paths.attachments_dir, session_id, prefix)
            copied += made
            renamed[name] = names[0]
    except BaseException:
        remove_attachments(service.paths.attachments_dir, copied)
        raise
    if not renamed:
        return incoming, copied, missing

    def rename(record: AnswerRecord) -> AnswerRecord:
        return record.model_copy(update={"attachments": [renamed.get(n, n) for n in record.attachments]})

    changed = incoming.model_copy(update={
        "answers": [rename(r) for r in incoming.answers],
        "history": [c.model_copy(update={"new": rename(c.new), "old": rename(c.old) if c.old else None})
                    for c in incoming.history],
    })
    return changed, copied, missing


def find_by_uid(service: SessionService, uid: str) -> Session | None:
    row = service.db.execute("select id from sessions where uid = ?", (uid,)).fetchone()
    return service.get(row[0]) if row else None


def differences(ours: SessionArchive, theirs: SessionArchive) -> list[str]:
    """What differs between two archives of one session, one short phrase each (their number aside)."""
    found: list[str] = []
    a, b = ours.session, theirs.session
    for field in type(a.header).model_fields:
        if getattr(a.header, field) != getattr(b.header, field):
            found.append(f"header {field}")
    if a.status != b.status:
        found.append(f"status {a.status.value} here, {b.status.value} in the file")
    mine = {r.question_id: r for r in ours.answers}
    other = {r.question_id: r for r in theirs.answers}
    for question in sorted(mine.keys() | other.keys()):
        if question not in other:
            found.append(f"answer {question} only here")
        elif question not in mine:
            found.append(f"answer {question} only in the file")
        elif mine[question] != other[question]:
            found.append(f"answer {question} differs")
    keyed = (
        ("decision", lambda x: {r.finding_id: r for r in x.decisions}),
        ("manual finding", lambda x: {r.finding.id: r for r in x.manual_findings}),
        ("corrective action", lambda x: {r.finding_id: r for r in x.corrective_actions}),
    )
    for label, rows_of in keyed:
        here, there = rows_of(ours), rows_of(theirs)
        found += [f"{label} {item} differs" for item in sorted(here.keys() | there.keys()) if here.get(item) != there.get(item)]
    if not found and ours.model_dump() != theirs.model_dump():
        found.append("answer history or recorded sources differ")
    return found


def _renumbered(archive: SessionArchive, number: str) -> SessionArchive:
    """The archive under another number. Attachment names start with the session's folder: they move to
    the new number's, so they never name a file of the session that holds the old number here."""
    old = f"{archive.session.id}/"

    def moved(record: AnswerRecord) -> AnswerRecord:
        names = [f"{number}/{n.removeprefix(old)}" if n.startswith(old) else n for n in record.attachments]
        return record if names == record.attachments else record.model_copy(update={"attachments": names})

    return archive.model_copy(update={
        "session": archive.session.model_copy(update={"id": number}),
        "answers": [moved(r) for r in archive.answers],
        "history": [c.model_copy(update={"new": moved(c.new), "old": moved(c.old) if c.old else None})
                    for c in archive.history],
    })


def import_archive(
    service: SessionService, archive: SessionArchive, as_new: bool = False, attachments: Path | None = None
) -> ImportOutcome:
    """Bring a session exported elsewhere into this data directory.

    Known uid: nothing to do if the content is the same, else `SessionDiffersError` listing what
    differs. `as_new` imports it as another session (a fresh uid and number) whatever is here.
    A number already used by another session here is replaced by the next free one of its year.
    `attachments` is the exporting data directory's `attachments/` folder: the files the answers name
    are copied in (an export carries only their names).
    """
    archive = SessionArchive(**{field: getattr(archive, field) for field in SessionArchive.model_fields})
    incoming = archive.session
    if not NUMBER.fullmatch(incoming.id):
        raise SessionError(f"session id {incoming.id!r} is not like 2025-003")
    if as_new:
        archive = archive.model_copy(update={"session": incoming.model_copy(update={"uid": new_uid()})})
    else:
        existing = find_by_uid(service, incoming.uid)
        if existing is not None:
            ours = read_archive(service, existing.id)
            found = differences(ours, _renumbered(archive, existing.id))
            if found:
                raise SessionDiffersError(existing.id, found)
            return ImportOutcome(session=existing, action="unchanged")
    number = incoming.id
    if service.db.execute("select 1 from sessions where id = ?", (incoming.id,)).fetchone():
        number, _ = next_number(service.db, int(NUMBER.fullmatch(incoming.id).group(1)))
    copied, missing = [], []
    if attachments is not None:
        # Looked up under the names they had where they came from, copied in under the same file names in
        # the folder of the number they get here: importing the same export again still finds it the same.
        archive, copied, missing = bring_attachments(service, number, archive, attachments, None)
    renumbered_from = None
    if number != incoming.id:
        archive, renumbered_from = _renumbered(archive, number), incoming.id
    try:
        session = restore_archive(service, archive)
    except BaseException:
        remove_attachments(service.paths.attachments_dir, copied)
        raise
    return ImportOutcome(session=session, action="imported", renumbered_from=renumbered_from,
                         attachments_copied=len(copied), missing_attachments=missing)
