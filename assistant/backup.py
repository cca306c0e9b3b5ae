"""Back up a data directory into one archive file, and restore it: databases, documents and attachments."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ValidationError

from assistant.locations import DataPaths
from assistant.staged_swap import connect_live, replace_folder, restore_database, roll_forward, write_durably
from knowledge.durable_files import remove_stale_partials
from knowledge.errors import Q1AuditError
from knowledge.hashing import file_sha256
from knowledge.input_limits import BACKUP_MANIFEST

FORMAT = "q1audit-backup/1"
MANIFEST = "manifest.json"
DATABASES = ("audits.db", "knowledge.db")
FOLDERS = ("documents", "attachments")
"""Copied file by file. The index is left out (a cache, rebuilt from knowledge.db) and so are exports."""



class BackupError(Q1AuditError):
    title = "Backup"


class BackupFile(BaseModel):
    name: str
    """Path inside the archive and below the data directory, with `/` separators."""
    size: int
    sha256: str


class BackupManifest(BaseModel):
    """What the archive holds; restore checks every file against it before touching the data directory."""

    format: str = FORMAT
    created_at: datetime
    sessions: int
    documents: int
    files: list[BackupFile]


def _count(conn: sqlite3.Connection, sql: str) -> int:
    try:
        return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # the table does not exist yet: nothing of that kind was stored
        return 0


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a live database (others may be writing) through SQLite's online backup."""
    with closing(connect_live(source)) as src, closing(sqlite3.connect(str(target))) as dst:
        src.backup(dst)


def _plain_files(root: Path, folder: str) -> Iterator[Path]:
    """Regular files below root/folder; symlinks are never followed (they could lead out of the data directory)."""
    base = root / folder
    if not base.is_dir() or base.is_symlink():
        return
    for current, dirs, names in os.walk(base, followlinks=False):
        here = Path(current)
        dirs[:] = sorted(d for d in dirs if not (here / d).is_symlink())
        for name in sorted(names):
            path = here / name
            if not path.is_symlink() and path.is_file():
                yield path


def _counts(root: Path) -> tuple[int, int]:
    """Sessions, and documents other than the built-in catalogue, in the databases below `root`."""
    sessions = documents = 0
    if (root / "audits.db").exists():
        with closing(connect_live(root / "audits.db")) as conn:
            sessions = _count(conn, "select count(*) from sessions")
    if (root / "knowledge.db").exists():
        with closing(connect_live(root / "knowledge.db")) as conn:
            documents = _count(conn, "select count(*) from documents where kind != 'catalogue'")
    return sessions, documents


def referenced_attachments(audits_db: Path) -> set[str]:
    """Every attachment name an answer, current or in the history, refers to."""
    if not audits_db.exists():
        return set()
    sql = """
        select j.value from answers a, json_each(json_extract(a.record, '$.attachments')) j
        union select j.value from answer_history h, json_each(json_extract(h.new, '$.attachments')) j
        union select j.value from answer_history h, json_each(json_extract(h.old, '$.attachments')) j
    """
    with closing(sqlite3.connect(f"{audits_db.absolute().as_uri()}?mode=ro", uri=True, timeout=10)) as conn:
        try:
            return {row[0] for row in conn.execute(sql) if isinstance(row[0], str)}
        except sqlite3.OperationalError:  # no tables yet
            return set()


def backup(paths: DataPaths, target: Path, force: bool = False) -> BackupManifest:
    """Write `target` (a .tar.gz readable by its owner only) from the data directory, while it stays in use."""
    target = Path(target).expanduser().absolute()
    if target.exists() and not force:
        raise BackupError(f"{target}: already exists; give another name or --force to replace it")
    if target.resolve().is_relative_to(paths.root.resolve()):
        raise BackupError(f"{target}: is inside the data directory; keep backups somewhere else")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such folder")
    # Staged inside the data directory: the copies are as confidential as the originals.
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=paths.root) as tmp:
        staging = Path(tmp)
        members: list[tuple[Path, str]] = []
        for name in DATABASES:
            if (paths.root / name).exists():
                _copy_database(paths.root / name, staging / name)
                members.append((staging / name, name))
        # Attachment copies no answer names (their answers were never committed) are not evidence.
        referenced = referenced_attachments(staging / "audits.db")
        for folder in FOLDERS:
            for path in _plain_files(paths.root, folder):
                name = path.relative_to(paths.root).as_posix()
                if folder != "attachments" or name.removeprefix("attachments/") in referenced:
                    members.append((path, name))
        files = []
        for path, name in members:
            files.append(BackupFile(name=name, size=path.stat().st_size, sha256=file_sha256(path)))
        sessions, documents = _counts(staging)
        manifest = BackupManifest(created_at=datetime.now(UTC), sessions=sessions, documents=documents, files=files)
        _write_archive(target, manifest, members)
    return manifest


def _write_archive(target: Path, manifest: BackupManifest, members: list[tuple[Path, str]]) -> None:
    # Written beside the target and renamed at the end, so a crash never leaves a half archive under its name.
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    try:
        os.fchmod(fd, 0o600)  # the archive holds confidential audit data
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            data = manifest.model_dump_json(indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), 0o600, int(manifest.created_at.timestamp())
            archive.addfile(info, io.BytesIO(data))
            for path, name in members:
                info = archive.gettarinfo(str(path), arcname=name)
                info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
                with path.open("rb") as handle:
                    archive.addfile(info, handle)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    remove_stale_partials(target, ".{name}.*.partial")


