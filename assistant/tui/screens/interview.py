"""Interview mode: the checklist asked one question at a time; answers typed in plain words, saved at once."""

from __future__ import annotations

import re
import sqlite3
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Header, Input, Static

from assistant.tui.errors import show_error
from assistant.tui.labels import grade_label, session_status
from assistant.tui.screens.base import AppScreen
from assistant.tui.screens.chat import AsksQuestions
from assistant.tui.screens.reading_choice import ReadingChoice
from assistant.tui.widgets.entry_line import EntryLine
from assistant.tui.widgets.progress import ProcessProgress, ProgressPanel
from assistant.tui.widgets.status_bar import IndexStatusBar
from assistant.tui.widgets.transcript import Transcript
from knowledge.errors import Q1AuditError

if TYPE_CHECKING:
    from assistant.sessions.models import Finding
    from assistant.sessions.service import SessionService
    from assistant.sessions.turn import AuditSession, TurnResult
    from assistant.tui.backend import Q1Edition
    from rules.answers import ParsedAnswer
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
                             (filed under the process whose questions cite the clause; @PROCESS after the
                             clause files it elsewhere; you are then asked for the evidence and requirement)
  /findings                  review findings (F5)       /export [FORMAT]   export the session
  /help                      this list
Notes, records and files given before the answer are saved with it. An answer that could be read more
than one way ("no problem", "yes, but ...") is asked back: press the number of the reading you mean."""
EXPECTED = {
    "yesno": "yes / no / partial / n/a",
    "number": "a number",
    "date": "a date (YYYY-MM-DD)",
    "text": "free text",
    "records": "record ids, comma separated, or 'none'",
}


@dataclass
class FindingDraft:
    """A manual finding being written: the command's parts, then the evidence and requirement prompts."""

    grade: str
    clause: str
    text: str
    process: str | None
    near_process: str | None
    evidence: str | None = None


CLAUSE_WORDS = {"api", "q1", "iso", "9001", "9001:2015", "2015", "9th", "10th"}
CLAUSE_NUMBER = re.compile(r"^\d+(?:\.\d+)*$")


def split_finding_command(rest: str) -> tuple[str, str, str | None, str]:
    """`GRADE [STANDARD] [EDITION] CLAUSE [@PROCESS] TEXT` as (grade, clause reference, process, text).

    The clause reference is the standard and edition words, if any, and one clause number; every word
    after it is the finding's text.
    """
    words = rest.split()
    if len(words) < 3:
        raise ValueError
    grade, words = words[0].lower(), words[1:]
    reference: list[str] = []
    while words and words[0].lower() in CLAUSE_WORDS:
        reference.append(words.pop(0))
    if not words or not CLAUSE_NUMBER.match(words[0].rstrip(".,:;")):
        raise ValueError
    reference.append(words.pop(0).rstrip(".,:;"))
    process = words.pop(0)[1:] if words and words[0].startswith("@") else None
    if not words:
        raise ValueError
    return grade, " ".join(reference), process, " ".join(words)


def audited_q1_edition(standards: list[str]) -> Q1Edition:
    """The API Q1 edition `/ask` answers from: the one the audit is held against (both, if both are)."""
    editions = {s.split(":", 1)[1] for s in standards if s.startswith("API Q1:")}
    return "both" if editions >= {"9th", "10th"} else "9th" if editions == {"9th"} else "10th"


