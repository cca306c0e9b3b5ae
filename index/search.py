"""Hybrid search: dense (faiss) and lexical (FTS5) rankings fused, exact clause numbers first."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel

from index import lexical
from index.confidence import CALIBRATION, Signals, confidence, no_good_match
from index.embedder import Embedder, EmbedderUnavailable, expected_model_name, load_default_embedder
from index.facets import FacetIndex, checklist_facets, clause_facets
from index.manifest import Manifest, corpus_hash, read_manifest, write_manifest
from index.query import QueryPlan, understand
from index.store import CATALOGUE_DOC_ID, KnowledgeStore, StoredPassage
from index.vectors import INDEX_FILE, VectorIndex, embed_with_cache
from knowledge.catalogue import DEFAULT_EDITION, ISO, Q1, Catalogue, Clause, ClauseKey, load_catalogue
from knowledge.documents.models import Passage
from knowledge.errors import Q1AuditError
from knowledge.thesaurus import load_thesaurus

ResultKind = Literal["clause", "licensed-text", "procedure"]
IndexState = Literal["current", "stale", "missing", "mismatch"]

LEXICAL_FLOOR = 0.35
"""Lexical-only: a hit scoring below this share of the best BM25 score is padding."""
CANDIDATES = 300
CORROBORATING_HITS = 5
CORROBORATED_FLOOR = 0.6
"""With this many lexical hits, the cosine floor drops to this share of the model's floor."""
EXCERPT_CHARS = 280
LEXICAL_NOTE = "lexical only: embedding model not loaded"


class SearchError(Q1AuditError):
    title = "Search failed"


class Fusion(BaseModel):
    """Weighted reciprocal rank fusion of the dense and lexical rankings (weights measured on the eval set)."""

    rrf_k: int = 10
    """Small, because only the first few ranks of each list matter for "which clause?"."""
    dense: float = 1.0
    lexical: float = 0.8
    linked: float = 0.5
    """Share of the best score among a clause's crosswalk and other-edition counterparts added to its own."""
    cited: float = 0.3
    """Weight of a clause being cited by one of the best-matching procedure passages."""
    cited_from: int = 3
    """How many of the best procedure passages lend their citations."""
    min_share: float = 0.1
    """Results scoring below this (0-1) are left out rather than padding the list."""
    thesaurus: float = 0.5
    """Weight of a clause being pointed at by a site word of the question (index/query.py)."""
    facets: float = 1.0
    """Weight of the ranking by each clause's best facet (index/facets.py)."""


class SearchResult(BaseModel):
    kind: ResultKind
    score: float
    """Fused relevance from 0 to 1 (1: first in every ranking, or an exact clause number)."""
    standard: str | None = None
    edition: str | None = None
    id: str | None = None
    title: str | None = None
    doc: str | None = None
    revision: str | None = None
    section: str | None = None
    page: int | None = None
    clauses: list[str] = []
    """For procedures: the clauses the passage cites, as ClauseKey strings."""
    text: str = ""
    """A short excerpt."""
    confidence: float | None = None
    """Calibrated chance (0-1) that this is a right clause (index/confidence.py); None without the model."""
    reading: str | None = None
    """For a clause offered because its number was typed: which reading it is (edition, home, counterpart)."""

    @property
    def key(self) -> ClauseKey | None:
        if self.standard is None or self.edition is None or self.id is None:
            return None
        return ClauseKey(self.standard, self.edition, self.id)


class AskResponse(BaseModel):
    query: str
    mode: Literal["hybrid", "lexical"]
    note: str | None = None
    results: list[SearchResult]
    no_good_match: bool = False
    expanded: list[str] = []
    """Quality-system words added to the question from the site-language thesaurus."""
    signals: Signals | None = None
    """What the confidence was computed from."""


class IndexStatus(BaseModel):
    state: IndexState
    mode: Literal["hybrid", "lexical"]
    model: str
    documents: int
    passages: int
    """All passages, catalogue clauses included."""
    clauses: int
    indexed: int
    """Vectors in the index on disk."""
    built_at: str | None = None
    reason: str


class BuildReport(BaseModel):
    rebuilt: bool
    passages: int
    embedded: int
    """Texts embedded in this build (the rest came from the cache)."""
    seconds: float
    reason: str

    @property
    def passages_per_second(self) -> float:
        return self.embedded / self.seconds if self.embedded and self.seconds else 0.0


