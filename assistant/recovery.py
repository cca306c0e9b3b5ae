"""Tidy a data directory after a killed q1audit: finish a restore or a `kb use`, drop stale staging copies,
a killed index build's temporary files, and orphan files.

Run at the start of every CLI command (and so before the TUI opens). What it removes is never
evidence: a staging folder of a backup or restore that is no longer running, a half-made attachment
copy, or an attachment copy that no answer names (its answers were never committed). Files younger
than `grace_s` are left alone, because another q1audit may be between copying a file and committing
the answer that names it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from pydantic import BaseModel

from assistant.backup import RESTORE_MARKER, finish_interrupted_restore, referenced_attachments
from assistant.kb_pack import PACK_STAGING, USE_IN_PROGRESS, USE_STAGING, finish_interrupted_use
from assistant.locations import DataPaths
from assistant.sessions.attachments import PARTIAL_PREFIX
from index.leftovers import leftovers
from knowledge.durable_files import STALE_AFTER_S
from knowledge.sqlite_files import is_read_only

GRACE_S = STALE_AFTER_S
"""Files younger than this may belong to a q1audit still running; the crash harness passes 0."""


class Recovery(BaseModel):
    restore_finished: bool = False
    kb_use_finished: bool = False
    staging_removed: int = 0
    orphans_removed: int = 0


def recover(paths: DataPaths, grace_s: float = GRACE_S) -> Recovery:
    """Bring the data directory back to a tidy state after a kill; a no-op on a read-only one."""
    root = paths.root
    if not root.is_dir() or not os.access(root, os.W_OK) or is_read_only(root / "audits.db"):
        return Recovery()
    report = Recovery(restore_finished=finish_interrupted_restore(paths), kb_use_finished=finish_interrupted_use(paths))
    cutoff = time.time() - grace_s
    for staging in [*root.glob(".backup-*"), *root.glob(".restore-*"), *root.glob(f"{PACK_STAGING}*"),
                    *root.glob(f"{USE_STAGING}*")]:
        unfinished = (root / RESTORE_MARKER).exists() or (root / USE_IN_PROGRESS).exists()
        if staging.is_dir() and not staging.is_symlink() and _older(staging, cutoff) and not unfinished:
            shutil.rmtree(staging, ignore_errors=True)
            report.staging_removed += 1
    for leftover in leftovers(paths.index_dir):  # a build killed while saving
        if _older(leftover, cutoff):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
            report.staging_removed += 1
    attachments = paths.attachments_dir
    if attachments.is_dir() and not attachments.is_symlink():
        files = [f for folder in attachments.iterdir() if folder.is_dir() and not folder.is_symlink()
                 for f in folder.iterdir()]
        report.orphans_removed += _remove_unnamed(
            attachments, files, cutoff, lambda: referenced_attachments(_existing(paths.audits_db))
        )
    documents = paths.documents_dir
    if documents.is_dir() and not documents.is_symlink():
        # A kill between a copy's rename and its row's commit leaves a copy no document row names.
        report.orphans_removed += _remove_unnamed(
            documents, list(documents.iterdir()), cutoff, lambda: _stored_documents(_existing(paths.knowledge_db))
        )
    return report


def _remove_unnamed(base: Path, files: list[Path], cutoff: float, named: Callable[[], set[str]]) -> int:
    """Remove the old enough partial copies, and copies no row names (`named` is asked only if needed)."""
    removed = 0
    names: set[str] | None = None
    for file in files:
        if file.is_symlink() or not file.is_file() or not _older(file, cutoff):
            continue
        if names is None:
            try:
                names = named()
            except sqlite3.DatabaseError:
                return removed  # a damaged database names nothing for sure: remove nothing
        if file.name.startswith(PARTIAL_PREFIX) or ".partial" in file.name \
                or file.relative_to(base).as_posix() not in names:
            file.unlink(missing_ok=True)
            removed += 1
    return removed


def _stored_documents(knowledge_db: Path) -> set[str]:
    with closing(sqlite3.connect(f"{knowledge_db.absolute().as_uri()}?mode=ro", uri=True, timeout=10)) as conn:
        return {r[0] for r in conn.execute("select stored_name from documents where stored_name is not null")}


def _existing(database: Path) -> Path:
    # Without its database (moved away, not yet restored) no file can be judged an orphan.
    if not database.exists():
        raise sqlite3.DatabaseError(f"{database.name} is missing")
    return database


def _older(path: Path, cutoff: float) -> bool:
    with contextlib.suppress(OSError):
        return path.stat().st_mtime <= cutoff
    return False
