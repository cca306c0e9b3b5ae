"""Retrieval quality and speed on the bundled knowledge base: the figures `q1audit bench` reports."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from index.embedder import Embedder
from index.importer import import_files
from index.search import Fusion, SearchService
from knowledge.catalogue import ISO, Q1, Catalogue
from knowledge.yaml_files import Problem, load_yaml_model

EVAL_DIR = Path(__file__).parent / "eval"
QUESTIONS_FILE = EVAL_DIR / "questions.yaml"
"""Written together with the catalogue keywords: the figures search was first tuned on."""
BLIND_FILE = EVAL_DIR / "blind.yaml"
"""Written blind (process names and a site description only), split into dev (tuned on) and test halves."""
NO_MATCH_FILE = EVAL_DIR / "no_match.yaml"
"""Gibberish and off-topic inputs that must get no confident match."""
FIELDS = {(Q1, "10th"): "q1_10th", (Q1, "9th"): "q1_9th", (ISO, "2015"): "iso"}
Mode = Literal["hybrid", "lexical", "dense"]
MODES: tuple[Mode, ...] = ("hybrid", "lexical", "dense")


class EvalQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=5)
    group: str = "all"
    """The form of the question (story, paraphrase, clause_number ...), in the blind set."""
    split: Literal["dev", "test"] | None = None
    batch: Literal[1, 2] = 1
    """Blind set: 1, the first writer's questions, split dev/test by hash; 2, two later writers', all dev."""
    q1_10th: list[str] = Field(default_factory=list)
    q1_9th: list[str] = Field(default_factory=list)
    iso: list[str] = Field(default_factory=list)

    def answers(self, standard: str, edition: str) -> list[str]:
        return getattr(self, FIELDS[(standard, edition)])


class EvalSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questions: list[EvalQuestion] = Field(min_length=1)


def load_questions(catalogue: Catalogue, path: Path = QUESTIONS_FILE) -> list[EvalQuestion]:
    """The evaluation questions; every clause id must exist in the catalogue."""

    def check(data: EvalSet) -> Iterator[Problem]:
        for i, question in enumerate(data.questions):
            if not any(question.answers(s, e) for s, e in FIELDS):
                yield ("questions", i), "a question needs clause ids for at least one standard"
            for (standard, edition), field in FIELDS.items():
                for j, clause_id in enumerate(getattr(question, field)):
                    if catalogue.get(standard, edition, clause_id) is None:
                        yield ("questions", i, field, j), f"no {standard} {edition} clause {clause_id!r} in the catalogue"

    return load_yaml_model(path, EvalSet, check).questions


class NoMatchSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    inputs: list[str] = Field(min_length=1)


def load_no_match(path: Path = NO_MATCH_FILE) -> list[str]:
    return load_yaml_model(path, NoMatchSet).inputs


class Quality(BaseModel):
    set: str = "eval"
    """eval (the original set), dev or test (the blind halves)."""
    group: str = "all"
    mode: Mode
    standard: str
    edition: str
    questions: int
    recall_at_1: float
    recall_at_5: float
    mrr: float


class NoMatchQuality(BaseModel):
    inputs: int
    answered: int
    """Inputs that got any clause at all (the rest got "no good match")."""
    confident: int
    """Inputs whose top clause had a confidence of 0.5 or more."""
    worst: list[tuple[str, float]] = []
    """The inputs with the highest top confidence."""


class CalibrationBin(BaseModel):
    low: float
    high: float
    results: int
    right: float
    """Share of these top results that were a right clause."""


class BenchReport(BaseModel):
    model: str
    model_load_seconds: float
    documents: int
    passages: int
    import_seconds: float
    build_seconds: float
    embed_passages_per_second: float
    from_scratch_seconds: float
    """Import of the bundled samples plus the index build, model already loaded."""
    no_change_seconds: float
    """A fresh service finding the index current: what `q1audit index build` costs when nothing changed."""
    latency_median_ms: float
    latency_p95_ms: float
    quality: list[Quality]
    no_match: NoMatchQuality | None = None
    calibration: list[CalibrationBin] = []
    """Top-result confidence against correctness on blind dev."""


@contextmanager
def _mode(service: SearchService, mode: Mode) -> Iterator[None]:
    """Run the service as lexical-only (no embedder) or dense-only (no weight on words: lexical and the clause
    classifier's word pieces) for a while."""
    embedder, fusion = service.embedder, service.fusion
    if mode == "lexical":
        service.embedder = None
    elif mode == "dense":
        service.fusion = fusion.model_copy(update={"lexical": 0.0, "classified_words": 0.0})
    try:
        yield
    finally:
        service.embedder, service.fusion = embedder, fusion


def first_hit(ranked: list[str], answers: list[str]) -> int | None:
    """1-based rank of the first right clause, None when absent."""
    return next((i for i, clause_id in enumerate(ranked, 1) if clause_id in answers), None)


def rank_of(service: SearchService, question: EvalQuestion, standard: str, edition: str) -> int | None:
    """Where the first right clause of this standard and edition comes in the answer (None: not in the top 10)."""
    response = service.ask(question.q, top=10, standard=standard, edition=edition)
    ranked = [
        r.id for r in response.results if r.kind == "clause" and (r.standard, r.edition) == (standard, edition)
    ]
    return first_hit(ranked, question.answers(standard, edition))


def _quality(ranks: list[int | None], **labels) -> Quality:
    n = len(ranks) or 1
    return Quality(
        **labels,
        questions=len(ranks),
        recall_at_1=sum(r == 1 for r in ranks) / n,
        recall_at_5=sum(r is not None and r <= 5 for r in ranks) / n,
        mrr=sum(1 / r for r in ranks if r) / n,
    )


def evaluate(
    service: SearchService, questions: list[EvalQuestion], mode: Mode, set_name: str = "eval", by_group: bool = False
) -> list[Quality]:
    """Recall@1, Recall@5 and MRR per standard (and, with by_group, per question group and standard)."""
    out = []
    with _mode(service, mode):
        for standard, edition in FIELDS:
            asked = [q for q in questions if q.answers(standard, edition)]
            ranks = {id(q): rank_of(service, q, standard, edition) for q in asked}
            labels = {"set": set_name, "mode": mode, "standard": standard, "edition": edition}
            out.append(_quality(list(ranks.values()), **labels))
            groups = dict.fromkeys(q.group for q in asked) if by_group else {}
            for group in groups:
                out.append(_quality([ranks[id(q)] for q in asked if q.group == group], group=group, **labels))
    return out


def no_match_quality(service: SearchService, inputs: list[str]) -> NoMatchQuality:
    """How many gibberish and off-topic inputs still got a clause, and how confidently."""
    tops = []
    for text in inputs:
        response = service.ask(text)
        top = next((r for r in response.results if r.kind == "clause"), None)
        tops.append((text, (top.confidence or 0.0) if top else 0.0, top is not None))
    return NoMatchQuality(
        inputs=len(inputs),
        answered=sum(answered for _, _, answered in tops),
        confident=sum(c >= 0.5 for _, c, _ in tops),
        worst=[(text, c) for text, c, _ in sorted(tops, key=lambda t: -t[1])[:5]],
    )


def calibration_bins(service: SearchService, questions: list[EvalQuestion]) -> list[CalibrationBin]:
    """Top-result confidence in bins against how often that top result was right."""
    seen: list[tuple[float, bool]] = []
    for question in questions:
        for standard, edition in FIELDS:
            answers = question.answers(standard, edition)
            if answers:
                response = service.ask(question.q, top=5, standard=standard, edition=edition)
                top = next((r for r in response.results if r.kind == "clause"), None)
                if top is not None and top.confidence is None:
                    return []  # no calibrated confidence for this embedder
                seen.append((top.confidence if top else 0.0, bool(top and top.id in answers)))
    edges = (0.0, 0.2, 0.4, 0.6, 0.8, 1.01)
    bins = []
    for low, high in zip(edges, edges[1:], strict=False):
        inside = [right for c, right in seen if low <= c < high]
        if inside:
            bins.append(CalibrationBin(low=low, high=min(high, 1.0), results=len(inside), right=sum(inside) / len(inside)))
    return bins


def latencies_ms(service: SearchService, questions: list[EvalQuestion]) -> list[float]:
    """Per-query time of a default hybrid ask, after one warm-up pass over the same questions."""
    for question in questions:
        service.ask(question.q)
    times = []
    for question in questions:
        started = time.perf_counter()
        service.ask(question.q)
        times.append((time.perf_counter() - started) * 1000)
    return times


def run_bench(
    workdir: Path,
    samples: list[Path],
    catalogue: Catalogue,
    embedder: Embedder,
    model_load_seconds: float = 0.0,
    fusion: Fusion | None = None,
    checklist_dir: Path | None = None,
) -> BenchReport:
    """Build the bundled knowledge base from scratch in `workdir` and measure everything."""
    knowledge_db, index_dir = workdir / "knowledge.db", workdir / "index"
    service = SearchService(knowledge_db, index_dir, catalogue, embedder, checklist_dir)
    if fusion is not None:
        service.fusion = fusion
    started = time.perf_counter()
    outcomes = list(import_files(service.store, samples, catalogue))
    failed = [o for o in outcomes if o.error is not None]
    if failed:
        raise failed[0].error
    imported = time.perf_counter() - started
    report = service.build()
    scratch = time.perf_counter() - started

    fresh = SearchService(knowledge_db, index_dir, catalogue, embedder, checklist_dir)  # the same facets
    started = time.perf_counter()
    fresh.build()
    no_change = time.perf_counter() - started

    questions = load_questions(catalogue)
    times = latencies_ms(service, questions)
    quality = [row for mode in MODES for row in evaluate(service, questions, mode)]
    blind = load_questions(catalogue, BLIND_FILE)
    dev = [q for q in blind if q.split == "dev"]
    for split, half in (("dev", dev), ("test", [q for q in blind if q.split == "test"])):
        quality += evaluate(service, half, "hybrid", split, by_group=True)
    return BenchReport(
        model=embedder.name,
        model_load_seconds=model_load_seconds,
        documents=len(service.store.documents()),
        passages=report.passages,
        import_seconds=imported,
        build_seconds=report.seconds,
        embed_passages_per_second=report.passages_per_second,
        from_scratch_seconds=scratch,
        no_change_seconds=no_change,
        latency_median_ms=statistics.median(times),
        latency_p95_ms=statistics.quantiles(times, n=20)[-1],
        quality=quality,
        no_match=no_match_quality(service, load_no_match()),
        calibration=calibration_bins(service, dev),
    )
