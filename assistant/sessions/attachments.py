"""Copy files attached to answers into the data directory under safe names, never through a symlink."""

from __future__ import annotations

import glob
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from assistant.sessions.errors import AttachmentError
from knowledge.durable_files import copy_to_fd, fsync_dir, make_folder
from knowledge.hashing import file_sha256

MAX_NAME = 100


def safe_name(name: str) -> str:
    """A file name with only letters, digits, `.`, `_` and `-`, no leading dot, at most MAX_NAME characters."""
    stem, suffix = os.path.splitext(Path(name).name)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-") or "attachment"
    suffix = re.sub(r"[^A-Za-z0-9]+", "", suffix)[:10]
    suffix = f".{suffix.lower()}" if suffix else ""
    return stem[: MAX_NAME - len(suffix)] + suffix


def check_source(path: Path) -> Path:
    """The path of a regular file that may be attached; AttachmentError naming it otherwise."""
    # A symlink could point anywhere (a key file, another user's data): attach the file itself.
    if path.is_symlink():
        raise AttachmentError(f"{path}: is a symbolic link; attach the file it points to instead")
    if not path.is_file():
        raise AttachmentError(f"{path}: no such file")
    if not os.access(path, os.R_OK):
        raise AttachmentError(f"{path}: not readable")
    return path


def _session_folder(attachments_dir: Path, session_id: str) -> Path:
    if attachments_dir.is_symlink():
        raise AttachmentError(f"{attachments_dir}: is a symbolic link; attachments stay inside the data directory")
    folder = attachments_dir / session_id
    make_folder(folder)
    # Someone may have replaced the folder with a link; writing through it would leave the data directory.
    if folder.is_symlink() or folder.resolve().parent != attachments_dir.resolve():
        raise AttachmentError(f"{folder}: is not a plain folder inside the data directory")
    return folder


def _copy_new(source: Path, folder: Path, name: str) -> Path:
    """Copy to a hidden partial file, sync it, then link it under the first free name: a file under an
    attachment's name is always whole, after a kill or a power cut."""
    stem, suffix = os.path.splitext(name)
    fd, partial = tempfile.mkstemp(prefix=PARTIAL_PREFIX, dir=folder)
    try:
        copy_to_fd(source, fd)
        for n in range(1, 1000):
            target = folder / (name if n == 1 else f"{stem}-{n}{suffix}")
            try:
                # link() refuses an existing name, a planted symlink included: we only ever create new files.
                _claim(partial, target)
            except FileExistsError:
                continue
            fsync_dir(folder)
            return target
    finally:
        Path(partial).unlink(missing_ok=True)
    raise AttachmentError(f"{source}: too many attachments named {name!r}")


def _claim(partial: str, target: Path) -> None:
    """Give the finished copy `target`'s name, only if no file has it (FileExistsError otherwise)."""
    try:
        os.link(partial, target)
    except FileExistsError:
        raise
    except OSError:
        # No hard links here (FAT or exFAT on a USB stick): take the name with an empty file first, then
        # rename the copy over it. A kill in between leaves an empty file no answer names, swept later.
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600))
        os.replace(partial, target)


PARTIAL_PREFIX = ".partial-"
"""Copies under way; one left by a killed process is removed by `assistant.recovery`."""


def _same_file(source: Path, folder: Path, name: str) -> Path | None:
    """An attachment of this question in the folder with the same bytes (a reloaded answers file)."""
    stem, suffix = os.path.splitext(name)
    size = source.stat().st_size
    digest = None
    for candidate in sorted(folder.glob(f"{glob.escape(stem)}*{glob.escape(suffix)}")):
        if candidate.is_symlink() or not candidate.is_file() or candidate.stat().st_size != size:
            continue
        digest = digest or file_sha256(source)
        if file_sha256(candidate) == digest:
            return candidate
    return None


def copy_or_reuse_attachments(
    sources: Iterable[Path], attachments_dir: Path, session_id: str, prefix: str | None
) -> tuple[list[str], list[str]]:
    """Copy each file into `attachments_dir/session_id/` as `<prefix>_<safe name>` (without a prefix: its
    own safe name), unless a file with
    the same bytes is already attached to this question there (a reloaded answers file): then its
    name is reused. Returns (every name, relative to `attachments_dir`, as answers store them; the
    names of new copies only, which alone may be removed if the answers cannot be stored). If one copy
    fails, the new ones already made are removed again."""
    sources = [check_source(Path(s)) for s in sources]
    if not sources:
        return [], []
    folder = _session_folder(attachments_dir, session_id)
    names: list[str] = []
    made: list[str] = []
    try:
        for source in sources:
            name = safe_name(f"{prefix}_{source.name}" if prefix else source.name)
            existing = _same_file(source, folder, name)
            path = existing or _copy_new(source, folder, name)
            relative = path.relative_to(attachments_dir).as_posix()
            names.append(relative)
            if existing is None:
                made.append(relative)
    except BaseException:
        remove_attachments(attachments_dir, made)
        raise
    return list(dict.fromkeys(names)), made


def remove_attachments(attachments_dir: Path, names: Iterable[str]) -> None:
    """Undo copies whose answers could not be stored."""
    for name in names:
        (attachments_dir / name).unlink(missing_ok=True)
