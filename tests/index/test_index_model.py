"""A few checks on the real bundled model (slow to import: ~5 s)."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedder import MiniLMEmbedder
from index.search import SearchService
from knowledge.catalogue import Catalogue, load_catalogue

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def embedder():
    return MiniLMEmbedder()


@pytest.fixture(scope="module")
def service(tmp_path_factory, embedder):
    """A service over a slice of the catalogue (purchasing, calibration, resources), so the build is quick."""
    full = load_catalogue()
    prefixes = ("5.5", "5.6", "5.8", "7.1", "8.4", "4.4")
    files = [
        f.model_copy(update={"clauses": [c for c in f.clauses if c.id.startswith(prefixes)]})
        for f in full.files.values()
    ]
    root = tmp_path_factory.mktemp("model")
    catalogue = Catalogue(files, full.crosswalk, full.edition_map)
    return SearchService(root / "k.db", root / "index", catalogue, embedder)


def test_single_query_path_matches_batch_encode(embedder):
    texts = ["cal sticker expired on a torque wrench", "who signs off a concession?"]
    batch = embedder.encode(texts)
    one = embedder.encode(texts[:1])
    assert batch.shape == (2, 384) and batch.dtype == np.float32
    assert np.allclose(batch[0], one[0], atol=1e-4)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-4)


def test_site_language_finds_the_right_clauses(service):
    response = service.ask("cal sticker expired on a torque wrench", top=5)
    assert response.mode == "hybrid" and not response.no_good_match
    q1 = [r.id for r in response.results if r.standard == "API Q1"]
    iso = [r.id for r in response.results if r.standard == "ISO 9001"]
    assert {"5.8", "5.8.1", "5.8.2"} & set(q1)
    assert {"7.1.5", "7.1.5.1", "7.1.5.2"} & set(iso)


def test_off_topic_question_is_not_padded(service):
    response = service.ask("recipe for banana pancakes with maple syrup")
    assert response.no_good_match and response.results == []
