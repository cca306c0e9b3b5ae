"""`q1audit ask`: which clauses and procedures answer a question, Q1 and ISO side by side."""

from __future__ import annotations

import sys

import click

from assistant.locations import DataPaths
from knowledge.catalogue import ISO, Q1

NO_MATCH = "Nothing in the catalogue or your documents is relevant enough to that question. Try other words or a clause number."


@click.command()
@click.argument("question", nargs=-1)
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 50), help="Results per list.")
@click.option("--standard", type=click.Choice([Q1, ISO]), help="Only clauses of this standard.")
@click.option("--edition", help="Edition: 10th or 9th (API Q1), 2015 (ISO 9001).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object; with no QUESTION, one per stdin line.")
@click.pass_obj
def ask(paths: DataPaths, question: tuple[str, ...], top: int, standard: str | None, edition: str | None, as_json: bool):
    """Ask which clauses apply, in your own words: q1audit ask "cal sticker expired on a torque wrench"."""
    from assistant.search_service import open_search
    from index.costs import check_inline_rebuild

    text = " ".join(question).strip()
    if not text and not as_json:
        raise click.UsageError('give a question, e.g. q1audit ask "who signs off a concession?"')
    service = open_search(paths)
    if service.embedder is not None:
        # Never a long silent wait: a short update is announced, a long one is left to `index build`.
        model, facets = service.embedder.name, service.searcher.facet_texts()
        note = check_inline_rebuild(service.store, model, facets, service.builder.classifier_current(model, facets))
        if note and not as_json:
            click.echo(note, err=True)
    if as_json and not text:
        # One model load for the whole stream: a script can pipe hundreds of questions through.
        for line in sys.stdin:
            if line.strip():
                response = service.ask(line, top=top, standard=standard, edition=edition)
                click.echo(response.model_dump_json())
        return
    response = service.ask(text, top=top, standard=standard, edition=edition)
    if as_json:
        click.echo(response.model_dump_json())
    else:
        _print(service, response)


def _clause_cell(service, result) -> str:
    """One clause with its score and its crosswalk counterparts (and how they relate)."""
    from rich.markup import escape

    clause = service.catalogue.get(result.standard, result.edition, result.id)
    sure = f"{result.confidence:.0%} sure" if result.confidence is not None else f"{result.score:.2f}"
    lines = [f"[bold]{result.id}[/bold] {escape(result.title)}  [dim]{sure}[/dim]"]
    if result.reading:
        lines.append(f"[dim]  ({escape(result.reading)})[/dim]")
    seen: set[str] = set()
    for link in service.catalogue.links_for(clause) if clause is not None else []:
        if link.q1_only:
            nearest = ", ".join(f"ISO {i}" for i in link.iso_closest)
            other = "no ISO counterpart" + (f"; nearest {nearest}" if nearest else "")
        elif clause.standard == Q1:
            other = ", ".join(f"ISO {i}" for i in link.iso)
        else:
            # One Q1 edition per link keeps the ISO column readable: the 10th where it is known.
            edition, clause_id = next(iter(link.q1_ids().items()))
            other = f"Q1 {edition} {clause_id}"
        line = f"[dim]  ↔ {escape(other)} ({link.relation.plain})[/dim]"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return "\n".join(lines)


def _print(service, response) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    if response.note:
        console.print(f"[yellow]{escape(response.note)}[/yellow]")
    if response.expanded:
        console.print(f"[dim]read as: {escape('; '.join(response.expanded))}[/dim]")
    if response.no_good_match:
        console.print(NO_MATCH)
        return
    clauses = [r for r in response.results if r.kind == "clause"]
    columns: dict[str, list] = {}
    for r in clauses:
        label = f"{r.standard} {r.edition}" if r.standard == Q1 else f"{r.standard}:{r.edition}"
        columns.setdefault(label, []).append(r)
    if columns:
        table = Table(*columns, title="Clauses", show_lines=True, expand=True)
        for row in range(max(len(v) for v in columns.values())):
            table.add_row(*(_clause_cell(service, v[row]) if row < len(v) else "" for v in columns.values()))
        console.print(table)
    licensed = [r for r in response.results if r.kind == "licensed-text"]
    if licensed:
        console.print("\n[bold]Your licensed text[/bold]")
        for r in licensed:
            page = f", p. {r.page}" if r.page else ""
            console.print(f"  {r.score:.2f}  {r.standard} {r.edition} {r.id} {escape(r.title)} ({escape(r.doc)}{page})")
            console.print(f"        [dim]{escape(r.text)}[/dim]")
    procedures = [r for r in response.results if r.kind == "procedure"]
    if procedures:
        console.print("\n[bold]Procedures[/bold]")
        for r in procedures:
            rev = f" rev {r.revision}" if r.revision else ""
            page = f", p. {r.page}" if r.page else ""
            cites = f"  cites {', '.join(c.replace(':', ' ', 2) for c in r.clauses)}" if r.clauses else ""
            head = f"{r.doc}{rev} {r.title}: {r.section}{page}"
            console.print(f"  {r.score:.2f}  {escape(head)}[dim]{escape(cites)}[/dim]")
            console.print(f"        [dim]{escape(r.text)}[/dim]")
