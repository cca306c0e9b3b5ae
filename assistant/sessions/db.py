"""The audits database `audits.db`: sqlite-utils over one connection per thread, WAL, numbered migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from knowledge.sqlite_files import connect, is_read_only

BUSY_TIMEOUT_MS = 5000
"""How long a writer waits for another (the TUI and a CLI run side by side) before giving up."""


migrations = Migrations("q1audit.audits")
"""Applied in order, each once and in its own transaction; append new ones, never edit applied ones."""


@migrations()
def m001_initial(db: Database) -> None:
    db["sessions"].create(
        {
            "id": str,
            "seq": int,
            "title": str,
            "audit_type": str,
            "status": str,
            "header": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db["session_sources"].create(
        {"session_id": str, "kind": str, "name": str, "revision": str, "sha256": str},
        pk=("session_id", "kind", "name"),
        foreign_keys=[("session_id", "sessions", "id")],
    )
    db["answers"].create(
        {
            "session_id": str,
            "question_id": str,
            "record": str,
            "answered_at": str,
        },
        pk=("session_id", "question_id"),
        foreign_keys=[("session_id", "sessions", "id")],
    )
    db["answer_history"].create(
        {
            "id": int,
            "session_id": str,
            "question_id": str,
            "changed_at": str,
            "changed_by": str,
            "old": str,
            "new": str,
        },
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
    )
    db["answer_history"].create_index(["session_id", "question_id"])
    db["decisions"].create(
        {
            "session_id": str,
            "finding_id": str,
            "status": str,
            "reason": str,
            "regraded": str,
            "decided_by": str,
            "decided_at": str,
        },
        pk=("session_id", "finding_id"),
        foreign_keys=[("session_id", "sessions", "id")],
    )
    db["manual_findings"].create(
        {"session_id": str, "id": str, "seq": int, "finding": str, "created_at": str},
        pk=("session_id", "id"),
        foreign_keys=[("session_id", "sessions", "id")],
    )
    db["corrective_actions"].create(
        {"session_id": str, "finding_id": str, "action": str, "updated_at": str},
        pk=("session_id", "finding_id"),
        foreign_keys=[("session_id", "sessions", "id")],
    )


@migrations()
def m002_decision_snapshots(db: Database) -> None:
    """A decision keeps the finding as the auditor decided it, so a finding withdrawn when its answer
    changes can still be shown with the answers and the decision; `reinstated_at` marks one kept anyway."""
    db["decisions"].add_column("finding", str)
    db["decisions"].add_column("reinstated_at", str)


@migrations()
def m003_team_work(db: Database) -> None:
    """Session uids (existing sessions get one), and the record of merges and the conflicts they left."""
    from datetime import datetime

    from assistant.sessions.identity import uid_before_uids

    db["sessions"].add_column("uid", str)
    for session_id, created_at in db.execute("select id, created_at from sessions").fetchall():
        uid = uid_before_uids(session_id, datetime.fromisoformat(created_at))
        db.execute("update sessions set uid = ? where id = ?", (uid, session_id))
    db["sessions"].create_index(["uid"], unique=True)
    db["merges"].create(
        {
            "id": int,
            "session_id": str,
            "merged_at": str,
            "merged_by": str,
            "source_uid": str,
            "source_number": str,
            "source_file": str,
            "before": str,
            "incoming": str,
            "undone_at": str,
        },
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
    )
    db["merge_conflicts"].create(
        {
            "id": int,
            "merge_id": int,
            "session_id": str,
            "kind": str,
            "item": str,
            "kept": str,
            "other": str,
            "settled_by": str,
            "settled_at": str,
        },
        pk="id",
        foreign_keys=[("merge_id", "merges", "id"), ("session_id", "sessions", "id")],
    )


def open_db(path: Path) -> Database:
    """A connection to the audits database, migrated to the current schema. Use it from one thread only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(connect(path, timeout_s=BUSY_TIMEOUT_MS / 1000))
    db.execute("PRAGMA foreign_keys = ON")
    if not is_read_only(path):
        migrations.apply(db)
    return db


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """One transaction that takes the write lock at its start.

    sqlite-utils' `atomic()` begins a deferred transaction; with the TUI and a CLI writing at once, a
    deferred read that later tries to write can fail at once instead of waiting its turn.
    """
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.execute("COMMIT")
