"""Vectors: faiss agrees with brute force, the embedding cache, and the manifest's stale/mismatch checks."""

from __future__ import annotations

import numpy as np

from index.embedder import HashingEmbedder
from index.manifest import read_manifest, write_manifest
from index.search import SearchService
from index.vectors import VectorIndex
from knowledge.catalogue import load_catalogue
from knowledge.documents.loader import load_document


def test_faiss_matches_brute_force_numpy():
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(300, 48)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(1000, 1300)
    index = VectorIndex.build(ids, vectors)
    for query in vectors[:5] + 0.1 * rng.normal(size=(5, 48)).astype(np.float32):
        hits = index.search(query, 10)
        brute = vectors @ query
        order = np.argsort(-brute)[:10]
        assert [i for i, _ in hits] == ids[order].tolist()
        assert np.allclose([s for _, s in hits], brute[order], atol=1e-5)


def test_hashing_embedder_is_deterministic_and_normalised():
    embedder = HashingEmbedder(64)
    first = embedder.encode(["torque wrench calibration", "forgings from a new mill"])
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(first, HashingEmbedder(64).encode(["torque wrench calibration", "forgings from a new mill"]))


def test_index_round_trips_through_disk(tmp_path):
    embedder = HashingEmbedder(32)
    vectors = embedder.encode(["a b c", "d e f"])
    VectorIndex.build(np.array([7, 9]), vectors).save(tmp_path)
    loaded = VectorIndex.load(tmp_path)
    assert (loaded.count, loaded.dim) == (2, 32)
    assert loaded.search(vectors[1], 1)[0][0] == 9


def test_build_embeds_only_new_text(service, procedure_file):
    first = service.build()
    assert first.rebuilt and first.embedded == first.passages
    assert service.build().rebuilt is False
    service.store.import_document(load_document(procedure_file, load_catalogue()))
    assert service.status().state == "stale"
    second = service.build()
    assert second.rebuilt and second.embedded == second.passages - first.passages
    assert service.status().state == "current"


def test_mismatched_model_is_detected_and_rebuilt(tmp_path):
    catalogue = load_catalogue()
    SearchService(tmp_path / "k.db", tmp_path / "index", catalogue, HashingEmbedder(64)).build()
    other = SearchService(tmp_path / "k.db", tmp_path / "index", catalogue, HashingEmbedder(128))
    status = other.status()
    assert status.state == "mismatch" and "hashing-64" in status.reason
    response = other.ask("calibration of gauges")
    assert response.note and "rebuilt" in response.note
    assert read_manifest(tmp_path / "index").model == "hashing-128"


def test_stale_index_is_rebuilt_before_answering(service, procedure_file):
    service.build()
    service.ask("calibration")
    service.store.import_document(load_document(procedure_file, load_catalogue()))
    response = service.ask("calibration sticker expired on a torque wrench")
    assert "rebuilt" in (response.note or "")
    assert any(r.kind == "procedure" and r.doc == "QP-99" for r in response.results)


def test_tampered_manifest_means_missing_or_stale(service):
    service.build()
    manifest = read_manifest(service.index_dir)
    write_manifest(service.index_dir, manifest.model_copy(update={"corpus_hash": "0" * 64}))
    assert service.status().state == "stale"
    (service.index_dir / "manifest.json").write_text("{not json")
    assert service.status().state == "missing"
