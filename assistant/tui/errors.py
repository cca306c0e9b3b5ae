"""Errors shown, never raised to the shell: one place turns exceptions into notifications (and bugs into a log)."""

from __future__ import annotations

import functools
import traceback
from asyncio import CancelledError
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from assistant.tui.labels import for_the_app
from knowledge.errors import Q1AuditError

if TYPE_CHECKING:
    from textual.message import Message

    from assistant.tui.app import Q1AuditApp

P = ParamSpec("P")
R = TypeVar("R")
ERROR_LOG = "tui-errors.log"
"""The file in the data directory that keeps the traceback of every unexpected error the app survived."""


def write_error_log(root: Path, error: BaseException) -> Path:
    """Append the error's traceback, with the time, to the data directory's error log; return the log."""
    log = root / ERROR_LOG
    stamp = datetime.now(UTC).replace(microsecond=0).isoformat()
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    with log.open("a", encoding="utf-8") as out:
        out.write(f"--- {stamp}\n{''.join(lines)}\n")
    return log


def show_error(app: Q1AuditApp, error: BaseException) -> None:
    """A user mistake as a one-line notification with its title; anything else as a bug: notified and logged."""
    if isinstance(error, Q1AuditError):
        app.notify(for_the_app(error.message), title=error.title, severity="error", timeout=8)
        return
    app.unexpected_errors.append(error)
    app.log.error(repr(error))
    try:
        where = f" Details are in {write_error_log(app.backend.paths.root, error)}."
    except OSError:
        where = ""
    app.notify(f"{type(error).__name__}: {error}.{where} The app carries on.",
               title="Unexpected error (please report)", severity="error", timeout=15)


def shows_errors(method: Callable[P, R]) -> Callable[P, R | None]:
    """Wrap a handler of a widget or screen so an exception becomes a notification, not a crash."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return method(*args, **kwargs)
        except Exception as error:  # the app must stay up: every failure is shown and the user carries on
            show_error(args[0].app, error)  # type: ignore[attr-defined]
            return None

    return wrapper


class SurvivesBugs:
    """Mixed into the app, its screens and dialogs: a handler's exception is shown and logged, and the
    message loop goes on. (Textual would stop the loop of the widget whose handler raised, and end the
    app; the auditor would be left at a shell prompt, or with a screen that no longer reacts.)"""

    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except CancelledError:
            raise
        except Exception as error:
            show_error(self.app, error)  # type: ignore[attr-defined]
