"""`q1audit clause`: show one clause with its context and crosswalk, or list the catalogue."""

from __future__ import annotations

import json
import textwrap
from itertools import groupby

import click
from pydantic import BaseModel
from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from knowledge.catalogue import ISO, Q1, Catalogue, Clause, load_catalogue
from knowledge.clause_detail import ClauseDetail, ClauseRef, clause_detail
from knowledge.clause_refs import resolve_clause_ref

_STANDARDS = {"q1": Q1, "api q1": Q1, "api": Q1, "iso": ISO, "iso 9001": ISO, "iso9001": ISO}
_EDITIONS = {"9": "9th", "ninth": "9th", "10": "10th", "tenth": "10th"}


class ClauseListItem(BaseModel):
    """One row of `q1audit clause --list --json`."""

    standard: str
    edition: str
    id: str
    title: str
    parent: str | None
    confidence: str
    documented_procedure: bool
    records: bool


def _standard_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    standard = _STANDARDS.get(" ".join(value.lower().replace("-", " ").split()))
    if standard is None:
        raise click.BadParameter(f"{value!r}: use Q1 or ISO")
    return standard


def _edition_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    return None if value is None else _EDITIONS.get(value.lower(), value.lower())


def _ref_text(ref: ClauseRef) -> str:
    edition = f" {ref.edition}" if ref.standard == Q1 else ""
    return f"{ref.standard}{edition} {ref.id} {ref.title or '(not in the catalogue)'}"


def _confidence_text(detail: ClauseDetail) -> Text:
    if detail.verified:
        return Text("Confidence: verified (number and title seen in a public source)")
    return Text(f"Confidence: {detail.confidence}: title/number not confirmed", style="bold yellow")


def _indented(console: Console, text: str, level: int = 1) -> Text:
    """Indent wrapped lines too, so a long rationale stays under its link (rich's Padding pads with spaces)."""
    indent = " " * (2 * level)
    return Text(textwrap.fill(text, width=console.width, initial_indent=indent, subsequent_indent=indent))


def _render(detail: ClauseDetail, console: Console) -> None:
    crumbs = [f"{detail.standard} {detail.edition}"] + [f"{p.id} {p.title}" for p in detail.parents]
    console.print(Text(" > ".join(crumbs), style="dim"))
    console.print(Text(f"{detail.label}  {detail.title}", style="bold"))
    console.print(_confidence_text(detail))
    if detail.note:
        console.print(Text(f"Note: {detail.note}", style="italic"))
    console.print()
    console.print(Text(detail.summary))
    flags = [
        "documented procedure required" if detail.documented_procedure else "no documented procedure asked",
        "records required" if detail.records else "no records asked",
    ]
    console.print(Text("\n" + "; ".join(flags).capitalize()))
    if detail.keywords:
        console.print(Text("Also called: " + ", ".join(detail.keywords)))
    if detail.evidence:
        console.print(Text("Evidence to ask for:"))
        for item in detail.evidence:
            console.print(_indented(console, f"- {item}"))
    if detail.children:
        console.print(Text("\nSub-clauses:"))
        for child in detail.children:
            console.print(_indented(console, f"{child.id} {child.title}"))
    if detail.links:
        console.print(Text("\nCrosswalk:", style="bold"))
        # One crosswalk link names a Q1 clause in both editions: say its why and what-Q1-adds once.
        for _, group in groupby(
            detail.links, key=lambda link: (link.relation, link.rationale, link.beyond_iso)
        ):
            views = list(group)
            for view in views:
                target = _ref_text(view.counterpart) if view.counterpart else "no ISO 9001 counterpart"
                console.print(_indented(console, f"[{view.relation_plain}] {target}"))
            link = views[0]
            console.print(_indented(console, f"Why: {link.rationale}", 2))
            if link.beyond_iso:
                console.print(_indented(console, f"What Q1 adds: {link.beyond_iso}", 2))
            if link.nearest_iso:
                console.print(
                    _indented(console, "Nearest ISO: " + "; ".join(_ref_text(r) for r in link.nearest_iso), 2)
                )
    if detail.edition_moves:
        console.print(Text("\n9th <-> 10th edition:", style="bold"))
        for move in detail.edition_moves:
            note = f" ({move.note})" if move.note else ""
            console.print(
                _indented(
                    console,
                    f"9th {move.q1_9th or '-'} -> 10th {move.q1_10th or '-'}: {move.change.value}{note}",
                )
            )


def _list_table(clauses: list[Clause]) -> Table:
    table = Table("Standard", "Edition", "Clause", "Title", "Confidence", box=None, header_style="bold")
    for c in clauses:
        mark = "" if c.verified else " (not confirmed)"
        table.add_row(c.standard, c.edition, c.id, escape(c.title), f"{c.confidence.value}{mark}")
    return table


@click.command()
@click.argument("ref", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option("--list", "list_all", is_flag=True, help="List every clause instead of showing one.")
@click.option("--standard", callback=_standard_option, help="With --list: only Q1 or ISO.")
@click.option("--edition", callback=_edition_option, help="With --list: only this edition (10th, 9th, 2015).")
def clause(
    ref: tuple[str, ...], as_json: bool, list_all: bool, standard: str | None, edition: str | None
) -> None:
    """Show clause REF ("Q1 5.6.1.2", "ISO 8.4.1", "9th 5.7.1.5") with its crosswalk, or --list them all."""
    catalogue: Catalogue = load_catalogue()
    console = Console(highlight=False)
    if list_all:
        clauses = catalogue.clauses(standard, edition)
        if as_json:
            rows = [ClauseListItem(**c.model_dump(mode="json")).model_dump() for c in clauses]
            click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        else:
            console.print(Group(_list_table(clauses), Text(f"{len(clauses)} clauses")))
        return
    if not ref:
        raise click.UsageError("give a clause reference such as 'Q1 5.6.1.2', or --list")
    detail = clause_detail(resolve_clause_ref(" ".join(ref), catalogue), catalogue)
    if as_json:
        click.echo(detail.model_dump_json(indent=2))
    else:
        _render(detail, console)
