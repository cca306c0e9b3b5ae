"""Hybrid search: dense (faiss), clause-facet, clause-classifier (index/clause_classifier.py) and lexical (BM25,
index/lexical.py) rankings fused, exact clause numbers first.

A question is first read (index/query.py: clause numbers across editions, site words from the thesaurus);
the fused top-k then gets a calibrated confidence (index/confidence.py), which also decides "no good match".

`Searcher` answers questions and writes nothing; `IndexBuilder` (index/builder.py) does the writes;
`SearchService` puts the two together for the CLI and the TUI (it rebuilds a stale index before asking).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel

from index import lexical
from index.builder import BuildReport, IndexBuilder, IndexState, IndexStatus, catalogue_passages
from index.clause_classifier import ClauseClassifier, lift, stamp_of
from index.confidence import CALIBRATION, Signals, confidence, no_good_match
from index.embedder import Embedder, EmbedderUnavailable, expected_model_name, load_default_embedder
from index.facets import FacetIndex, FacetSet, facet_sets
from index.passage_table import PassageTable, ResultKind
from index.query import QueryPlan, understand
from index.store import KnowledgeStore, StoredPassage
from index.vectors import VectorIndex
from knowledge.catalogue import DEFAULT_EDITION, ISO, Q1, Catalogue, ClauseKey, load_catalogue
from knowledge.errors import Q1AuditError
from knowledge.thesaurus import load_thesaurus

__all__ = [
    "AskResponse", "BuildReport", "Fusion", "IndexState", "IndexStatus", "SearchError", "SearchResult",
    "SearchService", "Searcher", "catalogue_passages", "open_service",
]

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
    """Weight of the ranking by each clause's best written facet: summary, keyword, evidence, checklist
    question (index/facets.py)."""
    heard: float = 0.8
    """Weight of the ranking by each clause's best site question (knowledge/site_questions.py)."""
    classified: float = 2.0
    """Weight of the ranking by the clause classifier on the question's vector."""
    classified_words: float = 3.0
    """Weight of the ranking by the clause classifier on the question's word pieces."""

    def channel_weight(self, name: Channel) -> float:
        return {"written": self.facets, "heard": self.heard, "meaning": self.classified,
                "words": self.classified_words}[name]


Channel = FacetSet | Literal["meaning", "words"]
"""A clause ranking besides dense and lexical: a facet set, or the clause classifier by meaning or by words."""


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




class _Hits:
    """One ranking as arrays: table rows best first, with their scores."""

    def __init__(self, rows: np.ndarray, scores: np.ndarray):
        keep = rows >= 0  # ids the table does not know (never, with a current index) carry no rank
        self.rows, self.scores = rows[keep], scores[keep]

    @property
    def size(self) -> int:
        return int(self.rows.size)


_NO_HITS = _Hits(np.zeros(0, dtype=np.int64), np.zeros(0))


def _group_ranks(codes: np.ndarray) -> np.ndarray:
    """1-based rank of each position within its group, in list order."""
    ranks = np.empty(codes.size, dtype=np.int64)
    for code in np.unique(codes):
        members = codes == code
        ranks[members] = np.arange(1, int(members.sum()) + 1)
    return ranks


def _ranked(rows: np.ndarray, scores: np.ndarray) -> _Hits:
    """Clause rows (one score each) as a ranking, best first."""
    order = np.argsort(-scores, kind="stable")
    return _Hits(rows[order], scores[order])


class _ClauseRankers:
    """Clause rankings from the facet indexes and the classifier, with where their clauses sit in the table."""

    def __init__(self, facets: dict[FacetSet, tuple[FacetIndex, np.ndarray]],
                 classifier: tuple[ClauseClassifier, np.ndarray] | None):
        self.facets, self.classifier = facets, classifier

    def hits(self, query: str, query_vector: np.ndarray | None) -> dict[Channel, _Hits]:
        """Every ranking; without a vector (lexical-only), the classifier's word side alone."""
        hits: dict[Channel, _Hits] = {}
        if query_vector is not None:
            hits = {name: _ranked(rows, index.best(query_vector)) for name, (index, rows) in self.facets.items()}
        if self.classifier is not None:
            classifier, rows = self.classifier
            if query_vector is not None:
                hits["meaning"] = _ranked(rows, classifier.by_meaning(query_vector))
            hits["words"] = _ranked(rows, classifier.by_words(query))
        return hits


