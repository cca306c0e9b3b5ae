"""The clause classifier: trained at index build, scored with numpy alone, read back only when it fits."""

from __future__ import annotations

import numpy as np
import pytest

from index.clause_classifier import CLASSIFIER_FILE, TRAINING, ClauseClassifier, stamp_of, word_pieces
from index.embedder import HashingEmbedder
from knowledge.catalogue import ClauseKey

CALIBRATION = ClauseKey("ISO 9001", "2015", "7.1.5")
PURCHASING = ClauseKey("ISO 9001", "2015", "8.4")
CHANGE = ClauseKey("API Q1", "10th", "5.10")
FACETS = [
    (CALIBRATION, "calibration sticker expired on the gauge"),
    (CALIBRATION, "torque wrench calibration certificate"),
    (CALIBRATION, "gauges recalibrated every year"),
    (PURCHASING, "approved supplier list for purchases"),
    (PURCHASING, "supplier evaluation before the first purchase order"),
    (PURCHASING, "purchase order lists the supplier's requirements"),
    (CHANGE, "management of change before the process changes"),
    (CHANGE, "risk of the change assessed before it is made"),
]
QUESTIONS = ["calibraton stikers on gauges", "who approved this supplier?", "changed the process", "zzz"]


@pytest.fixture
def classifier():
    vectors = HashingEmbedder().encode([text for _, text in FACETS])
    return ClauseClassifier.train(stamp_of("hashing", FACETS), FACETS, vectors)


def test_word_pieces_are_the_three_to_five_letter_pieces_of_each_word():
    assert word_pieces("Gauge!") == [" ga", "gau", "aug", "uge", "ge ", " gau", "gaug", "auge", "uge ", " gaug",
                                     "gauge", "auge "]
    assert word_pieces("a 7") == [" a ", " 7 "]  # a one-letter word is one piece, with its spaces


def test_a_misspelt_question_finds_its_clause_by_word_pieces(classifier):
    for question, key in zip(QUESTIONS, [CALIBRATION, PURCHASING, CHANGE], strict=False):
        assert classifier.keys[int(np.argmax(classifier.by_words(question)))] == key


def test_question_scores_equal_scikit_learns_without_importing_it(classifier):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    labels = [classifier.keys.index(key) for key, _ in FACETS]
    vectorizer = TfidfVectorizer(analyzer=word_pieces, sublinear_tf=True, min_df=2, dtype=np.float32)
    words = LogisticRegression(**TRAINING).fit(vectorizer.fit_transform([t for _, t in FACETS]), labels)
    expected = words.decision_function(vectorizer.transform(QUESTIONS))
    assert np.allclose([classifier.by_words(q) for q in QUESTIONS], expected, atol=1e-5)
    vectors = HashingEmbedder().encode([t for _, t in FACETS])
    meaning = LogisticRegression(**TRAINING).fit(vectors, labels)
    question = HashingEmbedder().encode(["calibration of gauges"])
    assert np.allclose(classifier.by_meaning(question[0]), meaning.decision_function(question)[0], atol=1e-5)


def test_the_saved_classifier_is_read_back_only_for_the_facets_it_was_trained_on(tmp_path, classifier):
    classifier.save(tmp_path)
    again = ClauseClassifier.load(tmp_path, classifier.stamp)
    assert again is not None and again.keys == classifier.keys
    assert np.array_equal(again.by_words(QUESTIONS[0]), classifier.by_words(QUESTIONS[0]))
    changed = [*FACETS[:-1], (CHANGE, "a reworded facet")]
    assert ClauseClassifier.load(tmp_path, stamp_of("hashing", changed)) is None
    assert ClauseClassifier.load(tmp_path, stamp_of("another-model", FACETS)) is None


@pytest.mark.parametrize("content", [b"", b"not a zip file", b"PK\x03\x04 damaged"])
def test_a_damaged_classifier_file_reads_as_missing(tmp_path, classifier, content):
    (tmp_path / CLASSIFIER_FILE).write_bytes(content)
    assert ClauseClassifier.load(tmp_path, classifier.stamp) is None


def test_the_index_build_trains_the_classifier_once_and_search_ranks_by_it(service, tmp_path):
    from index.search import Fusion

    first = service.build()
    assert first.classifier_trained and (tmp_path / "index" / CLASSIFIER_FILE).exists()
    assert not service.build(force=True).classifier_trained  # same facets: read back, not trained again
    facets = service.searcher.facet_texts()
    classifier = ClauseClassifier.load(tmp_path / "index", stamp_of(service.embedder.name, facets))
    # It learned the facets it was trained on (a fit stopped after one step knows 1 in 100 of them).
    sample = facets[::50]
    learned = sum(classifier.keys[int(np.argmax(classifier.by_words(text)))] == key for key, text in sample)
    assert learned >= 0.6 * len(sample)
    only = {"dense": 0.0, "lexical": 0.0, "facets": 0.0, "heard": 0.0, "thesaurus": 0.0, "linked": 0.0,
            "cited": 0.0, "classified": 0.0}
    service.fusion = Fusion(**only, classified_words=1.0)
    results = [r for r in service.ask("calibraton stikers on the gauges", standard="ISO 9001").results]
    assert results and results[0].id.startswith("7.1.5")  # measuring equipment, or its traceability
    service.fusion = Fusion(**only, classified_words=0.0)
    assert not service.ask("calibraton stikers on the gauges", standard="ISO 9001").results


def test_a_missing_classifier_leaves_clauses_to_the_other_rankings_until_the_next_build(service, tmp_path):
    from index.search import Fusion

    service.build()
    (tmp_path / "index" / CLASSIFIER_FILE).unlink()
    service.searcher.use_facets(None)  # as a new process: everything read from disk at the next question
    question = "calibraton stikers on the gauges"
    assert service.searcher.ask(question).results  # the searcher (which writes nothing) still answers
    only = {"dense": 0.0, "lexical": 0.0, "facets": 0.0, "heard": 0.0, "thesaurus": 0.0, "linked": 0.0,
            "cited": 0.0, "classified": 0.0, "classified_words": 1.0}
    service.fusion = Fusion(**only)
    assert not service.searcher.ask(question).results
    assert service.build().classifier_trained
    assert service.searcher.ask(question).results


def test_ask_says_when_the_classifier_must_be_trained_first(service):
    from index.costs import check_inline_rebuild

    service.build()
    model, facets = service.embedder.name, service.searcher.facet_texts()
    assert service.builder.classifier_current(model, facets)
    assert check_inline_rebuild(service.store, model, facets, True) is None
    changed = [*facets, (facets[0][0], "a checklist question added since the last build")]
    assert not service.builder.classifier_current(model, changed)
    assert "clause classifier to train" in check_inline_rebuild(service.store, model, facets, False)
