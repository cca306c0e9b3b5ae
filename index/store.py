"""The knowledge store: imported documents and their passages in SQLite, the source of truth for the index."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import sqlite_utils
from pydantic import BaseModel
from sqlite_utils.migrations import Migrations

from index import lexical
from knowledge.documents.models import LoadedDocument, Passage
from knowledge.durable_files import copy_to_fd, fsync_dir, make_folder
from knowledge.errors import DocumentError, Q1AuditError
from knowledge.sqlite_files import connect, is_read_only

CATALOGUE_DOC_ID = "@catalogue"
"""The built-in document whose passages are the catalogue clauses (title, summary, keywords)."""

migrations = Migrations("q1audit.knowledge")


@migrations()
def m001_documents_passages(db: sqlite_utils.Database) -> None:
    db["documents"].create(
        {
            "id": int,
            "doc_id": str,
            "title": str,
            "revision": str,
            "approved": str,
            "kind": str,
            "standard": str,
            "edition": str,
            "format": str,
            "source_name": str,
            "stored_name": str,
            "content_hash": str,
            "imported_at": str,
        },
        pk="id",
        not_null={"doc_id", "title", "kind", "content_hash"},
    )
    db["documents"].create_index(["doc_id"], unique=True)
    db["passages"].create(
        {
            "id": int,
            "document_id": int,
            "ordinal": int,
            "section": str,
            "section_path": str,
            "page": int,
            "heading": str,
            "text": str,
            "clause_refs": str,
            "clause_id": str,
            "content_hash": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["passages"].create_index(["document_id"])
    # Triggers keep the full-text index in step with every insert and delete, so lexical search
    # never needs a build step.
    db["passages"].enable_fts(["heading", "text"], tokenize=lexical.TOKENIZE, create_triggers=True)


@migrations()
def m002_embeddings(db: sqlite_utils.Database) -> None:
    # Keyed by model and text hash, so unchanged text is never embedded twice, whatever its passage id.
    db["embeddings"].create(
        {"model": str, "content_hash": str, "vector": bytes}, pk=("model", "content_hash")
    )


class DocumentNotFound(Q1AuditError):
    title = "No such document"


class StoredDocument(BaseModel):
    id: int
    doc_id: str
    title: str
    revision: str | None = None
    approved: str | None = None
    kind: str
    standard: str | None = None
    edition: str | None = None
    format: str | None = None
    source_name: str | None = None
    stored_name: str | None = None
    content_hash: str
    imported_at: str
    passages: int = 0


class StoredPassage(BaseModel):
    """A passage row joined with the header of its document."""

    id: int
    document_id: int
    doc_id: str
    doc_title: str
    revision: str | None = None
    kind: str
    standard: str | None = None
    edition: str | None = None
    ordinal: int
    section: str
    section_path: list[str]
    page: int | None = None
    heading: str
    text: str
    clause_refs: list[str]
    clause_id: str | None = None
    content_hash: str

    @property
    def search_text(self) -> str:
        """What is embedded: the heading gives a short section its context."""
        return search_text(self.heading, self.text)


class ImportResult(BaseModel):
    doc_id: str
    status: Literal["added", "replaced", "unchanged"]
    passages: int


def search_text(heading: str, text: str) -> str:
    return f"{heading}\n{text}".strip()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()




def _heading(doc: LoadedDocument, passage: Passage) -> str:
    top = f"{doc.standard} {doc.edition}" if doc.kind == "standard" else f"{doc.doc_id} {doc.title}"
    return " > ".join([top, *passage.section_path])


def _safe_name(doc_id: str, suffix: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", doc_id).strip("_") + suffix.lower()


def _copy_into(source: Path, folder: Path, name: str) -> None:
    """Copy `source` to folder/name through a new temporary file renamed over the old copy.

    A planted symlink (the folder, or a file in it) is never written through, and a crash mid-copy
    leaves the earlier copy whole.
    """
    make_folder(folder)
    if folder.is_symlink():
        raise DocumentError(f"{folder}: is a symbolic link; imported documents stay inside the data directory")
    fd, partial = tempfile.mkstemp(prefix=f".{name}.", suffix=".partial", dir=folder)
    try:
        copy_to_fd(source, fd)  # synced, then renamed and the folder synced: whole after a power cut too
        os.replace(partial, folder / name)
        fsync_dir(folder)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


_PASSAGE_SQL = """
select p.id, p.document_id, d.doc_id, d.title as doc_title, d.revision, d.kind, d.standard, d.edition,
       p.ordinal, p.section, p.section_path, p.page, p.heading, p.text, p.clause_refs, p.clause_id,
       p.content_hash
