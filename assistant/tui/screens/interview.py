"""Interview mode: the checklist asked one question at a time; answers typed in plain words, saved at once."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Header, Input, Static

from assistant.tui.errors import show_error
from assistant.tui.screens.base import AppScreen
from assistant.tui.screens.chat import AsksQuestions
from assistant.tui.widgets.entry_line import EntryLine
from assistant.tui.widgets.progress import ProcessProgress, ProgressPanel
from assistant.tui.widgets.status_bar import IndexStatusBar
from assistant.tui.widgets.transcript import Transcript
from knowledge.errors import Q1AuditError

if TYPE_CHECKING:
    from assistant.sessions.models import AnswerRecord
    from assistant.sessions.service import SessionService
    from rules.checklist import Question

HELP = """Type the answer in plain words: "yes", "no - only 3 of 5 checked", "12", "2024-03-11", "PO-1234, PO-1240".
Anything after the answer is kept as a note. Commands:
  /skip                      leave this question for now
  /back                      go back to the previous question (answering again replaces the answer)
  /note TEXT                 add a note to this question's answer
  /record IDS                add sampled records (PO-1234, NCR-77 ...)
  /attach PATH               attach a file (photo, scan) to this question's answer
  /ask QUESTION              search clauses and procedures without leaving the interview
  /finding GRADE CLAUSE TEXT write a finding yourself, e.g. /finding minor 5.5.1.2 No re-evaluation of ...
  /findings                  review findings (F5)       /export [FORMAT]   export the session
  /help                      this list
