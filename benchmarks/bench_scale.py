"""Scale figures: a knowledge base grown to 20,000 generated procedure passages, 1,000 sessions, a 600-answer session.

Full run with the real model (about 15 minutes on 2 cores):
    .venv/bin/python benchmarks/bench_scale.py > scale.json
Query path at 600 / 5,000 / 20,000 passages without embedding them all (a few minutes):
    .venv/bin/python benchmarks/bench_scale.py --parts kb --sizes 600,5000,20000 --embedder random
  `random` gives every passage a fixed pseudo-random 384-d unit vector: faiss, fusion and lexical search
  cost what they cost with real vectors, the rankings mean nothing, and the real model's query embedding
  (ONNX path, measured separately as query_embed_*) is added on top to give the time an auditor waits.
Quick plumbing check:  .venv/bin/python benchmarks/bench_scale.py --sizes 200 --sessions 20 --answers 60 --embedder hashing
Figures are medians unless named otherwise; docs/scale.md reads them.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import random
import re
import resource
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from pydantic import BaseModel

SAMPLE_PROCEDURES = Path(__file__).resolve().parent.parent / "knowledge" / "samples" / "qms"


def _sample_vocabulary() -> tuple[list[str], list[int]]:
    """Words of the bundled procedures with their counts: generated text keeps real word frequencies.

    A uniform draw from a small word list (what this benchmark once used) makes every query word match
    nearly every passage, which no real procedure library does, and measures BM25 on a degenerate corpus.
    """
    counts = collections.Counter()
    for path in sorted(SAMPLE_PROCEDURES.glob("*.md")):
        counts.update(re.findall(r"[a-z]+", path.read_text(encoding="utf-8").lower()))
    words = sorted(counts)
    return words, [counts[w] for w in words]


WORDS, WORD_WEIGHTS = _sample_vocabulary()
SECTION_WORDS = (120, 220)
SECTIONS_PER_DOC = 50


def _rss_mb() -> float:
    """Resident memory now, in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 1024 / 1024


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


# --- knowledge base ---------------------------------------------------------------------------------


def generate_procedure(number: int, rng: random.Random) -> str:
    """A fictional procedure of SECTIONS_PER_DOC numbered sections; each becomes one passage."""
    lines = [f"Document No: GP-{number:04d}", "Revision: A", "", f"# GP-{number:04d} Generated procedure {number}", ""]
    for section in range(1, SECTIONS_PER_DOC + 1):
        topic = " ".join(rng.choices(WORDS, WORD_WEIGHTS, k=3))
        lines.append(f"## {section} {topic.capitalize()}")
        lines.append("")
        sentences = []
        count = 0
        target = rng.randint(*SECTION_WORDS)
        while count < target:
            sentence = rng.choices(WORDS, WORD_WEIGHTS, k=rng.randint(8, 16))
            count += len(sentence)
            sentences.append(" ".join(sentence).capitalize() + ".")
        if rng.random() < 0.2:
            sentences.append(f"See API Q1 5.{rng.randint(1, 9)} and ISO 9001 8.{rng.randint(1, 7)}.")
        lines += [" ".join(sentences), ""]
    return "\n".join(lines)


class RandomEmbedder:
    """A fixed pseudo-random 384-d unit vector per text: real-sized vectors at no embedding cost."""

    name = "random-384"
    dim = 384
    floor = 0.0
    note = None

    def encode(self, texts):
        import numpy as np

        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            out[row] = np.random.default_rng(seed).standard_normal(self.dim)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def query_embedding_ms(root: Path, questions: list[str]) -> tuple[float, float, float]:
    """The real model embedding each question as the searcher does (with its site-word expansion, two
    texts) on the ONNX path: (median ms, p95 ms, export seconds)."""
    from index.onnx_model import OnnxMiniLMEmbedder, export_onnx
    from index.query import understand
    from knowledge.catalogue import load_catalogue
    from knowledge.thesaurus import load_thesaurus

    started = time.perf_counter()
    export_onnx(root / "onnx")
    export_s = time.perf_counter() - started
    embedder = OnnxMiniLMEmbedder(root / "onnx")
    texts = [understand(q, load_catalogue(), load_thesaurus()).texts_to_embed for q in questions]
    for batch in texts:
        embedder.encode(batch)
    times = []
    for batch in texts:
        started = time.perf_counter()
        embedder.encode(batch)
        times.append(time.perf_counter() - started)
    return _ms(statistics.median(times)), _ms(_p95(times)), round(export_s, 1)


