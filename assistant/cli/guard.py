"""The CLI's last line of defence: disk and database trouble as one line, bad argument bytes refused, and
terminal escapes that came from data taken out of everything the CLI writes."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from knowledge.errors import Q1AuditError
from knowledge.text_safety import clean_terminal_output, clean_text

EXIT_ENVIRONMENT = 2
"""Exit code when the machine, not the user's input, stopped the command (disk full, permissions)."""


class ArgumentEncodingError(Q1AuditError):
    title = "Not UTF-8"


def checked_arguments(args: list[str]) -> list[str]:
    """The arguments as text safe to store: an argument whose bytes are not UTF-8 is refused, and
    control characters and terminal escapes are taken out of every other one, unless it names an
    existing file or folder.

    Python hands bytes that are not UTF-8 over as lone surrogates, which cannot be stored or compared as
    text; a file name from a USB stick can still be given, because the operating system takes the bytes
    back. A typed note holding ESC sequences would otherwise be stored and shown to the next reader.
    """
    checked = []
    for arg in args:
        if os.path.lexists(arg) or (os.sep in arg and os.path.isdir(os.path.dirname(arg))):
            checked.append(arg)
            continue
        if any("\ud800" <= ch <= "\udfff" for ch in arg):
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise ArgumentEncodingError(
                f"argument '{shown}' is not valid UTF-8 text; set the terminal to UTF-8 (LANG=C.UTF-8) and type it again"
            )
        checked.append(clean_text(arg))
    return checked


def _where(exc: OSError, root: Path | None) -> str:
    name = exc.filename if exc.filename is not None else root
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    return str(name) if name is not None else "the data directory"


def environment_message(exc: BaseException, root: Path | None) -> str | None:
    """One line for an error the machine caused (disk full, no permission, read-only disk), else None."""
    if isinstance(exc, OSError):
        where = _where(exc, root)
        what = {
            errno.ENOSPC: "the disk is full; free some space and run the command again (nothing was changed)",
            errno.EDQUOT: "the disk quota is used up; free some space and run the command again",
            errno.EFBIG: "the file would be larger than this system allows (ulimit -f or the file system)",
            errno.EACCES: "permission denied; check who owns it (ls -ld) or use another --data-dir",
            errno.EPERM: "operation not permitted; check who owns it (ls -ld) or use another --data-dir",
            errno.EROFS: "is on a read-only disk; copy the data directory somewhere writable for this command",
            errno.ENOENT: "no such file or folder",
            errno.ENOTDIR: "a part of this path is a file, not a folder; choose another path",
            errno.EEXIST: "already exists and is not a folder; choose another path",
            errno.EISDIR: "is a folder; give a file name",
            errno.EIO: "input/output error: the disk may be failing or was removed",
            errno.ENAMETOOLONG: "the name is too long for this file system",
        }.get(exc.errno)
        if what is None:
            what = exc.strerror or str(exc) or type(exc).__name__
        return f"{where}: {what}"
    if isinstance(exc, sqlite3.DatabaseError):
        where = str(root) if root is not None else "the data directory"
        text = str(exc)
        if "full" in text:
            what = "the disk is full; free some space and run the command again (nothing was changed)"
        elif "readonly" in text or "read-only" in text:
            what = "is read-only for this user, so this command cannot change it; use a writable copy"
        elif "unable to open" in text:
            what = "a database cannot be opened; check that the folder is yours and readable (ls -ld)"
        elif "malformed" in text or "not a database" in text:
            what = f"a database is damaged ({text}); restore the latest backup with `q1audit restore`"
        elif "disk I/O" in text:
            what = "the disk reported an error (full, removed or failing); check it and run the command again"
        elif "locked" in text or "busy" in text:
            what = "another q1audit is holding the database for too long; close it or wait, then retry"
        else:
            what = f"database error ({text})"
        return f"{where}: {what}"
    if isinstance(exc, MemoryError):
        return "out of memory; close other programs or split the input"
    return None


class CleanStream:
    """A text stream that passes through what it is given, minus terminal escapes other than colours."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(clean_terminal_output(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)
