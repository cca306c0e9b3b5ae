"""The export dialog: pick a format and a file, write it with `export_session`, show where it went."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from assistant.tui.screens.base import Dialog

if TYPE_CHECKING:
    pass


class ExportDialog(Dialog):
    """Exports the session in a worker (report writers import heavy libraries); escape closes."""

    BINDINGS = [Binding("ctrl+s", "export", "Export")]

    def __init__(self, session_id: str, fmt: str | None = None):
        super().__init__()
        self.session_id = session_id
        self.initial_format = fmt
        self._suggested = ""
        self.written: Path | None = None
        """The file the last export wrote."""


    def compose(self) -> ComposeResult:
        from assistant.exports.registry import FORMATS

        with Vertical(classes="dialog wide", id="export"):
            yield Label(f"Export session {self.session_id}", classes="dialog-title")
            yield Label("Format", classes="field")
            yield Select([(f"{name}: {spec.description}", name) for name, spec in FORMATS.items()],
                         allow_blank=False, id="format")
            yield Label("File", classes="field")
            yield Input(id="path")
            yield Checkbox("Audit team copy (proposed grades, rule ids, team notes; not for the auditee)", id="team")
            yield Checkbox("Overwrite an existing file", id="force")
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="do-export")
                yield Button("Close", id="close")
            yield Static("", id="export-result")

    def on_mount(self) -> None:
        from assistant.exports.registry import resolve_format

        select = self.query_one("#format", Select)
        if self.initial_format:
            try:
                select.value = resolve_format(self.initial_format)
            except Exception as exc:  # an unknown /export FORMAT: say so, keep the default
                self.notify(str(exc), title="Export", severity="warning")
        self._suggest(str(select.value))
        select.focus()

    def _suggest(self, fmt: str) -> None:
        from assistant.exports.registry import default_filename

        path_input = self.query_one("#path", Input)
        if path_input.value and path_input.value != self._suggested:
            return  # the auditor typed a path: leave it alone
        session = self.q1app.backend.sessions.get(self.session_id)
        self._suggested = str(self.q1app.backend.paths.exports_dir / default_filename(session, fmt))
        path_input.value = self._suggested

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        self._suggest(str(event.value))

    @on(Button.Pressed, "#do-export")
    def _pressed(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#path")
    def _path_entered(self) -> None:
        self.action_export()

    def action_export(self) -> None:
        fmt = str(self.query_one("#format", Select).value)
        path = self.query_one("#path", Input).value.strip() or None
        force = self.query_one("#force", Checkbox).value
        audience = "team" if self.query_one("#team", Checkbox).value else "auditee"
        self.query_one("#export-result", Static).update(Content("Exporting…"))
        self.run_export(fmt, path, force, audience)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False, description="Exporting")
    def run_export(self, fmt: str, path: str | None, force: bool, audience: str = "auditee") -> None:
        from assistant.exports.registry import export_session

        try:
            written = export_session(self.q1app.backend.sessions, self.session_id, fmt, path, force=force,
                                     audience=audience)
        except Exception:
            self.app.call_from_thread(self._show_result, None)
            raise
        self.app.call_from_thread(self._show_result, written)

    def _show_result(self, written: Path | None) -> None:
        result = self.query_one("#export-result", Static)
        if written is None:
            result.update(Content("Not exported (see the message)."))
            return
        self.written = written
        result.update(Content.assemble(("Written: ", "bold $success"), str(written)))
        self.notify(str(written), title="Exported")