class KbStep(BaseModel):
    passages: int
    """Procedure passages in the knowledge base (catalogue clauses not counted)."""
    import_s: float
    """Importing the documents added at this step."""
    build_s: float
    """Index build at this step (embeds only the passages added: the rest come from the cache)."""
    embedded: int
    embed_per_s: float
    first_ask_ms: float
    """First question after opening the knowledge base (loads every passage and the vector index)."""
    query_median_ms: float
    query_p95_ms: float
    query_cpu_median_ms: float
    """CPU time of the asking thread (faiss runs on it with one OpenMP thread): what the query costs
    on a quiet machine, whatever else is running."""
    lexical_median_ms: float
    rss_mb: float
    knowledge_db_mb: float
    index_mb: float


def bench_kb(root: Path, sizes: list[int], embedder_name: str, queries: int) -> tuple[list[KbStep], float]:
    from index.embedder import HashingEmbedder, MiniLMEmbedder
    from index.evaluation import load_questions
    from index.importer import import_files
    from index.search import SearchService
    from knowledge.catalogue import load_catalogue

    catalogue = load_catalogue()
    started = time.perf_counter()
    embedders = {"hashing": HashingEmbedder, "random": RandomEmbedder}
    embedder = embedders.get(embedder_name, MiniLMEmbedder)()
    model_load_s = time.perf_counter() - started
    questions = [q.q for q in load_questions(catalogue)][:queries]
    data, source = root / "kb", root / "generated"
    source.mkdir(parents=True)
    rng = random.Random(7)
    steps: list[KbStep] = []
    made = 0
    for size in sizes:
        batch = source / f"upto-{size}"
        batch.mkdir()
        while made * SECTIONS_PER_DOC < size:
            made += 1
            (batch / f"GP-{made:04d}.md").write_text(generate_procedure(made, rng))
        service = SearchService(data / "knowledge.db", data / "index", catalogue, embedder)
        started = time.perf_counter()
        for outcome in import_files(service.store, [batch], catalogue):
            if outcome.error is not None:
                raise outcome.error
        import_s = time.perf_counter() - started
        report = service.build()
        service.store.close()
        # Reopen, as the TUI or a CLI command would: the first question pays for loading everything.
        service = SearchService(data / "knowledge.db", data / "index", catalogue, embedder)
        started = time.perf_counter()
        service.ask(questions[0])
        first_ask = time.perf_counter() - started
        for q in questions:  # warm-up
            service.ask(q)
        times, cpu = [], []
        for q in questions:
            started, cpu_started = time.perf_counter(), time.thread_time()
            service.ask(q)
            times.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - cpu_started)
        service.attach_embedder(None)  # lexical only, as when the model cannot load
        lexical = []
        for q in questions:
            started = time.perf_counter()
            service.ask(q)
            lexical.append(time.perf_counter() - started)
        passages = service.store.db.execute(
            "select count(*) from passages p join documents d on d.id = p.document_id where d.kind = 'procedure'"
        ).fetchone()[0]
        service.store.close()
        steps.append(KbStep(
            passages=passages, import_s=round(import_s, 2), build_s=round(report.seconds, 2), embedded=report.embedded,
            embed_per_s=round(report.passages_per_second, 1), first_ask_ms=_ms(first_ask),
            query_median_ms=_ms(statistics.median(times)), query_p95_ms=_ms(_p95(times)),
            query_cpu_median_ms=_ms(statistics.median(cpu)),
            lexical_median_ms=_ms(statistics.median(lexical)), rss_mb=round(_rss_mb(), 1),
            knowledge_db_mb=round((data / "knowledge.db").stat().st_size / 2**20, 1),
            index_mb=round(sum(p.stat().st_size for p in (data / "index").iterdir()) / 2**20, 1),
        ))
        print(steps[-1].model_dump_json(), flush=True)
    return steps, model_load_s


