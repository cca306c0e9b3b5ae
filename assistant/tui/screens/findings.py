"""The findings panel: live findings with grade, clauses, statement and the answers that fired them."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Static

from assistant.tui.errors import show_error, shows_errors
from assistant.tui.labels import grade_label, process_title
from assistant.tui.screens.base import AppScreen
from assistant.tui.screens.dialogs import ACTION_FIELDS, ChoiceDialog, CorrectiveActionDialog, TextDialog
from assistant.tui.widgets.status_bar import IndexStatusBar

if TYPE_CHECKING:
    from assistant.programme import RepeatFinder
    from assistant.sessions.models import Finding
    from assistant.sessions.service import SessionService
    from assistant.sessions.turn import AuditSession
    from knowledge.catalogue import Catalogue
    from rules.checklist import Question

STATUS_MARK = {"proposed": "?", "confirmed": "✓", "dismissed": "✗", "withdrawn": "↶"}


def _answer_lines(answers: list, questions: dict[str, Question]) -> list[str | tuple[str, str]]:
    from rules.answers import format_answer

    parts: list[str | tuple[str, str]] = []
    for answer in answers:
        question = questions.get(answer.question_id)
        value = format_answer(question, answer.value) if question else str(answer.value)
        parts.append(f"\n • {question.text if question else answer.question_id} → {value}")
        if answer.note:
            parts.append((f" ({answer.note})", "dim"))
        if answer.records:
            parts.append((f" records: {', '.join(answer.records)}", "dim"))
    return parts


def finding_content(finding: Finding, catalogue: Catalogue, questions: dict[str, Question], process: str) -> Content:
    """The finding in full; `process` is the title of its process (Record retention, not record_retention)."""
    parts: list[str | tuple[str, str]] = [
        (f"{finding.id}  ", "bold $accent"), (finding.title, "bold"),
        (f"\n{grade_label(finding.grade.value, short=False)}", "bold $warning"),
    ]
    if finding.regraded:
        parts.append((f" (proposed {grade_label(finding.proposed_grade.value, short=False)})", "dim"))
    parts.append(f" · {finding.status.value}")
    if finding.dismiss_reason:
        parts.append(f": {finding.dismiss_reason}")
    if process:
        parts.append((f" · {process}", "dim"))
    if finding.repeat_of is not None:
        parts.append((f"\n{finding.repeat_of.warning()}", "bold $warning"))
    if finding.answers_changed_since_decision:
        parts.append(("\nAn answer behind it changed after the decision: look again.", "bold $warning"))
    if finding.decision is not None:
        kept = "Reinstated" if finding.reinstated_at else "Withdrawn by answer change"
        parts.append((f"\n{kept}: it was {finding.decision.value} by {finding.decided_by or '?'}"
                      + ("" if finding.reinstated_at else "; r reinstates it") + ".", "bold $warning"))
    parts.append(("\n\nClauses", "bold"))
    for citation in finding.clauses:
        clause = catalogue.get(citation.standard, citation.edition, citation.id)
        parts.append(f"\n • {citation.text(clause.title if clause else '')}")
    statement = finding.statement
    for label, text in (("Requirement", statement.requirement), ("Evidence", statement.evidence),
                        ("Nonconformity", statement.nonconformity)):
        parts += [(f"\n\n{label}", "bold"), f"\n{text}"]
    if finding.answers:
        parts.append(("\n\nAnswers that fired it", "bold"))
        parts += _answer_lines(finding.answers, questions)
    if finding.decision is not None:
        parts.append(("\n\nAnswers now", "bold"))
        parts += _answer_lines(finding.answers_now, questions)
    parts.append(("\n\nCorrective action", "bold"))
    action = finding.action
    if action.empty:
        parts.append(("\n none yet (a opens the form)", "dim"))
    for field, label in ACTION_FIELDS:
        value = getattr(action, field)
        if value:
            parts.append(f"\n {label.split(' (')[0]}: {value}")
    return Content.assemble(*parts)


class FindingsScreen(AppScreen):
    """Findings of one session; c confirms, d dismisses with a reason, g regrades, a edits the response."""

    BINDINGS = [
        Binding("c", "confirm", "Confirm"),
        Binding("d", "dismiss_finding", "Dismiss"),
        Binding("g", "regrade", "Regrade"),
        Binding("a", "corrective_action", "Action"),
        Binding("o", "reopen", "Reopen", show=False),
        Binding("r", "reinstate", "Reinstate", show=False),
        Binding("e", "app.export", "Export"),
        Binding("h", "toggle_hints", "Hints"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, session_id: str):
        super().__init__()
        self.session_id = session_id
        self.findings: list[Finding] = []
        self.repeats: RepeatFinder | None = None
        self.hints_open = False
        """Escalation hints take one line until `h` unfolds them (a dozen can fill a laptop screen)."""
        self.pending: deque[tuple[str, Callable[[], str]]] = deque()
        """Decisions and corrective actions asked for while an earlier one is being saved."""
        self.writing = False

    @property
    def service(self) -> SessionService:
        return self.q1app.backend.sessions

    @property
    def turn(self) -> AuditSession:
        return self.q1app.backend.audit(self.session_id)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="hints-pane"):
            yield Static(id="hints")
        with Horizontal(id="findings-pane"):
            table: DataTable = DataTable(id="findings", cursor_type="row")
            table.add_columns("", "ID", "Grade", "Title")
            yield table
            with VerticalScroll(id="finding-detail"):
                yield Static(id="finding-body")
        yield IndexStatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Findings of {self.session_id}"
        self.turn.refresh()
        self.refresh_findings()
        self.query_one("#findings", DataTable).focus()
        # Earlier audits are read in a worker (a tenth of a second or more with dozens of them): the
        # findings show at once, and their repeat flags follow.
        self.in_worker("reading earlier audits", "repeats", self._read_earlier_audits, self._earlier_audits_read)

    def _read_earlier_audits(self) -> RepeatFinder:
        from assistant.programme import RepeatFinder

        return RepeatFinder(self.service, self.session_id)

    def _earlier_audits_read(self, repeats: RepeatFinder) -> None:
        self.repeats = repeats
        if self.is_mounted:
            self.refresh_findings()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.turn.refresh()
            self.refresh_findings()

    @shows_errors
    def refresh_findings(self, keep: str | None = None) -> None:
        table = self.query_one("#findings", DataTable)
        keep = keep or self.selected_id()
        state = self.turn.state
        found = state.findings + state.withdrawn
        self.findings = self.repeats.flag(found) if self.repeats else found
        table.clear()
        for finding in self.findings:
            title = f"↻ {finding.title}" if finding.repeat_of else finding.title
            table.add_row(STATUS_MARK[finding.status.value], finding.id, grade_label(finding.grade.value), title,
                          key=finding.id)
        self.hints = [hint.message for hint in state.hints]
        self._show_hints()
        if keep is not None and keep in {f.id for f in self.findings}:
            table.move_cursor(row=table.get_row_index(keep))
        self._show_selected()

    def _show_hints(self) -> None:
        pane = self.query_one("#hints-pane")
        pane.display = bool(self.hints)
        pane.set_class(self.hints_open, "-open")
        count = len(self.hints)
        plural = "s" if count != 1 else ""
        if self.hints_open:
            text = Content.assemble(*(f"▲ {hint}\n" for hint in self.hints), ("h folds the hints", "dim"))
        else:
            text = Content.assemble(
                (f"▲ {count} escalation hint{plural}: minor findings that may add up to a major", "bold"),
                (" · h shows", "dim"),
            )
        self.query_one("#hints", Static).update(text)

    def action_toggle_hints(self) -> None:
        self.hints_open = not self.hints_open
        self._show_hints()

    def selected_id(self) -> str | None:
        table = self.query_one("#findings", DataTable)
        if not self.findings or table.cursor_row >= len(self.findings):
            return None
        return self.findings[table.cursor_row].id

    def _show_selected(self) -> None:
        body = self.query_one("#finding-body", Static)
        finding_id = self.selected_id()
        finding = next((f for f in self.findings if f.id == finding_id), None)
        if finding is None:
            body.update(Content("No findings yet: they appear here as answers come in."))
            return
        checklist = self.service.engine.checklist
        questions = {q.id: q for q in checklist.questions()}
        body.update(finding_content(finding, self.q1app.backend.catalogue, questions,
                                    process_title(checklist, finding.process)))

    @on(DataTable.RowHighlighted, "#findings")
    def _highlighted(self) -> None:
        self._show_selected()

    def _decide(self, status: str, reason: str | None = None, grade: str | None = None) -> None:
        finding_id = self.selected_id()
        if finding_id is None:
            return
        turn = self.turn

        def decide() -> str:
            decided = turn.decide(finding_id, status, reason=reason, grade=grade)
            return f"{decided.id} {decided.status.value} ({grade_label(decided.grade.value)}) by {turn.by or '?'}"

        self._write(finding_id, decide)

    def action_reinstate(self) -> None:
        finding_id = self.selected_id()
        if finding_id is None:
            return
        turn = self.turn

        def reinstate() -> str:
            kept = turn.reinstate(finding_id)
            return f"{kept.id} reinstated ({kept.status.value}) by {turn.by or '?'}"

        self._write(finding_id, reinstate)

    # --- writes in a worker, one at a time and in the order asked -----------------------------------

    def _write(self, finding_id: str, work: Callable[[], str]) -> None:
        """Queue a decision or a corrective action: the panel never waits for the database (another
        window may hold its write lock), and writes keep the order of the keys pressed."""
        self.pending.append((finding_id, work))
        self._next_write()

    def _next_write(self) -> None:
        if self.writing or not self.pending:
            return
        self.writing = True
        self.sub_title = f"Findings of {self.session_id} · saving …"
        finding_id, work = self.pending.popleft()
        self.run_worker(lambda: self._write_in_thread(finding_id, work), thread=True, group="finding-write",
                        description="saving a finding decision", exit_on_error=False)

    def _write_in_thread(self, finding_id: str, work: Callable[[], str]) -> None:
        try:
            message = work()
        except Exception as error:  # refused (closed session, missing reason) or a bug: shown, the panel goes on
            self.app.call_from_thread(self._written, finding_id, None, error)
            return
        self.app.call_from_thread(self._written, finding_id, message, None)

    def _written(self, finding_id: str, message: str | None, error: Exception | None) -> None:
        self.writing = False
        self.sub_title = f"Findings of {self.session_id}"
        if error is not None:
            show_error(self.app, error)
        else:
            self.notify(message or "", title="Finding")
        self.refresh_findings(keep=finding_id)
        self._next_write()

    @shows_errors
    def action_confirm(self) -> None:
        self._decide("confirmed")

    @shows_errors
    def action_reopen(self) -> None:
        self._decide("proposed")

    def action_dismiss_finding(self) -> None:
        finding_id = self.selected_id()
        if finding_id is not None:
            self.app.push_screen(TextDialog(f"Why is {finding_id} dismissed?", "e.g. records found later"),
                                 self._dismissed)

    @shows_errors
    def _dismissed(self, reason: str | None) -> None:
        if reason:
            self._decide("dismissed", reason=reason)

    @shows_errors
    def action_regrade(self) -> None:
        from rules.grading import load_grading

        finding_id = self.selected_id()
        if finding_id is None:
            return
        grading = load_grading()
        audit_type = self.service.get(self.session_id).header.audit_type
        grades = list(dict.fromkeys(grading.schemes[grading.audit_types[audit_type]].values()))
        self.app.push_screen(ChoiceDialog(f"New grade for {finding_id} (confirms it)",
                                          [(grade_label(g.value), g.value) for g in grades]), self._regraded)

    @shows_errors
    def _regraded(self, grade: str | None) -> None:
        if grade:
            self._decide("confirmed", grade=grade)

    def action_corrective_action(self) -> None:
        finding_id = self.selected_id()
        finding = next((f for f in self.findings if f.id == finding_id), None)
        if finding is None:
            return
        current = {field: str(getattr(finding.action, field) or "") for field, _ in ACTION_FIELDS}
        self.app.push_screen(CorrectiveActionDialog(finding.id, current), self._action_saved)

    def _action_saved(self, changed: dict | None) -> None:
        finding_id = self.selected_id()
        if not changed or not finding_id:
            return
        turn = self.turn

        def save() -> str:
            self.service.set_corrective_action(self.session_id, finding_id, by=turn.by, **changed)
            turn.refresh()
            return f"Corrective action of {finding_id} saved by {turn.by or '?'}."

        self._write(finding_id, save)
