"""A knowledge-base pack: the imported documents and the built index as one checked zip file, so a
department indexes once and colleagues `kb use` it read-only."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
import zipfile
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ValidationError

from assistant.locations import DataPaths
from assistant.staged_swap import replace_folder, restore_database, roll_forward, write_durably
from index.leftovers import is_temporary
from knowledge.durable_files import fsync_dir
from knowledge.errors import Q1AuditError
from knowledge.hashing import file_sha256
from knowledge.input_limits import InputLimitError, InputLimits, load_json

FORMAT = "q1audit-kb-pack/1"
MANIFEST = "manifest.json"
MARKER = "kb-pack.json"
"""In the data directory while its knowledge base comes from a pack: `kb import` and `kb remove` refuse."""
KNOWLEDGE_DB = "knowledge.db"
PACK_STAGING, USE_STAGING = ".kb-pack-", ".kb-use-"
"""Working folders in the data directory; one a killed q1audit left is removed by `assistant.recovery`."""
FOLDERS = ("documents", "index")

MAX_FILES = 50_000
MAX_TOTAL_BYTES = 8 << 30
"""More than any department's procedures and index; a pack claiming more is refused before unpacking."""
MAX_RATIO = 200
"""A member that expands more than this (a zip bomb) is refused; SQLite pages and indexes stay far below."""
MANIFEST_LIMITS = InputLimits("kb pack manifest", max_bytes=16 << 20, max_depth=10, max_nodes=1_000_000, max_seconds=30)


class KbPackError(Q1AuditError):
    title = "Knowledge-base pack"


class PackedFile(BaseModel):
    name: str
    size: int
    sha256: str


class PackedDocument(BaseModel):
    doc_id: str
    title: str
    revision: str | None = None
    kind: str


class PackManifest(BaseModel):
    format: str = FORMAT
    created_at: datetime
    model: str
    """The embedding model the index was built with; a colleague needs the same one for hybrid search."""
    dim: int
    passages: int
    documents: list[PackedDocument]
    files: list[PackedFile]


class PackInUse(BaseModel):
    """The marker: which pack this data directory's knowledge base came from."""

    source: str
    sha256: str
    used_at: datetime
    manifest: PackManifest


