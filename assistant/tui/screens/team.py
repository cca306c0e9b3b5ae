"""Team screens: the audit programme across sessions, and the merge conflicts of the open session."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from assistant.tui.errors import shows_errors
from assistant.tui.screens.base import AppScreen

BAR = "█"


def findings_chart(trends, width: int = 40) -> str:
    """Findings per year and process as text bars (a terminal has no plotting canvas to spare)."""
    totals: dict[tuple[int, str], int] = {}
    for t in trends:
        key = (t.year, t.process or "-")
        totals[key] = totals.get(key, 0) + t.count
    if not totals:
        return "No findings yet."
    top = max(totals.values())
    lines = []
    for (year, process), count in sorted(totals.items()):
        lines.append(f"{year}  {process:<22} {BAR * max(1, round(count * width / top))} {count}")
    return "\n".join(lines)


class ProgrammeScreen(AppScreen):
    """Every audit by process and date, findings over time, repeat findings, processes due."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Audit programme", classes="heading")
        yield DataTable(id="audits", cursor_type="row")
        yield Static("", id="chart")
        yield Static("", id="repeats")
        yield Static("", id="due")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#audits", DataTable)
        table.add_columns("Audit", "Date", "Status", "Processes", "Criteria", "Result", "Title")
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, description="Reading every audit")
    def load(self) -> None:
        from assistant.programme import build_programme

        programme = build_programme(self.q1app.backend.sessions)
        self.app.call_from_thread(self._show, programme)

    def _show(self, programme) -> None:
        from assistant.tui.labels import process_title, session_status

        checklist = self.q1app.backend.sessions.engine.checklist
        table = self.query_one("#audits", DataTable)
        for a in programme.audits:
            result = ", ".join(f"{n} {g}" for g, n in a.result.items()) or "no findings"
            table.add_row(a.number, str(a.date), session_status(a.status.value),
                          ", ".join(process_title(checklist, p) for p in a.processes), "; ".join(a.criteria),
                          result, a.title)
        self.query_one("#chart", Static).update("Findings per year and process\n" + findings_chart(programme.trends))
        repeats = [f"{r.audit} {r.id} ({r.clause}): {r.repeat_of.describe()}" for r in programme.repeats]
        self.query_one("#repeats", Static).update("Repeat findings\n" + ("\n".join(repeats) or "none"))
        due = [f"{process_title(checklist, p.process)} ({f'last {p.last_audited}' if p.last_audited else 'never'})"
               for p in programme.not_audited]
        self.query_one("#due", Static).update(
            f"Not audited in the last {programme.stale_months} months\n" + (", ".join(due) or "none")
        )


QUESTION_WIDTH = 28
"""Characters of a question shown in the conflicts table."""


class ConflictsScreen(AppScreen):
    """Open merge conflicts of a session: keep the current one (k) or take the other (o)."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("k", "settle('kept')", "Keep current"),
        Binding("o", "settle('other')", "Take other"),
    ]

    def __init__(self, session_id: str):
        super().__init__()
        self.session_id = session_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Merge conflicts of {self.session_id}", classes="heading")
        yield DataTable(id="conflicts", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#conflicts", DataTable).add_columns("Kind", "Item", "Current", "By", "Other", "By")
        self.refresh_rows()

    @shows_errors
    def refresh_rows(self) -> None:
        from assistant.sessions.merge import conflicts

        service = self.q1app.backend.sessions
        table = self.query_one("#conflicts", DataTable)
        table.clear()
        for c in conflicts(service, self.session_id):
            # An answer is named by its question, as the auditor saw it, not by the question's id.
            item = self._question_text(c.item) if c.kind == "answer" else c.item
            table.add_row(c.kind, item, c.summary("kept"), c.kept_by or "?", c.summary("other"),
                          c.other_by or "?", key=c.item)
        if not table.row_count:
            self.notify("No conflicts to settle.")

    def _question_text(self, question_id: str) -> str:
        from rules.checklist import UnknownQuestionError

        try:
            text = self.q1app.backend.sessions.engine.checklist.get(question_id).text
        except UnknownQuestionError:  # retired from the checklist since the answer was given
            return question_id
        # Cut so both answers and who gave them fit 80 columns.
        return text if len(text) <= QUESTION_WIDTH else text[:QUESTION_WIDTH - 1] + "…"

    @shows_errors
    def action_settle(self, take: str) -> None:
        from assistant.sessions.merge import settle
        from assistant.sessions.turn import who_acts

        table = self.query_one("#conflicts", DataTable)
        if not table.row_count:
            return
        item = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        service = self.q1app.backend.sessions
        by = who_acts(service.get(self.session_id), self.q1app.backend.acting_as)  # as the app's other decisions
        settle(service, self.session_id, item, take, by)  # type: ignore[arg-type]
        self.refresh_rows()
