"""Power-loss model for the crash harness: what would be on the disk if the power went now.

A SIGKILL loses only what a process had not handed to the kernel; a power cut also loses what the
kernel had not written out. POSIX promises a file's data only after `fsync` of the file, and a new or
renamed name only after `fsync` of its folder. This model follows q1audit's own file operations in the
writing process (the harness child): `os.fsync` on a file records the content it made durable, on a
folder the names it made durable. At each acknowledgement the child asks the model whether every file
the acknowledged write names would survive a power cut at that moment, with the content acknowledged,
through every folder above it up to the data directory. SQLite files are not followed here: SQLite
syncs its own log, and the harness checks instead that every connection commits with
`synchronous=FULL` (or EXTRA) in WAL mode, the setting under which SQLite promises the same.

A fault is caught: without the `fsync` of an attachment copy, of its folder, or of a newly made
session folder, or with `synchronous=NORMAL` or `OFF`, acknowledgements are reported as not durable.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

FULL = 2
BASELINE = "on the disk when the writer started"


class PowerLossModel:
    """Durable contents and names below `root`, updated by wrapping `os.fsync`."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.contents: dict[tuple[int, int], str] = {}
        """(device, inode) of a file -> sha256 of what its last fsync made durable."""
        self.names: dict[tuple[int, int], dict[str, tuple[int, int]]] = {}
        """(device, inode) of a folder -> its names (and their inodes) as of its last fsync."""
        self._baseline()
        self._real_fsync = os.fsync
        os.fsync = self._fsync

    def _baseline(self) -> None:
        # What was there when the writer started counts as on the disk (the harness starts it after
        # the previous one's state was checked).
        for current, dirs, files in os.walk(self.root):
            here = Path(current)
            st = here.stat()
            self.names[(st.st_dev, st.st_ino)] = {
                name: _key(here / name) for name in [*dirs, *files] if (here / name).exists()
            }
            for name in files:
                self.contents[_key(here / name)] = BASELINE
        for parent in self.root.parents:  # the data directory's own entry is not q1audit's to make
            st = parent.stat()
            self.names.setdefault((st.st_dev, st.st_ino), {})

    def _fsync(self, fd: int) -> None:
        self._real_fsync(fd)
        st = os.fstat(fd)
        key = (st.st_dev, st.st_ino)
        path = Path(os.readlink(f"/proc/self/fd/{fd}"))
        if os.path.isdir(path):
            self.names[key] = {name: _key(path / name) for name in os.listdir(path) if (path / name).exists()}
        elif path.suffix not in (".db", ".db-wal", ".db-shm"):
            try:
                self.contents[key] = _sha256_fd(fd)
            except OSError:  # opened write-only: read it through its name
                self.contents[key] = _sha256(Path(f"/proc/self/fd/{fd}"))

    def durable(self, path: Path, sha256: str) -> str | None:
        """None if `path` would hold `sha256` after a power cut now; else why not."""
        path = Path(path).resolve()
        synced = self.contents.get(_key(path))
        if synced == BASELINE:
            synced = _sha256(path)
        if synced != sha256:
            return f"{path.name}: its content was not synced"
        child = path
        for folder in path.parents:
            entries = self.names.get(_key(folder))
            if entries is None or entries.get(child.name) != _key(child):
                return f"{path.relative_to(self.root)}: the entry {child.name!r} in {folder.name}/ was not synced"
            if folder == self.root:
                return None
            child = folder
        return None


def sqlite_durability(conn: sqlite3.Connection) -> str | None:
    """None if commits on `conn` are durable after a power cut; else the setting that makes them not."""
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    level = conn.execute("PRAGMA synchronous").fetchone()[0]
    if level < FULL:
        return f"synchronous={['OFF', 'NORMAL'][level]} in {mode} mode"
    return None


def _key(path: Path) -> tuple[int, int]:
    st = os.stat(path, follow_symlinks=False)
    return st.st_dev, st.st_ino


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _sha256_fd(fd: int) -> str:
    digest = hashlib.sha256()
    offset = 0
    while block := os.pread(fd, 1 << 20, offset):
        digest.update(block)
        offset += len(block)
    return digest.hexdigest()