def has_data(paths: DataPaths) -> bool:
    """Whether the data directory holds anything a restore would overwrite: sessions, documents or files."""
    sessions, documents = _counts(paths.root)
    files = any(True for folder in FOLDERS for _ in _plain_files(paths.root, folder))
    return bool(sessions or documents or files)


def _safe_name(name: str) -> str | None:
    """The member name if it stays below the data directory, in one of the backed-up places; else None."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name or not path.parts:
        return None
    if name in DATABASES or (len(path.parts) > 1 and path.parts[0] in FOLDERS):
        return name
    return None


def read_manifest(source: Path) -> BackupManifest:
    """The manifest of a backup archive, checked to be one of ours."""
    try:
        with tarfile.open(source, mode="r:*") as archive:
            member = archive.getmember(MANIFEST)
            handle = archive.extractfile(member) if member.isfile() else None
            data = handle.read(BACKUP_MANIFEST.max_bytes + 1) if handle else b""
        if len(data) > BACKUP_MANIFEST.max_bytes:
            raise BackupError(f"{source}: its manifest is over {BACKUP_MANIFEST.max_bytes >> 20} MB; not a q1audit backup")
        manifest = BackupManifest.model_validate_json(data)
    except FileNotFoundError:
        raise BackupError(f"{source}: no such file") from None
    except BackupError:
        raise
    except (tarfile.TarError, KeyError, OSError, EOFError, ValidationError, ValueError):
        raise BackupError(f"{source}: is not a q1audit backup (no readable manifest); check the file") from None
    if manifest.format != FORMAT:
        raise BackupError(f"{source}: backup format {manifest.format!r} is not {FORMAT!r}; use the q1audit that made it")
    return manifest


def _unpack(source: Path, manifest: BackupManifest, staging: Path) -> None:
    """Every file of the manifest into `staging`, checked against its size and sha256; nothing else."""
    wanted = {f.name: f for f in manifest.files}
    for name in wanted:
        if _safe_name(name) is None:
            raise BackupError(f"{source}: refuses member {name!r} (outside the data directory's backed-up places)")
    found: set[str] = set()
    try:
        with tarfile.open(source, mode="r:*") as archive:
            for member in archive:
                if member.name == MANIFEST:
                    continue
                entry = wanted.get(member.name)
                if entry is None or not member.isfile() or member.name in found:
                    raise BackupError(f"{source}: unexpected member {member.name!r}; the archive was altered")
                target = staging / member.name
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                handle = archive.extractfile(member)
                digest = hashlib.sha256()
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                with os.fdopen(fd, "wb") as out:
                    while block := handle.read(1 << 20):
                        digest.update(block)
                        out.write(block)
                    out.flush()
                    os.fsync(out.fileno())  # moved in by rename later: must be on the disk first
                if digest.hexdigest() != entry.sha256 or target.stat().st_size != entry.size:
                    raise BackupError(f"{source}: {member.name} does not match its checksum; the backup is damaged")
                found.add(member.name)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{source}: the archive is damaged or truncated ({type(exc).__name__})") from None
    missing = sorted(set(wanted) - found)
    if missing:
        raise BackupError(f"{source}: {missing[0]} is listed but missing; the backup is incomplete")
    for name in DATABASES:
        if (staging / name).exists():
            try:
                with closing(sqlite3.connect(str(staging / name))) as conn:
                    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            except sqlite3.DatabaseError as exc:  # not a database at all, or a damaged header
                result = str(exc)
            if result != "ok":
                raise BackupError(f"{source}: {name} fails SQLite's integrity check ({result}); the backup is damaged")
    for folder in FOLDERS:  # present even when empty, so that finishing an interrupted restore is one rule
        (staging / folder).mkdir(exist_ok=True, mode=0o700)


def restore(paths: DataPaths, source: Path, force: bool = False) -> BackupManifest:
    """Replace the data directory's databases, documents and attachments with those of a backup.

    Refuses when the directory already holds sessions, documents or attachments, unless `force`.
    Everything is unpacked and checked before the first change; the search index is rebuilt on next use.
    """
    source = Path(source).expanduser()
    manifest = read_manifest(source)
    if not force and has_data(paths):
        raise BackupError(f"{paths.root}: already holds audit data; restore with --force to replace it")
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=paths.root))
    try:
        _unpack(source, manifest, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # From here on the restore is rolled forward, never back: the marker names the checked, unpacked
    # copy, and whoever finds it (this process, or the next q1audit after a kill) finishes the job.
    marker = paths.root / RESTORE_MARKER
    write_durably(marker, staging.name.encode())
    finish_interrupted_restore(paths)
    return manifest


RESTORE_MARKER = ".restore-in-progress"
"""Holds the name of the staging folder of a restore that has started changing the data directory."""


def finish_interrupted_restore(paths: DataPaths) -> bool:
    """Finish a restore that was killed part-way (every step can run again); True if there was one."""

    def swap(staging: Path) -> None:
        for name in DATABASES:
            restore_database(staging / name, paths.root / name)
        for folder in FOLDERS:
            replace_folder(staging / folder, paths.root / folder)
        # The vector index belongs to the old knowledge base: drop it so it is rebuilt, never used stale.
        shutil.rmtree(paths.index_dir, ignore_errors=True)

    return roll_forward(paths.root, RESTORE_MARKER, ".restore.lock", ".restore-", swap)


