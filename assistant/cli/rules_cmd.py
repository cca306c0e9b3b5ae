"""`q1audit rules ...` and `q1audit checklist ...`: validate and test rule packs, list rules and questions."""

from __future__ import annotations

import json
from pathlib import Path

import click
from pydantic import BaseModel

from rules.models import ClauseCitation


class RuleListing(BaseModel):
    """One rule as `rules list --json` prints it."""

    id: str
    slug: str
    title: str
    grade: str
    status: str
    process: str
    clauses: list[ClauseCitation]
    when: str | None


class QuestionListing(BaseModel):
    """One question as `checklist show --json` prints it."""

    id: str
    process: str
    text: str
    help: str
    type: str
    choices: list[str] | None = None
    clauses: list[ClauseCitation]
    show_if: str | None = None
    gate: str | None = None


def _print_json(items: list[BaseModel]) -> None:
    click.echo(json.dumps([item.model_dump(mode="json", exclude_none=True) for item in items], indent=2))


@click.group()
def rules() -> None:
    """Rule packs: validate, run their fixtures, list them."""


@rules.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def check(path: Path | None) -> None:
    """Validate rule packs (the bundled ones, or PATH: a pack file or a folder of them).

    Prints one line per problem naming file, line and rule; exits 1 if there is any.
    """
    from knowledge.catalogue import load_catalogue
    from rules.checklist import CHECKLIST_DIR, load_checklist_from
    from rules.packs import PACK_DIR, pack_files, read_packs

    catalogue = load_catalogue()
    checklist = load_checklist_from(CHECKLIST_DIR, catalogue)
    files = pack_files(path or PACK_DIR)
    loaded, errors = read_packs(files, checklist, catalogue)
    for line in errors:
        click.echo(line)
    if errors:
        raise SystemExit(1)
    click.echo(f"OK: {len(loaded)} rules in {len(files)} files, {len(checklist.questions())} checklist questions")


@rules.command("test")
def test() -> None:
    """Run every rule's fixtures: answers on which it must fire and answers on which it must stay quiet."""
    from rules.engine import RuleEngine

    results = RuleEngine.load().run_fixtures()
    failed = [r for r in results if not r.passed]
    for result in failed:
        expected = "did not fire" if result.kind == "fires" else "fired"
        click.echo(f"{result.source}: {result.rule_id}: {result.kind} fixture {result.index + 1} {expected}")
    click.echo(f"{len(results)} fixtures, {len(failed)} failed")
    if failed:
        raise SystemExit(1)


@rules.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def list_rules(as_json: bool) -> None:
    """List every rule with its grade and clauses (retired rules included, marked)."""
    from rules.engine import RuleEngine

    listing = [
        RuleListing(
            id=r.id,
            slug=r.entry.slug,
            title=r.entry.title,
            grade=r.entry.grade,
            status=r.entry.status,
            process=r.process,
            clauses=list(r.citations),
            when=r.entry.when,
        )
        for r in RuleEngine.load().rules
    ]
    if as_json:
        _print_json(listing)
        return
    for item in listing:
        retired = " (retired)" if item.status == "retired" else ""
        clauses = "; ".join(str(c) for c in item.clauses)
        click.echo(f"{item.id:<9} {item.grade:<11} {item.title}{retired}  [{clauses}]")


@click.group()
def checklist() -> None:
    """Interview checklists."""


@checklist.command("show")
@click.argument("process", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def show(process: str | None, as_json: bool) -> None:
    """Show the questions of PROCESS (or of every process), in interview order."""
    from knowledge.catalogue import load_catalogue
    from rules.engine import RuleEngine

    interview = RuleEngine.load().checklist
    catalogue = load_catalogue()
    questions = interview.questions(process)
    listing = [
        QuestionListing(
            id=q.id,
            process=q.process,
            text=q.text,
            help=q.help,
            type=q.type.value,
            choices=list(q.choices) or None,
            clauses=q.clauses.citations(catalogue),
            show_if=q.show_if,
            gate=q.gate,
        )
        for q in questions
    ]
    if as_json:
        _print_json(listing)
        return
    current = None
    for item in listing:
        if item.process != current:
            current = item.process
            click.echo(f"\n== {interview.title(current)} ({current})")
        choices = f" ({' / '.join(item.choices)})" if item.choices else ""
        follow_up = f"  [only if {item.show_if}]" if item.show_if else ""
        follow_up += f"  [only after yes to {item.gate}]" if item.gate else ""
        click.echo(f"{item.id} [{item.type}{choices}]: {item.text}{follow_up}")
