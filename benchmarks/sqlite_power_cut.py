"""A fault-injecting SQLite VFS: what SQLite's own files would hold after a power cut now.

Registered (through ctypes) in the very libsqlite3 that Python's `sqlite3` module uses, as the default
VFS, so every connection q1audit opens in this process goes through it unchanged. It passes each call to
SQLite's own `unix` VFS and records, for the main database files, journals and write-ahead logs, every
write and truncation since the file's last `xSync`, with the bytes each overwrote. `durable_image()`
rebuilds a file as a power cut would leave it: everything up to its last `xSync`, plus a chosen subset
of the later writes, each whole or not at all (a disk may write back any of them, in any order).

What it does not model: a write torn inside itself (SQLite assumes powersafe overwrite, and so do we);
the folder entries of SQLite's files (the unix VFS syncs the folder when it first syncs a new journal or
log, which is inside SQLite and not seen here: a SQLite file counts as named once it was synced or if
it existed when the writer started); a deleted log coming back; the shared-memory index, which SQLite
rebuilds from the log when the first connection opens after a crash.

Linux only (it reads /proc/self/maps to find the library). It refuses to start when `sqlite3` is built
into Python statically, where a VFS registered here would never be used.
"""

from __future__ import annotations

import ctypes
import os
import random
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SQLITE_OK = 0
SQLITE_IOERR = 10
# The files whose loss matters: the database itself, its rollback journal and its write-ahead log.
TRACKED = 0x00000100 | 0x00000800 | 0x00080000  # SQLITE_OPEN_MAIN_DB | MAIN_JOURNAL | WAL
NAME = b"q1audit-power-cut"
_KEEP_ALIVE: list[PowerCutVfs] = []

_xOpen = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int,
                          ctypes.POINTER(ctypes.c_int))
_xDelete = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)
_xClose = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)
_xWrite = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_int64)
_xTruncate = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int64)
_xSync = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int)


class _Vfs(ctypes.Structure):
    _fields_ = [("iVersion", ctypes.c_int), ("szOsFile", ctypes.c_int), ("mxPathname", ctypes.c_int),
                ("pNext", ctypes.c_void_p), ("zName", ctypes.c_char_p), ("pAppData", ctypes.c_void_p),
                ("xOpen", ctypes.c_void_p), ("xDelete", ctypes.c_void_p)] + [
        (name, ctypes.c_void_p) for name in (
            "xAccess", "xFullPathname", "xDlOpen", "xDlError", "xDlSym", "xDlClose", "xRandomness", "xSleep",
            "xCurrentTime", "xGetLastError", "xCurrentTimeInt64", "xSetSystemCall", "xGetSystemCall",
            "xNextSystemCall")]


class _IoMethods(ctypes.Structure):
    _fields_ = [("iVersion", ctypes.c_int)] + [
        (name, ctypes.c_void_p) for name in (
            "xClose", "xRead", "xWrite", "xTruncate", "xSync", "xFileSize", "xLock", "xUnlock",
            "xCheckReservedLock", "xFileControl", "xSectorSize", "xDeviceCharacteristics", "xShmMap",
            "xShmLock", "xShmBarrier", "xShmUnmap", "xFetch", "xUnfetch")]


class _File(ctypes.Structure):
    _fields_ = [("pMethods", ctypes.POINTER(_IoMethods))]


@dataclass
class FileState:
    """One SQLite file (by inode): its size at the last sync and every change since, in order."""

    path: Path
    synced_size: int
    named: bool
    """Whether its folder entry is on the disk: it existed at open, or it has been synced since."""
    changes: list[tuple[str, int, bytes, bytes]] = field(default_factory=list)
    """("write", offset, old bytes, new bytes) or ("truncate", new size, cut-off tail, b"")."""
    handles: int = 0
    reader: int = -1

    def durable_image(self, keep: Callable[[], bool]) -> bytes:
        """The file after a power cut now: as of its last sync, plus the later changes `keep` picks."""
        with open(self.path, "rb") as handle:
            image = bytearray(handle.read())
        for _kind, at, old, _new in reversed(self.changes):
            _put(image, at, old)  # a truncation's tail goes back where it was cut off
        del image[self.synced_size:]
        image.extend(bytes(self.synced_size - len(image)))
        for kind, at, _old, new in self.changes:
            if keep():
                if kind == "write":
                    _put(image, at, new)
                else:
                    del image[at:]
        return bytes(image)


