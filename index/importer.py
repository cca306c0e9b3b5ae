"""Import files and folders into the knowledge store, skipping unchanged files before parsing them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from index.costs import LARGE_IMPORT_PASSAGES
from index.store import ImportResult, KnowledgeStore
from knowledge.catalogue import DEFAULT_EDITION, Catalogue
from knowledge.documents.estimate import estimate_passages
from knowledge.documents.loader import iter_document_files, load_document, load_standard_document
from knowledge.documents.models import LoadedDocument
from knowledge.errors import DocumentError, Q1AuditError
from knowledge.hashing import file_sha256


class ImportQuestion(BaseModel):
    """Something to confirm before a file is stored: it replaces another file's document, or it is large.

    A file that looks large from its size is asked about before it is read (`estimated`, no `doc_id`
    yet); one found large only once read is asked about then."""

    path: Path
    doc_id: str | None
    passages: int
    replaces: str | None = None
    """The file name the document with this id was imported from, when it is another file."""
    large: bool = False
    estimated: bool = False
    """`passages` is a guess from the file's size: the file has not been read yet."""


Confirm = Callable[[ImportQuestion], bool]


class ImportOutcome(BaseModel):
    """What happened to one file: a result, or the one-line error that stopped it."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    path: Path
    result: ImportResult | None = None
    error: Q1AuditError | None = None


def import_files(
    store: KnowledgeStore,
    sources: list[Path],
    catalogue: Catalogue,
    documents_dir: Path | None = None,
    standard: str | None = None,
    edition: str | None = None,
    confirm: Confirm | None = None,
) -> Iterator[ImportOutcome]:
    """Import every document file under `sources`; with `standard`, as licensed text of that standard.

    A file whose document id belongs to a document imported from another file (a stray `Document No:
    QP-07` would silently replace the real QP-07), or with over LARGE_IMPORT_PASSAGES passages, is
    stored only if `confirm` says yes; without `confirm`, the first is refused and the second stored.
    A file whose size alone says it is large is asked about before it is read, since reading it is
    slow too; a file asked about then is not asked about again for its size.
    """
    for path in iter_document_files(sources):
        known = store.find_by_hash(file_sha256(path))
        if known is not None:
            # Decided before parsing: an unchanged file costs one hash.
            result = ImportResult(doc_id=known.doc_id, status="unchanged", passages=known.passages)
            yield ImportOutcome(path=path, result=result)
            continue
        try:
            estimate = estimate_passages(path) if confirm is not None else 0
            asked = estimate > LARGE_IMPORT_PASSAGES
            if asked and not confirm(ImportQuestion(path=path, doc_id=None, passages=estimate, large=True,
                                                    estimated=True)):
                raise DocumentError(f"{path.name}: not imported (declined)")
            if standard is not None:
                doc = load_standard_document(path, standard, edition or DEFAULT_EDITION[standard], catalogue)
            else:
                doc = load_document(path, catalogue)
        except Q1AuditError as exc:
            yield ImportOutcome(path=path, error=exc)
            continue
        refusal = _refusal(store, path, doc, confirm, size_accepted=asked)
        if refusal is not None:
            yield ImportOutcome(path=path, error=refusal)
            continue
        yield ImportOutcome(path=path, result=store.import_document(doc, source=path, documents_dir=documents_dir))


def _refusal(
    store: KnowledgeStore, path: Path, doc: LoadedDocument, confirm: Confirm | None, size_accepted: bool = False
) -> DocumentError | None:
    existing = next((d for d in store.documents(True) if d.doc_id == doc.doc_id), None)
    other_file = existing.source_name if existing and existing.source_name and existing.source_name != path.name else None
    question = ImportQuestion(
        path=path, doc_id=doc.doc_id, passages=len(doc.passages), replaces=other_file,
        large=len(doc.passages) > LARGE_IMPORT_PASSAGES and not size_accepted,
    )
    if not (question.replaces or question.large):
        return None
    if confirm is None:
        if question.replaces is None:
            return None
        return DocumentError(
            f"{path.name}: says it is {doc.doc_id}, which was imported from {question.replaces}; not replaced "
            f"(remove it first with `q1audit kb remove {doc.doc_id}` if this file is the new version)"
        )
    if confirm(question):
        return None
    return DocumentError(f"{path.name}: not imported (declined)")
