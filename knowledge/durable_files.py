"""Files that survive a power cut: copy, fsync the file, rename, fsync the folder.

A rename is atomic for a killed process, but after a power cut the disk may hold the new name with
no data behind it, unless the file's data was synced before the rename and the folder's entry after
it. Each copy q1audit keeps (imported documents, attachments) goes through here before the database
row that names it commits.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make a folder's entries (a new or renamed file) durable; a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # Windows: NTFS journals the rename itself
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_to_fd(source: Path, fd: int) -> None:
    """Copy `source` into the open file `fd` (closing it) and sync its data to the disk."""
    with os.fdopen(fd, "wb") as out, Path(source).open("rb") as src:
        shutil.copyfileobj(src, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())


def create_private(path: Path) -> None:
    """Create `path` empty and readable by its owner only, so whatever writes it next by name keeps that
    mode (reports and matrices are as confidential as the audit data, wherever `-o` puts them)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600))


def make_folder(folder: Path) -> None:
    """Create `folder` (and missing parents) 0700; each new entry is synced into its parent, so a file
    made durable inside it is not lost with a folder entry that never reached the disk."""
    folder = Path(folder)
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        try:
            new.mkdir(mode=0o700)
        except FileExistsError:
            continue  # made meanwhile by another q1audit, which syncs it
        fsync_dir(new.parent)
