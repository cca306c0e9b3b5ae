"""The `q1audit` command: with no arguments it opens the TUI; subcommands script everything else."""

from __future__ import annotations

import importlib
import os
import sqlite3
import sys

import click

from knowledge.errors import Q1AuditError

# Subcommands are imported only when used, so `q1audit` starts fast and a slow import
# (sentence-transformers, reportlab) costs only the command that needs it.
SUBCOMMANDS = {
    "setup": "assistant.cli.setup_cmd:setup",
    "clause": "assistant.cli.clause_cmd:clause",
    "kb": "assistant.cli.kb_cmd:kb",
    "index": "assistant.cli.index_cmd:index",
    "ask": "assistant.cli.ask_cmd:ask",
    "bench": "assistant.cli.bench_cmd:bench",
    "session": "assistant.cli.team_cmd:session",
    "findings": "assistant.cli.session_cmd:findings",
    "finding": "assistant.cli.session_cmd:finding",
    "rules": "assistant.cli.rules_cmd:rules",
    "checklist": "assistant.cli.rules_cmd:checklist",
    "export": "assistant.cli.export_cmd:export",
    "diff": "assistant.cli.diff_cmd:diff",
    "backup": "assistant.cli.backup_cmd:backup",
    "restore": "assistant.cli.backup_cmd:restore",
    "programme": "assistant.cli.programme_cmd:programme",
    "serve": "assistant.cli.serve_cmd:serve",
    "tui": "assistant.cli.tui_cmd:tui",
}


class LazyGroup(click.Group):
    """A click group whose subcommands live in their own modules, loaded on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)

    def main(self, args=None, *rest, **kwargs):
        from assistant.cli.guard import checked_arguments

        try:
            args = checked_arguments(list(sys.argv[1:] if args is None else args))
        except Q1AuditError as exc:
            click.echo(f"q1audit: {exc}", err=True)
            sys.exit(1)
        return super().main(args, *rest, **kwargs)

    def invoke(self, ctx: click.Context):
        from assistant.cli.guard import EXIT_ENVIRONMENT, environment_message

        saved = sys.stdout, sys.stderr  # `main` wraps them for a subcommand
        # Everything q1audit creates (databases, copies, exports, the index) is for its owner's eyes only.
        umask = os.umask(0o077)
        try:
            return super().invoke(ctx)
        except Q1AuditError as exc:
            click.echo(f"q1audit: {exc}", err=True)
            sys.exit(1)
        except BrokenPipeError:
            sys.exit(0)  # `q1audit kb list | head`: the reader has all it wanted
        except (OSError, sqlite3.DatabaseError, MemoryError) as exc:
            message = environment_message(exc, getattr(ctx.obj, "root", None))
            click.echo(f"q1audit: {message}", err=True)
            sys.exit(EXIT_ENVIRONMENT)
        finally:
            sys.stdout, sys.stderr = saved
            os.umask(umask)


@click.group(cls=LazyGroup, invoke_without_command=True)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    envvar="Q1AUDIT_HOME",
    help="Where sessions, imported documents and the index live (default: the user data directory).",
)
@click.pass_context
def main(ctx: click.Context, data_dir: str | None) -> None:
    """q1audit: offline audit assistant for API Spec Q1 and ISO 9001."""
    from assistant.locations import resolve_data_dir

    if data_dir is not None and not data_dir.strip():
        raise click.BadParameter("is empty; give a folder, or leave the option out for the default", param_hint="--data-dir")
    opens_app = ctx.invoked_subcommand in (None, "tui")
    if not opens_app:
        from assistant.cli.guard import CleanStream

        # Notes, titles and file names come from other people: no escape sequence of theirs reaches the
        # terminal (the TUI draws through Textual, which renders text, never raw escapes).
        sys.stdout, sys.stderr = CleanStream(sys.stdout), CleanStream(sys.stderr)
    ctx.obj = resolve_data_dir(data_dir)
    if not opens_app:  # the app recovers in its loading worker, before it opens a database, after its first paint
        from assistant.recovery import recover

        recover(ctx.obj)  # after a kill: finish a restore, drop stale copies and orphan attachments
    if ctx.invoked_subcommand is None:
        from assistant.tui.app import run_app

        run_app(ctx.obj)
