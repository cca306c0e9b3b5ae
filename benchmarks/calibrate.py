"""Fit the confidence model (index/confidence.py) on the blind set's DEV half and print its weights.

Run: python benchmarks/calibrate.py  (real model; a few minutes). Copy the printed weights into
index/confidence.py. Fitted on blind dev questions plus inputs with no right clause of our own
(index/eval/calibration_negatives.yaml and seeded keyboard mashing); the blind no-match set is only checked.
"""

from __future__ import annotations

import random
import string
import sys
import tempfile
from pathlib import Path

import numpy as np

from index import search
from index.confidence import Calibration, features
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


def _negatives(service: SearchService) -> list[dict[str, float]]:
    """Features of the top result for inputs that have no right clause."""
    xs = []
    for text in load_no_match(NEGATIVES_FILE) + _gibberish(40):
        response = service.ask(text, top=5)
        top = next((r for r in response.results if r.kind == "clause"), None)
        if top is not None and response.signals is not None and not response.signals.exact:
            xs.append(features(response.signals, top.score))
    return xs


def _rows(service: SearchService, catalogue) -> tuple[list[dict[str, float]], list[int]]:
    xs, ys = [], []
    for question in load_questions(catalogue, BLIND_FILE):
        if question.split != "dev":
            continue
        for standard, edition in FIELDS:
            answers = question.answers(standard, edition)
            if not answers:
                continue
            response = service.ask(question.q, top=5, standard=standard, edition=edition)
            top = next((r for r in response.results if r.kind == "clause"), None)
            if top is None or response.signals is None or response.signals.exact:
                continue
            xs.append(features(response.signals, top.score))
            ys.append(int(top.id in answers))
    negatives = _negatives(service)
    return xs + negatives, ys + [0] * len(negatives)


def fit(xs: list[dict[str, float]], ys: list[int], l2: float = 0.1) -> Calibration:
    """L2-regularised logistic regression by Newton's method (a few dozen rows, five features)."""
    names = list(xs[0])
    x = np.array([[1.0, *(row[n] for n in names)] for row in xs])
    y = np.array(ys, dtype=float)
    w = np.zeros(x.shape[1])
    penalty = np.diag([0.0] + [l2] * len(names))
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (p - y) + penalty @ w
        hessian = x.T @ (x * (p * (1 - p))[:, None]) + penalty
        w -= np.linalg.solve(hessian, gradient)
    return Calibration(intercept=float(w[0]), **{n: float(v) for n, v in zip(names, w[1:], strict=True)})


def main() -> None:
    search.NO_MATCH_BELOW = 0.0  # see every top result, however unsure
    catalogue = load_catalogue()
    with tempfile.TemporaryDirectory() as workdir:
        root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(workdir)
        service = SearchService(root / "k.db", root / "index", catalogue, MiniLMEmbedder(), CHECKLIST_DIR)
        if not service.store.documents():
            list(import_files(service.store, [SAMPLE_QMS_DIR], catalogue))
        service.build()
        xs, ys = _rows(service, catalogue)
        calibration = fit(xs, ys)
        print(calibration.model_dump_json(indent=2))
        from index.confidence import confidence

        x = np.array([[1.0, *row.values()] for row in xs])
        weights = calibration.model_dump(exclude={"model"})
        w = np.array([weights["intercept"], *(weights[n] for n in xs[0])])
        p = 1 / (1 + np.exp(-x @ w))
        for low, high in ((0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.01)):
            sel = (p >= low) & (p < high)
            if sel.any():
                print(f"confidence {low:.1f}-{high:.1f}: {sel.sum():3d} top results, {np.mean(np.array(ys)[sel]):.2f} right")
        right = np.array(ys, dtype=bool)
        for floor in (0.1, 0.15, 0.2, 0.25, 0.3, 0.4):
            print(
                f"no-match floor {floor:.2f}: drops {np.mean(p[right] < floor):.1%} of right top results, "
                f"keeps {np.mean(p[~right] >= floor):.1%} of wrong or no-answer ones"
            )
        worst = []
        for text in load_no_match():
            response = service.ask(text, top=5)
            top = next((r for r in response.results if r.kind == "clause"), None)
            if response.signals is not None:
                worst.append((round(confidence(response.signals, top.score if top else 0.0, calibration), 3), text))
        print("highest no-match confidences:", sorted(worst, reverse=True)[:8])


if __name__ == "__main__":
    main()