def catalogue_passages(catalogue: Catalogue) -> list[tuple[str, Passage]]:
    """Each clause as a passage: label and title (with its parent's) as heading, our summary and keywords as text."""
    out = []
    for ordinal, clause in enumerate(catalogue.clauses()):
        parent = catalogue.parent(clause)
        context = f" ({parent.title})" if parent is not None else ""
        heading = f"{clause.label} {clause.title}{context}"
        text = clause.summary
        if clause.keywords:
            text += " " + "; ".join(clause.keywords) + "."
        passage = Passage(
            ordinal=ordinal,
            section_path=[f"{clause.id} {clause.title}"],
            text=text,
            clause_refs=[str(clause.key)],
            clause_id=clause.id,
        )
        out.append((heading, passage))
    return out


def _wanted_editions(standard: str | None, edition: str | None) -> set[tuple[str, str]]:
    if standard is None and edition in ("9th", "10th"):
        standard = Q1
    elif standard is None and edition is not None:
        standard = ISO
    if standard is None:
        return {(Q1, DEFAULT_EDITION[Q1]), (ISO, DEFAULT_EDITION[ISO])}
    if standard not in (Q1, ISO):
        raise SearchError(f"--standard: unknown standard {standard!r} (use 'API Q1' or 'ISO 9001')")
    return {(standard, edition or DEFAULT_EDITION[standard])}


class _Entry(BaseModel):
    """What the ranker needs to know about a passage without going back to SQLite."""

    kind: ResultKind
    standard: str | None
    edition: str | None
    passage: StoredPassage


