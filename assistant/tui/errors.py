"""Errors shown, never raised to the shell: one place turns exceptions into notifications."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from knowledge.errors import Q1AuditError

if TYPE_CHECKING:
    from textual.app import App

P = ParamSpec("P")
R = TypeVar("R")


def show_error(app: App, error: BaseException) -> None:
    """A user mistake as a one-line notification with its title; anything else as a bug report line."""
    if isinstance(error, Q1AuditError):
        app.notify(error.message, title=error.title, severity="error", timeout=8)
        return
    app.log.error(repr(error))
    app.notify(f"{type(error).__name__}: {error}", title="Unexpected error (please report)", severity="error", timeout=12)


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
