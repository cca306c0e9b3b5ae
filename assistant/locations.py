"""Where a user's data lives: one directory, readable by its owner only."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ENV_HOME = "Q1AUDIT_HOME"


@dataclass(frozen=True)
class DataPaths:
    """Every file q1audit writes, below one root directory."""

    root: Path

    @property
    def knowledge_db(self) -> Path:
        """Imported documents and passages (the source of truth the index is built from)."""
        return self.root / "knowledge.db"

    @property
    def index_dir(self) -> Path:
        """The vector index and its manifest: a cache that can always be rebuilt."""
        return self.root / "index"

    @property
    def audits_db(self) -> Path:
        """Audit sessions, answers, findings and decisions."""
        return self.root / "audits.db"

    @property
    def documents_dir(self) -> Path:
        """Copies of imported documents (procedures and the user's licensed standard text)."""
        return self.root / "documents"

    @property
    def attachments_dir(self) -> Path:
        """Photos and files attached to answers."""
        return self.root / "attachments"

    @property
    def exports_dir(self) -> Path:
        """Default folder for exports made from the TUI."""
        return self.root / "exports"


def resolve_data_dir(explicit: str | os.PathLike | None = None) -> DataPaths:
    """`--data-dir`, else $Q1AUDIT_HOME, else the platform's user data directory; created 0700."""
    chosen = explicit or os.environ.get(ENV_HOME) or platformdirs.user_data_dir("q1audit", appauthor=False)
    root = Path(chosen).expanduser().resolve()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    # mkdir's mode is masked by umask and leaves an existing directory alone: audit data is confidential.
    if root.stat().st_mode & 0o077:
        with contextlib.suppress(OSError):  # another user's folder or a read-only disk, opened to read
            root.chmod(0o700)
    return DataPaths(root)
