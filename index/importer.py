"""Import files and folders into the knowledge store, skipping unchanged files before parsing them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from index.store import ImportResult, KnowledgeStore
from knowledge.catalogue import DEFAULT_EDITION, Catalogue
from knowledge.documents.loader import iter_document_files, load_document, load_standard_document
from knowledge.errors import Q1AuditError
from knowledge.hashing import file_sha256


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
) -> Iterator[ImportOutcome]:
    """Import every document file under `sources`; with `standard`, as licensed text of that standard."""
    for path in iter_document_files(sources):
        known = store.find_by_hash(file_sha256(path))
        if known is not None:
            # Decided before parsing: an unchanged file costs one hash.
            result = ImportResult(doc_id=known.doc_id, status="unchanged", passages=known.passages)
            yield ImportOutcome(path=path, result=result)
            continue
        try:
            if standard is not None:
                doc = load_standard_document(path, standard, edition or DEFAULT_EDITION[standard], catalogue)
            else:
                doc = load_document(path, catalogue)
        except Q1AuditError as exc:
            yield ImportOutcome(path=path, error=exc)
            continue
        yield ImportOutcome(path=path, result=store.import_document(doc, source=path, documents_dir=documents_dir))
