"""Power-loss model for the crash harness: what would be on the disk if the power went now.

A SIGKILL loses only what a process had not handed to the kernel; a power cut also loses what the
kernel had not written out. POSIX promises a file's data only after `fsync` of the file, and a new or
renamed name only after `fsync` of its folder. This model follows q1audit's own file operations in the
writing process (the harness child): `os.fsync` on a file records the content it made durable, on a
folder the names it made durable; `os.replace` and `os.rename` keep the file they replace (a link
outside the data directory), because until its folder is synced the old name may still lead to it.

Two uses. At each acknowledgement the child asks `durable()` whether every file the acknowledged
write names would survive a power cut at that moment, through every folder up to the data directory.
And `write_image()` writes the whole data directory as a power cut now would leave it: only names
their folder's last sync made durable (removals count as durable at once), a file's content only if
its last sync made it durable (else it is empty, as on a disk that had not written its data), and
SQLite's files as the fault-injecting VFS (`benchmarks/sqlite_power_cut.py`) rebuilds them: as of
their last sync, plus a random subset of the writes after it. The harness then recovers from that image.

A fault is caught: without the `fsync` of an attachment copy, of its folder, or of a newly made
session folder, acknowledgements are reported as not durable; with `synchronous=NORMAL` the image
lacks acknowledged commits. Assumed, not modelled: q1audit changes none of its own files in place
(each is written once, under a temporary name), so a file present when the writer started is whole.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from benchmarks.sqlite_power_cut import PowerCutVfs

BASELINE = "on the disk when the writer started"


class PowerLossModel:
    """Durable contents and names below `root`, updated by wrapping `os.fsync`, `os.replace` and
    `os.rename`; `on_event` is called before each of them (and can cut the power there)."""

    def __init__(self, root: Path, stash: Path | None = None, on_event: Callable[[], None] = lambda: None):
        self.root = Path(root).resolve()
        self.stash = stash
        """Where files replaced by a rename are kept (None: not kept, no image can be written)."""
        self.replaced: dict[tuple[int, int], Path] = {}
        self.on_event = on_event
        self.contents: dict[tuple[int, int], str] = {}
        """(device, inode) of a file -> sha256 of what its last fsync made durable."""
        self.names: dict[tuple[int, int], dict[str, tuple[int, int]]] = {}
        """(device, inode) of a folder -> its names (and their inodes) as of its last fsync."""
        self._baseline()
        self._real_fsync, self._real_replace, self._real_rename = os.fsync, os.replace, os.rename
        os.fsync = self._fsync
        os.replace = lambda src, dst, **kw: self._rename(self._real_replace, src, dst, **kw)
        os.rename = lambda src, dst, **kw: self._rename(self._real_rename, src, dst, **kw)

    def uninstall(self) -> None:
        """Put back the functions the model wraps."""
        os.fsync, os.replace, os.rename = self._real_fsync, self._real_replace, self._real_rename

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

    def _rename(self, real: Callable, src, dst, **kw) -> None:
        self.on_event()
        target = Path(dst)
        if self.stash is not None and target.is_file() and self.root in target.resolve().parents:
            key = _key(target)
            if key not in self.replaced:
                self.stash.mkdir(parents=True, exist_ok=True)
                self.replaced[key] = self.stash / f"{key[0]}-{key[1]}"
                os.link(target, self.replaced[key])
        real(src, dst, **kw)

    def _fsync(self, fd: int) -> None:
        self.on_event()
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


    def write_image(self, target: Path, sqlite: PowerCutVfs, keep: Callable[[], bool]) -> None:
        """Write to `target` (new) the data directory as a power cut now would leave it (see the module doc)."""
        self._image(self.root, Path(target), sqlite, keep)

    def _image(self, folder: Path, target: Path, sqlite: PowerCutVfs, keep: Callable[[], bool]) -> None:
        target.mkdir()
        entries = dict(self.names.get(_key(folder), {}))
        for name in os.listdir(folder):  # SQLite's files are named as the VFS saw them synced
            state = sqlite.state_of(folder / name)
            if state is not None and state.named:
                entries.setdefault(name, _key(folder / name))
        for name, key in entries.items():
            path = folder / name
            found = path if path.exists() and _key(path) == key else self.replaced.get(key)
            if found is None:
                continue  # removed since: a removal counts as durable at once
            out = target / name
            if found.is_dir():
                self._image(found, out, sqlite, keep)
            elif (state := sqlite.state_of(found)) is not None:
                out.write_bytes(state.durable_image(keep))
            elif self.contents.get(key) in (BASELINE, _sha256(found)):
                os.link(found, out)  # whole on the disk, and never changed in place: share it
            else:
                out.write_bytes(b"")  # its data had not been synced


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
