"""`q1audit serve`: the TUI in a browser on this machine, or on the network behind an access token."""

from __future__ import annotations

import secrets

import click

from assistant.locations import DataPaths


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any address but this machine's own asks for an access token.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--by", metavar="NAME", help="Who answers and decides in the browser (as `q1audit tui --by`).")
@click.pass_obj
def serve(paths: DataPaths, host: str, port: int, by: str | None) -> None:
    """Run the app in a web browser (a tablet on the site walk) through textual-serve."""
    from assistant.tui.serve import make_server, needs_token

    token = secrets.token_urlsafe(24) if needs_token(host) else None
    make_server(paths.root, host, port, token, by=by).serve()
