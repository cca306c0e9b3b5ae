"""Speed figures for `q1audit bench`: whole-process shell and TUI timings and the two embedding paths.

Each figure is a median over separate runs; wall time is what the auditor waits, CPU time (user + sys of
the child process) shows how much of it was the program when other work shares the machine.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from pydantic import BaseModel

from index.embedder import Embedder

QUESTION = "cal sticker expired on a torque wrench"
RUNS = 5


class Timing(BaseModel):
    wall_s: float
    """Median wall time."""
    cpu_s: float
    """Median CPU time (user + sys) of the process."""


class SpeedReport(BaseModel):
    machine: str
    load_average: tuple[float, float]
    """1-minute load average before and after the speed runs (other processes on the machine)."""
    onnx_export_s: float
    shell_ask: Timing
    """`q1audit ask "<question>"` in a fresh process, index current, ONNX export present."""
    no_change_build: Timing
    """`q1audit index build` in a fresh process with nothing to do."""
    tui_semantic_ready_s: float
    """TUI launch (headless) until the status says semantic search is ready."""
    tui_saw_keyword_first: bool
    """Keyword search was available before semantic search (the status goes keyword -> semantic)."""
    index_per_s: dict[str, float]
    """Passages embedded per second by each path, on the same passages."""
    onnx_query_median_ms: float
    onnx_query_p95_ms: float
    """Hybrid query, warm, with the ONNX query embedder (the shell's and the TUI's path)."""


def machine() -> str:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        model = next(line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        model = "unknown CPU"
    return f"{os.cpu_count()} vCPU {model}, Python {sys.version.split()[0]}"


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _timed(args: list[str], env: dict[str, str]) -> Timing:
    runs = [_run(args, env) for _ in range(RUNS)]
    return Timing(wall_s=statistics.median(w for w, _ in runs), cpu_s=statistics.median(c for _, c in runs))


_TUI_CHILD = """
import asyncio, sys
from assistant.locations import DataPaths
from assistant.tui.app import create_app

async def main():
    app = create_app(DataPaths(__import__("pathlib").Path(sys.argv[1])))
    seen = []
    async with app.run_test(headless=True, size=(120, 40)):
        for _ in range(12000):
            phase = app.index_state.phase
            if not seen or seen[-1] != (phase, app.knowledge_ready):
                seen.append((phase, app.knowledge_ready))
                print(phase, app.knowledge_ready, flush=True)
            if phase in ("semantic", "lexical", "stale"):
                break
            await asyncio.sleep(0.005)

asyncio.run(main())
"""


def _tui_ready(root: Path, env: dict[str, str]) -> tuple[float, bool]:
    """Seconds from launch until semantic search is ready, and whether keyword search came first."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", _TUI_CHILD, str(root)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True,
    )
    keyword_first, ready = False, float("nan")
    for line in child.stdout:
        phase, knowledge = line.split()
        if phase == "loading" and knowledge == "True":
            keyword_first = True
        if phase == "semantic":
            ready = time.perf_counter() - started
    child.wait()
    return ready, keyword_first


def index_rates(passages: list[str], embedders: dict[str, Embedder], rounds: int = 2) -> dict[str, float]:
    """Passages per second per embedder, interleaved rounds so machine load hits both alike (best round)."""
    rates: dict[str, list[float]] = {name: [] for name in embedders}
    for _ in range(rounds):
        for name, embedder in embedders.items():
            started = time.perf_counter()
            embedder.encode(passages)
            rates[name].append(len(passages) / (time.perf_counter() - started))
    return {name: round(max(values), 1) for name, values in rates.items()}


def run_speed(workdir: Path, reference: Embedder) -> SpeedReport:
    """Speed figures on the knowledge base `run_bench` built in `workdir` (its layout is a data directory)."""
    from index.evaluation import latencies_ms, load_questions
    from index.onnx_model import OnnxMiniLMEmbedder, export_dir, export_onnx
    from index.search import SearchService
    from knowledge.catalogue import load_catalogue

    load_before = os.getloadavg()[0]
    index_dir = workdir / "index"
    started = time.perf_counter()
    export_onnx(export_dir(index_dir), getattr(reference, "reference_model", None))
    export_s = time.perf_counter() - started
    onnx = OnnxMiniLMEmbedder(export_dir(index_dir))
    catalogue = load_catalogue()
    service = SearchService(workdir / "knowledge.db", index_dir, catalogue, onnx)
    passages = [p.search_text for p in service.store.passages()][::4][:128]
    rates = index_rates(passages, {"sentence-transformers": reference, "onnx": onnx})
    times = latencies_ms(service, load_questions(catalogue))
    service.store.close()

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "Q1AUDIT_EMBEDDER": "minilm"}
    cli = [sys.executable, "-m", "assistant", "--data-dir", str(workdir)]
    shell = _timed([*cli, "ask", QUESTION], env)
    no_change = _timed([*cli, "index", "build"], env)
    tui = [_tui_ready(workdir, env) for _ in range(RUNS)]
    return SpeedReport(
        machine=machine(),
        load_average=(round(load_before, 2), round(os.getloadavg()[0], 2)),
        onnx_export_s=round(export_s, 1),
        shell_ask=shell,
        no_change_build=no_change,
        tui_semantic_ready_s=statistics.median(t for t, _ in tui),
        tui_saw_keyword_first=all(k for _, k in tui),
        index_per_s=rates,
        onnx_query_median_ms=statistics.median(times),
        onnx_query_p95_ms=statistics.quantiles(times, n=20)[-1],
    )
