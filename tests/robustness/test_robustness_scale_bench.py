"""The scale benchmark's plumbing with small numbers (the figures themselves come from the full run)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "benchmarks" / "bench_scale.py"


@pytest.mark.slow
def test_scale_benchmark_runs_small():
    result = subprocess.run(
        [sys.executable, str(BENCH), "--sizes", "100,150", "--sessions", "5", "--answers", "200",
         "--queries", "3", "--embedder", "hashing", "--formats", "json"],
        capture_output=True, text=True, timeout=300, cwd=BENCH.parents[1],
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout[result.stdout.index("{\n"):])
    assert [step["passages"] for step in report["kb"]] == [100, 150]
    assert report["kb"][1]["embedded"] == 50  # only the new passages are embedded on the second build
    assert report["sessions"]["sessions"] == 5
    # 200 answers need more questions than the bundled checklist has: the copies load and their rules fire.
    large = report["large_session"]
    assert large["answers"] == 200 and large["questions"] > 200 and large["findings"] > 0
    assert set(large["export_ms"]) == {"json"}
