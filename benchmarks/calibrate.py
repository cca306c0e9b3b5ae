"""Fit the confidence models (index/confidence.py) and print their weights.

Run: python benchmarks/calibrate.py [WORKDIR]  (real model; a few minutes). Copy the printed weights into
index/confidence.py. "On topic" (best cosine, word classifier's sureness) is fitted on the blind set's DEV
questions against inputs with no right clause of our own (index/eval/calibration_negatives.yaml and seeded
keyboard mashing); "right clause" on DEV questions only. The test half and the blind no-match set are never used here.
"""

from __future__ import annotations

import math
import random
import string
import sys
import tempfile
from pathlib import Path

import numpy as np

from index import confidence as confidence_module
from index.confidence import Calibration, Signals, confidence
from index.embedder import MiniLMEmbedder
from index.evaluation import BLIND_FILE, EVAL_DIR, FIELDS, load_no_match, load_questions
from index.importer import import_files
from index.search import SearchService
from knowledge import SAMPLE_QMS_DIR
from knowledge.catalogue import load_catalogue
from rules.checklist import CHECKLIST_DIR

NEGATIVES_FILE = EVAL_DIR / "calibration_negatives.yaml"


def _gibberish(count: int, seed: int = 16) -> list[str]:
    """Keyboard mashing from a fixed seed: one to three 'words' of random letters."""
    rng = random.Random(seed)
    letters = string.ascii_lowercase
    return [
        " ".join("".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(rng.randint(1, 3)))
        for _ in range(count)
    ]


def _top(service: SearchService, text: str, **filters):
    response = service.ask(text, top=5, **filters)
    top = next((r for r in response.results if r.kind == "clause"), None)
    return response, top


def _dev_rows(service: SearchService, catalogue) -> list[tuple[float, float, int, object]]:
    """(fused score, cosine, right?, signals) of the top result for each dev question and standard."""
    rows = []
    for question in load_questions(catalogue, BLIND_FILE):
        if question.split != "dev":
            continue
        for standard, edition in FIELDS:
            answers = question.answers(standard, edition)
            if answers:
                response, top = _top(service, question.q, standard=standard, edition=edition)
                if top is not None and not response.signals.exact:
                    rows.append((top.score, response.signals.cosine, int(top.id in answers), response.signals))
    return rows


def _negative_signals(service: SearchService) -> list[Signals]:
    signals = []
    for text in load_no_match(NEGATIVES_FILE) + _gibberish(40):
        response, _ = _top(service, text)
        if response.signals is not None and not response.signals.exact:
            signals.append(response.signals)
    return signals


def _on_topic_features(signals: list[Signals]) -> np.ndarray:
    """The best cosine and the log of the word classifier's lift (the build trains the classifier)."""
    return np.array([[s.cosine, math.log(max(s.word_lift, 1e-6))] for s in signals])


def logistic(x: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method; returns [intercept, weights...]."""
    x = np.c_[np.ones(len(x)), x]
    w = np.zeros(x.shape[1])
    penalty = np.diag([0.0] + [l2] * (x.shape[1] - 1))
    for _ in range(60):
        p = 1 / (1 + np.exp(-x @ w))
        w -= np.linalg.solve(x.T @ (x * (p * (1 - p))[:, None]) + penalty, x.T @ (p - y) + penalty @ w)
    return w


def main() -> None:
    confidence_module.NO_MATCH_BELOW = 0.0  # see every top result, however unsure
    catalogue = load_catalogue()
    with tempfile.TemporaryDirectory() as workdir:
        root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(workdir)
        service = SearchService(root / "k.db", root / "index", catalogue, MiniLMEmbedder(), CHECKLIST_DIR)
        if not service.store.documents():
            list(import_files(service.store, [SAMPLE_QMS_DIR], catalogue))
        service.build()
        rows = _dev_rows(service, catalogue)
        negatives = _negative_signals(service)
    on_topic_x = _on_topic_features([r[3] for r in rows] + negatives)
    on_topic = logistic(on_topic_x, np.r_[np.ones(len(rows)), np.zeros(len(negatives))], l2=0.01)
    right = logistic(np.array([[r[0], r[1]] for r in rows]), np.array([r[2] for r in rows], dtype=float), l2=0.1)
    calibration = Calibration(
        on_topic_intercept=round(float(on_topic[0]), 2), on_topic_cosine=round(float(on_topic[1]), 2),
        on_topic_words=round(float(on_topic[2]), 2),
        right_intercept=round(float(right[0]), 2), right_score=round(float(right[1]), 2),
        right_cosine=round(float(right[2]), 2),
    )
    print(calibration.model_dump_json(indent=2))
    p = np.array([confidence(r[3], r[0], calibration) for r in rows])
    y = np.array([r[2] for r in rows], dtype=bool)
    for low in (0.0, 0.2, 0.4, 0.6, 0.8):
        inside = (p >= low) & (p < low + 0.2)
        if inside.any():
            print(f"confidence {low:.1f}-{low + 0.2:.1f}: {inside.sum():3d} dev top results, {y[inside].mean():.2f} right")


if __name__ == "__main__":
    main()
