"""Audit sessions: the list to resume from, the way into a new one, and the session's lifecycle
(header, status, conclusions, delete)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Static

from assistant.tui.errors import shows_errors
from assistant.tui.labels import SESSION_STATUS, session_status
from assistant.tui.screens.base import AppScreen
from assistant.tui.screens.dialogs import ChoiceDialog, ConfirmDialog, TextDialog
from assistant.tui.widgets.status_bar import IndexStatusBar

if TYPE_CHECKING:
    from assistant.sessions.models import SessionHeader

STATUS_CHOICES = [
    ("planned", "planned"),
    ("in progress: the audit is being held", "in_progress"),
    ("in review: findings decided, corrective actions coming in", "in_review"),
    ("closed: locked, nothing in it can change any more", "closed"),
]


class SessionsScreen(AppScreen):
    """The root of audit mode (F4): pick a session to resume, or start one with `n`."""

    BINDINGS = [
        Binding("n", "new", "New"),
        Binding("e", "edit", "Edit header"),
        Binding("s", "status", "Status"),
        Binding("a", "answers", "Answers"),
        Binding("delete", "delete", "Delete"),
        Binding("b", "acting_as", "Acting as"),
        Binding("escape", "app.switch_mode('chat')", "Ask", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Audit sessions: enter resumes the highlighted one, n starts a new one.", classes="heading")
        yield Static(id="acting-as")
        table: DataTable = DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        # The title last: at 80 columns a long one is cut, not the counts and dates after it.
        table.add_columns("Session", "Status", "Answers", "Updated", "Type", "Title")
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
    def refresh_sessions(self, keep: str | None = None) -> None:
        service = self.q1app.backend.sessions
        table = self.query_one("#sessions", DataTable)
        keep = keep or self.selected_id()
        table.clear()
        sessions = service.list()
        for session in sessions:
            table.add_row(
                session.id,
                session_status(session.status.value),
                str(len(service.answers(session.id))),
                session.updated_at.strftime("%Y-%m-%d %H:%M"),
                session.header.audit_type,
                session.header.title,
                key=session.id,
            )
        if keep in {s.id for s in sessions}:
            table.move_cursor(row=table.get_row_index(keep))
        self._show_acting_as()
        empty = self.query_one("#sessions-empty", Static)
        empty.update("No audit sessions yet: press n to start one." if not sessions else "")
        empty.display = not sessions
        table.focus()

    def selected_id(self) -> str | None:
        table = self.query_one("#sessions", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _ready(self) -> bool:
        if not self.q1app.sessions_ready:
            self.notify("The audit checklists are still loading; try again in a moment.", title="Not yet")
        return self.q1app.sessions_ready

    @on(DataTable.RowSelected, "#sessions")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.open_session(event.row_key.value)

    def action_new(self) -> None:
        from assistant.tui.screens.session_form import SessionFormScreen

        if self._ready():
            self.app.push_screen(SessionFormScreen(self.q1app.backend.sessions.engine.checklist), self._create)

    @shows_errors
    def _create(self, header: SessionHeader | None) -> None:
        if header is None:
            return
        session = self.q1app.backend.sessions.create(header)
        self.notify(f"Session {session.id} created.", title="New audit")
        self.refresh_sessions(keep=session.id)
        self.open_session(session.id)

    # --- the highlighted session's lifecycle --------------------------------------------------------

    @shows_errors
    def action_edit(self) -> None:
        from assistant.tui.screens.session_form import SessionFormScreen

        session_id = self.selected_id()
        if session_id is None or not self._ready():
            return
        service = self.q1app.backend.sessions
        session = service.get(session_id)
        if session.closed:
            self.notify(f"Session {session.id} is closed: it is a record now and cannot change.", title="Closed")
            return

        self.app.push_screen(SessionFormScreen(service.engine.checklist, session.header),
                             partial(self._save_header, session_id))

    def _save_header(self, session_id: str, header: SessionHeader | None) -> None:
        if header is not None:
            # Saved in a worker, as every change here: another window may hold the write lock for seconds.
            self.in_worker(f"saving the header of {session_id}", "session-write",
                           lambda: self.q1app.backend.sessions.update_header(session_id, header),
                           lambda _: self._saved(session_id, f"Header of {session_id} saved.", "Session"))

    def _saved(self, session_id: str | None, message: str, title: str) -> None:
        self.notify(message, title=title)
        self.refresh_sessions(keep=session_id)

    def action_status(self) -> None:
        session_id = self.selected_id()
        if session_id is None or not self._ready():
            return
        self.app.push_screen(ChoiceDialog(f"Status of session {session_id}", STATUS_CHOICES),
                             lambda status: self._set_status(session_id, status))

    def _set_status(self, session_id: str, status: str | None) -> None:
        if status is None:
            return
        if status != "closed":
            self.in_worker(f"setting the status of {session_id}", "session-write",
                           lambda: self.q1app.backend.sessions.set_status(session_id, status),
                           lambda _: self._status_set(session_id, status))
            return

        self.app.push_screen(ConfirmDialog(f"Close session {session_id}? Nothing in it can change afterwards.",
                                           yes="Close it"), partial(self._close, session_id))

    def _close(self, session_id: str, yes: bool | None) -> None:
        if yes:  # refused while a finding is undecided: said in a notification, as the CLI says it
            self.in_worker(f"closing {session_id}", "session-write", lambda: self.q1app.backend.sessions.close(session_id),
                           lambda _: self._status_set(session_id, "closed"))

    def _status_set(self, session_id: str, status: str) -> None:
        self._saved(session_id, f"Session {session_id} is {SESSION_STATUS[status]}.", "Status")

    def action_delete(self) -> None:
        session_id = self.selected_id()
        if session_id is None or not self._ready():
            return
        title = self.q1app.backend.sessions.get(session_id).header.title

        self.app.push_screen(ConfirmDialog(f"Delete session {session_id} “{title}” with all its answers, findings "
                                           "and files? This cannot be undone.", yes="Delete"),
                             partial(self._delete, session_id))

    def _delete(self, session_id: str, yes: bool | None) -> None:
        if yes:
            self.in_worker(f"deleting {session_id}", "session-write", lambda: self.q1app.backend.sessions.delete(session_id),
                           lambda _: self._deleted(session_id))

    def _deleted(self, session_id: str) -> None:
        if self.q1app.current_session == session_id:
            self.q1app.current_session = None
        self._saved(None, f"Session {session_id} deleted.", "Deleted")

    # --- who is acting ---------------------------------------------------------------------------------

    def _show_acting_as(self) -> None:
        from assistant.sessions.turn import login_name

        name = self.q1app.backend.acting_as
        who = name or f"the session's lead auditor, else {login_name() or 'the login name'}"
        self.query_one("#acting-as", Static).update(
            Content.assemble("Acting as ", (who, "bold"), (" · b changes", "dim")))

    def action_acting_as(self) -> None:
        self.app.push_screen(
            TextDialog("Who is answering and deciding? (empty: each session's lead auditor)", "your name",
                       value=self.q1app.backend.acting_as or "", allow_empty=True),
            self._acting_as_chosen,
        )

    def _acting_as_chosen(self, name: str | None) -> None:
        if name is None:
            return
        self.q1app.backend.acting_as = name.strip() or None
        self._show_acting_as()

    def action_answers(self) -> None:
        session_id = self.selected_id()
        if session_id is not None and self._ready():
            self.q1app.current_session = session_id
            self.q1app.action_answers()

    @shows_errors
    def open_session(self, session_id: str) -> None:
        from assistant.tui.screens.answers import AnswersScreen
        from assistant.tui.screens.findings import FindingsScreen
        from assistant.tui.screens.interview import InterviewScreen

        if not self._ready():
            return
        session = self.q1app.backend.sessions.get(session_id)
        self.q1app.current_session = session.id
        # Resuming from the palette while another session is open: close that one first.
        while isinstance(self.app.screen, InterviewScreen | FindingsScreen | AnswersScreen):
            self.app.pop_screen()
        self.app.push_screen(InterviewScreen(session.id))
