"""`q1audit backup PATH` and `q1audit restore PATH`: the whole data directory in one archive file."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.locations import DataPaths


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@click.pass_obj
def backup(paths: DataPaths, path: Path, force: bool) -> None:
    """Write sessions, the knowledge base, imported documents and attachments to PATH (a .tar.gz).

    Safe while the TUI or another command is working: the databases are copied with SQLite's online
    backup. The search index is left out; it is rebuilt after a restore.
    """
    from assistant.backup import backup as make_backup

    manifest = make_backup(paths, path, force=force)
    size = sum(f.size for f in manifest.files)
    click.echo(
        f"wrote {path}: {manifest.sessions} sessions, {manifest.documents} documents, "
        f"{len(manifest.files)} files ({size / 1024 / 1024:.1f} MB before compression)"
    )


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the audit data already in the data directory.")
@click.pass_obj
def restore(paths: DataPaths, path: Path, force: bool) -> None:
    """Restore a backup made with `q1audit backup` into the data directory.

    Every file is checked against the backup's manifest before anything changes. A data directory that
    already holds sessions, documents or attachments is only overwritten with --force.
    """
    from assistant.backup import restore as restore_backup

    manifest = restore_backup(paths, path, force=force)
    click.echo(
        f"restored {path} (made {manifest.created_at:%Y-%m-%d %H:%M} UTC): {manifest.sessions} sessions, "
        f"{manifest.documents} documents, {len(manifest.files)} files. The search index is rebuilt on next use."
    )
