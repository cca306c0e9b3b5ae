"""`q1audit export`: a session as a finding list (csv, xlsx, json, md), a report (html, pdf, docx) or a response pack."""

from __future__ import annotations

import click

from assistant.exports.registry import FORMATS, export_session
from assistant.locations import DataPaths
from assistant.sessions.service import SessionService

FORMAT_HELP = "; ".join(f"{name}: {spec.description}" for name, spec in FORMATS.items())


@click.command()
@click.argument("session_id")
@click.option("-f", "--format", "fmt", metavar="FORMAT",
              help=f"One of {', '.join(FORMATS)} (default: from the -o extension). {FORMAT_HELP}.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="File to write (default: the data directory's exports/ folder, named after the session).")
@click.option("--for", "audience", type=click.Choice(["auditee", "team"]), default="auditee", show_default=True,
              help="Who the export is for: the auditee's copy has decided findings only and no team notes; "
                   "the team's keeps proposed grades, rule ids and hints.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.pass_obj
def export(paths: DataPaths, session_id: str, fmt: str | None, output: str | None, audience: str,
           force: bool) -> None:
    """Export session SESSION_ID and print the path of the file written.

    While findings are undecided, reports say DRAFT on every page and response packs are refused.
    """
    if fmt is None and output is None:
        raise click.UsageError("give --format, or -o with a file extension that names one")
    service = SessionService(paths)
    try:
        written = export_session(service, session_id, fmt, output, force=force, audience=audience)
    finally:
        service.disconnect()
    click.echo(str(written))
