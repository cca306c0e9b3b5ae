"""`q1audit setup`: first run imports the bundled sample QMS and builds the index; later runs only check."""

from __future__ import annotations

import click

from assistant.locations import DataPaths
from knowledge import SAMPLE_QMS_DIR


@click.command()
@click.pass_obj
@click.pass_context
def setup(ctx: click.Context, paths: DataPaths) -> None:
    """Make the data directory ready: sample documents on first run, then an up-to-date index."""
    from assistant.cli.index_cmd import build_with_progress
    from assistant.cli.kb_cmd import import_paths
    from assistant.search_service import open_search

    click.echo(f"Data directory: {paths.root}")
    # Checking costs no model load, so a set-up that is already done returns in well under a second.
    service = open_search(paths, load_model=False)
    status = service.status()
    if status.documents == 0:
        click.echo("Empty knowledge base: importing the sample company QMS (a fictional manufacturer).")
        errors = import_paths(paths, [SAMPLE_QMS_DIR])
        if errors:
            ctx.exit(1)
        status = service.status()
    if not status.needs_build:
        click.echo(f"Ready: {status.documents} documents, {status.passages} passages, index current.")
        return
    service = open_search(paths)
    build_with_progress(service)
    click.echo("Ready. Try: q1audit ask \"we bought forgings from a new mill without visiting them\"")
