"""Arrays saved beside the index with a stamp saying what they were made from (the lexical matrix, the clause
classifier): written whole or not at all, and read back only when the stamp still fits."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

_UNREADABLE = (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile)
"""What a missing, empty or damaged file raises on reading: it is then read as missing."""


def save_stamped(path: Path, stamp: str, **arrays: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # One temporary file per process: two builds at once (CLI and TUI) must not write into the same one.
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp.npz")
    np.savez(tmp, stamp=np.array(stamp), **arrays)
    tmp.replace(path)  # a reader never sees half a file


def saved_stamp(path: Path) -> str | None:
    """The stamp of the file without reading the rest (None: none, or unreadable)."""
    try:
        with np.load(path) as saved:
            return str(saved["stamp"])
    except _UNREADABLE:
        return None


def load_stamped(path: Path, stamp: str, names: tuple[str, ...]) -> dict[str, np.ndarray] | None:
    """These arrays of the file, if it carries this stamp (None: missing, damaged or made from something else)."""
    try:
        with np.load(path) as saved:
            if str(saved["stamp"]) != stamp:
                return None
            return {name: saved[name] for name in names}
    except _UNREADABLE:
        return None
