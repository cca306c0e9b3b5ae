"""Clause facets: each clause embedded through several short texts (title, summary, site words, evidence,
the checklist questions that cite it), scored by its best-matching facet.

A shop-floor question rarely shares words with a clause's summary but often reads like one line an auditor
wrote for that clause: the checklist question, an evidence item, a keyword.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import sqlite_utils

from index.embedder import Embedder
from index.vectors import embed_with_cache
from knowledge.catalogue import DEFAULT_EDITION, ISO, Q1, Catalogue, ClauseKey
from knowledge.yaml_files import read_yaml

_CHECKLIST_FIELDS = {"q1_10th": (Q1, "10th"), "q1_9th": (Q1, "9th"), "iso": (ISO, DEFAULT_EDITION[ISO])}


def checklist_facets(checklist_dir: Path | None, catalogue: Catalogue) -> list[tuple[ClauseKey, str]]:
    """(clause, question text) for every checklist question citing a clause; the YAML is read as plain data
    (the checklist model belongs to `rules`, which the index may not import, and the rules loader has
    already validated these files)."""
    facets: list[tuple[ClauseKey, str]] = []
    for path in sorted(checklist_dir.glob("*.yaml")) if checklist_dir else []:
        data, _ = read_yaml(path)
        for question in (data or {}).get("questions", []) if isinstance(data, dict) else []:
            text = " ".join(str(question.get(field) or "") for field in ("text", "help")).strip()
            for field, (standard, edition) in _CHECKLIST_FIELDS.items():
                for clause_id in (question.get("clauses") or {}).get(field, []):
                    key = ClauseKey(standard, edition, str(clause_id))
                    if text and catalogue.get(*key) is not None:
                        facets.append((key, text))
    return facets


def clause_facets(catalogue: Catalogue) -> list[tuple[ClauseKey, str]]:
    """(clause, text) for each catalogue facet: title with summary, each keyword, each evidence item."""
    facets: list[tuple[ClauseKey, str]] = []
    for clause in catalogue.clauses():
        facets.append((clause.key, f"{clause.title}. {clause.summary}"))
        facets += [(clause.key, f"{clause.title}: {word}") for word in clause.keywords]
        facets += [(clause.key, f"{clause.title}: {item}") for item in clause.evidence]
    return facets


class FacetIndex:
    """Facet vectors in memory (a few thousand short texts), their clauses, and best-facet scoring."""

    def __init__(self, keys: list[ClauseKey], matrix: np.ndarray):
        self.clauses = sorted(set(keys))
        position = {key: i for i, key in enumerate(self.clauses)}
        self._owner = np.array([position[k] for k in keys], dtype=np.int64)
        self._matrix = matrix

    @classmethod
    def build(
        cls, facets: list[tuple[ClauseKey, str]], embedder: Embedder, db: sqlite_utils.Database
    ) -> FacetIndex:
        """Embed the facet texts (cached by content hash in the knowledge store's embedding table)."""
        items = [(hashlib.sha256(text.encode()).hexdigest(), text) for _, text in facets]
        matrix, _ = embed_with_cache(db, embedder, items)
        return cls([key for key, _ in facets], matrix)

    def scores(self, query_vector: np.ndarray) -> dict[ClauseKey, float]:
        """Each clause's best facet cosine with the query."""
        cosines = self._matrix @ query_vector
        best = np.full(len(self.clauses), -1.0, dtype=np.float32)
        np.maximum.at(best, self._owner, cosines)
        return dict(zip(self.clauses, best.tolist(), strict=True))