class InterviewScreen(AsksQuestions, AppScreen):
    """One session's interview; the progress panel shows each process in scope.

    Answers go through the session's AuditSession in a worker, one at a time and in the order typed: the
    window never waits for the database (another window may hold its write lock for a while).
    """

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
        self.held: dict[str, list[str]] = {"note": [], "records": [], "attachments": []}
        self.waiting: deque[str] = deque()
        """Lines typed while an earlier one is being saved, handled in order."""
        self.saving = False
        self.draft: FindingDraft | None = None

    @property
    def service(self) -> SessionService:
        return self.q1app.backend.sessions

    @property
    def turn(self) -> AuditSession:
        return self.q1app.backend.audit(self.session_id)

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
        turn = self.turn
        turn.refresh()
        session = turn.session
        self.sub_title = f"{session.id} {session.header.title}"
        self.edition = audited_q1_edition(session.header.criteria.standards)
        transcript = self.query_one(Transcript)
        transcript.note(
            f"Session {session.id}: {session.header.title} ({session.header.audit_type}, "
            f"{session_status(session.status.value)}). /help lists the commands.",
            "help",
        )
        for change in self.service.changed_sources(self.session_id):
            transcript.note(change.describe(), "warning")
        self._advance()
        self.query_one("#answer", Input).focus()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.turn.refresh()
            self._update_progress()
            self.query_one("#answer", Input).focus()

    # --- which question ----------------------------------------------------------------------------

    def _advance(self) -> None:
        self._ask(self.turn.next_question())

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
        from assistant.sessions.turn import describe_answer

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
        previous = self.turn.answers.get(question.id)
        if previous is not None:
            parts.append((f"\nCurrent answer: {describe_answer(question, previous)}", "bold"))
        return Content.assemble(*parts)

    # --- progress and findings ---------------------------------------------------------------------

    def _update_progress(self) -> None:
        state = self.turn.state
        rows = [ProcessProgress(p.process, p.title, p.answered, p.total) for p in state.progress.processes]
        current = self.current.process if self.current else None
        self.query_one(ProgressPanel).show(rows, current)
        counted = state.counted()
        row = state.progress.of(current)
        where = f"{row.title}: {row.answered}/{row.total}" if row else "all done"
        self.query_one("#question-bar", Static).update(
            Content.assemble(
                (f" {where}", "bold"), (f"   overall {state.progress.answered}/{state.progress.total}", "dim"),
                (f"   findings {len(counted)}", "bold $warning" if counted else "dim"),
                (f"   by {self.turn.by}" if self.turn.by else "", "dim"),
                ("   saving …" if self.saving else "", "italic $accent"),
            )
        )

    def _announce(self, result: TurnResult) -> None:
        transcript = self.query_one(Transcript)
        for finding in result.appeared:
            grade = grade_label(finding.grade.value, short=False)
            transcript.note(f"⚑ Finding {finding.id} ({grade}): {finding.title}. F5 reviews it.", "warning")
        for finding in result.changed:
            grade = grade_label(finding.grade.value, short=False)
            transcript.note(f"⚑ Finding {finding.id} changed ({grade}): {finding.title}.", "warning")
        for finding in result.withdrawn:
            transcript.note(self._withdrawn_line(finding), "warning")

    @staticmethod
    def _withdrawn_line(finding: Finding) -> str:
        if finding.decision is not None:
            return (f"↶ Finding {finding.id} withdrawn: its answer changed. It is kept with its decision "
                    f"({finding.decision.value}); F5 shows it and r reinstates it.")
        return f"↶ Finding {finding.id} no longer applies: its answer changed."

    # --- saving in a worker, one line at a time -----------------------------------------------------

    def _save(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Run `work` (a write through the AuditSession) in a worker, then `done` with its result here."""
        self.saving = True
        self._update_progress()
        self.run_worker(lambda: self._save_in_thread(work, done), thread=True, group="turn",
                        description="saving an answer", exit_on_error=False)

    def _save_in_thread(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        told = False
        while True:
            try:
                result = work()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    self.app.call_from_thread(self._failed, exc)
                    return
                if not told:
                    self.app.call_from_thread(self.query_one(Transcript).note,
                                              "Another window is writing to this session; saving when it is done …")
                    told = True
                time.sleep(0.2)
                continue
            except Exception as exc:
                self.app.call_from_thread(self._failed, exc)
                return
            self.app.call_from_thread(self._saved, done, result)
            return

    def _saved(self, done: Callable[[Any], None], result: Any) -> None:
        self.saving = False
        try:
            done(result)
        finally:
            self._update_progress()
            self._next_line()

    def _failed(self, exc: BaseException) -> None:
        self.saving = False
        if isinstance(exc, Q1AuditError):
            self.query_one(Transcript).note(exc.message, "error")
        else:  # a bug must not end the interview: the answers so far are saved
            show_error(self.app, exc)
        self._update_progress()
        self._next_line()

    def _next_line(self) -> None:
        if self.waiting and not self.saving:
            self._handle(self.waiting.popleft())

    # --- input ---------------------------------------------------------------------------------------

    @on(Input.Submitted, "#answer")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text and self.draft is None:
            return
        self.query_one(Transcript).user(text)
        if self.saving:
            self.waiting.append(text)
            return
        self._handle(text)

    def _handle(self, text: str) -> None:
        try:
            if self.draft is not None:
                self._draft_answer(text)
            elif text.startswith("/"):
                self._command(text)
            else:
                self._answer(text)
        except Q1AuditError as exc:
            self.query_one(Transcript).note(exc.message, "error")
        except Exception as exc:  # a bug must not end the interview: the answers so far are saved
            show_error(self.app, exc)
        if not self.saving:
            self._next_line()

    def _answer(self, text: str, settle: str | None = None) -> None:
        from rules.answers import AnswerParseError

        question = self.current
        if question is None:
            self.query_one(Transcript).note("No question is open. /back revisits the last one, /ask searches.")
            return
        try:
            parsed = self.turn.read(question.id, text, settle)
        except AnswerParseError as exc:
            why = exc.message.removeprefix(f"{question.id}: ")  # the question is on screen; its id is for the CLI
            self.query_one(Transcript).note(f"Not understood, asked again: {why}", "warning")
            return
        if not parsed.certain:
            self._ask_back(question, text, parsed)
            return
        held = dict(self.held)
        self._save(
            lambda: self.turn.submit(question.id, text, settle=settle, note="; ".join(held["note"]),
                                     records=held["records"], attachments=held["attachments"]),
            self._answered,
        )

    def _ask_back(self, question: Question, text: str, parsed: ParsedAnswer) -> None:
        choices = "   ".join(f"{i}) {c.meaning}" for i, c in enumerate(parsed.candidates, 1))
        self.query_one(Transcript).note(
            f"Not sure how to read that: {parsed.reading}. Nothing is recorded yet. {choices}", "warning"
        )

        def picked(label: str | None) -> None:
            if label is None:
                self.query_one(Transcript).note("Nothing recorded: type the answer again.")
            elif self.current is not None and self.current.id == question.id:
                self.query_one(Transcript).note(f"Read as {label}.")
                self._answer(text, settle=label)

        self.app.push_screen(ReadingChoice(text, parsed), picked)

    def _answered(self, result: TurnResult) -> None:
        self.query_one(Transcript).note(f"✓ Recorded: {result.shown}")
        self._announce(result)
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
            self.turn.skipped.add(self.current.id)
            self.query_one(Transcript).note(f"Skipped {self.current.id}; it is asked again next time.")
        self._advance()

    def _cmd_back(self, _: str) -> None:
        if self.current is not None and self.history and self.history[-1] == self.current.id:
            self.history.pop()
        if not self.history:
            self.query_one(Transcript).note("This is the first question.")
            self._advance()
            return
        previous = self.turn.question(self.history.pop())
        self.turn.skipped.discard(previous.id)
        self._ask(previous)

    def _amend(self, what: str, **changes: list[str]) -> None:
        """Add a note, records or a file to the current question's answer, or hold them until it comes."""
        question = self.current
        transcript = self.query_one(Transcript)
        if question is None:
            transcript.note("No question is open.", "warning")
            return
        if question.id not in self.turn.answers:
            for key, values in changes.items():
                self.held[key] += values
            transcript.note(f"Held {what}: it is saved with the answer.")
            return

        def saved(result: TurnResult) -> None:
            transcript.note(f"✓ Saved {what}: {result.shown}")
            self._announce(result)

        self._save(
            lambda: self.turn.amend(question.id, note="; ".join(changes.get("note", [])),
                                    records=changes.get("records", []), attachments=changes.get("attachments", [])),
            saved,
        )

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

        try:
            grade, clause, process, text = split_finding_command(rest)
        except ValueError:
            self.query_one(Transcript).note("Write it as /finding GRADE CLAUSE TEXT, e.g. /finding minor 5.5.1.2 "
                                            "No evaluation record for supplier X.", "warning")
            return
        clause_found = resolve_clause_ref(clause, self.q1app.backend.catalogue)  # names the nearest if unknown
        self.draft = FindingDraft(grade=grade, clause=clause, text=text, process=process,
                                  near_process=self.current.process if self.current else None)
        self.query_one(Transcript).note(
            f"Finding against {clause_found.label} {clause_found.title}: {text}\n"
            "Evidence seen (records, people, places; enter leaves it empty):", "question"
        )

    def _draft_answer(self, text: str) -> None:
        draft = self.draft
        if draft.evidence is None:
            draft.evidence = text
            self.query_one(Transcript).note(
                "Requirement not met (enter keeps the cited clause's title):", "question"
            )
            return
        self.draft = None
        turn = self.turn

        def saved(finding: Finding) -> None:
            title = self.service.engine.checklist.title(finding.process) if finding.process else "no process"
            where = "as you asked" if draft.process else "from the clause it cites"
            grade = grade_label(finding.grade.value, short=False)
            self.query_one(Transcript).note(
                f"⚑ Finding {finding.id} ({grade}) recorded under {title} ({where}): "
                f"{finding.statement.nonconformity}", "warning")

        self._save(
            lambda: turn.add_finding(draft.grade, [draft.clause], draft.text, evidence=draft.evidence or "",
                                     requirement=text, process=draft.process, near_process=draft.near_process),
            saved,
        )

    def _cmd_export(self, rest: str) -> None:
        from assistant.tui.screens.export_dialog import ExportDialog

        self.app.push_screen(ExportDialog(self.session_id, rest or None))

    def _cmd_help(self, _: str) -> None:
        self.query_one(Transcript).note(HELP, "help")

    def action_back(self) -> None:
        self._cmd_back("")

    def reask(self, question_id: str) -> None:
        """Ask a question again (from the answers screen); answering replaces its answer."""
        question = self.turn.question(question_id)
        self.turn.skipped.discard(question.id)
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
        if self.draft is not None:
            self.draft = None
            self.query_one(Transcript).note("Finding not recorded.")
            return
        self.app.pop_screen()
