"""`q1audit tui`: the app, as `q1audit` alone opens it, with the choice of who is acting."""

from __future__ import annotations

import click

from assistant.locations import DataPaths


@click.command()
@click.option("--by", metavar="NAME",
              help="Who answers and decides in this run (default: each session's lead auditor, else the login "
                   "name, as for `session answer --by`). The app's session list (b) changes it too.")
@click.pass_obj
def tui(paths: DataPaths, by: str | None) -> None:
    """Open the app (the same as `q1audit` with no subcommand)."""
    from assistant.tui.app import run_app

    run_app(paths, by=by)
