"""The coverage map: which company procedures cite or match each clause, and which clauses nothing covers."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel

from index import lexical
from index.search import SearchService
from index.store import CATALOGUE_DOC_ID
from index.vectors import cached_vectors
from knowledge.catalogue import Q1, Clause, ClauseKey

MATCH_FLOOR = 0.45
"""Cosine from which a procedure section is taken to deal with a clause it does not cite (MiniLM)."""
MATCHES_PER_CLAUSE = 3


class CoveringProcedure(BaseModel):
    doc: str
    title: str
    section: str
    how: Literal["cites", "cites other edition", "matches"]
    score: float | None = None
    """Cosine similarity for a match (hybrid mode), or the share of the best BM25 score (lexical mode)."""


class ClauseCoverage(BaseModel):
    id: str
    title: str
    documented_procedure: bool
    q1_only: bool
    procedures: list[CoveringProcedure]
    covered: bool
    """Cited or matched, itself or through a sub-clause."""


class CoverageReport(BaseModel):
    standard: str
    edition: str
    mode: Literal["hybrid", "lexical"]
    clauses: list[ClauseCoverage]
    uncovered: list[str]
    """Clause ids nothing covers: those that call for a documented procedure first."""
    q1_only: list[str]
    """Q1 clauses with no ISO 9001 counterpart: the gap when moving from ISO 9001 to Q1."""


def _citing(service: SearchService, procedures, clause: Clause) -> list[CoveringProcedure]:
    same = str(clause.key)
    other = set()
    for move in service.catalogue.edition_moves(clause):
        for edition, clause_id in (("9th", move.q1_9th), ("10th", move.q1_10th)):
            if clause_id is not None and edition != clause.edition:
                other.add(str(ClauseKey(Q1, edition, clause_id)))
    found: dict[str, CoveringProcedure] = {}
    for p in procedures:
        refs = set(p.clause_refs)
        how = "cites" if same in refs else "cites other edition" if refs & other else None
        if how and (p.doc_id not in found or found[p.doc_id].how != "cites"):
            found[p.doc_id] = CoveringProcedure(doc=p.doc_id, title=p.doc_title, section=p.section, how=how)
    return list(found.values())


def _dense_matches(service: SearchService, procedures, clause_passages) -> dict[str, list[CoveringProcedure]]:
    service.build()
    name = service.model_name
    db = service.store.db
    proc_vectors = cached_vectors(db, name, [p.content_hash for p in procedures])
    clause_vectors = cached_vectors(db, name, [p.content_hash for p in clause_passages.values()])
    if not procedures:
        return {}
    matrix = np.stack([proc_vectors[p.content_hash] for p in procedures])
    out: dict[str, list[CoveringProcedure]] = {}
    for clause_id, cp in clause_passages.items():
        scores = matrix @ clause_vectors[cp.content_hash]
        best: dict[str, CoveringProcedure] = {}
        for row in np.argsort(-scores):
            if scores[row] < MATCH_FLOOR or len(best) == MATCHES_PER_CLAUSE:
                break
            p = procedures[row]
            if p.doc_id not in best:
                best[p.doc_id] = CoveringProcedure(
                    doc=p.doc_id, title=p.doc_title, section=p.section, how="matches", score=round(float(scores[row]), 3)
                )
        out[clause_id] = list(best.values())
    return out


def _lexical_matches(service: SearchService, procedures, clauses: list[Clause]) -> dict[str, list[CoveringProcedure]]:
    by_id = {p.id: p for p in procedures}
    out: dict[str, list[CoveringProcedure]] = {}
    for clause in clauses:
        hits = [(pid, s) for pid, s in lexical.search(service.store.db, f"{clause.title} {' '.join(clause.keywords)}") if pid in by_id]
        best: dict[str, CoveringProcedure] = {}
        for pid, score in hits:
            share = score / hits[0][1]
            if share < 0.5 or len(best) == MATCHES_PER_CLAUSE:
                break
            p = by_id[pid]
            if p.doc_id not in best:
                best[p.doc_id] = CoveringProcedure(
                    doc=p.doc_id, title=p.doc_title, section=p.section, how="matches", score=round(share, 3)
                )
        out[clause.id] = list(best.values())
    return out


def build_coverage(service: SearchService, standard: str, edition: str) -> CoverageReport:
    catalogue = service.catalogue
    clauses = catalogue.clauses(standard, edition)
    passages = service.store.passages()
    procedures = [p for p in passages if p.kind == "procedure"]
    clause_passages = {
        p.clause_id: p
        for p in passages
        if p.doc_id == CATALOGUE_DOC_ID and p.clause_refs[0].startswith(f"{standard}:{edition}:")
    }
    if service.embedder is not None:
        matches = _dense_matches(service, procedures, clause_passages)
        mode = "hybrid"
    else:
        matches = _lexical_matches(service, procedures, clauses)
        mode = "lexical"
    rows: dict[str, ClauseCoverage] = {}
    for clause in clauses:
        citing = _citing(service, procedures, clause)
        cited_docs = {c.doc for c in citing}
        found = citing + [m for m in matches.get(clause.id, []) if m.doc not in cited_docs]
        q1_only = standard == Q1 and any(link.q1_only for link in catalogue.links_for(clause))
        rows[clause.id] = ClauseCoverage(
            id=clause.id, title=clause.title, documented_procedure=clause.documented_procedure,
            q1_only=q1_only, procedures=found, covered=bool(found),
        )
    # A section is covered when any of its sub-clauses is (children come after parents in the catalogue).
    for clause in reversed(clauses):
        if rows[clause.id].covered and clause.parent in rows and not rows[clause.parent].covered:
            rows[clause.parent] = rows[clause.parent].model_copy(update={"covered": True})
    uncovered = sorted(
        (c for c in clauses if not rows[c.id].covered), key=lambda c: not c.documented_procedure
    )
    return CoverageReport(
        standard=standard, edition=edition, mode=mode, clauses=list(rows.values()),
        uncovered=[c.id for c in uncovered], q1_only=[c.id for c in clauses if rows[c.id].q1_only],
    )