# --- sessions ---------------------------------------------------------------------------------------


class SessionsFigures(BaseModel):
    sessions: int
    create_median_ms: float
    open_ms: float
    """A new service on the audits database, up to the first session read (what `q1audit` pays per command)."""
    list_ms: float
    """All sessions as models (the TUI's session list)."""
    cli_list_ms: float
    """`q1audit session list --json` in process."""
    get_one_ms: float
    audits_db_mb: float


def bench_sessions(root: Path, count: int) -> SessionsFigures:
    from click.testing import CliRunner

    from assistant.cli import main
    from assistant.locations import resolve_data_dir
    from assistant.sessions.models import Scope, SessionHeader
    from assistant.sessions.service import SessionService

    paths = resolve_data_dir(root / "sessions")
    service = SessionService(paths)
    creates = []
    for i in range(count):
        header = SessionHeader(title=f"Audit {i}", scope=Scope(processes=["purchasing", "calibration"]))
        started = time.perf_counter()
        service.create(header)
        creates.append(time.perf_counter() - started)
    service.disconnect()
    started = time.perf_counter()
    fresh = SessionService(paths)
    some = fresh.get(f"{date.today().year}-001")
    open_s = time.perf_counter() - started
    started = time.perf_counter()
    listed = fresh.list()
    list_s = time.perf_counter() - started
    started = time.perf_counter()
    fresh.get(some.id)
    get_s = time.perf_counter() - started
    fresh.disconnect()
    assert len(listed) == count
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["--data-dir", str(paths.root), "session", "list", "--json"])
    cli_s = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    return SessionsFigures(
        sessions=count, create_median_ms=_ms(statistics.median(creates)), open_ms=_ms(open_s), list_ms=_ms(list_s),
        cli_list_ms=_ms(cli_s), get_one_ms=_ms(get_s), audits_db_mb=round(paths.audits_db.stat().st_size / 2**20, 2),
    )


# --- a large session --------------------------------------------------------------------------------


def scaled_rules(root: Path, copies: int) -> tuple[Path, Path]:
    """The bundled checklists and packs repeated `copies` times under new ids, for sessions with more answers."""
    from rules.checklist import CHECKLIST_DIR
    from rules.packs import PACK_DIR

    checklists, packs = root / "checklists", root / "packs"
    shutil.copytree(CHECKLIST_DIR, checklists)
    shutil.copytree(PACK_DIR, packs)
    ids = sorted({m for p in CHECKLIST_DIR.glob("*.yaml") for m in re.findall(r"^  - id: (\w+)$", p.read_text(), re.M)},
                 key=len, reverse=True)
    question = re.compile(r"(?<![\w])(" + "|".join(ids) + r")(?=(?:_note|_records)?(?![\w]))")
    for copy in range(2, copies + 1):
        for folder, original in ((checklists, CHECKLIST_DIR), (packs, PACK_DIR)):
            for path in sorted(original.glob("*.yaml")):
                text = question.sub(rf"\1_c{copy}", path.read_text())
                text = re.sub(r"^process: (\w+)$", rf"process: \1_c{copy}", text, flags=re.M)
                text = re.sub(r"^(  - id: [A-Z]+)-0(\d\d)$", rf"\1-{copy}\2", text, flags=re.M)
                text = re.sub(r"^(    slug: [\w-]+)$", rf"\1-c{copy}", text, flags=re.M)
                (folder / f"{path.stem}_c{copy}.yaml").write_text(text)
    return packs, checklists


class LargeSessionFigures(BaseModel):
    questions: int
    answers: int
    rules: int
    answer_median_ms: float
    """One answer typed and stored (parse, history, commit)."""
    findings: int
    rule_pass_ms: float
    """The rule engine alone over every answer."""
    findings_ms: float
    """`SessionService.findings`: read the answers, run the rules, merge decisions (what a screen waits for)."""
    export_ms: dict[str, float]


