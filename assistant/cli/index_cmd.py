"""`q1audit index`: build the search index (with a progress bar) and report whether it is current."""

from __future__ import annotations

import click

from assistant.locations import DataPaths


def build_with_progress(service, force: bool = False) -> None:
    """Build the vector index with a rich progress bar; say so when the model is not available."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    if service.embedder is None:
        click.echo(f"Embedding model not available ({service.model_error}): lexical search only, nothing to build.")
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True
    ) as bar:
        task = bar.add_task("Embedding passages", total=None)

        def progress(done: int, total: int) -> None:
            # After the passages come the clause facets and, when they changed, the classifier (seconds).
            label = "Embedding passages" if done < total else "Clause facets and classifier"
            bar.update(task, completed=done, total=total, description=label)

        report = service.build(progress=progress, force=force, export=True)
    if not report.rebuilt:
        click.echo(f"Index is current ({report.passages} passages).")
    else:
        click.echo(
            f"Index built: {report.passages} passages, {report.embedded} embedded now "
            f"(the rest from the cache, embedded with {report.embedded_by}), {report.seconds:.1f} s."
        )
    if report.classifier_trained:
        click.echo("Clause classifier trained on the clause facets: questions are also ranked by it.")
    if report.exported:
        click.echo("Model exported to ONNX: questions now load it in a fraction of a second.")
    if report.export_error:
        click.echo(f"{report.export_error} (questions use the slower sentence-transformers).")


@click.group()
def index() -> None:
    """The search index built from the knowledge base (a cache: it can always be rebuilt)."""


@index.command("build")
@click.option("--force", is_flag=True, help="Rebuild even when the index is current.")
@click.pass_obj
def build(paths: DataPaths, force: bool) -> None:
    """Embed new or changed passages and rebuild the vector index."""
    from assistant.search_service import open_search

    # Decided from the manifests before any model is imported: nothing changed costs well under a second.
    status = open_search(paths, load_model=False).status()
    if not force and not status.needs_build:
        click.echo(f"Index is current ({status.passages} passages); nothing to do.")
        return
    build_with_progress(open_search(paths), force=force)


@index.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.pass_obj
def status(paths: DataPaths, as_json: bool) -> None:
    """What is indexed and whether the index is current (does not load the model)."""
    from assistant.search_service import open_search

    report = open_search(paths, load_model=False).status()
    if as_json:
        click.echo(report.model_dump_json(exclude={"mode"}))
        return
    click.echo(f"state:     {report.state} ({report.reason})")
    click.echo(f"model:     {report.model}")
    click.echo(f"documents: {report.documents}")
    click.echo(f"passages:  {report.passages} (of which {report.clauses} catalogue clauses)")
    click.echo(f"indexed:   {report.indexed}" + (f", built {report.built_at}" if report.built_at else ""))
    if report.onnx is not None:
        click.echo(f"onnx:      {report.onnx}" + ("" if report.onnx == "current" else " (`index build` makes it)"))
