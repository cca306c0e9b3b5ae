"""What a killed index build leaves behind: every file a build writes goes to a temporary name first and is
renamed into place (the stamped arrays `<name>.<pid>.tmp.npz`, the faiss index `<name>.tmp`, the ONNX export
folder `minilm-onnx.tmp`), so a kill mid-save leaves the temporary copy and nothing reads it."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path

TEMPORARY_NAMES = ("*.tmp", "*.tmp.npz")


def is_temporary(path: Path) -> bool:
    """Whether the path is, or lies inside, a build's temporary copy."""
    return any(fnmatch(part, pattern) for part in path.parts for pattern in TEMPORARY_NAMES)


def leftovers(index_dir: Path) -> list[Path]:
    """The temporary files and folders in the index folder; a build still running has some too (check their age)."""
    if not index_dir.is_dir() or index_dir.is_symlink():
        return []
    return sorted(path for path in index_dir.iterdir() if is_temporary(Path(path.name)) and not path.is_symlink())