def bench_large_session(root: Path, answers: int, formats: list[str]) -> LargeSessionFigures:
    from assistant.exports.registry import export_session
    from assistant.locations import resolve_data_dir
    from assistant.sessions.models import Scope, SessionHeader
    from assistant.sessions.service import SessionService
    from rules.engine import RuleEngine
    from rules.models import AuditContext

    bundled = len(RuleEngine.load().checklist.questions())
    packs, checklists = scaled_rules(root / "rules", -(-answers // bundled))
    engine = RuleEngine.load(packs, checklists)
    questions = engine.checklist.questions()[:answers]
    typed = {"yesno": "no - seen on site", "number": "3", "date": "2020-01-01", "text": "free text", "records": "PO-1, PO-2"}
    paths = resolve_data_dir(root / "large")
    service = SessionService(paths, engine=engine)
    sid = service.create(SessionHeader(title="Large", scope=Scope(processes=engine.checklist.processes()))).id
    times = []
    for q in questions:
        text = q.choices[-1] if q.choices else typed[q.type]
        started = time.perf_counter()
        service.answer(sid, q.id, text, by="bench")
        times.append(time.perf_counter() - started)
    values = {k: a.as_value() for k, a in service.answers(sid).items()}
    ctx = AuditContext(audit_date=date(2025, 6, 30), audit_type="internal")
    engine.evaluate(values, ctx)
    passes = []
    for _ in range(5):
        started = time.perf_counter()
        engine.evaluate(values, ctx)
        passes.append(time.perf_counter() - started)
    finding_times = []
    for _ in range(3):
        started = time.perf_counter()
        found = service.findings(sid)
        finding_times.append(time.perf_counter() - started)
    exports = {}
    for fmt in formats:
        started = time.perf_counter()
        export_session(service, sid, fmt, root / f"large.{fmt}", force=True)
        exports[fmt] = _ms(time.perf_counter() - started)
    service.disconnect()
    return LargeSessionFigures(
        questions=len(engine.checklist.questions()), answers=len(questions), rules=len(engine.active_rules()),
        answer_median_ms=_ms(statistics.median(times)), findings=len(found),
        rule_pass_ms=_ms(statistics.median(passes)), findings_ms=_ms(statistics.median(finding_times)), export_ms=exports,
    )


class ScaleReport(BaseModel):
    embedder: str
    model_load_s: float
    kb: list[KbStep]
    query_embed_median_ms: float | None = None
    query_embed_p95_ms: float | None = None
    """The real model's query embedding (ONNX path), to add to query times measured with `random` vectors."""
    onnx_export_s: float | None = None
    sessions: SessionsFigures | None = None
    large_session: LargeSessionFigures | None = None
    peak_rss_mb: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,5000,10000,20000", help="Knowledge-base sizes in passages, growing.")
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--answers", type=int, default=600)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--embedder", choices=["minilm", "hashing", "random"], default="minilm")
    parser.add_argument("--formats", default="json,csv,xlsx,md,html,pdf,docx")
    parser.add_argument("--parts", default="kb,sessions,large", help="Which figures: kb, sessions, large.")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    embed = {}
    with tempfile.TemporaryDirectory(prefix="q1audit-scale-") as tmp:
        root = Path(tmp)
        sessions = bench_sessions(root, args.sessions) if "sessions" in parts else None
        large = bench_large_session(root, args.answers, args.formats.split(",")) if "large" in parts else None
        kb, model_load_s = [], 0.0
        if "kb" in parts:
            kb, model_load_s = bench_kb(root, [int(s) for s in args.sizes.split(",")], args.embedder, args.queries)
        if "kb" in parts and args.embedder == "random":
            from index.evaluation import load_questions
            from knowledge.catalogue import load_catalogue

            questions = [q.q for q in load_questions(load_catalogue())][: args.queries]
            median, p95, export_s = query_embedding_ms(root, questions)
            embed = {"query_embed_median_ms": median, "query_embed_p95_ms": p95, "onnx_export_s": export_s}
    report = ScaleReport(
        embedder=args.embedder, model_load_s=round(model_load_s, 2), kb=kb, sessions=sessions, large_session=large,
        peak_rss_mb=round(_peak_rss_mb(), 1), **embed,
    )
    print(report.model_dump_json(indent=2))


if __name__ == "__main__":
    main()
