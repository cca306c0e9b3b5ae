"""`q1audit bench`: retrieval quality (Recall@1/@5, MRR per standard and mode) and speed figures."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import click

from knowledge import SAMPLE_QMS_DIR


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object with every figure.")
def bench(as_json: bool) -> None:
    """Build the bundled knowledge base from scratch in a temporary folder and measure search.

    Uses the real embedding model; takes a few minutes (it also times the shell, the TUI and the ONNX
    query path in fresh processes). Your own data is not touched.
    """
    from assistant.cli.bench_speed import run_speed
    from index.embedder import load_default_embedder
    from index.evaluation import run_bench
    from knowledge.catalogue import load_catalogue
    from rules.checklist import CHECKLIST_DIR

    started = time.perf_counter()
    embedder = load_default_embedder()
    load_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="q1audit-bench-") as workdir:
        report = run_bench(
            Path(workdir), [SAMPLE_QMS_DIR], load_catalogue(), embedder, load_seconds, checklist_dir=CHECKLIST_DIR
        )
        speed = run_speed(Path(workdir), embedder)
    if as_json:
        click.echo(json.dumps({**report.model_dump(), "speed": speed.model_dump()}, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table("Mode", "Standard", "Questions", "Recall@1", "Recall@5", "MRR", title="Which clause? (eval set)")
    for row in (r for r in report.quality if r.set == "eval"):
        label = f"{row.standard} {row.edition}"
        table.add_row(row.mode, label, str(row.questions), f"{row.recall_at_1:.2f}", f"{row.recall_at_5:.2f}", f"{row.mrr:.2f}")
    console.print(table)
    blind = Table(
        "Half", "Group", "Standard", "Questions", "Recall@1", "Recall@5", "MRR",
        title="Which clause? (blind set: tuned on dev, test only measured)",
    )
    for row in (r for r in report.quality if r.set != "eval"):
        style = "bold" if row.group == "all" else None
        blind.add_row(
            row.set, row.group, f"{row.standard} {row.edition}", str(row.questions),
            f"{row.recall_at_1:.2f}", f"{row.recall_at_5:.2f}", f"{row.mrr:.2f}", style=style,
        )
    console.print(blind)
    if report.no_match:
        nm = report.no_match
        console.print(
            f"no-match set: {nm.inputs} inputs, {nm.answered} got a clause, {nm.confident} with confidence >= 0.5"
        )
    for b in report.calibration:
        console.print(f"confidence {b.low:.1f}-{b.high:.1f} (blind dev): {b.results} top results, {b.right:.0%} right")
    console.print(
        f"model {report.model} loaded in {report.model_load_seconds:.1f} s\n"
        f"bundled KB: {report.documents} documents, {report.passages} passages (catalogue clauses included)\n"
        f"from scratch: {report.from_scratch_seconds:.1f} s (import {report.import_seconds:.1f} s, "
        f"index {report.build_seconds:.1f} s, {report.embed_passages_per_second:.0f} passages/s embedded)\n"
        f"no-change rebuild: {report.no_change_seconds * 1000:.0f} ms\n"
        f"query latency (hybrid, warm): median {report.latency_median_ms:.1f} ms, p95 {report.latency_p95_ms:.1f} ms"
    )
    rates = ", ".join(f"{name} {rate:.0f}" for name, rate in speed.index_per_s.items())
    console.print(
        f"\n[bold]Speed[/bold] ({speed.machine}; load average {speed.load_average[0]} before, "
        f"{speed.load_average[1]} after)\n"
        f"shell ask: {speed.shell_ask.wall_s:.2f} s (CPU {speed.shell_ask.cpu_s:.2f} s); "
        f"no-change index build: {speed.no_change_build.wall_s:.2f} s (CPU {speed.no_change_build.cpu_s:.2f} s)\n"
        f"TUI semantic search ready: {speed.tui_semantic_ready_s:.2f} s after launch\n"
        f"query with the ONNX embedder (hybrid, warm): median {speed.onnx_query_median_ms:.1f} ms, "
        f"p95 {speed.onnx_query_p95_ms:.1f} ms\n"
        f"indexing, passages/s: {rates}; ONNX export {speed.onnx_export_s:.0f} s (once)"
    )
