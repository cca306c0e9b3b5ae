"""The answers screen: every question of the session's scope with its answer, filtered, with each
question's history; enter asks the question again in the interview."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Static

from assistant.tui.errors import shows_errors
from assistant.tui.labels import process_title
from assistant.tui.screens.base import AppScreen
from assistant.tui.widgets.status_bar import IndexStatusBar

if TYPE_CHECKING:
    from assistant.sessions.models import AnswerRecord
    from rules.checklist import Question

ANSWER_WIDTH = 18
"""Characters of an answer the table shows, so the question stays readable at 80 columns."""
FILTERS = {
    "all": "every question",
    "unanswered": "not answered yet",
    "no": "answered no",
    "partial": "answered partial",
}


def answer_text(question: Question, record: AnswerRecord | None) -> str:
    """The answer as the interview would read it back, or a dash."""
    from rules.answers import format_answer

    if record is None or record.value is None:
        return "—"
    return format_answer(question, record.value)


class AnswersScreen(AppScreen):
    """All answers by process; 1-4 filter, enter re-asks the highlighted question in the interview."""

    BINDINGS = [
        Binding("1", "filter('all')", "All"),
        Binding("2", "filter('unanswered')", "Unanswered"),
        Binding("3", "filter('no')", "No"),
        Binding("4", "filter('partial')", "Partial"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, session_id: str):
        super().__init__()
        self.session_id = session_id
        self.shown = "all"
        self.rows: list[Question] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="answers-filter", classes="heading")
        table: DataTable = DataTable(id="answers", cursor_type="row", zebra_stripes=True)
        table.add_columns("Answer", "Process", "Question")
        yield table
        with VerticalScroll(id="answer-detail"):
            yield Static(id="answer-history")
        yield IndexStatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Answers of {self.session_id}"
        self.refresh_answers()
        self.query_one("#answers", DataTable).focus()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.refresh_answers()

    def _wanted(self, record: AnswerRecord | None) -> bool:
        if self.shown == "unanswered":
            return record is None
        if self.shown in ("no", "partial"):
            return record is not None and record.value == self.shown
        return True

    @shows_errors
    def refresh_answers(self) -> None:
        service = self.q1app.backend.sessions
        checklist = service.engine.checklist
        processes = service.get(self.session_id).header.scope.processes or checklist.processes()
        answers = service.answers(self.session_id)
        values = {qid: a.as_value() for qid, a in answers.items()}
        table = self.query_one("#answers", DataTable)
        table.clear()
        self.rows = []
        for process in processes:
            for question in checklist.questions(process):
                record = answers.get(question.id)
                if record is None and not checklist.visible(question, values):
                    continue  # a follow-up its gate question did not call for
                if self._wanted(record):
                    self.rows.append(question)
                    shown = answer_text(question, record)  # in full in the history below
                    shown = shown if len(shown) <= ANSWER_WIDTH else shown[: ANSWER_WIDTH - 1] + "…"
                    table.add_row(shown, process_title(checklist, process), question.text, key=question.id)
        done = sum(1 for q in self.rows if q.id in answers)
        self.query_one("#answers-filter", Static).update(Content.assemble(
            (f"{len(self.rows)} question{'s' if len(self.rows) != 1 else ''}: {FILTERS[self.shown]}", "bold"),
            f" ({done} answered)",
            ("  · enter answers again", "dim"),
        ))
        self._show_history()

    def action_filter(self, shown: str) -> None:
        self.shown = shown
        self.refresh_answers()

    def selected(self) -> Question | None:
        table = self.query_one("#answers", DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowHighlighted, "#answers")
    def _highlighted(self) -> None:
        self._show_history()

    @shows_errors
    def _show_history(self) -> None:
        question = self.selected()
        body = self.query_one("#answer-history", Static)
        if question is None:
            body.update(Content("No question matches this filter."))
            return
        service = self.q1app.backend.sessions
        parts: list[str | tuple[str, str]] = [(question.text, "bold")]
        history = service.history(self.session_id, question.id)
        if not history:
            parts.append(("\nNot answered yet.", "dim"))
        for change in history:
            record = change.new
            who = f" by {change.changed_by}" if change.changed_by else ""
            parts += [(f"\n{change.changed_at:%Y-%m-%d %H:%M}{who}: ", "dim"), answer_text(question, record)]
            if record.note:
                parts.append((f"  note: {record.note}", "italic"))
            if record.records:
                parts.append((f"  records: {', '.join(record.records)}", "dim"))
            if record.attachments:
                parts.append((f"  {len(record.attachments)} file(s)", "dim"))
        body.update(Content.assemble(*parts))

    @on(DataTable.RowSelected, "#answers")
    async def _answer_again(self) -> None:
        from assistant.tui.screens.interview import InterviewScreen

        question = self.selected()
        if question is None:
            return
        self.app.pop_screen()
        interview = self.app.screen
        if not (isinstance(interview, InterviewScreen) and interview.session_id == self.session_id):
            interview = InterviewScreen(self.session_id)
            await self.app.push_screen(interview)
        interview.reask(question.id)
