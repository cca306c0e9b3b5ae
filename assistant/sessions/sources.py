"""Fingerprints of what a session is audited against (catalogue, checklists, rule packs, procedures)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from assistant.sessions.models import SourceChange, SourceFingerprint
from knowledge.catalogue import DATA_DIR as CATALOGUE_DIR
from knowledge.hashing import file_sha256


def catalogue_sources(data_dir: Path = CATALOGUE_DIR) -> list[SourceFingerprint]:
    """Every reviewed catalogue file: clause catalogues, crosswalk, edition map."""
    return [
        SourceFingerprint(kind="catalogue", name=path.relative_to(data_dir).as_posix(), sha256=file_sha256(path))
        for path in sorted(data_dir.rglob("*.yaml"))
    ]


def rule_sources(fingerprint: Mapping[str, str]) -> list[SourceFingerprint]:
    """The engine's checklist, rule-pack and grading files (its `fingerprint()`: file name -> sha256)."""
    return [
        SourceFingerprint(kind="checklist" if name.startswith("checklists/") else "rule-pack", name=name, sha256=digest)
        for name, digest in sorted(fingerprint.items())
    ]


def procedure_sources(knowledge_db: Path) -> list[SourceFingerprint]:
    """Company procedures in the knowledge base with their revision and content hash (none before an import)."""
    if not knowledge_db.exists():
        return []
    from index.store import KnowledgeStore

    store = KnowledgeStore(knowledge_db)
    try:
        documents = store.documents()
    finally:
        store.close()
    return [
        SourceFingerprint(kind="procedure", name=d.doc_id, revision=d.revision, sha256=d.content_hash)
        for d in documents
        if d.kind == "procedure"
    ]


def compare(recorded: list[SourceFingerprint], current: list[SourceFingerprint]) -> list[SourceChange]:
    """What differs between the recorded sources and the current ones, in kind then name order."""
    before = {(s.kind, s.name): s for s in recorded}
    after = {(s.kind, s.name): s for s in current}
    changes: list[SourceChange] = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old is not None and new is not None and old.sha256 == new.sha256:
            continue
        change = "added" if old is None else "removed" if new is None else "changed"
        changes.append(
            SourceChange(
                kind=key[0],
                name=key[1],
                change=change,
                old_revision=old.revision if old else None,
                new_revision=new.revision if new else None,
            )
        )
    return changes
