"""Open q1audit's SQLite files one way: durable (WAL, synchronous=FULL) when writable, read-only when not.

`synchronous=FULL` makes every commit wait until the write-ahead log is on the disk, so a write that
q1audit reported done survives a power cut, not only a killed process (NORMAL in WAL mode may lose
the last commits on power loss; benchmarks/crash_harness.py --power-loss measures it). A database whose
file or folder the user cannot write (a reviewer's read-only copy, a CD, another user's folder) is
opened read-only instead: no migration, no journal-mode change, so commands that only read still work.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def is_read_only(path: Path) -> bool:
    """Whether an existing database file, or the folder it needs for its journal, cannot be written."""
    path = Path(path)
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def connect(path: Path, timeout_s: float) -> sqlite3.Connection:
    """A connection with a busy timeout; in WAL mode with synchronous=FULL, or read-only (see module doc)."""
    path = Path(path)
    if is_read_only(path):
        wal = path.with_name(path.name + "-wal")
        # Without a write-ahead log everything is in the main file, and `immutable` lets SQLite read it
        # without creating the shared-memory file it would otherwise need beside it.
        immutable = "" if wal.exists() and wal.stat().st_size else "&immutable=1"
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro{immutable}", uri=True, timeout=timeout_s)
        conn.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
        return conn
    conn = sqlite3.connect(str(path), timeout=timeout_s)
    conn.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = wal")
    conn.execute("PRAGMA synchronous = FULL")
    return conn