class Searcher:
    """Answers questions from the store, the vector index on disk and the catalogue; writes nothing."""

    def __init__(
        self,
        store: KnowledgeStore,
        index_dir: Path,
        catalogue: Catalogue,
        embedder: Embedder | None = None,
        checklist_dir: Path | None = None,
    ):
        self.store = store
        self.index_dir = Path(index_dir)
        self.catalogue = catalogue
        self.embedder = embedder
        self.checklist_dir = checklist_dir
        """Checklist YAML whose questions become clause facets (passed in: the index may not import rules)."""
        self.fusion = Fusion()
        self.thesaurus = load_thesaurus()
        self.model_error: str | None = None
        """Why the embedding model is not loaded, when a load was tried and failed."""
        self._lock = threading.RLock()
        self._table: PassageTable | None = None
        self._version: tuple | None = None
        self._vectors: VectorIndex | None = None
        self._facets: dict[FacetSet, FacetIndex] | None = None
        self._facet_rows: dict[FacetSet, np.ndarray] | None = None
        """Per facet set, the table row of each of its clauses (-1: not in the table)."""
        self._classifier: ClauseClassifier | None = None
        self._classifier_rows: np.ndarray | None = None
        self._classifier_version: tuple | None = None
        """Lexical-only: store version a saved classifier was last looked for (None: look at the next question)."""
        self._lexical: lexical.LexicalMatrix | None = None
        self._lexical_version: tuple | None = None
        """Store version the lexical matrix was last looked for (None: look again at the next question)."""

    def use_vectors(self, vectors: VectorIndex | None) -> None:
        """Search this vector index from now on (None: read the one on disk at the next question)."""
        with self._lock:
            self._vectors = vectors

    def use_facets(
        self, facets: dict[FacetSet, FacetIndex] | None, classifier: ClauseClassifier | None = None
    ) -> None:
        """Score clause facets with these vectors, and the classifier trained on them, from now on (None: read
        both at the next question)."""
        with self._lock:
            self._facets, self._facet_rows = facets, None
            self._classifier, self._classifier_rows = classifier, None

    def reload_lexical(self) -> None:
        """Read the lexical matrix from disk again at the next question (an index build wrote it)."""
        with self._lock:
            self._lexical_version = None

    def facet_sets(self) -> dict[FacetSet, list[tuple[ClauseKey, str]]]:
        return facet_sets(self.catalogue, self.checklist_dir)

    def facet_texts(self) -> list[tuple[ClauseKey, str]]:
        """Every facet of every set (what an index build embeds)."""
        return [facet for texts in self.facet_sets().values() for facet in texts]

    def _snapshot(
        self,
    ) -> tuple[PassageTable, VectorIndex | None, Embedder | None, _ClauseRankers | None,
               lexical.LexicalMatrix | None]:
        """The passage table, vector index, clause rankers and lexical matrix for the store as it is now (reloaded
        when it changed; a missing or older lexical matrix leaves lexical search to FTS5, a missing or older
        classifier leaves clauses to the facets)."""
        with self._lock:
            version = self.store.version()
            if version != self._version or self._table is None:
                self._table = PassageTable.load(self.store.db, self.catalogue)
                self._version, self._vectors = version, None
                self._facet_rows = self._classifier_rows = None
            if version != self._lexical_version:
                self._lexical, self._lexical_version = lexical.LexicalMatrix.load(self.index_dir, version), version
            embedder = self.embedder
            if embedder is not None and self._vectors is None and VectorIndex.exists(self.index_dir):
                self._vectors = VectorIndex.load(self.index_dir)
            rankers = None
            if embedder is not None and self._vectors is not None:
                if self._facets is None or any(f.model != embedder.name for f in self._facets.values()):
                    # Read from the embedding cache the index build filled; any missing are embedded in memory.
                    sets = self.facet_sets()
                    self._facets = {name: FacetIndex.load(texts, embedder, self.store.db) for name, texts in sets.items()}
                    facets = [facet for texts in sets.values() for facet in texts]
                    self._classifier = ClauseClassifier.load(self.index_dir, stamp_of(embedder.name, facets))
                    self._facet_rows = self._classifier_rows = None
                if self._facet_rows is None:
                    self._facet_rows = {name: f.rows_in(self._table.clause_rows) for name, f in self._facets.items()}
                if self._classifier is not None and self._classifier_rows is None:
                    self._classifier_rows = np.array(
                        [self._table.clause_rows.get(key, -1) for key in self._classifier.keys], dtype=np.int64)
                rankers = _ClauseRankers(
                    {name: (f, self._facet_rows[name]) for name, f in self._facets.items()},
                    (self._classifier, self._classifier_rows) if self._classifier is not None else None,
                )
            elif embedder is None:
                # Lexical-only: the classifier's word side needs no model, only the classifier a build saved.
                if self._classifier is None and self._classifier_version != version:
                    stamp = stamp_of(expected_model_name(), self.facet_texts())
                    self._classifier, self._classifier_version = ClauseClassifier.load(self.index_dir, stamp), version
                    self._classifier_rows = None
                if self._classifier is not None:
                    if self._classifier_rows is None:
                        self._classifier_rows = np.array(
                            [self._table.clause_rows.get(key, -1) for key in self._classifier.keys], dtype=np.int64)
                    rankers = _ClauseRankers({}, (self._classifier, self._classifier_rows))
            return self._table, self._vectors, embedder, rankers, self._lexical

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
        table, vectors, embedder, rankers, lexical_matrix = self._snapshot()
        notes = []
        dense = asked = _NO_HITS
        clause_hits: dict[Channel, _Hits] = {}
        if embedder is not None and vectors is not None:
            query_vectors = embedder.encode(plan.texts_to_embed)
            ids, scores = vectors.search_arrays(query_vectors[0], vectors.count)
            dense = asked = _Hits(table.rows_of(ids), scores)
            clause_hits = rankers.hits(query, query_vectors[0]) if rankers is not None else {}
            if len(query_vectors) > 1:
                ids, scores = vectors.search_arrays(query_vectors[1], vectors.count)
                asked = _Hits(table.rows_of(ids), scores)
        elif embedder is None:
            notes.append(LEXICAL_NOTE + (f" ({self.model_error})" if self.model_error else ""))
        if embedder is not None and getattr(embedder, "note", None):
            notes.append(embedder.note)
        lex = lexical.search(self.store.db, plan.lexical_text, CANDIDATES, lexical_matrix)
        if embedder is None and rankers is not None and lex:
            # No passage sharing a word means nothing to rank: the classifier would rank every clause anyway.
            clause_hits = rankers.hits(query, None)
        exact = plan.exact(editions, filtered=standard is not None or edition is not None)
        results = self._fuse(table, dense, lex, exact, editions, top, plan, clause_hits)
        allowed = table.allowed(editions)[table.group[asked.rows]]
        best = float(asked.scores[int(np.argmax(allowed))]) if allowed.any() else 0.0
        words = clause_hits.get("words")
        signals = Signals(cosine=best, lexical_hits=len(lex), exact=bool(exact),
                          word_lift=lift(words.scores) if words is not None and words.size else None)
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
        elif dense.size and not exact and not calibrated:
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

    def _fuse(
        self,
        table: PassageTable,
        dense: _Hits,
        lex: list[tuple[int, float]],
        exact: list[ClauseKey],
        editions: set[tuple[str, str]],
        top: int,
        plan: QueryPlan,
        clause_hits: dict[Channel, _Hits],
    ) -> list[SearchResult]:
        fusion = self.fusion
        n = len(table)
        channels = [(fusion.dense, dense), (fusion.lexical, self._lexical_kept(table, lex))]
        channels += [(fusion.channel_weight(name), hits) for name, hits in clause_hits.items()]
        channels = [(weight, hits) for weight, hits in channels if weight > 0 and hits.size]
        base = np.zeros(n)
        # Where each row first appears across the channels: breaks ties among equally scored procedures.
        seen = np.full(n, np.iinfo(np.int64).max)
        offset = 0
        for weight, hits in channels:
            # Ranks count within a group (procedures; the clauses of one edition), so a run of procedure
            # passages or of another edition's clauses cannot push the right clause down.
            base[hits.rows] += weight / (fusion.rrf_k + _group_ranks(table.group[hits.rows]))
            seen[hits.rows] = np.minimum(seen[hits.rows], offset + np.arange(hits.size))
            offset += hits.size
        hinted = [(table.clause_rows[k], w) for k, w in plan.hinted.items() if k in table.clause_rows]
        if hinted:
            rows, weights = np.array(hinted).T
            # A site word the thesaurus knows counts like a first rank in a channel of its own.
            np.add.at(base, rows.astype(np.int64), fusion.thesaurus * weights / (fusion.rrf_k + 1))
        # The best score a row of each group could get, from the channels that rank that group: clause facets
        # and the classifier rank clauses only, so a procedure is measured against dense and lexical alone.
        best = np.zeros(len(table.groups))
        for weight, hits in channels:
            best[np.unique(table.group[hits.rows])] += weight
        best *= (1 + fusion.linked) * (1 + fusion.cited) / (fusion.rrf_k + 1)
        cited = self._cited(table, base, seen, fusion.cited_from)
        # A clause whose counterparts (crosswalk, other Q1 edition) also match is more likely right:
        # Q1's oil-and-gas wording helps find the ISO clause and the other way round.
        linked = np.zeros(n)
        np.maximum.at(linked, table.link_from, base[table.link_to])
        scores = (base + fusion.linked * linked + fusion.cited * cited) / np.where(best > 0, best, 1.0)[table.group]
        candidates = ((base > 0) | (cited > 0)) & table.allowed(editions)[table.group]
        # An exact clause number outranks any fused score, in the order the numbers were read.
        exact_rows = np.array([table.clause_rows[k] for k in exact if k in table.clause_rows], dtype=np.int64)
        exact_values = 2.0 + exact_rows.size - np.arange(exact_rows.size)
        # Groups in order of their first candidate row (then exact-only ones): results of equal score
        # keep that order.
        present, first = np.unique(table.group[candidates], return_index=True)
        order = dict(zip(present.tolist(), first.tolist(), strict=True))
        for code in table.group[exact_rows].tolist():
            order.setdefault(code, n + len(order))
        chosen: dict[int, tuple[float, int]] = {}
        for code in sorted(order, key=order.__getitem__):
            rows = np.flatnonzero(candidates & (table.group == code))
            in_group = table.group[exact_rows] == code
            values = np.concatenate([scores[rows], exact_values[in_group]])
            rows = np.concatenate([rows, exact_rows[in_group]])
            if rows.size > top:  # only the best `top` of the group go on to the exact sort below
                kth = np.partition(values, rows.size - top)[rows.size - top]
                rows, values = rows[values >= kth], values[values >= kth]
            for i in np.lexsort((-rows, -values))[:top]:
                row, value = int(rows[i]), float(values[i])
                if value >= fusion.min_share and value > chosen.get(row, (0.0, 0))[0]:
                    chosen[row] = (value, order[code])
        ordered = sorted(chosen, key=lambda row: (-chosen[row][0], chosen[row][1], -row))
        return self._results(table, [(row, min(chosen[row][0], 1.0)) for row in ordered])

    def _cited(self, table: PassageTable, base: np.ndarray, seen: np.ndarray, top: int) -> np.ndarray:
        """Per row: the score of the best-matching procedure passage that cites it (0 if none of the `top`).

        Company procedures speak site language and cite their clauses: a question that matches the
        procedure section matches the clause it cites.
        """
        procedures = np.flatnonzero(table.is_procedure & (base > 0))
        best = procedures[np.lexsort((seen[procedures], -base[procedures]))][:top]
        cited = np.zeros(len(table))
        for row in best:
            targets = table.cite_to[table.cite_from == row]
            cited[targets] = np.maximum(cited[targets], base[row])
        return cited

    @staticmethod
    def _lexical_kept(table: PassageTable, lex: list[tuple[int, float]]) -> _Hits:
        if not lex:
            return _NO_HITS
        ids, scores = np.array(lex, dtype=np.float64).T
        kept = scores >= scores[0] * LEXICAL_FLOOR
        return _Hits(table.rows_of(ids[kept].astype(np.int64)), scores[kept])

    def _results(self, table: PassageTable, chosen: list[tuple[int, float]]) -> list[SearchResult]:
        """The final top-k as results: only now are their passages read from the store."""
        if not chosen:
            return []
        ids = [int(table.ids[row]) for row, _ in chosen]
        passages = {p.id: p for p in self.store.passages(f"p.id in ({','.join('?' * len(ids))})", tuple(ids))}
        return [
            self._result(passages[pid], table.groups[table.group[row]], score)
            for pid, (row, score) in zip(ids, chosen, strict=True)
        ]

    def _result(self, p: StoredPassage, group: tuple, score: float) -> SearchResult:
        standard, edition, kind = group
        flat = " ".join(p.text.split())
        excerpt = flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1].rsplit(" ", 1)[0] + "…"
        if kind == "procedure":
            return SearchResult(
                kind="procedure", score=round(score, 4), doc=p.doc_id, title=p.doc_title, revision=p.revision,
                section=p.section, page=p.page, clauses=p.clause_refs, text=excerpt,
            )
        clause = self.catalogue.get(standard, edition, p.clause_id) if p.clause_id is not None else None
        return SearchResult(
            kind=kind, score=round(score, 4), standard=standard, edition=edition,
            id=p.clause_id, title=clause.title if clause else p.section, section=p.section, page=p.page,
            doc=p.doc_id if kind == "licensed-text" else None, text=excerpt,
        )


