"""Copy files attached to answers into the data directory under safe names, never through a symlink."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from assistant.sessions.errors import AttachmentError

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
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Someone may have replaced the folder with a link; writing through it would leave the data directory.
    if folder.is_symlink() or folder.resolve().parent != attachments_dir.resolve():
        raise AttachmentError(f"{folder}: is not a plain folder inside the data directory")
    return folder


def _copy_new(source: Path, folder: Path, name: str) -> Path:
    stem, suffix = os.path.splitext(name)
    for n in range(1, 1000):
        target = folder / (name if n == 1 else f"{stem}-{n}{suffix}")
        try:
            # O_EXCL refuses an existing file and O_NOFOLLOW a planted symlink: we only ever create new files.
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out)
        return target
    raise AttachmentError(f"{source}: too many attachments named {name!r}")


def copy_attachments(sources: Iterable[Path], attachments_dir: Path, session_id: str, prefix: str) -> list[str]:
    """Copy each file into `attachments_dir/session_id/` as `<prefix>_<safe name>`.

    Returns the new files' paths relative to `attachments_dir` (what answers store). If one copy fails,
    the ones already made are removed again.
    """
    sources = [check_source(Path(s)) for s in sources]
    if not sources:
        return []
    folder = _session_folder(attachments_dir, session_id)
    made: list[Path] = []
    try:
        for source in sources:
            made.append(_copy_new(source, folder, safe_name(f"{prefix}_{source.name}")))
    except BaseException:
        remove_attachments(attachments_dir, [str(p.relative_to(attachments_dir)) for p in made])
        raise
    return [p.relative_to(attachments_dir).as_posix() for p in made]


def remove_attachments(attachments_dir: Path, names: Iterable[str]) -> None:
    """Undo copies whose answers could not be stored."""
    for name in names:
        (attachments_dir / name).unlink(missing_ok=True)