def pack_in_use(paths: DataPaths) -> PackInUse | None:
    try:
        return PackInUse.model_validate_json((paths.root / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValidationError, ValueError):
        return None


def check_writable(paths: DataPaths) -> None:
    """Refuse to change a knowledge base that came from a pack (it is shared: change it where it was packed)."""
    used = pack_in_use(paths)
    if used is not None:
        raise KbPackError(
            f"the knowledge base comes from the pack {used.source} and is read-only; change it where it was "
            "packed, or `q1audit kb use --release` to make it your own"
        )


def _plain_files(folder: Path) -> list[Path]:
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def pack_kb(paths: DataPaths, target: Path, include_licensed: bool = False, force: bool = False) -> PackManifest:
    """Write the knowledge base (documents, passages, embeddings cache, built index) into `target`."""
    from assistant.search_service import open_search

    target = Path(target).expanduser().absolute()
    if target.exists() and not force:
        raise KbPackError(f"{target}: already exists; give another name or --force to replace it")
    if not target.parent.is_dir():
        raise KbPackError(f"{target.parent}: no such folder")
    service = open_search(paths, load_model=False)
    status = service.status()
    if status.state != "current":
        raise KbPackError(f"the index is {status.state} ({status.reason}); run `q1audit index build` first")
    docs = service.store.documents()
    licensed = [d.doc_id for d in docs if d.kind == "standard"]
    if licensed and not include_licensed:
        raise KbPackError(
            f"the knowledge base holds licensed standard text ({', '.join(licensed)}); its licence may not let you "
            "share it: `kb remove` it first, or pass --include-licensed if the licence covers your colleagues"
        )
    from index.manifest import read_manifest

    built = read_manifest(paths.index_dir)
    with tempfile.TemporaryDirectory(prefix=PACK_STAGING, dir=paths.root) as tmp:
        staged_db = Path(tmp) / KNOWLEDGE_DB
        with closing(sqlite3.connect(str(paths.knowledge_db))) as src, closing(sqlite3.connect(str(staged_db))) as dst:
            src.backup(dst)
        members = [(staged_db, KNOWLEDGE_DB)]
        for folder in FOLDERS:
            members += [(p, p.relative_to(paths.root).as_posix()) for p in _plain_files(paths.root / folder)]
        # A killed build's temporary copies are nobody's data (the start-up tidy-up removes them later).
        members = [(p, name) for p, name in members
                   if not (p.is_relative_to(paths.index_dir) and is_temporary(p.relative_to(paths.index_dir)))]
        manifest = PackManifest(
            created_at=datetime.now(UTC), model=built.model, dim=built.dim, passages=status.passages,
            documents=[PackedDocument(doc_id=d.doc_id, title=d.title, revision=d.revision, kind=d.kind) for d in docs],
            files=[PackedFile(name=name, size=p.stat().st_size, sha256=file_sha256(p)) for p, name in members],
        )
        fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        try:
            os.fchmod(fd, 0o600)  # procedures are company-confidential
            with os.fdopen(fd, "wb") as raw:
                with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
                    archive.writestr(MANIFEST, manifest.model_dump_json(indent=2))
                    for path, name in members:
                        archive.write(path, name)
                raw.flush()
                os.fsync(raw.fileno())  # a power cut must not leave a pack name with no data behind it
            os.replace(partial, target)
            fsync_dir(target.parent)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return manifest


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name or not path.parts:
        return False
    return name == KNOWLEDGE_DB or (len(path.parts) > 1 and path.parts[0] in FOLDERS)


def read_pack_manifest(source: Path) -> PackManifest:
    try:
        with zipfile.ZipFile(source) as archive:
            info = archive.getinfo(MANIFEST)
            if info.file_size > MANIFEST_LIMITS.max_bytes:
                raise KbPackError(f"{source}: manifest too large; this is not a q1audit pack")
            text = archive.read(info).decode("utf-8")
        manifest = PackManifest.model_validate(load_json(text, f"{source}:{MANIFEST}", MANIFEST_LIMITS))
    except InputLimitError as exc:
        raise KbPackError(str(exc)) from None
    except FileNotFoundError:
        raise KbPackError(f"{source}: no such file") from None
    except (zipfile.BadZipFile, KeyError, OSError, ValidationError, ValueError):
        raise KbPackError(f"{source}: is not a q1audit knowledge-base pack (no readable manifest)") from None
    if manifest.format != FORMAT:
        raise KbPackError(f"{source}: pack format {manifest.format!r} is not {FORMAT!r}; use the q1audit that made it")
    return manifest


def _unpack(source: Path, manifest: PackManifest, staging: Path) -> None:
    """Every listed file into `staging`, within the limits and checked against its size and sha256."""
    wanted = {f.name: f for f in manifest.files}
    if len(wanted) > MAX_FILES or sum(f.size for f in manifest.files) > MAX_TOTAL_BYTES:
        raise KbPackError(f"{source}: the pack is larger than q1audit accepts ({MAX_FILES} files, "
                          f"{MAX_TOTAL_BYTES >> 30} GB)")
    bad = next((name for name in wanted if not _safe(name)), None)
    if bad is not None or KNOWLEDGE_DB not in wanted:
        raise KbPackError(f"{source}: refuses member {bad or KNOWLEDGE_DB!r} (outside what a pack may hold)")
    try:
        with zipfile.ZipFile(source) as archive:
            infos = [i for i in archive.infolist() if i.filename != MANIFEST]
            names = [i.filename for i in infos]
            if sorted(names) != sorted(wanted):
                extra = sorted(set(names) ^ set(wanted)) or names
                raise KbPackError(f"{source}: member {extra[0]!r} does not match the manifest; the pack was altered")
            for info in infos:
                entry = wanted[info.filename]
                if info.file_size != entry.size or info.file_size > MAX_RATIO * max(info.compress_size, 1 << 16):
                    raise KbPackError(f"{source}: {info.filename} is not the size the manifest gives; refused")
                target = staging / info.filename
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                digest, written = hashlib.sha256(), 0
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                with archive.open(info) as handle, os.fdopen(fd, "wb") as out:
                    while block := handle.read(1 << 20):
                        written += len(block)
                        if written > entry.size:
                            raise KbPackError(f"{source}: {info.filename} is larger than the manifest says; refused")
                        digest.update(block)
                        out.write(block)
                if digest.hexdigest() != entry.sha256:
                    raise KbPackError(f"{source}: {info.filename} does not match its checksum; the pack is damaged")
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise KbPackError(f"{source}: the pack is damaged or truncated ({type(exc).__name__})") from None
    with closing(sqlite3.connect(str(staging / KNOWLEDGE_DB))) as conn:
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            result = str(exc)
    if result != "ok":
        raise KbPackError(f"{source}: {KNOWLEDGE_DB} fails SQLite's integrity check ({result})")


def use_kb(paths: DataPaths, source: Path, force: bool = False) -> PackManifest:
    """Make the pack this data directory's knowledge base, read-only (sessions are not touched).

    Refused when the directory holds documents of its own (not from a pack) unless `force`.
    Everything is unpacked and checked before the first change.
    """
    from index.store import KnowledgeStore

    source = Path(source).expanduser()
    manifest = read_pack_manifest(source)
    if not force and pack_in_use(paths) is None and paths.knowledge_db.exists():
        store = KnowledgeStore(paths.knowledge_db)
        own = [d.doc_id for d in store.documents()]
        store.close()
        if own:
            raise KbPackError(
                f"{paths.root}: the knowledge base holds your own documents ({', '.join(own[:5])}); "
                "use the pack with --force to replace them"
            )
    staging = Path(tempfile.mkdtemp(prefix=USE_STAGING, dir=paths.root))
    try:
        _unpack(source, manifest, staging)
        for folder in FOLDERS:  # a folder the pack lacks replaces the live one empty
            (staging / folder).mkdir(mode=0o700, exist_ok=True)
        marker = PackInUse(source=source.name, sha256=file_sha256(source), used_at=datetime.now(UTC), manifest=manifest)
        (staging / MARKER).write_text(marker.model_dump_json(indent=2), encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # From here on the swap is rolled forward, never back (assistant/staged_swap.py): a kill part-way
    # leaves the note, and the next q1audit finishes the job instead of leaving a database without its index.
    write_durably(paths.root / USE_IN_PROGRESS, staging.name.encode())
    finish_interrupted_use(paths)
    return manifest


USE_IN_PROGRESS = ".kb-use-in-progress"
"""Names the staging folder of a `kb use` that has started changing the data directory."""


def finish_interrupted_use(paths: DataPaths) -> bool:
    """Finish a `kb use` that was killed part-way (every step can run again); True if there was one."""

    def swap(staging: Path) -> None:
        restore_database(staging / KNOWLEDGE_DB, paths.knowledge_db)
        for folder in FOLDERS:
            replace_folder(staging / folder, paths.root / folder)
        if (staging / MARKER).exists():
            (staging / MARKER).replace(paths.root / MARKER)

    return roll_forward(paths.root, USE_IN_PROGRESS, ".kb-use.lock", USE_STAGING, swap)


def release(paths: DataPaths) -> PackInUse:
    """Stop treating the knowledge base as a pack: it stays, and becomes this directory's own."""
    used = pack_in_use(paths)
    if used is None:
        raise KbPackError("the knowledge base does not come from a pack; nothing to release")
    (paths.root / MARKER).unlink()
    return used
