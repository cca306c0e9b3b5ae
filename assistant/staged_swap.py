"""Swapping a checked, staged copy into the data directory so that a kill part-way is finished, not half-done.

A restore and `kb use` both unpack and check everything in a staging folder first, then write a note naming
it, then swap databases and folders in. Every step can run again, so whoever finds the note (the command
itself, or the next q1audit after a kill) rolls the swap forward to the end.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: one q1audit at a time swaps there
    fcntl = None

from knowledge.durable_files import fsync_dir

BUSY_TIMEOUT_S = 10


def connect_live(path: Path) -> sqlite3.Connection:
    """A connection to a live database that waits for other q1audit processes rather than failing."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
    return conn


@contextmanager
def exclusive(lock_path: Path) -> Iterator[None]:
    """An exclusive lock held by this process (where the system has `flock`)."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def restore_database(staged: Path, live: Path) -> None:
    """Overwrite the live database through SQLite (its WAL and locks are honoured), or empty it."""
    with closing(sqlite3.connect(str(staged) if staged.exists() else ":memory:")) as src, closing(connect_live(live)) as dst:
        src.backup(dst)
    os.chmod(live, 0o600)


def replace_folder(staged: Path, live: Path) -> None:
    """Swap the staged folder in by renames; at every moment `live` or its `.old` copy exists."""
    old = live.with_name(f".{live.name}.old")
    if staged.is_dir():
        if live.is_symlink():
            live.unlink()
        elif live.exists():
            shutil.rmtree(old, ignore_errors=True)
            live.rename(old)
        staged.rename(live)
        fsync_dir(live.parent)
    elif not live.exists():
        live.mkdir(mode=0o700)
    shutil.rmtree(old, ignore_errors=True)


def write_durably(path: Path, data: bytes) -> None:
    fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
    fsync_dir(path.parent)


def roll_forward(root: Path, note_name: str, lock_name: str, prefix: str, swap: Callable[[Path], None]) -> bool:
    """Finish the swap whose note `note_name` names a staging folder (every step of `swap` can run again);
    True if there was one. One finisher at a time: the command itself, or a q1audit start after a kill."""
    note = root / note_name
    if not note.exists():
        return False
    with exclusive(root / lock_name):
        try:
            staging = root / note.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return False  # the other one finished it
        if staging.parent != root or not staging.name.startswith(prefix) or not staging.is_dir():
            note.unlink()  # everything was moved in before the staging copy went
            return True
        swap(staging)
        note.unlink()
        fsync_dir(root)
        shutil.rmtree(staging, ignore_errors=True)
    return True
