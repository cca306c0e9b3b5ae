"""Clauses ranked by two classifiers trained on every clause facet at index build.

Nearest-facet scoring asks "which one line is this question closest to?"; a classifier learns which parts of
the vector space, and which word pieces, belong to each clause from all of its facets together (summary,
keywords, evidence, checklist questions, what is heard on site). Two of them, each its own ranking in the
fusion:
- by meaning: multinomial logistic regression on the facets' MiniLM vectors;
- by words: the same on TF-IDF weights of character 3-5-grams of each word, so "calibraton", "calibrated"
  and "recalibrate" share most of their pieces with "calibration".
Measured on the blind dev questions (never tuned on the test half): R@5 +0.03-0.04 and MRR +0.03-0.05 per
standard, and more with more site questions to learn from (knowledge/site_questions.py).

Training uses scikit-learn (it comes with sentence-transformers, which an index build has); a question
needs only numpy: the weights are saved as arrays (no pickle), stamped with what they were trained on.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

from index.stamped_arrays import load_stamped, save_stamped, saved_stamp
from knowledge.catalogue import ClauseKey

CLASSIFIER_FILE = "classifier.npz"

TRAINING = {"C": 30.0, "max_iter": 25, "tol": 1e-6}
"""Logistic-regression settings: a fixed 25 steps (measured on dev: 40 rank no better and take 60% longer). The
tiny tolerance matters: the mean loss's gradient over 279 clauses starts near 1e-3, so a tolerance like that
can stop the fit after one step, with a classifier that knows nothing (it happened with more site questions)."""
TRAINING_SECONDS = 15.0
"""About what training on the bundled facets takes on a 2-core machine (measured 12-13 s; for estimates)."""

_WORD = re.compile(r"\w+")
_TRAINED: dict[str, ClauseClassifier] = {}
"""The last classifiers this process trained, by stamp: every knowledge base on the bundled catalogue and
checklists (a pack switched to in the TUI, a restore) has the same facets, and training takes seconds."""
_KEEP_TRAINED = 6


def word_pieces(text: str) -> list[str]:
    """Character 3-, 4- and 5-grams of each word, with a space marking where the word starts and ends."""
    pieces = []
    for word in _WORD.findall(text.lower()):
        padded = f" {word} "
        for n in (3, 4, 5):
            pieces += [padded[i:i + n] for i in range(len(padded) - n + 1)]
    return pieces


def stamp_of(model: str, facets: list[tuple[ClauseKey, str]]) -> str:
    """What a classifier was trained on: the embedding model, the settings and every facet with its clause."""
    digest = hashlib.sha256(json.dumps([model, TRAINING], sort_keys=True).encode())
    for key, text in facets:
        digest.update(json.dumps([*key, text]).encode())
    return digest.hexdigest()


class ClauseClassifier:
    """Per-clause scores of a question from its vector and its words (higher is likelier)."""

    def __init__(self, stamp: str, keys: list[ClauseKey], meaning: np.ndarray, meaning_bias: np.ndarray,
                 pieces: np.ndarray, idf: np.ndarray, words: np.ndarray, words_bias: np.ndarray):
        self.stamp = stamp
        self.keys = keys
        """The clauses, in the order of every score array."""
        self._meaning, self._meaning_bias = meaning, meaning_bias
        """Weights (dim x clauses) and bias of the classifier on vectors."""
        self._pieces, self._idf = pieces, idf
        self._column = {piece: i for i, piece in enumerate(pieces.tolist())}
        self._words, self._words_bias = words, words_bias
        """Weights (pieces x clauses, a question's pieces are a few rows) and bias of the classifier on words."""

    @classmethod
    def train(cls, stamp: str, facets: list[tuple[ClauseKey, str]], vectors: np.ndarray) -> ClauseClassifier:
        """Fit both classifiers on the facets (one text and one vector each), labelled with their clauses."""
        if stamp in _TRAINED:
            return _TRAINED[stamp]
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        keys = sorted({key for key, _ in facets})
        position = {key: i for i, key in enumerate(keys)}
        labels = np.array([position[key] for key, _ in facets])
        # min_df=2: a piece from one facet only is a typo or a name, and would be learned as that clause's alone.
        vectorizer = TfidfVectorizer(analyzer=word_pieces, sublinear_tf=True, min_df=2, dtype=np.float32)
        with warnings.catch_warnings():
            # Stopping at max_iter is the plan, and a warning on stderr would draw over the TUI.
            warnings.simplefilter("ignore", ConvergenceWarning)
            meaning = LogisticRegression(**TRAINING).fit(vectors, labels)
            words = LogisticRegression(**TRAINING).fit(vectorizer.fit_transform([text for _, text in facets]), labels)
        pieces = np.array(vectorizer.get_feature_names_out(), dtype=str)
        trained = cls(stamp, keys, meaning.coef_.T.astype(np.float32), meaning.intercept_.astype(np.float32),
                      pieces, vectorizer.idf_.astype(np.float32), np.ascontiguousarray(words.coef_.T, np.float32),
                      words.intercept_.astype(np.float32))
        _TRAINED[stamp] = trained
        for old in list(_TRAINED)[:-_KEEP_TRAINED]:
            del _TRAINED[old]
        return trained

    def save(self, directory: Path) -> None:
        standards, editions, ids = (np.array(column, dtype=str) for column in zip(*self.keys, strict=True))
        save_stamped(directory / CLASSIFIER_FILE, self.stamp, standards=standards, editions=editions, ids=ids,
                     meaning=self._meaning, meaning_bias=self._meaning_bias, pieces=self._pieces, idf=self._idf,
                     words=self._words, words_bias=self._words_bias)

    @staticmethod
    def saved_stamp(directory: Path) -> str | None:
        return saved_stamp(directory / CLASSIFIER_FILE)

    @classmethod
    def load(cls, directory: Path, stamp: str) -> ClauseClassifier | None:
        """The classifier on disk if it was trained on these facets (None: missing, damaged or out of date)."""
        saved = load_stamped(directory / CLASSIFIER_FILE, stamp, (
            "standards", "editions", "ids", "meaning", "meaning_bias", "pieces", "idf", "words", "words_bias"))
        if saved is None:
            return None
        keys = [ClauseKey(*key) for key in zip(saved.pop("standards").tolist(), saved.pop("editions").tolist(),
                                               saved.pop("ids").tolist(), strict=True)]
        return cls(stamp, keys, **saved)

    def by_meaning(self, query_vector: np.ndarray) -> np.ndarray:
        return query_vector.astype(np.float32) @ self._meaning + self._meaning_bias

    def by_words(self, text: str) -> np.ndarray:
        """Scores from the question's word pieces, weighted as TfidfVectorizer weighed the training texts."""
        counts = Counter(self._column[piece] for piece in word_pieces(text) if piece in self._column)
        if not counts:
            return self._words_bias.copy()
        columns = np.fromiter(counts, dtype=np.int64)
        weights = np.array([1.0 + math.log(n) for n in counts.values()], dtype=np.float32) * self._idf[columns]
        weights /= np.linalg.norm(weights)
        return weights @ self._words[columns] + self._words_bias


def lift(scores: np.ndarray) -> float:
    """The softmax probability of the best of these classifier scores, times their number (1: no better than
    a blind guess)."""
    return float(scores.size / np.exp(scores - scores.max()).sum())
