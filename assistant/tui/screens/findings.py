"""The findings panel: live findings with grade, clauses, statement and the answers that fired them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Static

from assistant.tui.errors import shows_errors
from assistant.tui.screens.base import AppScreen
from assistant.tui.screens.dialogs import ACTION_FIELDS, ChoiceDialog, CorrectiveActionDialog, TextDialog
from assistant.tui.widgets.status_bar import IndexStatusBar

if TYPE_CHECKING:
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


def finding_content(finding: Finding, catalogue: Catalogue, questions: dict[str, Question]) -> Content:
    parts: list[str | tuple[str, str]] = [
        (f"{finding.id}  ", "bold $accent"), (finding.title, "bold"),
        (f"\n{finding.grade.value}", "bold $warning"),
    ]
    if finding.regraded:
        parts.append((f" (proposed {finding.proposed_grade.value})", "dim"))
    parts.append(f" · {finding.status.value}")
    if finding.dismiss_reason:
        parts.append(f": {finding.dismiss_reason}")
    if finding.process:
        parts.append((f" · {finding.process}", "dim"))
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
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, session_id: str):
        super().__init__()
        self.session_id = session_id
        self.findings: list[Finding] = []


    @property
    def service(self) -> SessionService:
        return self.q1app.backend.sessions

    @property
    def turn(self) -> AuditSession:
        return self.service.audit(self.session_id)

    def compose(self) -> ComposeResult:
        yield Header()
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

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.turn.refresh()
            self.refresh_findings()

    @shows_errors
    def refresh_findings(self, keep: str | None = None) -> None:
        table = self.query_one("#findings", DataTable)
        keep = keep or self.selected_id()
        state = self.turn.state
        self.findings = state.findings + state.withdrawn
        table.clear()
        for finding in self.findings:
            table.add_row(STATUS_MARK[finding.status.value], finding.id, finding.grade.value, finding.title,
                          key=finding.id)
        hints = state.hints
        bar = self.query_one("#hints", Static)
        bar.update(Content("\n".join(f"▲ {hint.message}" for hint in hints)))
        bar.display = bool(hints)
        if keep is not None and keep in {f.id for f in self.findings}:
            table.move_cursor(row=table.get_row_index(keep))
        self._show_selected()

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
        questions = {q.id: q for q in self.service.engine.checklist.questions()}
        body.update(finding_content(finding, self.q1app.backend.catalogue, questions))

    @on(DataTable.RowHighlighted, "#findings")
    def _highlighted(self) -> None:
        self._show_selected()

    def _decide(self, status: str, reason: str | None = None, grade: str | None = None) -> None:
        finding_id = self.selected_id()
        if finding_id is None:
            return
        decided = self.turn.decide(finding_id, status, reason=reason, grade=grade)
        self.notify(f"{decided.id} {decided.status.value} ({decided.grade.value})", title="Finding")
        self.refresh_findings(keep=finding_id)

    @shows_errors
    def action_reinstate(self) -> None:
        finding_id = self.selected_id()
        if finding_id is None:
            return
        kept = self.turn.reinstate(finding_id)
        self.notify(f"{kept.id} reinstated ({kept.status.value})", title="Finding")
        self.refresh_findings(keep=finding_id)

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
                                          [(g.value, g.value) for g in grades]), self._regraded)

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

    @shows_errors
    def _action_saved(self, changed: dict | None) -> None:
        finding_id = self.selected_id()
        if changed and finding_id:
            self.service.set_corrective_action(self.session_id, finding_id, by=self.turn.by, **changed)
            self.turn.refresh()
            self.notify(f"Corrective action of {finding_id} saved.", title="Finding")
            self.refresh_findings(keep=finding_id)
