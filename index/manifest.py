"""The index manifest: which model, dimension and corpus the vector index was built from."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ValidationError

MANIFEST_FILE = "manifest.json"


class Manifest(BaseModel):
    model: str
    dim: int
    count: int
    corpus_hash: str
    built_at: str

    @classmethod
    def create(cls, model: str, dim: int, count: int, corpus_hash: str) -> Manifest:
        return cls(
            model=model,
            dim=dim,
            count=count,
            corpus_hash=corpus_hash,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )


def corpus_hash(signature: Iterable[tuple[int, str]]) -> str:
    """One hash over (passage id, content hash) pairs: any added, removed or edited passage changes it."""
    digest = hashlib.sha256()
    for passage_id, content_hash in signature:
        digest.update(f"{passage_id}:{content_hash}\n".encode())
    return digest.hexdigest()


def read_manifest(directory: Path) -> Manifest | None:
    """The manifest, or None when absent or unreadable (an unreadable one means: rebuild)."""
    path = directory / MANIFEST_FILE
    try:
        return Manifest.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError, ValueError):
        return None


def write_manifest(directory: Path, manifest: Manifest) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / (MANIFEST_FILE + ".tmp")
    tmp.write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
    tmp.replace(directory / MANIFEST_FILE)