class SearchService:
    """Keeps the vector index in step with the knowledge store and answers questions."""

    def __init__(
        self,
        knowledge_db: Path,
        index_dir: Path,
        catalogue: Catalogue,
        embedder: Embedder | None = None,
        checklist_dir: Path | None = None,
    ):
        self.store = KnowledgeStore(knowledge_db)
        self.index_dir = Path(index_dir)
        self.catalogue = catalogue
        self.embedder = embedder
        self._lock = threading.RLock()  # build() runs inside ask() when the index is out of date
        self._vectors: VectorIndex | None = None
        self._vectors_version: tuple | None = None
        self._entries: dict[int, _Entry] = {}
        self._clause_pids: dict[ClauseKey, int] = {}
        self._links: dict[int, list[int]] = {}
        self._groups: dict[int, tuple[str | None, str | None, ResultKind]] = {}
        """Clause passage id -> passage ids of its crosswalk counterparts and other-edition clause."""
        self._entries_version: tuple | None = None
        self.fusion = Fusion()
        self.thesaurus = load_thesaurus()
        self.checklist_dir = checklist_dir
        """Checklist YAML whose questions become clause facets (passed in: the index may not import rules)."""
        self._facets: FacetIndex | None = None
        self.model_error: str | None = None
        """Why the embedding model is not loaded, when a load was tried and failed."""
        self.store.sync_builtin(CATALOGUE_DOC_ID, "Clause catalogue", catalogue_passages(catalogue))

    def attach_embedder(self, embedder: Embedder) -> None:
        """Switch to hybrid search once the model has loaded (the TUI loads it in a worker)."""
        with self._lock:
            self.embedder = embedder
            self._vectors = None
            self._facets = None

    @property
    def model_name(self) -> str:
        return self.embedder.name if self.embedder is not None else expected_model_name()

    # --- index state -------------------------------------------------------------------------

    def status(self) -> IndexStatus:
        signature = self.store.signature()
        current_hash = corpus_hash(signature)
        manifest = read_manifest(self.index_dir)
        state, reason = self._state(manifest, current_hash)
        clauses = self.store.db.execute(
            "select count(*) from passages p join documents d on d.id = p.document_id where d.doc_id = ?",
            (CATALOGUE_DOC_ID,),
        ).fetchone()[0]
        return IndexStatus(
            state=state,
            mode="hybrid" if self.embedder is not None else "lexical",
            model=self.model_name,
            documents=len(self.store.documents()),
            passages=len(signature),
            clauses=clauses,
            indexed=manifest.count if manifest else 0,
            built_at=manifest.built_at if manifest else None,
            reason=reason,
        )

    def _state(self, manifest: Manifest | None, current_hash: str) -> tuple[IndexState, str]:
        if manifest is None or not (self.index_dir / INDEX_FILE).exists():
            return "missing", "no vector index has been built"
        if manifest.model != self.model_name or (self.embedder and manifest.dim != self.embedder.dim):
            return "mismatch", f"index built with {manifest.model} ({manifest.dim}-d), search uses {self.model_name}"
        if manifest.corpus_hash != current_hash:
            return "stale", "documents changed since the index was built"
        return "current", "index matches the knowledge base"

    def build(self, progress: Callable[[int, int], None] | None = None, force: bool = False) -> BuildReport:
        """Bring the vector index up to date; texts already embedded come from the cache."""
        if self.embedder is None:
            raise EmbedderUnavailable("no embedding model loaded: lexical search needs no build")
        started = time.perf_counter()
        with self._lock:
            self._facet_index(self.embedder)  # embedded now (or read from the cache), not inside a first query
            passages = self.store.passages()
            current_hash = corpus_hash((p.id, p.content_hash) for p in passages)
            state, reason = self._state(read_manifest(self.index_dir), current_hash)
            if state == "current" and not force:
                return BuildReport(
                    rebuilt=False, passages=len(passages), embedded=0,
                    seconds=time.perf_counter() - started, reason=reason,
                )
            items = [(p.content_hash, p.search_text) for p in passages]
            matrix, embedded = embed_with_cache(self.store.db, self.embedder, items, progress)
            ids = np.array([p.id for p in passages], dtype=np.int64)
            vectors = VectorIndex.build(ids, matrix)
            vectors.save(self.index_dir)
            write_manifest(
                self.index_dir,
                Manifest.create(self.embedder.name, self.embedder.dim, len(passages), current_hash),
            )
            self._vectors = vectors
        return BuildReport(
            rebuilt=True, passages=len(passages), embedded=embedded,
            seconds=time.perf_counter() - started, reason=reason,
        )

    def _refresh(self) -> str | None:
        """Reload passage metadata and the vector index when the store changed; rebuild a stale index first.

        Returns a note for the answer when a rebuild happened (the index is never used out of date).
        """
        version = self.store.version()
        note = None
        if self.embedder is not None and (self._vectors is None or version != self._vectors_version):
            report = self.build()
            if self._vectors is None:
                self._vectors = VectorIndex.load(self.index_dir)
            self._vectors_version = version
            note = f"index rebuilt first ({report.reason})" if report.rebuilt else None
        if version != self._entries_version:
            self._load_entries()
            self._entries_version = version
        return note

    def _load_entries(self) -> None:
        entries = {}
        for p in self.store.passages():
            if p.doc_id == CATALOGUE_DOC_ID:
                standard, edition, _ = p.clause_refs[0].split(":", 2)
                entries[p.id] = _Entry(kind="clause", standard=standard, edition=edition, passage=p)
            elif p.kind == "standard":
                entries[p.id] = _Entry(kind="licensed-text", standard=p.standard, edition=p.edition, passage=p)
            else:
                entries[p.id] = _Entry(kind="procedure", standard=None, edition=None, passage=p)
        clause_pids = {
            ClauseKey(e.standard, e.edition, e.passage.clause_id): pid
            for pid, e in entries.items() if e.kind == "clause"
        }
        links: dict[int, list[int]] = {}
        for key, pid in clause_pids.items():
            clause = self.catalogue.get(*key)
            linked = [c.key for c in self.catalogue.counterparts(clause)]
            for move in self.catalogue.edition_moves(clause):
                linked += [ClauseKey(Q1, "9th", move.q1_9th), ClauseKey(Q1, "10th", move.q1_10th)]
            links[pid] = [clause_pids[k] for k in dict.fromkeys(linked) if k in clause_pids and k != key]
        self._entries, self._clause_pids, self._links = entries, clause_pids, links
        self._groups = {pid: (e.standard, e.edition, e.kind) for pid, e in entries.items()}

    # --- asking ------------------------------------------------------------------------------

    def ask(
        self,
        query: str,
        top: int = 5,
        standard: str | None = None,
        edition: str | None = None,
        q1_edition: str | None = None,
    ) -> AskResponse:
        """The best clauses (per wanted standard) and procedure passages for a question.

        `q1_edition` (the session's) is the Q1 edition a clause number without one is read in first.
        """
        editions = _wanted_editions(standard, edition)
        query = query.strip()
        plan = understand(query, self.catalogue, self.thesaurus, q1_edition or edition)
        with self._lock:
            note = self._refresh()
            vectors, embedder = self._vectors, self.embedder
        notes = [note] if note else []
        dense: list[tuple[int, float]] = []
        asked: list[tuple[int, float]] = []
        facet: list[tuple[int, float]] = []
        if embedder is not None:
            query_vector = embedder.encode([plan.lexical_text])[0]
            dense = vectors.search(query_vector, vectors.count)
            facet = self._facet_ranking(embedder, query_vector)
            # Whether the question is on topic at all is judged on the user's own words, not our expansion.
            asked = vectors.search(embedder.encode([query])[0], vectors.count) if plan.expanded else dense
        else:
            notes.append(LEXICAL_NOTE + (f" ({self.model_error})" if self.model_error else ""))
        lex = lexical.search(self.store.db, plan.lexical_text, CANDIDATES)
        exact = plan.exact(editions, filtered=standard is not None or edition is not None)
        results = self._fuse(dense, lex, exact, editions, top, plan, facet)
        best = next((cos for pid, cos in asked if self._allowed(self._groups[pid], editions)), 0.0)
        signals = Signals(cosine=best, lexical_hits=len(lex), exact=bool(exact))
        calibrated = embedder is not None and embedder.name == CALIBRATION.model
        results = [
            r.model_copy(update={
                "reading": plan.label(r.key) if r.key else None,
                "confidence": round(confidence(signals, r.score), 3) if calibrated else None,
            })
            for r in results
        ]
        if calibrated and results and no_good_match(signals, results[0].confidence):
            results = []
        elif dense and not exact and not calibrated:
            # Fused ranks always put something first; the cosine says whether it is relevant at all.
            # Many lexical hits vouch for a question in words the model knows poorly (measured on the
            # eval set against off-topic questions: lowest right answer 0.165, off-topic up to 0.173).
            floor = embedder.floor * (CORROBORATED_FLOOR if len(lex) >= CORROBORATING_HITS else 1.0)
            if best < floor:
                results = []
        return AskResponse(
            query=query,
            mode="hybrid" if embedder is not None else "lexical",
            note="; ".join(notes) or None,
            results=results,
            no_good_match=not results,
            expanded=plan.expanded,
            signals=signals,
        )

    @staticmethod
    def _allowed(group: tuple, editions: set[tuple[str, str]]) -> bool:
        return group[2] == "procedure" or group[:2] in editions

    def _fuse(
        self,
        dense: list[tuple[int, float]],
        lex: list[tuple[int, float]],
        exact: list[ClauseKey],
        editions: set[tuple[str, str]],
        top: int,
        plan: QueryPlan,
        facet: list[tuple[int, float]],
    ) -> list[SearchResult]:
        fusion = self.fusion
        groups = self._groups
        channels = [(fusion.dense, dense), (fusion.lexical, self._lexical_kept(lex)), (fusion.facets, facet)]
        channels = [(weight, ranking) for weight, ranking in channels if weight > 0 and ranking]
        base: dict[int, float] = {}
        for weight, ranking in channels:
            # Ranks count within a group (procedures; the clauses of one edition), so a run of procedure
            # passages or of another edition's clauses cannot push the right clause down.
            ranks: dict[tuple, int] = {}
            for pid, _ in ranking:
                group = groups.get(pid)
                if group is None:
                    continue
                rank = ranks[group] = ranks.get(group, 0) + 1
                base[pid] = base.get(pid, 0.0) + weight / (fusion.rrf_k + rank)
        for key, weight in plan.hinted.items():
            if (pid := self._clause_pids.get(key)) is not None:
                base[pid] = base.get(pid, 0.0) + fusion.thesaurus * weight / (fusion.rrf_k + 1)
        best = sum(weight for weight, _ in channels) / (fusion.rrf_k + 1) * (1 + fusion.linked)
        cited = self._cited(base, fusion.cited_from)
        best *= 1 + fusion.cited
        by_group: dict[tuple, list[tuple[float, int]]] = {}
        for pid in base.keys() | cited.keys():
            group = groups[pid]
            if not self._allowed(group, editions):
                continue
            # A clause whose counterparts (crosswalk, other Q1 edition) also match is more likely right:
            # Q1's oil-and-gas wording helps find the ISO clause and the other way round.
            linked = max((base.get(other, 0.0) for other in self._links.get(pid, ())), default=0.0)
            score = base.get(pid, 0.0) + fusion.linked * linked + fusion.cited * cited.get(pid, 0.0)
            by_group.setdefault(group, []).append((score / best, pid))
        exact_ids = self._exact_ids(exact)
        for i, pid in enumerate(exact_ids):
            # An exact clause number outranks any fused score, in the order the numbers were read.
            by_group.setdefault(groups[pid], []).append((2.0 + len(exact_ids) - i, pid))
        chosen: dict[int, float] = {}
        for members in by_group.values():
            for score, pid in sorted(members, reverse=True)[:top]:
                if score >= fusion.min_share:
                    chosen[pid] = max(chosen.get(pid, 0.0), score)
        ordered = sorted(chosen, key=lambda pid: -chosen[pid])
        return [self._result(pid, min(chosen[pid], 1.0)) for pid in ordered]

    def _facet_ranking(self, embedder: Embedder, query_vector: np.ndarray) -> list[tuple[int, float]]:
        """Clause passages ranked by their best facet (built on first use, embeddings cached)."""
        scores = self._facet_index(embedder).scores(query_vector)
        ranked = [(self._clause_pids[key], score) for key, score in scores.items() if key in self._clause_pids]
        return sorted(ranked, key=lambda hit: -hit[1])

    def _facet_index(self, embedder: Embedder) -> FacetIndex:
        with self._lock:
            if self._facets is None:
                facets = clause_facets(self.catalogue) + checklist_facets(self.checklist_dir, self.catalogue)
                self._facets = FacetIndex.build(facets, embedder, self.store.db)
            return self._facets

    def _cited(self, base: dict[int, float], top: int) -> dict[int, float]:
        """Clauses cited by the best-matching procedure passages, with that passage's score.

        Company procedures speak site language and cite their clauses: a question that matches the
        procedure section matches the clause it cites.
        """
        passages = sorted(
            (pid for pid in base if self._groups[pid][2] == "procedure"), key=lambda pid: -base[pid]
        )[:top]
        cited: dict[int, float] = {}
        for pid in passages:
            for ref in self._entries[pid].passage.clause_refs:
                clause_pid = self._clause_pids.get(ClauseKey(*ref.split(":", 2)))
                if clause_pid is not None:
                    cited[clause_pid] = max(cited.get(clause_pid, 0.0), base[pid])
        return cited

    def _exact_ids(self, exact: list[ClauseKey]) -> list[int]:
        return [self._clause_pids[key] for key in exact if key in self._clause_pids]

    def _lexical_kept(self, lex: list[tuple[int, float]]) -> list[tuple[int, float]]:
        if not lex:
            return []
        floor = lex[0][1] * LEXICAL_FLOOR
        return [(pid, score) for pid, score in lex if score >= floor]

    def _result(self, pid: int, score: float) -> SearchResult:
        entry = self._entries[pid]
        p = entry.passage
        flat = " ".join(p.text.split())
        excerpt = flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1].rsplit(" ", 1)[0] + "…"
        if entry.kind == "procedure":
            return SearchResult(
                kind="procedure", score=round(score, 4), doc=p.doc_id, title=p.doc_title, revision=p.revision,
                section=p.section, page=p.page, clauses=p.clause_refs, text=excerpt,
            )
        clause = self.clause_of(entry)
        return SearchResult(
            kind=entry.kind, score=round(score, 4), standard=entry.standard, edition=entry.edition,
            id=p.clause_id, title=clause.title if clause else p.section, section=p.section, page=p.page,
            doc=p.doc_id if entry.kind == "licensed-text" else None, text=excerpt,
        )

    def clause_of(self, entry: _Entry) -> Clause | None:
        if entry.standard is None or entry.edition is None or entry.passage.clause_id is None:
            return None
        return self.catalogue.get(entry.standard, entry.edition, entry.passage.clause_id)


def open_service(
    knowledge_db: Path, index_dir: Path, load_model: bool = True, checklist_dir: Path | None = None
) -> SearchService:
    """A search service on the bundled catalogue; lexical-only (with `model_error` set) if the model fails."""
    service = SearchService(knowledge_db, index_dir, load_catalogue(), checklist_dir=checklist_dir)
    if load_model:
        try:
            service.attach_embedder(load_default_embedder())
        except EmbedderUnavailable as exc:
            service.model_error = str(exc)
    return service