def _put(image: bytearray, at: int, data: bytes) -> None:
    if len(image) < at + len(data):
        image.extend(bytes(at + len(data) - len(image)))
    image[at:at + len(data)] = data


class PowerCutVfs:
    """The `unix` VFS with every unsynced write to SQLite's files recorded (see the module doc).

    `on_event` is called before each write, truncation and sync is passed on: the harness uses it to
    cut the power at a chosen moment (the call it interrupts never happens).
    """

    def __init__(self, on_event: Callable[[], None] = lambda: None):
        self.on_event = on_event
        self.opened = 0
        """Files opened through this VFS (the check that Python's sqlite3 uses it)."""
        self.files: dict[tuple[int, int], FileState] = {}
        self._open: dict[int, tuple[tuple[int, int], _IoMethods]] = {}
        """Address of an open sqlite3_file -> its inode and the unix VFS's methods for it."""
        self._methods: dict[int, tuple[_IoMethods, _IoMethods]] = {}
        """Address of the unix VFS's methods -> (them, our copy with four of them wrapped)."""
        self._lib = _shared_libsqlite3()
        self._lib.sqlite3_vfs_find.restype = ctypes.POINTER(_Vfs)
        self._lib.sqlite3_vfs_find.argtypes = [ctypes.c_char_p]
        unix = self._lib.sqlite3_vfs_find(None).contents
        self._vfs = _Vfs()
        ctypes.memmove(ctypes.byref(self._vfs), ctypes.byref(unix), ctypes.sizeof(_Vfs))  # same app data and helpers
        self._vfs.zName = NAME
        self._vfs.pNext = None
        self._real_open = _xOpen(unix.xOpen)
        self._real_delete = _xDelete(unix.xDelete)
        # ctypes callbacks must outlive SQLite's use of them, even after close(): kept for the process's life.
        _KEEP_ALIVE.append(self)
        self._callbacks = [_xOpen(self._x_open), _xDelete(self._x_delete), _xClose(self._x_close),
                           _xWrite(self._x_write), _xTruncate(self._x_truncate), _xSync(self._x_sync)]
        self._vfs.xOpen = ctypes.cast(self._callbacks[0], ctypes.c_void_p)
        self._vfs.xDelete = ctypes.cast(self._callbacks[1], ctypes.c_void_p)
        if self._lib.sqlite3_vfs_register(ctypes.byref(self._vfs), 1) != SQLITE_OK:
            raise RuntimeError("SQLite refused the power-cut VFS")
        self._check_used()

    def _check_used(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            probe = sqlite3.connect(os.path.join(tmp, "probe.db"))
            try:
                probe.execute("create table t (x)")
            finally:
                probe.close()
        if not self.opened:
            raise RuntimeError("Python's sqlite3 does not use the shared libsqlite3: a power cut cannot be simulated")
        self.files.clear()

    def close(self) -> None:
        """Stop being the default VFS (connections opened through it must be closed first)."""
        self._lib.sqlite3_vfs_unregister(ctypes.byref(self._vfs))

    # --- the calls SQLite makes ------------------------------------------------------------------

    def _x_open(self, vfs, name, file, flags, out_flags) -> int:
        rc = self._real_open(vfs, name, file, flags, out_flags)
        if rc != SQLITE_OK or not name or not flags & TRACKED:
            return rc
        try:
            path = Path(ctypes.string_at(name).decode())
            st = os.stat(path)
            key = (st.st_dev, st.st_ino)
            state = self.files.get(key)
            if state is None:
                # Anything SQLite finds when it opens a file was there before this writer: on the disk.
                state = self.files[key] = FileState(path, st.st_size, named=st.st_size > 0)
            if state.handles == 0:
                state.reader = os.open(path, os.O_RDONLY)
            state.handles += 1
            handle = ctypes.cast(file, ctypes.POINTER(_File)).contents
            real = ctypes.addressof(handle.pMethods.contents)
            if real not in self._methods:
                ours = _IoMethods()
                ctypes.memmove(ctypes.byref(ours), handle.pMethods, ctypes.sizeof(_IoMethods))
                ours.xClose, ours.xWrite, ours.xTruncate, ours.xSync = (
                    ctypes.cast(c, ctypes.c_void_p) for c in self._callbacks[2:])
                self._methods[real] = (handle.pMethods.contents, ours)
            self._open[file] = (key, self._methods[real][0])
            handle.pMethods = ctypes.pointer(self._methods[real][1])
            self.opened += 1
            return rc
        except Exception:  # noqa: BLE001 - an exception must not cross into C
            return SQLITE_IOERR

    def _x_delete(self, vfs, name, sync_dir) -> int:
        try:
            path = os.stat(ctypes.string_at(name).decode())
            self.files.pop((path.st_dev, path.st_ino), None)
        except OSError:
            pass
        return self._real_delete(vfs, name, sync_dir)

    def _x_close(self, file) -> int:
        try:
            key, real = self._open.pop(file)
            state = self.files.get(key)
            if state is not None:
                state.handles -= 1
                if state.handles == 0:
                    os.close(state.reader)
            return _xClose(real.xClose)(file)
        except Exception:  # noqa: BLE001
            return SQLITE_IOERR

    def _x_write(self, file, data, amount, offset) -> int:
        try:
            self.on_event()
            key, real = self._open[file]
            state = self.files[key]
            old = os.pread(state.reader, amount, offset)
            state.changes.append(("write", offset, old, ctypes.string_at(data, amount)))
            return _xWrite(real.xWrite)(file, data, amount, offset)
        except Exception:  # noqa: BLE001
            return SQLITE_IOERR

    def _x_truncate(self, file, size) -> int:
        try:
            self.on_event()
            key, real = self._open[file]
            state = self.files[key]
            state.changes.append(("truncate", size, os.pread(state.reader, 1 << 40, size), b""))
            return _xTruncate(real.xTruncate)(file, size)
        except Exception:  # noqa: BLE001
            return SQLITE_IOERR

    def _x_sync(self, file, flags) -> int:
        try:
            self.on_event()
            key, real = self._open[file]
            rc = _xSync(real.xSync)(file, flags)
            if rc == SQLITE_OK:
                state = self.files[key]
                state.synced_size = os.fstat(state.reader).st_size
                state.changes.clear()
                if not state.named:
                    # The unix VFS syncs the folder the first time it syncs a new log or journal, which
                    # makes every name in that folder durable (the database's own, if it is new, too).
                    for other in self.files.values():
                        other.named = other.named or other.path.parent == state.path.parent
            return rc
        except Exception:  # noqa: BLE001
            return SQLITE_IOERR

    # --- the image -------------------------------------------------------------------------------

    def state_of(self, path: Path) -> FileState | None:
        """The recorded state of a SQLite file, or None if SQLite has not opened it here."""
        try:
            st = os.stat(path, follow_symlinks=False)
        except OSError:
            return None
        return self.files.get((st.st_dev, st.st_ino))


def random_keep(rng: random.Random) -> Callable[[], bool]:
    """Which unsynced writes reached the disk: none (half the cuts), or each with a random chance."""
    chance = 0.0 if rng.random() < 0.5 else rng.random()
    return lambda: rng.random() < chance


def _shared_libsqlite3() -> ctypes.CDLL:
    with open("/proc/self/maps") as maps:
        for line in maps:
            if "libsqlite3" in line:
                return ctypes.CDLL(line.split()[-1])
    raise RuntimeError("Python's sqlite3 is not linked to a shared libsqlite3: a power cut cannot be simulated")
