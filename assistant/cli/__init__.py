"""The `q1audit` command: with no arguments it opens the TUI; subcommands script everything else."""

from __future__ import annotations

import importlib
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
    "session": "assistant.cli.session_cmd:session",
    "findings": "assistant.cli.session_cmd:findings",
    "finding": "assistant.cli.session_cmd:finding",
    "rules": "assistant.cli.rules_cmd:rules",
    "checklist": "assistant.cli.rules_cmd:checklist",
    "export": "assistant.cli.export_cmd:export",
    "diff": "assistant.cli.diff_cmd:diff",
    "backup": "assistant.cli.backup_cmd:backup",
    "restore": "assistant.cli.backup_cmd:restore",
    "serve": "assistant.cli.serve_cmd:serve",
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

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Q1AuditError as exc:
            click.echo(f"q1audit: {exc}", err=True)
            sys.exit(1)


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

    ctx.obj = resolve_data_dir(data_dir)
    if ctx.invoked_subcommand is None:
        from assistant.tui.app import run_app

        run_app(ctx.obj)