from passages p join documents d on d.id = p.document_id
"""


class KnowledgeStore:
    """Documents and passages in `knowledge.db`; one SQLite connection per thread (the TUI searches in workers)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        if not is_read_only(self.path):
            migrations.apply(self.db)

    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            conn = connect(self.path, timeout_s=10)
            conn.execute("PRAGMA foreign_keys = ON")
            db = sqlite_utils.Database(conn)
            self._local.db = db
        return db

    # --- reading -------------------------------------------------------------------------------

    def documents(self, include_builtin: bool = False) -> list[StoredDocument]:
        rows = self.db.execute(
            "select d.*, (select count(*) from passages p where p.document_id = d.id) as passages "
            "from documents d order by d.kind, d.doc_id"
        )
        columns = [c[0] for c in rows.description]
        docs = [StoredDocument(**dict(zip(columns, row, strict=True))) for row in rows.fetchall()]
        return [d for d in docs if include_builtin or d.doc_id != CATALOGUE_DOC_ID]

    def get_document(self, doc_id: str) -> StoredDocument:
        for doc in self.documents(include_builtin=True):
            if doc.doc_id == doc_id:
                return doc
        for doc in self.documents(include_builtin=True):
            if doc.doc_id.casefold() == doc_id.casefold():
                return doc
        raise DocumentNotFound(f"no document {doc_id!r} in the knowledge base (see `q1audit kb list`)")

    def find_by_hash(self, content_hash: str) -> StoredDocument | None:
        return next((d for d in self.documents(True) if d.content_hash == content_hash), None)

    def passages(self, where: str = "", params: tuple = ()) -> list[StoredPassage]:
        sql = _PASSAGE_SQL + (f" where {where}" if where else "") + " order by p.id"
        cursor = self.db.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        out = []
        for row in cursor.fetchall():
            data = dict(zip(columns, row, strict=True))
            data["section_path"] = json.loads(data["section_path"] or "[]")
            data["clause_refs"] = json.loads(data["clause_refs"] or "[]")
            out.append(StoredPassage(**data))
        return out

    def signature(self) -> list[tuple[int, str]]:
        """(passage id, content hash) for every passage: what the vector index must match."""
        return [tuple(r) for r in self.db.execute("select id, content_hash from passages order by id").fetchall()]

    def version(self) -> tuple[int, int, str]:
        """Changes whenever passages are added, replaced or removed (cheap enough to check per query)."""
        count, top = self.db.execute("select count(*), coalesce(max(id), 0) from passages").fetchone()
        hashes = self.db.execute("select group_concat(content_hash) from documents").fetchone()[0] or ""
        return count, top, text_hash(hashes)

    # --- writing -------------------------------------------------------------------------------

    def import_document(
        self, doc: LoadedDocument, source: Path | None = None, documents_dir: Path | None = None
    ) -> ImportResult:
        """Add a document, or replace the one with the same document id; an unchanged file is skipped."""
        existing = next((d for d in self.documents(True) if d.doc_id == doc.doc_id), None)
        if existing is not None and existing.content_hash == doc.content_hash:
            return ImportResult(doc_id=doc.doc_id, status="unchanged", passages=existing.passages)
        stored_name = None
        if source is not None and documents_dir is not None:
            stored_name = _safe_name(doc.doc_id, source.suffix)
            _copy_into(source, documents_dir, stored_name)
        row = {
            "doc_id": doc.doc_id,
            "title": doc.title,
            "revision": doc.revision,
            "approved": doc.approved,
            "kind": doc.kind,
            "standard": doc.standard,
            "edition": doc.edition,
            "format": doc.format,
            "source_name": doc.source_name,
            "stored_name": stored_name,
            "content_hash": doc.content_hash,
        }
        passages = [(_heading(doc, p), p) for p in doc.passages]
        try:
            self._write(row, passages)
        except BaseException:
            # A copy no row names would be an orphan (and go into every backup); an earlier copy of
            # this document under the same name was replaced and stays, as before.
            if stored_name and (existing is None or existing.stored_name != stored_name):
                (documents_dir / stored_name).unlink(missing_ok=True)
            raise
        if existing and existing.stored_name and existing.stored_name != stored_name and documents_dir:
            (documents_dir / existing.stored_name).unlink(missing_ok=True)
        status = "replaced" if existing else "added"
        return ImportResult(doc_id=doc.doc_id, status=status, passages=len(passages))

    def sync_builtin(self, doc_id: str, title: str, passages: list[tuple[str, Passage]]) -> bool:
        """Store a built-in document (the catalogue) as (heading, passage) pairs; False if unchanged."""
        content_hash = text_hash(json.dumps([(h, p.model_dump()) for h, p in passages], sort_keys=True))
        existing = next((d for d in self.documents(True) if d.doc_id == doc_id), None)
        if existing is not None and existing.content_hash == content_hash:
            return False
        row = {"doc_id": doc_id, "title": title, "kind": "catalogue", "content_hash": content_hash}
        self._write(row, passages)
        return True

    def _write(self, row: dict, passages: list[tuple[str, Passage]]) -> None:
        db = self.db
        row = {**row, "imported_at": datetime.now(UTC).isoformat(timespec="seconds")}
        with db.atomic():
            old = db.execute("select id from documents where doc_id = ?", (row["doc_id"],)).fetchone()
            if old is not None:
                db.execute("delete from passages where document_id = ?", (old[0],))
                db.execute("delete from documents where id = ?", (old[0],))
            document_id = db["documents"].insert(row).last_pk
            db["passages"].insert_all(
                {
                    "document_id": document_id,
                    "ordinal": p.ordinal,
                    "section": p.section,
                    "section_path": json.dumps(p.section_path),
                    "page": p.page,
                    "heading": heading,
                    "text": p.text,
                    "clause_refs": json.dumps(p.clause_refs),
                    "clause_id": p.clause_id,
                    "content_hash": text_hash(search_text(heading, p.text)),
                }
                for heading, p in passages
            )

    def remove(self, doc_id: str, documents_dir: Path | None = None) -> StoredDocument:
        doc = self.get_document(doc_id)
        db = self.db
        with db.atomic():
            db.execute("delete from passages where document_id = ?", (doc.id,))
            db.execute("delete from documents where id = ?", (doc.id,))
        if doc.stored_name and documents_dir is not None:
            (documents_dir / doc.stored_name).unlink(missing_ok=True)
        return doc

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
