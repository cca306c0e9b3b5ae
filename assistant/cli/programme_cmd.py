"""`q1audit programme`: every audit by process and date, findings over time, repeat findings, processes due."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from assistant.locations import DataPaths
from assistant.programme import REPEAT_WINDOW_MONTHS, STALE_MONTHS


@click.command()
@click.option("--json", "as_json", is_flag=True, help="The whole programme as one JSON object.")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), help="Also write FILE.xlsx.")
@click.option("--force", is_flag=True, help="Overwrite the --xlsx file if it exists.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Look from this day (default today).")
@click.option("--repeat-window", type=click.IntRange(1, 120), default=REPEAT_WINDOW_MONTHS, show_default=True,
              help="Months after a closed corrective action in which the same clause or rule found again is a repeat.")
@click.option("--months", "stale_months", type=click.IntRange(1, 120), default=STALE_MONTHS, show_default=True,
              help="List processes with no audit in this many months.")
@click.pass_obj
def programme(paths: DataPaths, as_json: bool, xlsx: Path | None, force: bool, as_of: datetime | None,
              repeat_window: int, stale_months: int) -> None:
    """The audit programme across every session here (import colleagues' sessions first)."""
    from assistant.programme import build_programme
    from assistant.sessions.service import SessionService

    built = build_programme(SessionService(paths), as_of.date() if as_of else None, repeat_window, stale_months)
    if xlsx is not None:
        from assistant.exports.programme_xlsx import write_programme_xlsx

        written = write_programme_xlsx(built, xlsx, force)
        click.echo(f"wrote {written}", err=as_json)
    if as_json:
        click.echo(built.model_dump_json(indent=2))
        return
    click.echo(f"Audits ({len(built.audits)}):")
    for a in built.audits:
        result = ", ".join(f"{n} {g}" for g, n in a.result.items()) or "no findings"
        click.echo(f"  {a.number}  {a.date}  {a.status.value:<11}  {','.join(a.processes) or '-':<28}  "
                   f"{'; '.join(a.criteria) or '-'}  {result}  {a.title}")
    click.echo(f"Findings by clause and process ({len(built.findings)}):")
    for t in built.trends:
        click.echo(f"  {t.year}  {t.clause:<22}  {t.process or '-':<16}  {t.count}")
    click.echo(f"Repeat findings (within {built.repeat_window_months} months of a closed corrective action):")
    for r in built.repeats:
        click.echo(f"  {r.audit} {r.id} ({r.clause}): {r.repeat_of.describe()}, action closed {r.repeat_of.action_closed}")
    if not built.repeats:
        click.echo("  none")
    click.echo(f"Processes not audited in the last {built.stale_months} months:")
    for p in built.not_audited:
        click.echo(f"  {p.process:<24}  " + (f"last {p.last_audited} ({p.last_audit})" if p.last_audited else "never"))
    if not built.not_audited:
        click.echo("  none")
