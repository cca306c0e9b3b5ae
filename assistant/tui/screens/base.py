"""Bases of the app's screens: worker failures go to the app's one error handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from assistant.tui.errors import SurvivesBugs, show_error

if TYPE_CHECKING:
    from assistant.tui.app import Q1AuditApp

T = TypeVar("T")


class ReportsWorkerErrors(SurvivesBugs):
    """Worker messages do not bubble, so each screen that starts workers hands failures on here; a bug in
    any of the screen's handlers is shown and the screen carries on."""

    @property
    def q1app(self) -> Q1AuditApp:
        """The app, typed: screens reach the services through its backend."""
        return self.app  # type: ignore[attr-defined]

    def in_worker(self, description: str, group: str, work: Callable[[], T], done: Callable[[T], None]) -> None:
        """Run `work` in a thread (a database another window holds must not freeze the screen), then
        `done(result)` on the UI thread; a failure is shown as below, and `done` is not called."""
        self.run_worker(lambda: self.app.call_from_thread(done, work()), thread=True, group=group,  # type: ignore[attr-defined]
                        description=description, exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            show_error(self.app, event.worker.error)  # type: ignore[attr-defined]


class AppScreen(ReportsWorkerErrors, Screen):
    """A full screen of the app."""


class Dialog(ReportsWorkerErrors, ModalScreen):
    """A modal dialog; escape closes it without a result."""

    BINDINGS = [("escape", "dismiss", "Cancel")]


class DialogBody(VerticalScroll, can_focus=False):
    """A dialog's frame: scrolls when the terminal is short, and the focused field scrolls into view.

    Not focusable itself, so focus starts on the dialog's first field.
    """
