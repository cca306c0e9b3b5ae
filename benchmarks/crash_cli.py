"""Crash harness, CLI half: SIGKILL the `q1audit` commands a user runs, then check the data directory.

Each trial starts one of `session load` (an answers file with attachments), `kb import` (a folder),
`export`, `backup`, `restore --force`, `kb use --force` (a knowledge-base pack), or two `session answer`
writers at once, and kills it (both, for the two writers) at a random moment. Then, as the next q1audit start would, it runs
`assistant.recovery.recover` (with no grace period: nothing else is running) and checks:

- `PRAGMA integrity_check` is ok on both databases;
- no acknowledged write is lost: every `session answer` that exited 0 before the kill is in the
  history with its value, and everything acknowledged in earlier trials is still there;
- no orphan files: every attachment file is named by an answer, every stored document by a row,
  every document row's file exists, and no `.partial`, `.backup-*`, `.restore-*`, `.kb-use-*` or marker is left;
- a `kb use` is all or nothing: either the knowledge base and its index are as before, or the pack's
  documents are in use (its marker written) with an index current for them;
- no missing folders: `documents/` and `attachments/` exist;
- a rerun of the same command completes (exit 0).

    .venv/bin/python benchmarks/crash_cli.py --trials 500      # the full run (about 70 minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
OPERATIONS = ("session load", "kb import", "export", "backup", "restore", "kb use", "two writers")
QUESTIONS = {"pur_reeval": ["yes", "no - none this year", "partial - two overdue"],
             "pur_reeval_sampled": ["5", "8", "12"], "rsk_procedure": ["yes", "no - informal", "partial"]}


class CliCrashReport(BaseModel):
    trials: int
    by_operation: dict[str, int]
    losses: int
    orphans: int
    problems: list[str]
    acknowledged_answers: int
    reruns_ok: int
    seconds: float


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "assistant", *args]


class Harness:
    def __init__(self, workdir: Path, seed: int):
        self.rng = random.Random(seed)
        self.work = workdir / "work"
        self.data = workdir / "data"
        self.work.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "Q1AUDIT_HOME": str(self.data),
                    "Q1AUDIT_EMBEDDER": "hashing", "HF_HUB_OFFLINE": "1"}
        self.acked: list[dict] = []
        self.problems: list[str] = []
        self.reruns_ok = 0
        self.acknowledged = 0
        """Answers acknowledged over the whole run (`acked` holds those still to be there)."""

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(_cli(*args), env=self.env, cwd=ROOT, capture_output=True, text=True)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)}: rc {done.returncode}: {done.stderr[-800:]}")
        return done

    def setup(self) -> None:
        self.session = self.run("session", "new", "--title", "crash", "--scope", "purchasing").stdout.strip()
        folder = self.work / "answers"
        folder.mkdir(exist_ok=True)
        entries = {}
        for i, qid in enumerate(sorted(QUESTIONS)):
            photos = []
            for k in range(6):
                photo = folder / f"photo{i}-{k}.jpg"
                photo.write_bytes(os.urandom(2_000_000))
                photos.append(photo.name)
            entries[qid] = {"value": QUESTIONS[qid][0], "note": "loaded", "attachments": photos}
        (folder / "answers.json").write_text(json.dumps(entries))
        docs = self.work / "docs"
        docs.mkdir(exist_ok=True)
        for n in range(40):
            (docs / f"CLI-{n:02d}.md").write_text(
                f"Document No: CLI-{n:02d}\n\n# CLI-{n:02d} Crash procedure\n\n## 1 Purpose\n\n"
                + "Suppliers are evaluated per API Q1 5.5.1.2 and gauges calibrated. " * 200 + "\n"
            )
        self.run("session", "load", self.session, str(folder / "answers.json"))
        self.run("kb", "import", str(docs), "--yes")
        self.backup_file = self.work / "base.tar.gz"
        self.run("backup", str(self.backup_file), "--force")
        self.run("index", "build")
        self.pack_file = self.work / "dept.q1kb"
        self.run("kb", "pack", str(self.pack_file), "--force")
        self.pack_docs = [d["doc_id"] for d in json.loads(self.run("kb", "list", "--json").stdout)]

    def command(self, operation: str) -> list[list[str]]:
        if operation == "session load":
            return [["session", "load", self.session, str(self.work / "answers" / "answers.json")]]
        if operation == "kb import":
            return [["kb", "import", str(self.work / "docs"), "--yes"]]
        if operation == "export":
            fmt = self.rng.choice(["pdf", "docx", "xlsx", "json"])
            return [["export", self.session, "--format", fmt, "-o", str(self.work / f"out.{fmt}"), "--force"]]
        if operation == "backup":
            return [["backup", str(self.work / "b.tar.gz"), "--force"]]
        if operation == "restore":
            return [["restore", str(self.backup_file), "--force"]]
        if operation == "kb use":
            return [["kb", "use", str(self.pack_file), "--force"]]
        return []

    def trial(self, number: int, operation: str) -> None:
        if operation == "two writers":
            self._two_writers(number)
        else:
            [args] = self.command(operation)
            before = self._knowledge_base() if operation == "kb use" else None
            proc = subprocess.Popen(_cli(*args), env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
            time.sleep(self.rng.uniform(0.3, 3.0))  # interpreter start-up is about 0.5 s
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            if operation == "restore":
                self.acked = []  # rolled forward or not yet begun: either is right, and only the rerun is sure
        self._after_kill(number)
        if operation == "kb use":
            self._all_or_nothing(number, before)
        rerun = self.command(operation) or [["session", "answer", self.session, "pur_reeval", "yes", "--by", "rerun"]]
        done = self.run(*rerun[0], check=False)
        if done.returncode == 0:
            self.reruns_ok += 1
        else:
            self.problems.append(f"trial {number} {operation}: rerun failed rc {done.returncode}: {done.stderr[-300:]}")
        if operation == "kb use":
            self.run("kb", "use", "--release")  # the knowledge base becomes the directory's own: imports work again

    def _knowledge_base(self) -> tuple[bool, list[str], str]:
        """Whether a pack is in use, the documents, and the index state, as the CLI reports them."""
        from assistant.kb_pack import MARKER

        docs = [d["doc_id"] for d in json.loads(self.run("kb", "list", "--json").stdout)]
        return (self.data / MARKER).exists(), docs, json.loads(self.run("index", "status", "--json").stdout)["state"]

    def _all_or_nothing(self, number: int, before: tuple[bool, list[str], str]) -> None:
        in_use, docs, state = self._knowledge_base()
        if in_use and (state != "current" or docs != self.pack_docs):
            self.problems.append(f"trial {number}: the pack is in use with an index {state}, documents {docs[:3]}")
        if not in_use and (docs, state) != before[1:]:
            self.problems.append(f"trial {number}: kb use half done: {before[1:]} became {(docs, state)}")

    def _two_writers(self, number: int) -> None:
        procs = []
        for writer in range(2):
            script = "; ".join(
                # A note naming the writer makes every answer new: an answer equal to the current one is
                # not written again (the earlier one stands), so it would leave no history row to find.
                f"{sys.executable} -m assistant session answer {self.session} {qid} '{value}' --by w{writer}-{number}-{i}"
                f" --note w{writer}-{number}-{i}"
                f" && echo ACK {qid} w{writer}-{number}-{i}"
                for i, (qid, value) in enumerate(
                    (q, self.rng.choice(QUESTIONS[q])) for q in self.rng.sample(sorted(QUESTIONS) * 2, 4)
                )
            )
            procs.append(subprocess.Popen(["sh", "-c", script], env=self.env, cwd=ROOT, stdout=subprocess.PIPE,
                                          stderr=subprocess.DEVNULL, start_new_session=True))
        time.sleep(self.rng.uniform(1.0, 12.0))  # four CLI starts each: a kill lands after some have finished
        for proc in procs:
            os.killpg(proc.pid, signal.SIGKILL)
        for proc in procs:
            out, _ = proc.communicate()
            for line in out.decode().splitlines():
                if line.startswith("ACK "):
                    _, qid, by = line.split()
                    self.acked.append({"qid": qid, "by": by})
                    self.acknowledged += 1

    def _after_kill(self, number: int) -> None:
        sys.path.insert(0, str(ROOT))
        from assistant.backup import RESTORE_MARKER, referenced_attachments
        from assistant.kb_pack import USE_IN_PROGRESS
        from assistant.locations import resolve_data_dir
        from assistant.recovery import recover

        paths = resolve_data_dir(self.data)
        recover(paths, grace_s=0)  # the next q1audit start, with nothing else running
        where = f"trial {number}"
        for db in (paths.audits_db, paths.knowledge_db):
            with closing(sqlite3.connect(str(db), timeout=30)) as conn:
                result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                self.problems.append(f"{where}: {db.name} integrity: {result}")
        for folder in (paths.documents_dir, paths.attachments_dir):
            if not folder.is_dir():
                self.problems.append(f"{where}: folder missing: {folder.name}/")
        prefixes = (".backup-", ".restore-", RESTORE_MARKER, ".kb-use-", USE_IN_PROGRESS)
        leftovers = [p.name for p in paths.root.iterdir() if p.name.startswith(prefixes)]
        leftovers += [p.name for p in paths.root.rglob("*.partial*")] + [p.name for p in paths.root.rglob(".partial-*")]
        self.problems += [f"{where}: orphan: left over {name}" for name in leftovers]
        referenced = referenced_attachments(paths.audits_db)
        if paths.attachments_dir.is_dir():
            for file in paths.attachments_dir.rglob("*"):
                if file.is_file() and file.relative_to(paths.attachments_dir).as_posix() not in referenced:
                    self.problems.append(f"{where}: orphan attachment {file.name}")
            for name in referenced:
                if not (paths.attachments_dir / name).is_file():
                    self.problems.append(f"{where}: attachment lost: {name}")
        with closing(sqlite3.connect(str(paths.knowledge_db), timeout=30)) as conn:
            stored = {r[0] for r in conn.execute("select stored_name from documents where stored_name is not null")}
        on_disk = {p.name for p in paths.documents_dir.iterdir()} if paths.documents_dir.is_dir() else set()
        self.problems += [f"{where}: orphan document copy {n}" for n in sorted(on_disk - stored)]
        self.problems += [f"{where}: document copy lost: {n}" for n in sorted(stored - on_disk)]
        with closing(sqlite3.connect(str(paths.audits_db), timeout=30)) as conn:
            given = {(r[0], r[1]) for r in conn.execute("select question_id, changed_by from answer_history")}
        self.problems += [f"{where}: answer lost: {a}" for a in self.acked if (a["qid"], a["by"]) not in given]


def run(trials: int, workdir: Path, seed: int, operations: tuple[str, ...] = OPERATIONS) -> CliCrashReport:
    started = time.perf_counter()
    harness = Harness(workdir, seed)
    harness.setup()
    counts: dict[str, int] = {}
    for number in range(trials):
        operation = operations[number % len(operations)]
        counts[operation] = counts.get(operation, 0) + 1
        before = len(harness.problems)
        harness.trial(number, operation)
        # The new problems themselves, so a long run can be read while it goes on (or after it is stopped).
        print(json.dumps({"trial": number, "operation": operation, "problems": len(harness.problems),
                          "new": harness.problems[before:], "acknowledged": harness.acknowledged,
                          "seconds": round(time.perf_counter() - started)}), file=sys.stderr, flush=True)
    problems = harness.problems
    return CliCrashReport(
        trials=trials, by_operation=counts, losses=sum(" lost" in p or "missing" in p for p in problems),
        orphans=sum("orphan" in p for p in problems), problems=problems,
        acknowledged_answers=harness.acknowledged, reruns_ok=harness.reruns_ok,
        seconds=round(time.perf_counter() - started, 1),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, help="Keep the data here (default: a temporary folder).")
    parser.add_argument("--operation", action="append", choices=OPERATIONS,
                        help="Only these operations (repeat the option); default: all in turn.")
    args = parser.parse_args()
    operations = tuple(args.operation or OPERATIONS)
    if args.workdir:
        report = run(args.trials, args.workdir, args.seed, operations)
    else:
        with tempfile.TemporaryDirectory(prefix="q1audit-crash-cli-") as tmp:
            report = run(args.trials, Path(tmp), args.seed, operations)
    print(report.model_dump_json(indent=2))
    sys.exit(1 if report.problems else 0)


if __name__ == "__main__":
    main()
