"""Tidy a data directory after a killed q1audit: finish a restore, drop stale staging copies and orphan files.

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
import time
from pathlib import Path

from pydantic import BaseModel

from assistant.backup import RESTORE_MARKER, finish_interrupted_restore, referenced_attachments
from assistant.locations import DataPaths
from assistant.sessions.attachments import PARTIAL_PREFIX
from knowledge.sqlite_files import is_read_only

GRACE_S = 3600.0
"""Files younger than this may belong to a q1audit still running; the crash harness passes 0."""


class Recovery(BaseModel):
    restore_finished: bool = False
    staging_removed: int = 0
    orphans_removed: int = 0


def recover(paths: DataPaths, grace_s: float = GRACE_S) -> Recovery:
    """Bring the data directory back to a tidy state after a kill; a no-op on a read-only one."""
    root = paths.root
    if not root.is_dir() or not os.access(root, os.W_OK) or is_read_only(root / "audits.db"):
        return Recovery()
    report = Recovery(restore_finished=finish_interrupted_restore(paths))
    cutoff = time.time() - grace_s
    for staging in [*root.glob(".backup-*"), *root.glob(".restore-*")]:
        if staging.is_dir() and not staging.is_symlink() and _older(staging, cutoff) and not (root / RESTORE_MARKER).exists():
            shutil.rmtree(staging, ignore_errors=True)
            report.staging_removed += 1
    attachments = paths.attachments_dir
    if attachments.is_dir() and not attachments.is_symlink():
        referenced = None
        for folder in attachments.iterdir():
            if folder.is_symlink() or not folder.is_dir():
                continue
            for file in folder.iterdir():
                if file.is_symlink() or not file.is_file() or not _older(file, cutoff):
                    continue
                if referenced is None:
                    referenced = referenced_attachments(paths.audits_db)
                if file.name.startswith(PARTIAL_PREFIX) or file.relative_to(attachments).as_posix() not in referenced:
                    file.unlink(missing_ok=True)
                    report.orphans_removed += 1
    return report


def _older(path: Path, cutoff: float) -> bool:
    with contextlib.suppress(OSError):
        return path.stat().st_mtime <= cutoff
    return False
