"""Crash harness: SIGKILL a writer at random moments, reopen, and check that no acknowledged write was lost.

A child process answers questions (some with attachments), decides findings, imports and re-imports
procedures, and rebuilds the search index, all through the public Python API. After each committed
write it prints one acknowledgement line. The parent kills it with SIGKILL at a random moment, then
reopens the data directory and checks: every acknowledged answer is in the history (and the current
answer is the last one there), every acknowledged decision and import is there (or a newer one),
attachments and imported files are whole, `PRAGMA integrity_check` is ok on both databases, and the
search index is either current or seen as stale and rebuilt. Each kill checks what was acknowledged
since the one before; every FULL_CHECK_EVERY kills and after the last, everything is checked again.

With --power-loss the power is cut instead: SQLite runs on a fault-injecting VFS
(benchmarks/sqlite_power_cut.py) and q1audit's own file operations under a model of what `fsync` makes
durable (benchmarks/power_loss.py). At the first write, sync or rename after a random moment, the child
writes the data directory as the disk would hold it after a power cut then (unsynced SQLite pages
dropped or kept at random, unsynced files empty, unsynced names gone) and kills itself; the parent
puts that image in place of the data directory and runs the same checks on it. Every acknowledgement
is also checked to survive a power cut at the moment it was given. The CLI commands a user runs are
killed by benchmarks/crash_cli.py.

Full run (about half an hour):  .venv/bin/python benchmarks/crash_harness.py --trials 500 --power-loss
CI runs the short form through tests/robustness/test_robustness_crash.py.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script, its sibling modules import as `benchmarks.*`
QUESTIONS = {  # answers that make the purchasing and calibration rules fire, and others that keep them quiet
    "pur_reeval": ["yes", "no - none this year", "partial - two overdue"],
    "pur_reeval_sampled": ["5", "8", "12"],
    "pur_reeval_done": ["3", "5", "0"],
    "pur_po_information": ["yes", "partial - PO-24-0211 lacks the spec revision", "no"],
    "cal_due_date": ["2025-02-28", "2026-01-31", "2024-12-01"],
    "rsk_procedure": ["yes", "no - informal", "partial"],
    "rsk_open_high": ["0", "2", "7"],
}

FULL_CHECK_EVERY = 25
END = "End of procedure."
"""The last line of every generated procedure: a copy without it was torn."""


class CrashReport(BaseModel):
    trials: int
    losses: int
    """Acknowledged writes missing after a kill (the target is 0)."""
    problems: list[str]
    acknowledged: dict[str, int]
    """Acknowledged writes by kind over the whole run."""
    integrity_checks: int
    index_rebuilt_after_kill: int
    """Kills after which the index was found stale or missing and rebuilt."""
    power_cuts: int
    """Trials whose data directory was replaced by what a power cut would have left (--power-loss)."""
    seconds: float


# --- the child: writes and acknowledges ------------------------------------------------------------


def _ack(kind: str, **data) -> None:
    # One write() per line, flushed at once: the parent counts only whole lines.
    sys.stdout.write(json.dumps({"op": kind, **data}) + "\n")
    sys.stdout.flush()


def _procedure(doc_id: str, generation: int) -> str:
    words = " ".join(random.choice(["supplier", "calibration", "record", "review", "risk", "gauge", "order"])
                     for _ in range(60))
    return (
        f"Document No: {doc_id}\nRevision: {generation}\n\n# {doc_id} Crash test procedure\n\n"
        f"## 1 Purpose\n\nThis generated procedure (generation {generation}) cites API Q1 5.5.1.2. {words}.\n\n"
        f"## 2 Method\n\nSuppliers are re-evaluated every year and gauges are calibrated. {words}.\n\n{END}\n"
    )


def child(data_dir: Path, work: Path, seed: int, cut_after: float | None = None) -> None:
    """Write for ever (until killed), acknowledging each committed write on stdout.

    With `cut_after` (seconds), the power is cut at the first write, sync or rename after that long:
    the data directory as a power cut would leave it is written to `work/image` and the child kills
    itself. Each acknowledgement also says what of it would not survive a power cut at that moment
    (benchmarks/power_loss.py), under `not_durable`.
    """
    from assistant.locations import resolve_data_dir
    from assistant.sessions.models import Scope, SessionHeader
    from assistant.sessions.service import SessionService
    from index.embedder import HashingEmbedder
    from index.importer import import_files
    from index.search import SearchService
    from knowledge.catalogue import load_catalogue

    rng = random.Random(seed)
    random.seed(seed)
    paths = resolve_data_dir(data_dir)
    cut = _PowerCut(paths.root, work, seed) if cut_after is not None else None
    service = SessionService(paths)
    search = SearchService(paths.knowledge_db, paths.index_dir, load_catalogue(), HashingEmbedder())

    def not_durable(files: dict[str, Path | str]) -> list[str]:
        """Why this acknowledgement would not survive a power cut now (empty: it would)."""
        if cut is None:
            return []
        return [p for path, digest in files.items() if (p := cut.model.durable(Path(path), digest))]

    sessions = [s.id for s in service.list()]
    service.engine  # noqa: B018 - load the rules before saying ready, so kills land on writes
    _ack("ready")
    if cut is not None:
        cut.start(cut_after)
    step = 0
    while True:
        step += 1
        roll = rng.random()
        if not sessions or roll < 0.005:
            header = SessionHeader(title=f"Crash {seed}", scope=Scope(processes=["purchasing", "calibration"]))
            sessions.append(service.create(header).id)
            _ack("session", sid=sessions[-1], not_durable=not_durable({}))
        elif roll < 0.60:
            sid = rng.choice(sessions)
            question = rng.choice(sorted(QUESTIONS))
            attachments = []
            if rng.random() < 0.15:
                photo = work / f"photo-{seed}-{step}.jpg"
                photo.write_bytes(os.urandom(rng.randint(1, 200_000)))
                attachments = [photo]
            record = service.answer(sid, question, rng.choice(QUESTIONS[question]), attachments=attachments, by="crash")
            files = {name: hashlib.sha256((paths.attachments_dir / name).read_bytes()).hexdigest()
                     for name in record.attachments}
            _ack("answer", sid=sid, qid=question, answered_at=record.answered_at.isoformat(),
                 value=record.model_dump(mode="json")["value"], files=files,
                 not_durable=not_durable({str(paths.attachments_dir / n): d for n, d in files.items()}))
        elif roll < 0.78:
            sid = rng.choice(sessions)
            findings = service.findings(sid)
            if findings:
                finding = rng.choice(findings)
                if rng.random() < 0.5:
                    decided = service.decide(sid, finding.id, "confirmed", by="crash")
                else:
                    decided = service.decide(sid, finding.id, "dismissed", reason=f"step {step}", by="crash")
                _ack("decision", sid=sid, fid=decided.id, status=decided.status.value,
                     decided_at=decided.decided_at.isoformat(), not_durable=not_durable({}))
        elif roll < 0.93:
            doc_id = f"CR-{rng.randint(1, 6):02d}"
            generation = int(time.time() * 1_000_000)  # grows across children, so newer is larger
            source = work / f"{doc_id}.md"
            source.write_text(_procedure(doc_id, generation))
            [outcome] = list(import_files(search.store, [source], load_catalogue(), paths.documents_dir))
            if outcome.error is not None:
                raise outcome.error
            stored = search.store.get_document(doc_id).stored_name
            digest = hashlib.sha256(source.read_bytes()).hexdigest()
            _ack("import", doc_id=doc_id, generation=generation,
                 not_durable=not_durable({str(paths.documents_dir / stored): digest}))
        else:
            search.build()


class _PowerCut:
    """The power-cut VFS and file model; the first event after `start(after)` writes the image and
    kills this process (the write, sync or rename it interrupts never happens)."""

    def __init__(self, root: Path, work: Path, seed: int):
        from benchmarks.power_loss import PowerLossModel
        from benchmarks.sqlite_power_cut import PowerCutVfs

        self.rng = random.Random(seed + 1)  # apart from the writer's, so it writes the same either way
        self.work = work
        self.at: float | None = None
        self.vfs = PowerCutVfs(on_event=self.maybe_cut)  # before any connection opens
        self.model = PowerLossModel(root, stash=work / "replaced", on_event=self.maybe_cut)

    def start(self, after: float) -> None:
        self.at = time.monotonic() + after

    def maybe_cut(self) -> None:
        from benchmarks.sqlite_power_cut import random_keep

        if self.at is not None and time.monotonic() >= self.at:
            self.at = None
            self.model.write_image(self.work / "image.partial", self.vfs, random_keep(self.rng))
            os.rename(self.work / "image.partial", self.work / "image")
            os.kill(os.getpid(), signal.SIGKILL)


# --- the parent: kills and checks ------------------------------------------------------------------


def _integrity(db: Path) -> str:
    if not db.exists():
        return "ok"
    with closing(sqlite3.connect(str(db), timeout=30)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


class _Ledger:
    """Everything acknowledged so far, and the checks against what is stored."""

    def __init__(self) -> None:
        self.acks: list[dict] = []
        self.checked = 0
        """Acknowledgements before this index were checked after an earlier kill."""
        self.counts: dict[str, int] = {}
        self.not_durable: list[str] = []
        """Acknowledged writes that a power cut at that moment would have lost (power-loss mode)."""

    def add(self, ack: dict) -> None:
        self.counts[ack["op"]] = self.counts.get(ack["op"], 0) + 1
        self.acks.append(ack)
        self.not_durable += [f"{ack['op']} lost on power loss: {why}" for why in ack.get("not_durable", [])]

    def check(self, data_dir: Path, everything: bool = False) -> list[str]:
        """Check the acknowledgements since the last check (or all of them) against the data directory."""
        acks = self.acks if everything else self.acks[self.checked :]
        self.checked = len(self.acks)
        by_kind: dict[str, list[dict]] = {}
        for ack in acks:
            by_kind.setdefault(ack["op"], []).append(ack)
        # A later decision or import supersedes an earlier one: the last acknowledged is what must be there.
        decisions = {(a["sid"], a["fid"]): a for a in by_kind.get("decision", [])}
        imports: dict[str, int] = {}
        for a in by_kind.get("import", []):
            imports[a["doc_id"]] = max(a["generation"], imports.get(a["doc_id"], 0))
        sessions = {a["sid"] for a in by_kind.get("session", [])}
        return (self._check_sessions(data_dir, sessions, by_kind.get("answer", []), decisions)
                + self._check_imports(data_dir, imports))

    @staticmethod
    def _check_sessions(data_dir: Path, sessions: set[str], answers: list[dict], decisions: dict) -> list[str]:
        from assistant.locations import resolve_data_dir
        from assistant.sessions.archive import read_archive
        from assistant.sessions.service import SessionService

        paths = resolve_data_dir(data_dir)
        problems: list[str] = []
        service = SessionService(paths)
        try:
            stored_sessions = {s.id for s in service.list()}
            problems += [f"session {sid} lost" for sid in sorted(sessions - stored_sessions)]
            histories: dict[tuple[str, str], list] = {}
            for ack in answers:
                key = (ack["sid"], ack["qid"])
                if ack["sid"] not in stored_sessions:
                    problems.append(f"answer lost with its session: {ack}")
                    continue
                if key not in histories:
                    histories[key] = service.history(*key)
                found = [c for c in histories[key] if c.new.answered_at.isoformat() == ack["answered_at"]]
                if not found or found[0].new.model_dump(mode="json")["value"] != ack["value"]:
                    problems.append(f"answer lost: {ack}")
                for name, digest in ack["files"].items():
                    path = paths.attachments_dir / name
                    if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                        problems.append(f"attachment lost or damaged: {name}")
            current_answers = {sid: service.answers(sid) for sid in {sid for sid, _ in histories}}
            for (sid, qid), history in histories.items():
                current = current_answers[sid].get(qid)
                if history and (current is None or current.answered_at != history[-1].new.answered_at):
                    problems.append(f"{sid} {qid}: current answer is not the last in its history")
            stored = {
                sid: {d.finding_id: d for d in read_archive(service, sid).decisions}
                for sid in {s for s, _ in decisions} & stored_sessions
            }
            for (sid, fid), ack in decisions.items():
                decision = stored.get(sid, {}).get(fid)
                if decision is None or decision.decided_at.isoformat() < ack["decided_at"]:
                    problems.append(f"decision lost: {ack}")
        finally:
            service.disconnect()
        return problems

    @staticmethod
    def _check_imports(data_dir: Path, imports: dict[str, int]) -> list[str]:
        from assistant.locations import resolve_data_dir
        from index.store import KnowledgeStore
        from knowledge.hashing import file_sha256

        paths = resolve_data_dir(data_dir)
        problems: list[str] = []
        store = KnowledgeStore(paths.knowledge_db)
        try:
            documents = {d.doc_id: d for d in store.documents()}
            for doc_id, generation in imports.items():
                doc = documents.get(doc_id)
                if doc is None or int(doc.revision or 0) < generation:
                    problems.append(f"import lost: {doc_id} generation {generation}")
                    continue
                stored = paths.documents_dir / (doc.stored_name or "")
                if not stored.is_file():
                    problems.append(f"{doc_id}: imported copy missing")
                elif file_sha256(stored) != doc.content_hash:
                    # The copy is renamed into place just before the row commits: a kill between the two
                    # leaves a whole copy one generation ahead, never a torn one.
                    text = stored.read_text()
                    ahead = re.search(r"^Revision: (\d+)$", text, re.M)
                    if not ahead or int(ahead[1]) <= int(doc.revision or 0) or not text.endswith(f"{END}\n"):
                        problems.append(f"{doc_id}: imported copy damaged")
        finally:
            store.close()
        return problems


def _create_databases(data_dir: Path) -> None:
    from assistant.locations import resolve_data_dir
    from assistant.sessions.service import SessionService
    from index.store import KnowledgeStore

    paths = resolve_data_dir(data_dir)
    SessionService(paths).disconnect()
    KnowledgeStore(paths.knowledge_db).close()


def _index_after_kill(data_dir: Path) -> tuple[bool, list[str]]:
    """(rebuilt, problems): a stale or missing index is rebuilt; a current one must match the store."""
    from index.embedder import HashingEmbedder
    from index.search import SearchService
    from index.vectors import VectorIndex
    from knowledge.catalogue import load_catalogue

    service = SearchService(data_dir / "knowledge.db", data_dir / "index", load_catalogue(), HashingEmbedder())
    try:
        before = service.status()
        problems: list[str] = []
        if before.state == "current":
            count = VectorIndex.load(data_dir / "index").count
            if count != before.passages:
                problems.append(f"index says current but holds {count} vectors for {before.passages} passages")
        report = service.build()
        after = service.status()
        if after.state != "current":
            problems.append(f"index still {after.state} after a rebuild ({after.reason})")
        if VectorIndex.load(data_dir / "index").count != after.passages:
            problems.append("rebuilt index does not hold one vector per passage")
        return report.rebuilt and before.state != "current", problems
    finally:
        service.store.close()


def run_trials(
    trials: int, workdir: Path, seed: int = 0, max_delay: float = 1.5, power_loss: bool = False
) -> CrashReport:
    """`trials` kills of a writing child on one data directory, with every check after each; with
    `power_loss`, every acknowledgement is also checked to survive a power cut at that moment."""
    rng = random.Random(seed)
    data_dir, work = workdir / "data", workdir / "work"
    work.mkdir(parents=True, exist_ok=True)
    ledger = _Ledger()
    problems: list[str] = []
    rebuilt = checks = cuts = 0
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    if power_loss:
        _create_databases(data_dir)  # SQLite does not sync the folder entry of a new database file
    for trial in range(trials):
        before = len(problems)
        delay = rng.uniform(0, max_delay)
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", str(data_dir), "--work", str(work), "--seed", str(rng.randrange(1 << 30)),
             *(["--cut-after", str(delay)] if power_loss else [])],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT,
        )
        first = proc.stdout.readline()
        if b'"ready"' not in first:
            proc.kill()
            raise RuntimeError(f"child did not start: {proc.stderr.read().decode(errors='replace')[-2000:]}")
        if power_loss:
            try:
                out, err = proc.communicate(timeout=delay + 120)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
                problems.append(f"trial {trial}: the power was never cut")
            if (work / "image").is_dir():
                shutil.rmtree(data_dir)
                (work / "image").rename(data_dir)
                shutil.rmtree(work / "replaced", ignore_errors=True)
                cuts += 1
        else:
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            out, err = proc.communicate()
        if proc.returncode != -signal.SIGKILL:
            problems.append(f"trial {trial}: child ended by itself ({proc.returncode}): {err.decode(errors='replace')[-500:]}")
        for line in out.decode(errors="replace").splitlines(keepends=True):
            if line.endswith("\n"):
                ledger.add(json.loads(line))
        for db in ("audits.db", "knowledge.db"):
            checks += 1
            result = _integrity(data_dir / db)
            if result != "ok":
                problems.append(f"trial {trial}: {db} integrity_check: {result}")
        # Each kill checks what was acknowledged since the last one; every FULL_CHECK_EVERY kills, and
        # after the last, everything acknowledged since the start is checked again.
        everything = (trial + 1) % FULL_CHECK_EVERY == 0 or trial == trials - 1
        found = ledger.check(data_dir, everything=everything)
        was_rebuilt, index_problems = _index_after_kill(data_dir)
        rebuilt += was_rebuilt
        problems += [f"trial {trial}: {p}" for p in found + index_problems + ledger.not_durable]
        ledger.not_durable = []
        print(json.dumps({"trial": trial, "problems": len(problems), "new": problems[before:][:5],
                          "acknowledged": len(ledger.acks), "seconds": round(time.perf_counter() - started)}),
              file=sys.stderr, flush=True)
    losses = sum(1 for p in problems if " lost" in p or "missing" in p)
    return CrashReport(
        trials=trials, losses=losses, problems=problems, acknowledged=ledger.counts,
        integrity_checks=checks, index_rebuilt_after_kill=rebuilt, power_cuts=cuts, seconds=round(time.perf_counter() - started, 1),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-delay", type=float, default=1.5, help="Longest wait before a kill, in seconds.")
    parser.add_argument("--workdir", type=Path, help="Keep the data here (default: a temporary folder).")
    parser.add_argument("--power-loss", action="store_true",
                        help="Cut the power (simulated) instead of killing: see the module doc.")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cut-after", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.work, args.seed, args.cut_after)
        return
    if args.workdir:
        report = run_trials(args.trials, args.workdir, args.seed, args.max_delay, args.power_loss)
    else:
        with tempfile.TemporaryDirectory(prefix="q1audit-crash-") as tmp:
            report = run_trials(args.trials, Path(tmp), args.seed, args.max_delay, args.power_loss)
    print(report.model_dump_json(indent=2))
    sys.exit(1 if report.problems else 0)


if __name__ == "__main__":
    main()
