"""The chat: a question in, clause cards (Q1 and ISO side by side) and procedure passages out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Footer, Header, Input

from assistant.tui.labels import for_the_app
from assistant.tui.screens.base import AppScreen
from assistant.tui.widgets.clause_card import ClauseCard
from assistant.tui.widgets.entry_line import EntryLine
from assistant.tui.widgets.status_bar import IndexStatusBar
from assistant.tui.widgets.transcript import AnswerBlock, Transcript

if TYPE_CHECKING:
    from assistant.tui.app import Q1AuditApp
    from assistant.tui.backend import Q1Edition, Reply
    from assistant.tui.pairing import CardView, ClausePair

WELCOME = Content.assemble(
    ("Ask about a requirement in your own words", "bold"),
    " (“who approves a concession?”, “cal sticker expired on a torque wrench”),\n"
    "or type a clause number (5.11, ISO 8.4.2) to open it. ",
    ("tab", "bold"),
    " moves to the answer cards, ",
    ("enter", "bold"),
    " opens one. ",
    ("F3", "bold"),
    " browses clauses, ",
    ("F4", "bold"),
    " runs an audit, ",
    ("ctrl+p", "bold"),
    " jumps anywhere.",
)


class AsksQuestions:
    """Search from an input without freezing: the worker asks, the UI thread fills the answer block."""

    app: Q1AuditApp

    edition: Q1Edition = "10th"
    """The API Q1 edition answers come from (F7 in the chat changes it)."""

    @work(thread=True, group="search", exit_on_error=False, description="Searching")
    def ask_into(self, block: AnswerBlock, text: str, allow_open: bool = True) -> None:
        from assistant.tui.pairing import MAX_ROWS, card_view, pair_results

        backend = self.app.backend
        edition = self.edition
        try:
            reply = backend.reply(text, edition=edition) if allow_open else backend.reply_search(text, edition=edition)
            rows = MAX_ROWS + 2 if edition == "both" else MAX_ROWS
            pairs = pair_results(reply.response, backend.catalogue, rows) if reply.response else []
            cards = [card_view(backend.catalogue.get(*key)) for key in reply.clauses]
        except Exception as exc:
            self.app.call_from_thread(block.show_note, f"The search failed: {exc}", "error")
            raise
        self.app.call_from_thread(self._show_reply, block, reply, pairs, cards)

    async def _show_reply(self, block: AnswerBlock, reply: Reply, pairs: list[ClausePair], cards: list[CardView]) -> None:
        app = self.app
        if reply.kind == "open":
            if len(cards) == 1:
                await block.show_cards("Opened in the clause browser (escape comes back):", cards)
                app.open_clause(cards[0].key)
            else:
                await block.show_cards("That number names more than one clause; pick one:", cards)
        elif reply.kind == "message":
            await block.show_note(for_the_app(reply.message), "warning")
        elif reply.kind == "differences":
            await block.show_note("Opened the differences between API Q1 and ISO 9001 (escape comes back).")
            app.open_differences(reply.view)
        elif reply.response is not None:
            await block.show_results(reply.response, pairs, app.index_state.lexical_reason)


class ChatScreen(AsksQuestions, AppScreen):
    """Ask mode: the transcript keeps every question and answer."""

    BINDINGS = [
        Binding("escape", "focus_input", "To input", show=False),
        Binding("tab", "next_focus", "Cards", show=False),
        Binding("f7", "next_edition", "Q1 edition"),
        Binding("pageup", "scroll_answers('up')", "Scroll up", show=False),
        Binding("pagedown", "scroll_answers('down')", "Scroll down", show=False),
    ]
    EDITIONS: dict[str, str] = {"10th": "API Q1 10th edition", "9th": "API Q1 9th edition",
                                "both": "API Q1 10th and 9th editions"}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Transcript(id="transcript")
        yield EntryLine(placeholder="Ask a question, or type a clause number…", id="ask")
        yield IndexStatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Transcript).rich_note(WELCOME, "help")
        self._show_edition()
        self.query_one("#ask").focus()

    def _show_edition(self) -> None:
        self.query_one("#ask").border_title = f"{self.EDITIONS[self.edition]} ⇄ ISO 9001 · F7 changes"

    def action_next_edition(self) -> None:
        """10th, then 9th, then both: the answers that follow come from the chosen edition."""
        order = list(self.EDITIONS)
        self.edition = order[(order.index(self.edition) + 1) % len(order)]  # type: ignore[assignment]
        self._show_edition()
        self.notify(f"Answers now come from the {self.EDITIONS[self.edition]}.", title="Q1 edition")

    @on(Input.Submitted, "#ask")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        transcript = self.query_one(Transcript)
        transcript.user(text)
        self.ask_into(transcript.start_answer(), text)

    def on_screen_resume(self) -> None:
        """Back from the browser or a dialog: typing goes to the input, not to the card last opened."""
        self.action_focus_input()

    def action_scroll_answers(self, where: str) -> None:
        """Page up and down scroll the answers while typing goes on in the input."""
        transcript = self.query_one(Transcript)
        (transcript.scroll_page_up if where == "up" else transcript.scroll_page_down)(animate=False)

    def action_focus_input(self) -> None:
        self.query_one("#ask").focus()

    def action_next_focus(self) -> None:
        """From the input, tab goes to the newest answer's first card (not the oldest, as focus order would)."""
        if isinstance(self.focused, Input):
            blocks = [b for b in self.query(AnswerBlock) if b.query(ClauseCard)]
            if blocks:
                blocks[-1].query(ClauseCard).first().focus()
                return
        self.focus_next()
