"""Bases of the app's screens: worker failures go to the app's one error handler."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from assistant.tui.errors import SurvivesBugs, show_error

if TYPE_CHECKING:
    from assistant.tui.app import Q1AuditApp


class ReportsWorkerErrors(SurvivesBugs):
    """Worker messages do not bubble, so each screen that starts workers hands failures on here; a bug in
    any of the screen's handlers is shown and the screen carries on."""

    @property
    def q1app(self) -> Q1AuditApp:
        """The app, typed: screens reach the services through its backend."""
        return self.app  # type: ignore[attr-defined]

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
