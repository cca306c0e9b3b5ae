"""`q1audit session import / merge / conflicts / settle`: sessions from colleagues' laptops.

They join the `session` group of session_cmd.py here, so that group's module stays about one laptop.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from assistant.cli.session_cmd import BY_OPTION, _by, _service, session
from assistant.locations import DataPaths

__all__ = ["session"]


@session.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--as-new", is_flag=True, help="Keep both: import it as another session (new uid and number).")
@click.option("--attachments", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The exporting data directory's attachments/ folder, to copy the files the answers name.")
@click.pass_obj
def session_import(paths: DataPaths, file: str, as_new: bool, attachments: Path | None) -> None:
    """Restore a session from `q1audit export ID --format json`: header, answers with history, decisions, actions.

    A session already here (same uid) is left alone when its content is the same and refused, with the
    differences, when not. A number already taken here is replaced by the next free one. An export names
    attachments without carrying them: --attachments copies the files in.
    """
    from assistant.exports.json_export import import_session

    outcome = import_session(_service(paths), file, as_new=as_new, attachments=attachments)
    if outcome.renumbered_from or outcome.action == "unchanged" or attachments:
        for line in outcome.describe():
            click.echo(line, err=True)
    click.echo(outcome.session.id)


@session.command("merge")
@click.argument("target")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--attachments", type=click.Path(exists=True, file_okay=False, path_type=Path), multiple=True,
              help="A colleague's attachments folder (their data directory's attachments/), to copy the files; "
                   "once per FILE, in the same order.")
@click.option("--undo", is_flag=True, help="Put TARGET back as it was before its latest merge.")
@BY_OPTION
@click.option("--json", "as_json", is_flag=True, help="What each merge did, as JSON.")
@click.pass_obj
def session_merge(paths: DataPaths, target: str, files: tuple[str, ...], attachments: tuple[Path, ...], undo: bool,
                  by: str | None, as_json: bool) -> None:
    """Bring colleagues' answers, attachments, manual findings and decisions (their JSON exports) into TARGET.

    Answers to different questions join silently; where two people answered one question differently
    the later answer is current, the other stays in the history, and both are listed by
    `session conflicts` for the lead to settle.
    """
    from assistant.exports.json_export import read_export
    from assistant.sessions.merge import merge_into, undo_merge

    service = _service(paths)
    if undo:
        if files:
            raise click.UsageError("--undo takes no files")
        click.echo(f"{service.get(target).id}: merge of {undo_merge(service, target)} undone")
        return
    if not files:
        raise click.UsageError("name at least one exported session (q1audit export ID --format json)")
    if attachments and len(attachments) != len(files):
        # Two colleagues' folders both hold `2026-001/...` names: each file is matched with its own folder.
        raise click.UsageError(f"give --attachments once per file ({len(files)}), in the same order, or not at all")
    exports = [read_export(f) for f in files]  # every file checked before the first merge
    who = _by(service, target, by)
    folders = attachments or (None,) * len(files)
    reports = [merge_into(service, target, e, Path(f).name, who, folder)
               for e, f, folder in zip(exports, files, folders, strict=True)]
    if as_json:
        click.echo(json.dumps([r.model_dump(mode="json", exclude={"plan": {"archive"}}) for r in reports], indent=2))
        return
    for report in reports:
        for line in report.describe():
            click.echo(line)
    _print_conflicts(service, target)


def _print_conflicts(service, session_id: str) -> None:
    from assistant.sessions.merge import conflicts, counted

    found = conflicts(service, session_id)
    if found:
        click.echo(f"{counted(len(found), 'conflicts')} to settle (q1audit session settle {service.get(session_id).id} ITEM):")
    for c in found:
        click.echo(f"  {c.kind} {c.item}: kept {c.summary('kept')} by {c.kept_by or '?'}; "
                   f"other {c.summary('other')} by {c.other_by or '?'}")


@session.command("conflicts")
@click.argument("session_id")
@click.option("--all", "include_settled", is_flag=True, help="Settled conflicts too.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def session_conflicts(paths: DataPaths, session_id: str, include_settled: bool, as_json: bool) -> None:
    """Answers, decisions and corrective actions two people gave differently, left by `session merge`."""
    from assistant.sessions.merge import conflicts

    service = _service(paths)
    found = conflicts(service, session_id, include_settled)
    if as_json:
        click.echo(json.dumps([c.model_dump(mode="json") for c in found], indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("No conflicts to settle.")
        return
    if not include_settled:
        _print_conflicts(service, session_id)
        return
    for c in found:
        state = f"settled by {c.settled_by or '?'}" if c.settled_at else "open"
        click.echo(f"  {c.kind} {c.item}: kept {c.summary('kept')} by {c.kept_by or '?'}; "
                   f"other {c.summary('other')} by {c.other_by or '?'} ({state})")


@session.command("settle")
@click.argument("session_id")
@click.argument("item")
@click.option("--take-other", is_flag=True, help="Make the other answer (or decision, action) the current one.")
@BY_OPTION
@click.pass_obj
def session_settle(paths: DataPaths, session_id: str, item: str, take_other: bool, by: str | None) -> None:
    """Settle a merge conflict on ITEM (question or finding id): keep the current one, or --take-other."""
    from assistant.sessions.merge import settle

    service = _service(paths)
    settled = settle(service, session_id, item, "other" if take_other else "kept", _by(service, session_id, by))
    click.echo(f"{settled.item}: settled ({'took the other' if take_other else 'kept the current one'})")
