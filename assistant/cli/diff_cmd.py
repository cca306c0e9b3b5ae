"""`q1audit diff`: what API Q1 asks beyond ISO 9001, by theme, clause or topic, and edition transitions."""

from __future__ import annotations

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from knowledge.catalogue import load_catalogue
from knowledge.crosswalk import Theme
from knowledge.differences import CitedClause, DifferencesView, TransitionView, differences, transition


def _cite(clause: CitedClause) -> str:
    title = escape(clause.title or "(not in the catalogue)")
    mark = "" if clause.confidence in (None, "verified") else f" [dim]({clause.confidence})[/dim]"
    return f"{clause.label} {title}{mark}"


def _cites(clauses: list[CitedClause]) -> str:
    return "\n".join(_cite(c) for c in clauses)


def render_differences(view: DifferencesView, console: Console) -> None:
    """One table per theme: Q1 clause, ISO counterpart, relation, and what Q1 adds."""
    scope = "everything" if view.topic is None else f"{view.topic!r} (matched by {view.matched_by})"
    count = f"{len(view.rows)} requirement" + ("" if len(view.rows) == 1 else "s")
    console.print(f"[bold]API Q1 {view.edition} beyond ISO 9001:2015[/bold]: {escape(scope)}, {count}")
    for group in view.groups:
        table = Table(
            "API Q1", "ISO 9001", "Relation", "What Q1 adds", "Conf.",
            title=group.label, title_justify="left", title_style="bold", show_lines=True, expand=True,
        )
        for row in group.rows:
            q1 = _cite(row.q1) + (f"\n[yellow]{escape(row.note)}[/yellow]" if row.note else "")
            iso = _cites(row.iso) if row.iso else "[dim]none; nearest:[/dim]\n" + _cites(row.iso_closest)
            adds = escape(row.beyond_iso) if row.beyond_iso else f"[dim]{escape(row.rationale)}[/dim]"
            relation = f"[bold]{row.relation_plain}[/bold]" if row.q1_only else row.relation_plain
            table.add_row(q1, iso or "-", relation, adds, row.confidence)
        console.print(table)


def render_summary(view: DifferencesView, console: Console) -> None:
    """Counts per theme, for `q1audit diff` with no topic."""
    table = Table("Theme", "Requirements", "Q1 only", "Q1 stricter", "Partial", "Equal or ISO broader",
                  title="API Q1 vs ISO 9001:2015 by theme", title_justify="left")
    for group in view.groups:
        relations = [row.relation_plain for row in group.rows]
        other = sum(r in ("equal", "ISO broader") for r in relations)
        table.add_row(
            f"{group.label} [dim]({group.theme})[/dim]", str(len(relations)), str(relations.count("none (Q1 only)")),
            str(relations.count("Q1 stricter")), str(relations.count("partial")), str(other),
        )
    console.print(table)
    console.print("q1audit diff THEME|CLAUSE|WORDS shows the rows (themes: "
                  + ", ".join(t.value for t in Theme) + "); --all shows every row.")


def render_transition(view: TransitionView, console: Console) -> None:
    console.print(f"[bold]From {view.source} to {view.target}[/bold]")
    for note in view.notes:
        console.print(f"[yellow]{escape(note)}[/yellow]")
    for section in view.sections:
        table = Table(
            "From", "To", "Change", "What to do / what changed", "Conf.",
            title=f"{section.title} ({len(section.items)})", title_justify="left", title_style="bold",
            show_lines=True, expand=True,
        )
        for item in section.items:
            table.add_row(
                _cites(item.from_clauses) or "-", _cites(item.to_clauses) or "-", item.change,
                escape(item.statement), item.confidence,
            )
        console.print(table)
    if view.unchanged:
        console.print(f"{view.unchanged} clauses keep their number and title.")


@click.command()
@click.argument("topic", nargs=-1)
@click.option("--all", "show_all", is_flag=True, help="The whole differences table.")
@click.option("--edition", type=click.Choice(["10th", "9th"]), default="10th", show_default=True,
              help="API Q1 edition whose clause numbers the table uses.")
@click.option("--from", "source", metavar="SYSTEM", help="Transition start: 'ISO 9001:2015' or 'API Q1:9th'.")
@click.option("--to", "target", metavar="SYSTEM", help="Transition end: 'API Q1:10th' (or 'API Q1:9th' from ISO).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (schema_version 1) instead of tables.")
def diff(topic: tuple[str, ...], show_all: bool, edition: str, source: str | None, target: str | None,
         as_json: bool) -> None:
    """What API Q1 asks beyond ISO 9001 on TOPIC: a theme (risk, suppliers ...), a clause (5.5, ISO 8.4) or words.

    \b
    q1audit diff purchasing
    q1audit diff --all
    q1audit diff --from "ISO 9001:2015" --to "API Q1:10th"
    q1audit diff --from "API Q1:9th" --to "API Q1:10th"
    """
    catalogue = load_catalogue()
    console = Console(highlight=False)
    if (source is None) != (target is None):
        raise click.UsageError("--from and --to go together")
    if source is not None:
        if topic or show_all:
            raise click.UsageError("a transition (--from/--to) takes no TOPIC or --all")
        view = transition(source, target, catalogue)
        if as_json:
            click.echo(view.model_dump_json(indent=2))
        else:
            render_transition(view, console)
        return
    if topic and show_all:
        raise click.UsageError("give a TOPIC or --all, not both")
    result = differences(" ".join(topic) or None, catalogue, edition)
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    elif topic or show_all:
        render_differences(result, console)
    else:
        render_summary(result, console)