Notes, records and files given before the answer are saved with it."""
EXPECTED = {
    "yesno": "yes / no / partial / n/a",
    "number": "a number",
    "date": "a date (YYYY-MM-DD)",
    "text": "free text",
    "records": "record ids, comma separated, or 'none'",
}


class InterviewScreen(AsksQuestions, AppScreen):
    """One session's interview; the progress panel shows each process in scope."""

    BINDINGS = [
        Binding("escape", "leave", "Sessions"),
        Binding("ctrl+b", "back", "Previous question", show=False),
        Binding("ctrl+o", "open_clauses", "Cited clauses"),
    ]

    def __init__(self, session_id: str):
        super().__init__()
        self.session_id = session_id
        self.current: Question | None = None
        self.history: list[str] = []
        self.skipped: set[str] = set()
        self.held: dict[str, list[str]] = {"note": [], "records": [], "attachments": []}
        self.known_findings: set[str] = set()


    @property
    def service(self) -> SessionService:
        return self.q1app.backend.sessions

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="interview"):
            yield ProgressPanel(id="progress")
            with Vertical(id="interview-main"):
                yield Static(id="question-bar")
                yield Transcript(id="transcript")
                yield EntryLine(placeholder="Answer, or /help for commands…", id="answer")
        yield IndexStatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        session = self.service.get(self.session_id)
        self.sub_title = f"{session.id} {session.header.title}"
        transcript = self.query_one(Transcript)
        transcript.note(
            f"Session {session.id}: {session.header.title} ({session.header.audit_type}, "
            f"{session.status.value.replace('_', ' ')}). /help lists the commands.",
            "help",
        )
        self.known_findings = {f.id for f in self.service.findings(self.session_id)}
        for change in self.service.changed_sources(self.session_id):
            transcript.note(change.describe(), "warning")
        self._advance()
        self.query_one("#answer", Input).focus()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self._update_progress()
            self.query_one("#answer", Input).focus()

    # --- which question ----------------------------------------------------------------------------

    def processes(self) -> list[str]:
        scope = self.service.get(self.session_id).header.scope.processes
        return scope or self.service.engine.checklist.processes()

    def _answers(self) -> dict[str, AnswerRecord]:
        return self.service.answers(self.session_id)

    def _next_question(self) -> Question | None:
        checklist = self.service.engine.checklist
        answers = self._answers()
        values = {qid: a.as_value() for qid, a in answers.items()}
        for process in self.processes():
            for question in checklist.questions(process):
                if question.id in answers or question.id in self.skipped:
                    continue
                if checklist.visible(question, values):
                    return question
        return None

    def _advance(self) -> None:
        self._ask(self._next_question())

    def _ask(self, question: Question | None) -> None:
        self.current = question
        self.held = {"note": [], "records": [], "attachments": []}
        transcript = self.query_one(Transcript)
        self._update_progress()
        if question is None:
            transcript.note(
                "Every question in scope is answered or skipped. F5 reviews the findings, /export writes the "
                "report, /back revisits the last question.",
                "help",
            )
            return
        if not self.history or self.history[-1] != question.id:
            self.history.append(question.id)
        transcript.rich_note(self._question_content(question), "question")

    def _question_content(self, question: Question) -> Content:
        checklist = self.service.engine.checklist
        catalogue = self.q1app.backend.catalogue
        clauses = []
        for _, standard, edition, clause_id in question.clauses.keyed():
            clause = catalogue.get(standard, edition, clause_id)
            clauses.append(f"{clause.label} {clause.title}" if clause else f"{standard} {edition} {clause_id}")
        expected = ", ".join(question.choices) if question.choices else EXPECTED[question.type.value]
        parts: list[str | tuple[str, str]] = [
            (f"{checklist.title(question.process)} · {question.id}\n", "dim"),
            (question.text, "bold"),
            (f"\n{question.help}", "italic"),
            (f"\nClauses: {'; '.join(clauses)}", "$secondary"),
            (f"\nAnswer: {expected}", "dim"),
        ]
        previous = self._answers().get(question.id)
        if previous is not None:
            parts.append((f"\nCurrent answer: {self._shown(question, previous)}", "bold"))
        return Content.assemble(*parts)

    @staticmethod
    def _shown(question: Question, record: AnswerRecord) -> str:
        from rules.answers import format_answer

        shown = format_answer(question, record.value) if record.value is not None else "(none)"
        extras = [f"note: {record.note}"] if record.note else []
        extras += [f"records: {', '.join(record.records)}"] if record.records else []
        extras += [f"{len(record.attachments)} file(s)"] if record.attachments else []
        return shown + (f"  ({'; '.join(extras)})" if extras else "")

    # --- progress and findings ---------------------------------------------------------------------

    def _update_progress(self) -> None:
        checklist = self.service.engine.checklist
        answers = self._answers()
        values = {qid: a.as_value() for qid, a in answers.items()}
        rows = []
        for process in self.processes():
            asked = [q for q in checklist.questions(process) if checklist.visible(q, values)]
            done = sum(1 for q in asked if q.id in answers)
            rows.append(ProcessProgress(process, checklist.title(process), done, len(asked)))
        current = self.current.process if self.current else None
        self.query_one(ProgressPanel).show(rows, current)
        findings = [f for f in self.service.findings(self.session_id) if f.status.value != "dismissed"]
        row = next((r for r in rows if r.process == current), None)
        where = f"{row.title}: {row.answered}/{row.total}" if row else "all done"
        total_done, total = sum(r.answered for r in rows), sum(r.total for r in rows)
        self.query_one("#question-bar", Static).update(
            Content.assemble(
                (f" {where}", "bold"), (f"   overall {total_done}/{total}", "dim"),
                (f"   findings {len(findings)}", "bold $warning" if findings else "dim"),
            )
        )

    def _announce_new_findings(self) -> None:
        transcript = self.query_one(Transcript)
        findings = self.service.findings(self.session_id)
        for finding in findings:
            if finding.id not in self.known_findings:
                transcript.note(
                    f"⚑ Finding {finding.id} ({finding.grade.value}): {finding.title}. F5 reviews it.", "warning"
                )
        self.known_findings = {f.id for f in findings}

    # --- input ---------------------------------------------------------------------------------------

    @on(Input.Submitted, "#answer")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        self.query_one(Transcript).user(text)
        try:
            if text.startswith("/"):
                self._command(text)
            else:
                self._answer(text)
        except Q1AuditError as exc:
            self.query_one(Transcript).note(exc.message, "error")
        except Exception as exc:  # a bug must not end the interview: the answers so far are saved
            show_error(self.app, exc)

    def _answer(self, text: str) -> None:
        from rules.answers import AnswerParseError

        question = self.current
        if question is None:
            self.query_one(Transcript).note("No question is open. /back revisits the last one, /ask searches.")
            return
        try:
            record = self.service.answer(
                self.session_id, question.id, text=text, note="; ".join(self.held["note"]),
                records=self.held["records"], attachments=self.held["attachments"],
            )
        except AnswerParseError as exc:
            self.query_one(Transcript).note(f"Not understood, asked again: {exc.message}", "warning")
            return
        self.query_one(Transcript).note(f"✓ Saved: {self._shown(question, record)}")
        self._announce_new_findings()
        self._advance()

    def _command(self, text: str) -> None:
        name, _, rest = text.partition(" ")
        rest = rest.strip()
        handlers = {
            "/skip": self._cmd_skip, "/back": self._cmd_back, "/note": self._cmd_note, "/record": self._cmd_record,
            "/attach": self._cmd_attach, "/ask": self._cmd_ask_search, "/finding": self._cmd_finding,
            "/findings": lambda _: self.q1app.action_findings(), "/export": self._cmd_export, "/help": self._cmd_help,
        }
        handler = handlers.get(name.lower())
        if handler is None:
            self.query_one(Transcript).note(f"No command {name}; /help lists them.", "warning")
            return
        handler(rest)

    def _cmd_skip(self, _: str) -> None:
        if self.current is not None:
            self.skipped.add(self.current.id)
            self.query_one(Transcript).note(f"Skipped {self.current.id}; it is asked again next time.")
        self._advance()

    def _cmd_back(self, _: str) -> None:
        if self.current is not None and self.history and self.history[-1] == self.current.id:
            self.history.pop()
        if not self.history:
            self.query_one(Transcript).note("This is the first question.")
            self._advance()
            return
        previous = self.service.engine.checklist.get(self.history.pop())
        self.skipped.discard(previous.id)
        self._ask(previous)

    def _amend(self, what: str, **changes) -> None:
        """Add a note, records or a file to the current question's answer, or hold them until it comes."""
        question = self.current
        transcript = self.query_one(Transcript)
        if question is None:
            transcript.note("No question is open.", "warning")
            return
        existing = self._answers().get(question.id)
        if existing is None:
            for key, values in changes.items():
                self.held[key] += values
            transcript.note(f"Held {what}: it is saved with the answer.")
            return
        note = "; ".join(n for n in [existing.note, *changes.get("note", [])] if n)
        record = self.service.answer(
            self.session_id, question.id, value=existing.value, note=note,
            records=[*existing.records, *changes.get("records", [])], attachments=changes.get("attachments", []),
        )
        transcript.note(f"✓ Saved {what}: {self._shown(question, record)}")
        self._announce_new_findings()

    def _cmd_note(self, rest: str) -> None:
        if rest:
            self._amend("the note", note=[rest])

    def _cmd_record(self, rest: str) -> None:
        ids = [r for r in re.split(r"[,;\s]+", rest) if r]
        if ids:
            self._amend(f"{len(ids)} record(s)", records=ids)

    def _cmd_attach(self, rest: str) -> None:
        if rest:
            from assistant.sessions.attachments import check_source

            path = check_source(Path(rest).expanduser())
            self._amend(f"file {path.name}", attachments=[str(path)])

    def _cmd_ask_search(self, rest: str) -> None:
        if rest:
            self.ask_into(self.query_one(Transcript).start_answer(), rest, allow_open=False)

    def _cmd_finding(self, rest: str) -> None:
        from knowledge.clause_refs import resolve_clause_ref

        words = shlex.split(rest) if rest.count('"') % 2 == 0 else rest.split()
        if len(words) < 3:
            self.query_one(Transcript).note("Write it as /finding GRADE CLAUSE TEXT, e.g. /finding minor 5.5.1.2 "
                                            "No evaluation record for supplier X.", "warning")
            return
        grade, words = words[0].lower(), words[1:]
        catalogue = self.q1app.backend.catalogue
        # The clause may take one to three words ("5.5.1.2", "ISO 8.4.1", "Q1 9th 5.6.1"): the longest that resolves.
        for size in (3, 2, 1):
            reference = " ".join(words[:size])
            try:
                resolve_clause_ref(reference, catalogue)
            except Q1AuditError:
                continue
            if len(words) > size:
                break
        else:
            resolve_clause_ref(words[0], catalogue)  # raises with the nearest clauses named
        finding = self.service.add_manual_finding(
            self.session_id, grade, [reference], " ".join(words[size:]),
            process=self.current.process if self.current else None,
        )
        self.known_findings.add(finding.id)
        self.query_one(Transcript).note(f"⚑ Finding {finding.id} ({finding.grade.value}) recorded: {finding.title}",
                                        "warning")
        self._update_progress()

    def _cmd_export(self, rest: str) -> None:
        from assistant.tui.screens.export_dialog import ExportDialog

        self.app.push_screen(ExportDialog(self.session_id, rest or None))

    def _cmd_help(self, _: str) -> None:
        self.query_one(Transcript).note(HELP, "help")

    def action_back(self) -> None:
        self._cmd_back("")

    def reask(self, question_id: str) -> None:
        """Ask a question again (from the answers screen); answering replaces its answer."""
        question = self.service.engine.checklist.get(question_id)
        self.skipped.discard(question.id)
        self._ask(question)
        self.query_one("#answer", Input).focus()

    def action_open_clauses(self) -> None:
        """The current question's clauses in the browser (a choice when it cites several)."""
        from assistant.tui.screens.dialogs import ChoiceDialog
        from knowledge.catalogue import ClauseKey

        if self.current is None:
            self.notify("No question is open.", title="Clauses")
            return
        catalogue = self.q1app.backend.catalogue
        keys = [ClauseKey(s, e, i) for _, s, e, i in self.current.clauses.keyed() if catalogue.get(s, e, i)]
        if len(keys) == 1:
            self.q1app.open_clause(keys[0])
        elif keys:
            choices = [(f"{catalogue.get(*k).label} {catalogue.get(*k).title}", str(k)) for k in keys]
            by_name = {str(k): k for k in keys}

            def picked(name: str | None) -> None:
                if name is not None:
                    self.q1app.open_clause(by_name[name])

            self.app.push_screen(ChoiceDialog("Open which clause?", choices), picked)

    def action_leave(self) -> None:
        self.app.pop_screen()
