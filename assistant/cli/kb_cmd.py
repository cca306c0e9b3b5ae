"""`q1audit kb`: import, list and remove documents, and the clause coverage map."""

from __future__ import annotations

import json
from pathlib import Path

import click

from assistant.locations import DataPaths
from knowledge.catalogue import DEFAULT_EDITION, ISO, Q1
from knowledge.errors import Q1AuditError

EDITIONS = {Q1: ("10th", "9th"), ISO: ("2015",)}


def import_paths(
    paths: DataPaths, sources: list[Path], standard: str | None = None, edition: str | None = None,
    yes: bool = False,
) -> list[Q1AuditError]:
    """Import files and folders, one line per file; returns the errors of files that could not be read.

    A large file, or one that would replace a document imported from another file, is asked about
    first (`yes` answers yes; without a terminal to ask on, the answer is no).
    """
    from assistant.kb_pack import check_writable
    from index.importer import import_files
    from index.store import KnowledgeStore
    from knowledge.catalogue import load_catalogue

    check_writable(paths)
    store = KnowledgeStore(paths.knowledge_db)
    errors: list[Q1AuditError] = []
    confirm = _confirmer(yes)
    for outcome in import_files(store, sources, load_catalogue(), paths.documents_dir, standard, edition, confirm):
        if outcome.error is not None:
            errors.append(outcome.error)
            click.echo(f"q1audit: {outcome.error}", err=True)
            continue
        r = outcome.result
        count = "" if r.status == "unchanged" else f" ({r.passages} passages)"
        click.echo(f"{r.status:<10} {r.doc_id:<14} {outcome.path.name}{count}")
    return errors


def _confirmer(yes: bool):
    """The question kb import asks before a large file or one that replaces another file's document."""
    import sys

    from index.costs import duration_words, embed_seconds
    from index.embedder import expected_model_name

    def confirm(question) -> bool:
        parts = []
        if question.replaces:
            parts.append(f"{question.path.name} says it is {question.doc_id}, now imported from {question.replaces}: "
                         "it would replace it")
        if question.large:
            cost = duration_words(embed_seconds(question.passages, expected_model_name()))
            if question.estimated:
                size = question.path.stat().st_size / 1024 / 1024
                parts.append(f"{question.path.name} ({size:.1f} MB): about {_rounded(question.passages)} passages "
                             f"by its size, {cost} to index")
            else:
                parts.append(f"{question.path.name}: {question.passages:,} passages, {cost} to index")
        prompt = "; ".join(parts) + ": continue?"
        if yes:
            click.echo(prompt + " yes (--yes)", err=True)
        elif not sys.stdin.isatty():
            click.echo(prompt + " no (no terminal to ask on; give --yes to accept)", err=True)
            return False
        elif not click.confirm(prompt, default=False, err=True):
            return False
        if question.estimated:
            click.echo(f"reading {question.path.name}...", err=True)
        return True

    return confirm


def _rounded(count: int) -> str:
    """A guess said as one: 92,868 -> "93,000"."""
    digits = len(str(count)) - 2
    return f"{round(count, -digits) if digits > 0 else count:,}"


@click.group()
def kb() -> None:
    """The knowledge base: company procedures and your licensed copy of a standard."""


@kb.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--standard", type=click.Choice([Q1, ISO]), help="Import licensed text of this standard.")
@click.option("--edition", help="Edition of the licensed text: 10th or 9th (API Q1), 2015 (ISO 9001).")
@click.option("--yes", "-y", is_flag=True,
              help="Import large files and files that replace another file's document without asking.")
@click.pass_obj
@click.pass_context
def import_(
    ctx: click.Context, paths: DataPaths, sources: tuple[Path, ...], standard: str | None, edition: str | None,
    yes: bool,
):
    """Import Markdown, text, DOCX or PDF files, or folders of them.

    A changed file replaces its earlier import; an unchanged one is skipped. With --standard, the files
    are your licensed copy of that standard: passages attach to clauses by their headings and stay in
    your data directory only.
    """
    if edition is not None and standard is None:
        raise click.UsageError("--edition goes with --standard")
    if standard is not None and edition is not None and edition not in EDITIONS[standard]:
        raise click.BadParameter(f"{standard} has editions {', '.join(EDITIONS[standard])}", param_hint="--edition")
    errors = import_paths(paths, list(sources), standard, edition, yes)
    click.echo("Run `q1audit index build` to update the search index (ask does a small update itself).")
    if errors:
        ctx.exit(1)


@kb.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of documents.")
@click.pass_obj
def list_(paths: DataPaths, as_json: bool) -> None:
    """Show the documents in the knowledge base."""
    from index.store import KnowledgeStore

    docs = KnowledgeStore(paths.knowledge_db).documents()
    if as_json:
        click.echo(json.dumps([d.model_dump(exclude={"id", "stored_name"}) for d in docs], indent=2))
        return
    if not docs:
        click.echo("The knowledge base is empty: `q1audit setup` imports the sample QMS, `q1audit kb import` yours.")
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table("Document", "Title", "Rev", "Kind", "Passages", "File", box=None)
    for d in docs:
        kind = f"licensed {d.standard} {d.edition}" if d.kind == "standard" else d.kind
        # Titles and file names are data: `[draft]` is text, and `[/x]` must not break the table.
        cells = (d.doc_id, d.title, d.revision or "", kind, str(d.passages), d.source_name or "")
        table.add_row(*(escape(cell) for cell in cells))
    Console().print(table)


