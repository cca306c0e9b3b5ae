"""First paint of `q1audit` in a real terminal: launch in tmux at 80x24, poll the pane until the chat's input
line shows, median of several runs. Its own tmux server (a private socket), stopped at the end.

Besides the wall time it reports the CPU time the app's process had used when the input showed (user +
system, from /proc): on a shared machine the wall time follows the load, the CPU time does not.

    python benchmarks/bench_first_paint.py [--runs 7] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAINTED = "Ask a question, or type a clause number"
TIMEOUT = 20.0


def _tmux(socket: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, check=False).stdout


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue  # gone already
    return total


def first_paint(data_dir: Path, socket: str, run: int, size: tuple[int, int] = (80, 24)) -> tuple[float, float]:
    """Seconds from launching the process until the input line is on screen: wall and the process's CPU."""
    name = f"paint{run}"
    command = shlex.join([sys.executable, "-m", "assistant", "--data-dir", str(data_dir)])
    env = f"PYTHONPATH={shlex.quote(str(ROOT))} "
    start = time.perf_counter()
    # remain-on-exit keeps the pane after a crash, so the error can be read instead of a blank timeout.
    _tmux(socket, "new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), env + command)
    _tmux(socket, "set-option", "-t", name, "remain-on-exit", "on")
    try:
        screen = ""
        while time.perf_counter() - start < TIMEOUT:
            screen = _tmux(socket, "capture-pane", "-p", "-t", name)
            if PAINTED in screen:
                wall = time.perf_counter() - start
                pid = int(_tmux(socket, "display-message", "-p", "-t", name, "#{pane_pid}").strip() or 0)
                return wall, _cpu_seconds(pid) if pid else float("nan")
            time.sleep(0.01)
        raise TimeoutError(f"the app did not paint within {TIMEOUT:.0f} s; the screen:\n{screen}")
    finally:
        _tmux(socket, "kill-session", "-t", name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, help="an existing data dir (default: an empty temporary one)")
    args = parser.parse_args()
    socket = f"q1audit-paint-{os.getpid()}"
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or Path(scratch)
        try:
            # One idle session keeps the private server up between runs (it exits with its last session).
            _tmux(socket, "new-session", "-d", "-s", "keep", "cat")
            first_paint(data_dir, socket, 0)  # warm the file cache: the first launch after a build is not typical
            times = [first_paint(data_dir, socket, run) for run in range(1, args.runs + 1)]
        finally:
            _tmux(socket, "kill-server")
    load = os.getloadavg()[0]
    walls, cpus = [w for w, _ in times], [c for _, c in times]
    print(f"first paint at 80x24: median {statistics.median(walls):.2f} s wall (min {min(walls):.2f}, "
          f"max {max(walls):.2f}), {statistics.median(cpus):.2f} s CPU of the app's process (min {min(cpus):.2f}, "
          f"max {max(cpus):.2f}) over {len(times)} runs (load average {load:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
