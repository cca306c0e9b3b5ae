"""Dense vectors: the embedding cache in SQLite and the faiss inner-product index keyed by passage id."""

from __future__ import annotations

import errno
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import sqlite_utils

from index.embedder import Embedder

INDEX_FILE = "vectors.faiss"
BATCH = 32


def cached_vectors(db: sqlite_utils.Database, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
    """The cached vectors of `model` for these text hashes (those missing are absent from the result)."""
    found: dict[str, np.ndarray] = {}
    unique = list(dict.fromkeys(hashes))
    for start in range(0, len(unique), 500):  # stay under SQLite's bound-parameter limit
        chunk = unique[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = db.execute(
            f"select content_hash, vector from embeddings where model = ? and content_hash in ({marks})",
            (model, *chunk),
        )
        for content_hash, blob in rows.fetchall():
            found[content_hash] = np.frombuffer(blob, dtype="<f4")
    return found


def embed_with_cache(
    db: sqlite_utils.Database,
    embedder: Embedder,
    items: Sequence[tuple[str, str]],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Vectors for (content hash, text) items, embedding only texts not cached yet.

    Returns the matrix in item order and how many texts were embedded now.
    """
    cache = cached_vectors(db, embedder.name, [h for h, _ in items])
    todo = list({h: t for h, t in items if h not in cache}.items())
    total = len(todo)
    if progress:
        progress(0, total)
    for start in range(0, total, BATCH):
        batch = todo[start : start + BATCH]
        vectors = embedder.encode([text for _, text in batch])
        with db.atomic():
            db["embeddings"].insert_all(
                (
                    {"model": embedder.name, "content_hash": h, "vector": v.astype("<f4").tobytes()}
                    for (h, _), v in zip(batch, vectors, strict=True)
                ),
                replace=True,
            )
        for (h, _), v in zip(batch, vectors, strict=True):
            cache[h] = v
        if progress:
            progress(min(start + BATCH, total), total)
    matrix = np.zeros((len(items), embedder.dim), dtype=np.float32)
    for row, (h, _) in enumerate(items):
        matrix[row] = cache[h]
    return matrix, total


class VectorIndex:
    """Exact inner-product search over normalised vectors (cosine), ids = passage row ids.

    Flat search stays under 10 ms up to ~50k passages on a 2-core machine, so no approximate index.
    """

    def __init__(self, index):
        self._index = index

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray) -> VectorIndex:
        import faiss

        index = faiss.IndexIDMap(faiss.IndexFlatIP(vectors.shape[1]))
        if len(ids):
            index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
        return cls(index)

    @staticmethod
    def exists(directory: Path) -> bool:
        return (directory / INDEX_FILE).is_file()

    @classmethod
    def load(cls, directory: Path) -> VectorIndex:
        import faiss

        return cls(faiss.read_index(str(directory / INDEX_FILE)))

    def save(self, directory: Path) -> None:
        import faiss

        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / (INDEX_FILE + ".tmp")
        try:
            faiss.write_index(self._index, str(tmp))
        except RuntimeError as exc:  # faiss says "write error" when the disk is full
            tmp.unlink(missing_ok=True)
            raise OSError(errno.ENOSPC if "write" in str(exc) else errno.EIO, str(exc).splitlines()[0], str(tmp)) from None
        tmp.replace(directory / INDEX_FILE)  # a reader never sees a half-written index

    @property
    def count(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k nearest passage ids with their cosine similarity, best first."""
        ids, scores = self.search_arrays(vector, k)
        return [(int(i), float(s)) for i, s in zip(ids, scores, strict=True)]

    def search_arrays(self, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k nearest passage ids and their cosines as arrays, best first (no per-hit objects)."""
        import faiss

        # One thread is faster than two for a single query on this class of machine.
        faiss.omp_set_num_threads(1)
        k = min(k, self.count)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores, ids = self._index.search(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)
        found = ids[0] != -1
        return ids[0][found], scores[0][found]
