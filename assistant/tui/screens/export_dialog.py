"""The export dialog: pick a format, an audience and a file, write it with `export_session`, show where it went."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from assistant.tui.labels import for_the_app
from assistant.tui.screens.base import Dialog, DialogBody

# The two copies of `q1audit export --for`; the labels say what each one leaves out.
AUDIENCE_CHOICES = {
    "auditee": "the auditee (decided findings only, no team notes)",
    "team": "the audit team (proposed grades, rule ids, hints)",
}


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
        from assistant.exports.content import AUDIENCES
        from assistant.exports.registry import FORMATS

        with DialogBody(classes="dialog wide", id="export"):
            yield Label(f"Export session {self.session_id}", classes="dialog-title")
            yield Static("", id="export-result")
            yield Label("Format", classes="field")
            # Compact fields: the whole dialog fits a 24-line terminal.
            yield Select([(f"{name}: {for_the_app(spec.description)}", name) for name, spec in FORMATS.items()],
                         allow_blank=False, id="format", compact=True)
            yield Label("For", classes="field")
            yield Select([(AUDIENCE_CHOICES[a], a) for a in AUDIENCES], value="auditee", allow_blank=False,
                         id="audience", compact=True)
            yield Label("File", classes="field")
            yield Input(id="path", compact=True)
            yield Checkbox("Overwrite an existing file", id="force", compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="do-export", compact=True)
                yield Button("Close", id="close", compact=True)
            yield Label("ctrl+s exports · escape closes", classes="dialog-hint")

    def on_mount(self) -> None:
        from assistant.exports.registry import resolve_format

        select = self.query_one("#format", Select)
        if self.initial_format:
            try:
                select.value = resolve_format(self.initial_format)
            except Exception as exc:  # an unknown /export FORMAT: say so, keep the default
                self.notify(str(exc), title="Export", severity="warning")
        self._suggest()
        self.query_one("#export-result", Static).display = False
        select.focus()

    def _suggest(self) -> None:
        from assistant.exports.registry import default_filename

        fmt = str(self.query_one("#format", Select).value)
        audience = str(self.query_one("#audience", Select).value)
        path_input = self.query_one("#path", Input)
        if path_input.value and path_input.value != self._suggested:
            return  # the auditor typed a path: leave it alone
        session = self.q1app.backend.sessions.get(self.session_id)
        self._suggested = str(self.q1app.backend.paths.exports_dir / default_filename(session, fmt, audience))
        path_input.value = self._suggested

    @on(Select.Changed, "#format")
    @on(Select.Changed, "#audience")
    def _choice_changed(self) -> None:
        self._suggest()  # the team's copy is named ...-team, so it is not sent out by mistake

    @on(Button.Pressed, "#do-export")
    def _pressed(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#path")
    def _path_entered(self) -> None:
        self.action_export()

    def _result(self, content: Content) -> None:
        result = self.query_one("#export-result", Static)
        result.update(content)
        result.display = True
        self.query_one("#export", DialogBody).scroll_home(animate=False)

    def action_export(self) -> None:
        fmt = str(self.query_one("#format", Select).value)
        audience = str(self.query_one("#audience", Select).value)
        path = self.query_one("#path", Input).value.strip() or None
        force = self.query_one("#force", Checkbox).value
        if path and Path(path).expanduser().is_file() and not force:
            self._result(Content.assemble(("Not exported: ", "bold $warning"), f"{path} already exists. Tick "
                                          "“Overwrite an existing file” or change the file name."))
            return
        self._result(Content("Exporting…"))
        self.run_export(fmt, path, force, audience)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False, description="Exporting")
    def run_export(self, fmt: str, path: str | None, force: bool, audience: str) -> None:
        from assistant.exports.registry import export_session

        try:
            written = export_session(self.q1app.backend.sessions, self.session_id, fmt, path, force=force,
                                     audience=audience)
        except Exception:
            self.app.call_from_thread(self._show_result, None)
            raise
        self.app.call_from_thread(self._show_result, written)

    def _show_result(self, written: Path | None) -> None:
        if written is None:
            self._result(Content("Not exported (see the message)."))
            return
        self.written = written
        self._result(Content.assemble(("Written: ", "bold $success"), str(written)))
        self.notify(str(written), title="Exported")
