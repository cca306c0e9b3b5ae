"""Clause facets: each clause embedded through several short texts (title, summary, site words, evidence,
the checklist questions that cite it, what is heard on site about it), scored by its best-matching facet.

A shop-floor question rarely shares words with a clause's summary but often reads like one line an auditor
wrote for that clause: the checklist question, an evidence item, a keyword.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

import numpy as np
import sqlite_utils

from index.embedder import Embedder
from index.vectors import cached_vectors, embed_with_cache
from knowledge.catalogue import DEFAULT_EDITION, ISO, Q1, Catalogue, ClauseKey
from knowledge.site_questions import load_site_questions
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


def site_question_facets(catalogue: Catalogue) -> list[tuple[ClauseKey, str]]:
    """(clause, text) for each bundled site question (knowledge/site_questions.py) of a catalogue clause.

    A clause's questions also speak for its stand-ins (Catalogue.stand_ins), where a reader of the other
    standard or edition looks for it: asked "in ISO terms", contingency planning belongs in 6.1; asked of the
    10th edition, 9th-edition process validation belongs under 5.6. Measured on the blind dev questions: ISO
    R@5 +0.01 and MRR +0.02 from the ISO stand-ins, Q1 10th R@5 +0.02 and MRR +0.02 from the edition homes,
    the other standards unchanged; lending the catalogue's written facets too cost Q1 0.01.
    """
    facets = [(key, text) for key, text in load_site_questions() if catalogue.get(*key) is not None]
    lent = [(stand_in.key, text) for key, text in facets for stand_in in catalogue.stand_ins(catalogue.get(*key))]
    return facets + list(dict.fromkeys(lent))


FacetSet = Literal["written", "heard"]
"""`written`: the catalogue's own words and the checklist questions; `heard`: what is said on site. Each set
is its own ranking in the fusion: a question close to several site stories should not crowd out the
clause whose summary or checklist line it matches (measured: one set did no better than none)."""


def facet_sets(catalogue: Catalogue, checklist_dir: Path | None) -> dict[FacetSet, list[tuple[ClauseKey, str]]]:
    return {
        "written": clause_facets(catalogue) + checklist_facets(checklist_dir, catalogue),
        "heard": site_question_facets(catalogue),
    }


def hashed_texts(facets: list[tuple[ClauseKey, str]]) -> list[tuple[str, str]]:
    """(text hash, text) per facet: the embedding cache's key and what is embedded."""
    return [(hashlib.sha256(text.encode()).hexdigest(), text) for _, text in facets]


class FacetIndex:
    """Facet vectors in memory (a few thousand short texts), their clauses, and best-facet scoring."""

    def __init__(self, keys: list[ClauseKey], matrix: np.ndarray, model: str):
        self.clauses = sorted(set(keys))
        position = {key: i for i, key in enumerate(self.clauses)}
        owner = np.array([position[k] for k in keys], dtype=np.int64)
        # Facets sorted by clause, so each clause's best is one reduceat over its run of rows
        # (np.maximum.at is unbuffered and costs tens of ms on a few thousand facets).
        order = np.argsort(owner, kind="stable")
        self._order = order
        self._matrix = np.ascontiguousarray(np.asarray(matrix, dtype=np.float32)[order])
        self._starts = np.flatnonzero(np.r_[True, owner[order][1:] != owner[order][:-1]]) if len(keys) else owner
        self.model = model
        """The embedder the vectors came from."""

    @classmethod
    def build(
        cls, facets: list[tuple[ClauseKey, str]], embedder: Embedder, db: sqlite_utils.Database
    ) -> FacetIndex:
        """Embed the facet texts, caching new vectors in the knowledge store's embedding table (a write)."""
        matrix, _ = embed_with_cache(db, embedder, hashed_texts(facets))
        return cls([key for key, _ in facets], matrix, embedder.name)

    @classmethod
    def load(cls, facets: list[tuple[ClauseKey, str]], embedder: Embedder, db: sqlite_utils.Database) -> FacetIndex:
        """The facet vectors from the embedding cache, those missing embedded in memory (no write)."""
        items = hashed_texts(facets)
        cache = cached_vectors(db, embedder.name, [h for h, _ in items])
        todo = list({h: t for h, t in items if h not in cache}.items())
        if todo:
            cache.update(zip([h for h, _ in todo], embedder.encode([t for _, t in todo]), strict=True))
        matrix = np.stack([cache[h] for h, _ in items]) if items else np.zeros((0, embedder.dim), np.float32)
        return cls([key for key, _ in facets], matrix, embedder.name)

    def vectors(self) -> np.ndarray:
        """The facet vectors in the order the facets were given."""
        vectors = np.empty_like(self._matrix)
        vectors[self._order] = self._matrix
        return vectors

    def rows_in(self, clause_rows: dict[ClauseKey, int]) -> np.ndarray:
        """The passage-table row of each clause (-1 where the table has none)."""
        return np.array([clause_rows.get(key, -1) for key in self.clauses], dtype=np.int64)

    def best(self, query_vector: np.ndarray) -> np.ndarray:
        """Each clause's best facet cosine with the query, in `clauses` order."""
        if not len(self.clauses):
            return np.zeros(0, dtype=np.float32)
        # einsum, not `@`: OpenBLAS spreads a product this size over threads, which costs ~30 ms instead
        # of under 1 when the cores are busy (measured on the 2-core machine under load).
        cosines = np.einsum("ij,j->i", self._matrix, query_vector.astype(np.float32))
        return np.maximum.reduceat(cosines, self._starts)
