"""The draft conformity matrix: per API Q1 clause, the company document, section and page that address it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel

from index.coverage import ClauseCoverage, CoveringProcedure, build_coverage
from index.search import SearchService
from index.store import StoredPassage
from knowledge.catalogue import Q1, Clause

MatrixConfidence = Literal["high", "medium", "low", "none"]
Status = Literal["addressed", "to check", "see sub-clauses", "not a requirement", "gap"]
"""`to check`: no procedure cites the clause in its body, only in a references list or by close text; a
lead, not coverage. `not a requirement`: scope, normative references, terms and definitions (sections 1-3),
which no procedure has to address."""
INFORMATIVE_SECTIONS = ("1", "2", "3")

# A procedure that cites the clause by number is the applicant's own pointer; a citation of the other
# edition's number is right in substance but needs the number updated; a text match is only a lead.
_CONFIDENCE: dict[str, MatrixConfidence] = {"cites": "high", "cites other edition": "medium", "matches": "low"}


class MatrixRow(BaseModel):
    """One clause of the matrix, as the applicant reviews it."""

    clause: str
    title: str
    clause_confidence: str
    """How well the clause number and title are established (verified, likely, unverified)."""
    documented_procedure: bool
    records: bool
    q1_only: bool
    status: Status
    document: str | None = None
    document_title: str | None = None
    revision: str | None = None
    section: str | None = None
    page: int | None = None
    how: str | None = None
    """cites, cites other edition, or matches."""
    confidence: MatrixConfidence = "none"
    score: float | None = None
    others: list[str] = []
    """Further candidates as `DOC section`."""


class ConformityMatrix(BaseModel):
    standard: str = Q1
    edition: str
    drafted: str
    """The day of the newest document the draft rests on (ISO format): the same knowledge base gives the same file."""
    mode: Literal["hybrid", "lexical"]
    documents: int
    rows: list[MatrixRow]
    """Clauses that ask for a documented procedure first, then the rest, each in catalogue order."""

    @property
    def gaps(self) -> list[MatrixRow]:
        return [row for row in self.rows if row.status == "gap"]

    @property
    def to_check(self) -> list[MatrixRow]:
        return [row for row in self.rows if row.status == "to check"]


# Sections that cite a clause without dealing with it: reference lists and revision histories.
_NOT_BODY = ("reference", "revision", "history", "amendment", "change record")


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in ("and", "the", "for", "control", "general")}


def _ranked(procedures: list[CoveringProcedure], clause: Clause) -> list[CoveringProcedure]:
    """Citations first; among several citing documents, the one whose title names the clause's topic."""
    order = list(_CONFIDENCE)
    topic = _words(" ".join([clause.title, *clause.keywords]))
    return sorted(procedures, key=lambda p: (order.index(p.how), -len(topic & _words(p.title)), -(p.score or 0.0)))


def _citing_passages(doc: str, clause: Clause, passages: list[StoredPassage]) -> tuple[list[StoredPassage], list[StoredPassage]]:
    """The document's passages that cite the clause, and those of them in its body (not a references list)."""
    citing = [p for p in passages if p.doc_id == doc and str(clause.key) in p.clause_refs]
    return citing, [p for p in citing if not any(word in p.section.lower() for word in _NOT_BODY)]


def _where(doc: str, section: str, clause: Clause, passages: list[StoredPassage]) -> tuple[str, int | None]:
    """The section that deals with the clause: a citation in a references list points to the whole document,
    so a citing section of the body is preferred where there is one."""
    citing, body = _citing_passages(doc, clause, passages)
    chosen = (body or [p for p in citing if p.section == section] or [None])[0]
    if chosen is None:
        pages = [p.page for p in passages if p.doc_id == doc and p.section == section and p.page is not None]
        return section, min(pages, default=None)
    return chosen.section, chosen.page


def _only_listed(best: CoveringProcedure, clause: Clause, passages: list[StoredPassage]) -> bool:
    """A procedure that names the clause only in its references list: it may not deal with it at all."""
    citing, body = _citing_passages(best.doc, clause, passages)
    return best.how == "cites" and bool(citing) and not body


def _row(cov: ClauseCoverage, clause: Clause, passages: list[StoredPassage], revisions: dict[str, str | None]) -> MatrixRow:
    common = {
        "clause": cov.id, "title": cov.title, "clause_confidence": clause.confidence.value,
        "documented_procedure": cov.documented_procedure, "records": clause.records, "q1_only": cov.q1_only,
    }
    if cov.id.split(".")[0] in INFORMATIVE_SECTIONS:
        return MatrixRow(**common, status="not a requirement")
    if not cov.procedures:
        return MatrixRow(**common, status="see sub-clauses" if cov.covered else "gap")
    best, *rest = _ranked(cov.procedures, clause)
    section, page = _where(best.doc, best.section, clause, passages)
    listed = _only_listed(best, clause, passages)
    return MatrixRow(
        **common, status="to check" if best.how == "matches" or listed else "addressed", document=best.doc,
        document_title=best.title, revision=revisions.get(best.doc), section=section, page=page,
        how="cites in references only" if listed else best.how, confidence="low" if listed else _CONFIDENCE[best.how],
        score=best.score, others=[f"{p.doc} {p.section}" for p in rest],
    )


def build_matrix(service: SearchService, edition: str = "10th",
                 progress: Callable[[str], None] | None = None) -> ConformityMatrix:
    """Draft the matrix from the coverage map of the company procedures in the knowledge base."""
    say = progress or (lambda _message: None)
    documents = [d for d in service.store.documents() if d.kind == "procedure"]
    say(f"matching {len(service.catalogue.clauses(Q1, edition))} clauses of API Q1 {edition} against "
        f"{len(documents)} procedures ...")
    report = build_coverage(service, Q1, edition)
    passages = [p for p in service.store.passages() if p.kind == "procedure"]
    revisions = {d.doc_id: d.revision for d in documents}
    catalogue = service.catalogue
    say("locating sections and pages ...")
    rows = [_row(cov, catalogue.get(Q1, edition, cov.id), passages, revisions) for cov in report.clauses]
    rows.sort(key=lambda row: not row.documented_procedure)  # stable: catalogue order within each block
    newest = max((d.imported_at for d in documents), default="")
    return ConformityMatrix(
        edition=edition, drafted=newest[:10] or "no documents", mode=report.mode,
        documents=len(documents), rows=rows,
    )
