"""Q1AuditApp: wiring only (styles, keys, command palette, modes, loading workers); behaviour lives in screens."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.worker import Worker, WorkerState

from assistant.locations import DataPaths
from assistant.tui.backend import Backend, IndexState
from assistant.tui.commands import AuditCommands, ClauseCommands
from assistant.tui.errors import SurvivesBugs, show_error
from assistant.tui.messages import IndexStateChanged, KnowledgeLoaded, SessionsLoaded
from assistant.tui.screens.chat import ChatScreen
from assistant.tui.widgets.clause_card import ClauseCard

if TYPE_CHECKING:
    from textual.screen import Screen

    from index.embedder import Embedder
    from knowledge.catalogue import ClauseKey
    from knowledge.differences import DifferencesView, TransitionView


def _browser() -> Screen:
    # Screens other than the chat are imported when first shown: the first paint waits only for the chat.
    from assistant.tui.screens.browser import ClauseBrowserScreen

    return ClauseBrowserScreen()


def _sessions() -> Screen:
    from assistant.tui.screens.sessions import SessionsScreen

    return SessionsScreen()


class Q1AuditApp(SurvivesBugs, App[None]):
    """The auditor's workbench: ask (F2), browse clauses (F3), audit (F4), findings (F5)."""

    TITLE = "q1audit"
    SUB_TITLE = "API Spec Q1 · ISO 9001"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ClauseCommands, AuditCommands}
    MODES = {"chat": ChatScreen, "browse": _browser, "audit": _sessions}
    DEFAULT_MODE = "chat"
    # Below 110 columns the interview's progress panel folds away and panes share the width.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("f2", "switch_mode('chat')", "Ask"),
        Binding("f3", "switch_mode('browse')", "Clauses"),
        Binding("f4", "switch_mode('audit')", "Audit"),
        Binding("f5", "findings", "Findings"),
        Binding("f6", "answers", "Answers"),
        # priority: the answer and chat lines would take ctrl+e ("end of line") and never let it through.
        Binding("ctrl+e", "export", "Export", priority=True),
        Binding("ctrl+t", "toggle_dark", "Theme"),
        Binding("ctrl+r", "rebuild_index", "Rebuild index", show=False, priority=True),
    ]

    index_state: reactive[IndexState] = reactive(IndexState())
    knowledge_ready = reactive(False)
    sessions_ready = reactive(False)
    current_session: reactive[str | None] = reactive(None)
    """The session the interview, findings and export work on."""

    def __init__(self, backend: Backend):
        super().__init__()
        self.backend = backend
        self._return_mode = "chat"
        self.unexpected_errors: list[BaseException] = []
        """Bugs the app survived this run (each was notified and logged); tests check it stays empty."""

    def _handle_exception(self, error: Exception) -> None:
        # Textual ends the app on any exception a handler lets through (here: one of Textual's own widgets;
        # ours survive through SurvivesBugs). An auditor mid-interview must not land at a shell prompt:
        # a bug is notified and logged in the data dir, and the app carries on.
        try:
            show_error(self, error)
        except Exception:  # the app cannot even show it: fall back to Textual's exit with the traceback
            super()._handle_exception(error)

    def on_mount(self) -> None:
        self.load_knowledge()

    # --- loading workers -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load", exit_on_error=False, description="Loading the catalogue")
    def load_knowledge(self) -> None:
        self.post_message(IndexStateChanged(self.backend.load_knowledge()))
        self.post_message(KnowledgeLoaded())

    @work(thread=True, exclusive=True, group="sessions", exit_on_error=False, description="Loading checklists")
    def load_sessions(self) -> None:
        self.backend.load_sessions()
        self.post_message(SessionsLoaded())

    @work(thread=True, exclusive=True, group="index", exit_on_error=False, description="Loading the model")
    def load_embedder(self) -> None:
        self.post_message(IndexStateChanged(self.backend.load_embedder()))

    @work(thread=True, exclusive=True, group="index", exit_on_error=False, description="Rebuilding the index")
    def rebuild_index(self) -> None:
        def progress(done: int, total: int) -> None:
            state = IndexState(phase="building", detail="building the search index", done=done, total=total)
            self.post_message(IndexStateChanged(state))

        self.post_message(IndexStateChanged(self.backend.rebuild(progress)))

    def on_knowledge_loaded(self, _: KnowledgeLoaded) -> None:
        self.knowledge_ready = True
        self.load_sessions()
        self.load_embedder()

    def on_sessions_loaded(self, _: SessionsLoaded) -> None:
        self.sessions_ready = True

    def on_index_state_changed(self, message: IndexStateChanged) -> None:
        self.index_state = message.state

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR or event.worker.error is None:
            return
        show_error(self, event.worker.error)
        if event.worker.group == "index" and self.index_state.phase in ("building", "loading"):
            self.index_state = IndexState(phase="stale", detail="index not built (the last attempt failed)")

    # --- navigation ------------------------------------------------------------------------------

    @on(ClauseCard.Selected)
    def _card_selected(self, message: ClauseCard.Selected) -> None:
        self.open_clause(message.key)

    def open_clause(self, key: ClauseKey) -> None:
        """Show a clause in the browser; escape there comes back here."""
        from assistant.tui.screens.browser import ClauseBrowserScreen

        if self.current_mode != "browse":
            self._return_mode = self.current_mode
        self.switch_mode("browse")
        browser = next(s for s in self.screen_stack if isinstance(s, ClauseBrowserScreen))
        browser.show_clause(key)

    def action_back(self) -> None:
        self.switch_mode(self._return_mode)

    def open_differences(self, view: DifferencesView | TransitionView) -> None:
        from assistant.tui.screens.differences import DifferencesScreen

        self.push_screen(DifferencesScreen(view))

    def action_help(self) -> None:
        from assistant.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_findings(self) -> None:
        from assistant.tui.screens.findings import FindingsScreen

        self._show_on_session(FindingsScreen)

    def action_answers(self) -> None:
        from assistant.tui.screens.answers import AnswersScreen

        self._show_on_session(AnswersScreen)

    def _show_on_session(self, screen_type: type[Screen]) -> None:
        """The open session's findings or answers, on top of its interview (one of them at a time)."""
        from assistant.tui.screens.answers import AnswersScreen
        from assistant.tui.screens.findings import FindingsScreen

        if self.current_session is None:
            self.notify("Start or resume an audit session first (F4).", title="No session open")
            return
        self.switch_mode("audit")
        while isinstance(self.screen, FindingsScreen | AnswersScreen) and not isinstance(self.screen, screen_type):
            self.pop_screen()
        if not isinstance(self.screen, screen_type):
            self.push_screen(screen_type(self.current_session))

    def action_export(self) -> None:
        from assistant.tui.screens.export_dialog import ExportDialog

        if isinstance(self.screen, ExportDialog):
            return
        if self.current_session is None:
            self.notify("Start or resume an audit session first (F4).", title="No session open")
            return
        self.push_screen(ExportDialog(self.current_session))

    def action_rebuild_index(self) -> None:
        phase = self.index_state.phase
        if phase == "loading":
            self.notify("The embedding model is still loading; try again in a moment.", title="Not yet")
        elif phase == "building":
            self.notify("The index is being rebuilt already.", title="Busy")
        elif phase == "lexical":
            self.notify(self.index_state.detail, title="No embedding model", severity="warning")
        else:
            self.rebuild_index()


def create_app(paths: DataPaths, embedder_factory: Callable[[], Embedder] | None = None,
               by: str | None = None) -> Q1AuditApp:
    """The app on a data directory; tests pass a fake embedder factory (the real model loads by default).

    `by` names who answers and decides; without it, each session's lead auditor, else the login name.
    """
    return Q1AuditApp(Backend(paths, embedder_factory, acting_as=(by or "").strip() or None))


def run_app(paths: DataPaths, by: str | None = None) -> None:
    """What `q1audit` (or `q1audit tui --by NAME`) runs."""
    # The TUI draws on the terminal: a progress bar or a fork warning from the model stack would wreck it.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    create_app(paths, by=by).run()