class SearchService:
    """The index builder and the searcher over one knowledge base, as the CLI and the TUI use them.

    Asking first rebuilds an out-of-date index (the index is never searched out of date).
    """

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
        self.builder = IndexBuilder(self.store, self.index_dir, catalogue)
        self.builder.sync_catalogue()
        self.searcher = Searcher(self.store, self.index_dir, catalogue, embedder, checklist_dir)
        self._lock = threading.RLock()  # build() runs inside ask() when the index is out of date
        self._checked: tuple | None = None
        """Store version the vector index was last found current for."""

    @property
    def embedder(self) -> Embedder | None:
        return self.searcher.embedder

    @embedder.setter
    def embedder(self, embedder: Embedder | None) -> None:
        self.searcher.embedder = embedder

    @property
    def fusion(self) -> Fusion:
        return self.searcher.fusion

    @fusion.setter
    def fusion(self, fusion: Fusion) -> None:
        self.searcher.fusion = fusion

    @property
    def model_error(self) -> str | None:
        return self.searcher.model_error

    @model_error.setter
    def model_error(self, error: str | None) -> None:
        self.searcher.model_error = error

    def warm_up(self) -> None:
        """Load the passage table and the vector index and run the model once, so the first question
        costs no more than the next (the TUI calls it before saying semantic search is ready)."""
        self.ask("warm up")

    def attach_embedder(self, embedder: Embedder | None) -> None:
        """Switch to hybrid search once the model has loaded (the TUI loads it in a worker)."""
        with self._lock:
            self.searcher.embedder = embedder
            self.searcher.use_vectors(None)
            self._checked = None

    @property
    def model_name(self) -> str:
        return self.embedder.name if self.embedder is not None else expected_model_name()

    def status(self) -> IndexStatus:
        return self.builder.status(self.model_name, self.embedder)

    def build(
        self, progress: Callable[[int, int], None] | None = None, force: bool = False, export: bool = False
    ) -> BuildReport:
        """Bring the vector index up to date (texts already embedded come from the cache); with `export`,
        also the ONNX export queries load (`index build` and the TUI's rebuild ask for it)."""
        if self.embedder is None:
            raise EmbedderUnavailable("no embedding model loaded: lexical search needs no build")
        with self._lock:
            report, vectors = self.builder.build(self.embedder, progress, force, export)
            if vectors is not None:
                self.searcher.use_vectors(vectors)
            if report.lexical_rebuilt:
                self.searcher.reload_lexical()
            # Cheap when nothing changed (one cache look-up, the classifier read back); embeds new facets and
            # trains the classifier once, not at every start.
            sets = self.searcher.facet_sets()
            facets = {name: self.builder.embed_facets(self.embedder, texts) for name, texts in sets.items()}
            classifier, report.classifier_trained = self.builder.classifier(
                self.embedder.name, [facet for texts in sets.values() for facet in texts], list(facets.values()))
            self.searcher.use_facets(facets, classifier)
        return report

    def ask(
        self,
        query: str,
        top: int = 5,
        standard: str | None = None,
        edition: str | None = None,
        q1_edition: str | None = None,
    ) -> AskResponse:
        """The best clauses (per wanted standard) and procedure passages for a question (see Searcher.ask)."""
        note = None
        with self._lock:
            version = self.store.version()
            if self.embedder is not None and version != self._checked:
                # No ONNX export here: it takes seconds, and `index build` makes it.
                report = self.build()
                self._checked = version
                note = f"index rebuilt first ({report.reason})" if report.rebuilt else None
        response = self.searcher.ask(query, top, standard, edition, q1_edition)
        if note:
            response.note = "; ".join(n for n in (note, response.note) if n)
        return response


def open_service(
    knowledge_db: Path, index_dir: Path, load_model: bool = True, checklist_dir: Path | None = None
) -> SearchService:
    """A search service on the bundled catalogue; lexical-only (with `model_error` set) if the model fails.

    The model (and faiss) load in a thread while the catalogue and the store open: onnxruntime builds
    its session outside the GIL, so on two cores the shell's first answer comes that much sooner.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        loading = pool.submit(_load_model, index_dir) if load_model else None
        service = SearchService(knowledge_db, index_dir, load_catalogue(), checklist_dir=checklist_dir)
        if loading is not None:
            try:
                service.attach_embedder(loading.result())
            except EmbedderUnavailable as exc:
                service.model_error = str(exc)
    return service


def _load_model(index_dir: Path) -> Embedder:
    embedder = load_default_embedder(index_dir)
    import faiss  # noqa: F401 - imported here, in parallel, rather than at the first question

    return embedder