@kb.command("remove")
@click.argument("doc")
@click.pass_obj
def remove(paths: DataPaths, doc: str) -> None:
    """Take document DOC (its number, as `kb list` shows it) out of the knowledge base."""
    from assistant.kb_pack import check_writable
    from index.store import KnowledgeStore

    check_writable(paths)
    removed = KnowledgeStore(paths.knowledge_db).remove(doc, paths.documents_dir)
    click.echo(f"removed    {removed.doc_id} {removed.title}")


@kb.command("coverage")
@click.option("--standard", type=click.Choice([Q1, ISO]), default=Q1, show_default=True)
@click.option("--edition", help="Edition (default: 10th for API Q1, 2015 for ISO 9001).")
@click.option("--json", "as_json", is_flag=True, help="The coverage map as one JSON object.")
@click.pass_obj
def coverage(paths: DataPaths, standard: str, edition: str | None, as_json: bool) -> None:
    """For every clause, the procedures that cite or match it, and the clauses nothing covers."""
    from assistant.search_service import open_search
    from index.coverage import build_coverage

    edition = edition or DEFAULT_EDITION[standard]
    if edition not in EDITIONS[standard]:
        raise click.BadParameter(f"{standard} has editions {', '.join(EDITIONS[standard])}", param_hint="--edition")
    service = open_search(paths)
    report = build_coverage(service, standard, edition)
    if as_json:
        click.echo(report.model_dump_json(indent=2))
        return
    _print_coverage(report)


def _print_coverage(report) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    label = f"{report.standard} {report.edition}"
    table = Table("Clause", "Title", "Covered by", box=None, title=f"Coverage of {label} ({report.mode} match)")
    for row in report.clauses:
        marks = escape(" [procedure]") if row.documented_procedure else ""
        marks += escape(" [Q1 only]") if row.q1_only else ""
        covering = escape(", ".join(
            f"{c.doc} {c.section}" + ("" if c.how == "cites" else f" ({c.how})") for c in row.procedures
        ))
        if not covering:
            covering = "(through sub-clauses)" if row.covered else "[red]nothing[/red]"
        table.add_row(row.id, escape(row.title) + marks, covering)
    console = Console()
    console.print(table)
    console.print(f"\n{len(report.uncovered)} clauses nothing covers (documented-procedure ones first): "
                  + (", ".join(report.uncovered) or "none"))
    if report.q1_only:
        console.print(f"Q1-only clauses (no ISO 9001 counterpart): {', '.join(report.q1_only)}")


@kb.command("matrix")
@click.option("--edition", type=click.Choice(EDITIONS[Q1]), default="10th", show_default=True)
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.xlsx or FILE.md")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.pass_obj
def matrix(paths: DataPaths, edition: str, out: Path, force: bool) -> None:
    """Draft the conformity matrix: per API Q1 clause, the procedure, section and page that address it, or GAP."""
    from assistant.exports.matrix import write_matrix
    from assistant.search_service import open_search
    from index.matrix import build_matrix

    def say(message: str) -> None:
        click.echo(message, err=True)

    say("loading the knowledge base and search model (can take half a minute) ...")
    drafted = build_matrix(open_search(paths), edition, progress=say)
    written = write_matrix(drafted, out, force)
    gaps = drafted.gaps
    click.echo(f"wrote {written}: {len(drafted.rows)} clauses, {len(gaps)} gaps"
               + (f" ({', '.join(row.clause for row in gaps[:12])}{' ...' if len(gaps) > 12 else ''})" if gaps else "")
               + f", {len(drafted.to_check)} to check (a text match, or cited only in a references list)")


@kb.command("pack")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--include-licensed", is_flag=True, help="Pack licensed standard text too (if its licence allows).")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.pass_obj
def pack(paths: DataPaths, file: Path, include_licensed: bool, force: bool) -> None:
    """Write the documents and the built index into FILE, for colleagues to `kb use` (index once)."""
    from assistant.kb_pack import pack_kb

    packed = pack_kb(paths, file, include_licensed, force)
    click.echo(f"wrote {file}: {len(packed.documents)} documents, {packed.passages} passages, index by {packed.model}")


@kb.command("use")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace documents of your own.")
@click.option("--release", "release_", is_flag=True, help="Make the knowledge base from a pack your own again.")
@click.pass_obj
def use(paths: DataPaths, file: Path | None, force: bool, release_: bool) -> None:
    """Search a colleague's pack (from `kb pack`) read-only instead of indexing yourself; sessions stay."""
    from assistant.kb_pack import release, use_kb

    if release_:
        click.echo(f"the knowledge base from {release(paths).source} is now your own")
        return
    if file is None:
        raise click.UsageError("give the pack FILE (or --release)")
    used = use_kb(paths, file, force)
    click.echo(f"using {file.name}: {len(used.documents)} documents, {used.passages} passages (read-only)")
