"""Audit sessions: the list to resume from, and the way into a new one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from assistant.tui.errors import shows_errors
from assistant.tui.screens.base import AppScreen
from assistant.tui.widgets.status_bar import IndexStatusBar

if TYPE_CHECKING:
    from assistant.sessions.models import SessionHeader


class SessionsScreen(AppScreen):
    """The root of audit mode (F4): pick a session to resume, or start one with `n`."""

    BINDINGS = [Binding("n", "new", "New session"), Binding("escape", "app.switch_mode('chat')", "Ask", show=False)]


    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Audit sessions: enter resumes the highlighted one, n starts a new one.", classes="heading")
        table: DataTable = DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        table.add_columns("Session", "Title", "Type", "Status", "Answers", "Updated")
        yield table
        yield Static("Loading the audit checklists…", id="sessions-empty", classes="note")
        yield IndexStatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.q1app, "sessions_ready", self._sessions_ready)

    def on_screen_resume(self) -> None:
        if self.q1app.sessions_ready:
            self.refresh_sessions()

    def _sessions_ready(self, ready: bool) -> None:
        if ready:
            self.refresh_sessions()

    @shows_errors
    def refresh_sessions(self) -> None:
        service = self.q1app.backend.sessions
        table = self.query_one("#sessions", DataTable)
        table.clear()
        sessions = service.list()
        for session in sessions:
            table.add_row(
                session.id,
                session.header.title,
                session.header.audit_type,
                session.status.value.replace("_", " "),
                str(len(service.answers(session.id))),
                session.updated_at.strftime("%Y-%m-%d %H:%M"),
                key=session.id,
            )
        empty = self.query_one("#sessions-empty", Static)
        empty.update("No audit sessions yet: press n to start one." if not sessions else "")
        empty.display = not sessions
        table.focus()

    @on(DataTable.RowSelected, "#sessions")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.open_session(event.row_key.value)

    def action_new(self) -> None:
        from assistant.tui.screens.session_form import SessionFormScreen

        if not self.q1app.sessions_ready:
            self.notify("The audit checklists are still loading; try again in a moment.", title="Not yet")
            return
        self.app.push_screen(SessionFormScreen(self.q1app.backend.sessions.engine.checklist), self._create)

    @shows_errors
    def _create(self, header: SessionHeader | None) -> None:
        if header is None:
            return
        session = self.q1app.backend.sessions.create(header)
        self.notify(f"Session {session.id} created.", title="New audit")
        self.refresh_sessions()
        self.open_session(session.id)

    @shows_errors
    def open_session(self, session_id: str) -> None:
        from assistant.tui.screens.findings import FindingsScreen
        from assistant.tui.screens.interview import InterviewScreen

        if not self.q1app.sessions_ready:
            self.notify("The audit checklists are still loading; try again in a moment.", title="Not yet")
            return
        session = self.q1app.backend.sessions.get(session_id)
        self.q1app.current_session = session.id
        # Resuming from the palette while another session is open: close that one first.
        while isinstance(self.app.screen, InterviewScreen | FindingsScreen):
            self.app.pop_screen()
        self.app.push_screen(InterviewScreen(session.id))
