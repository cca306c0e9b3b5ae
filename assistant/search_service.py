"""Search as the app opens it: the user's knowledge base, with the bundled checklists' questions as clause facets.

Every command and screen opens search here, so `index build` embeds the same facets the first question
uses (a question never embeds hundreds of facets itself, nor writes to a knowledge-base pack in use).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.locations import DataPaths

if TYPE_CHECKING:
    from index.search import SearchService


def checklist_dir() -> Path:
    """The bundled checklists' folder, found without importing the rule engine (a third of a second)."""
    return Path(str(files("rules") / "checklists"))


def open_search(paths: DataPaths, load_model: bool = True) -> SearchService:
    """The search service over the data directory (lexical-only, saying why, when the model cannot load)."""
    from index.search import open_service

    return open_service(paths.knowledge_db, paths.index_dir, load_model, checklist_dir())
