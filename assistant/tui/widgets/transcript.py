"""The conversation: what was typed, the answers with their cards, and notes. Nothing is ever removed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from assistant.tui.widgets.clause_card import ClauseCard, ClausePairRow
from assistant.tui.widgets.procedure_card import ProcedureCard

if TYPE_CHECKING:
    from assistant.tui.pairing import CardView, ClausePair
    from index.search import AskResponse

NoteKind = Literal["info", "warning", "error", "question", "help"]
NO_CLAUSE = "No clause is a good match for this question. Try other words, or type a clause number."


def plain(text: str, classes: str = "") -> Static:
    """A Static showing `text` as typed (square brackets are not markup)."""
    return Static(Content(text), classes=classes)


class AnswerBlock(Vertical):
    """The answer to one input: filled in when the search worker is done."""

    def __init__(self) -> None:
        super().__init__(plain("Searching…", "pending"), classes="answer")

    async def _replace(self, *widgets: Widget) -> None:
        # Awaited, so the scroll below sees the new cards laid out (otherwise where it lands is a race).
        await self.remove_children()
        await self.mount_all(widgets)
        parent = self.parent
        if isinstance(parent, Transcript):
            parent.reveal(self)

    async def show_results(self, response: AskResponse, pairs: list[ClausePair], lexical_reason: str | None) -> None:
        widgets: list[Widget] = []
        if response.mode == "lexical" and lexical_reason:
            widgets.append(plain(f"Keyword search only: {lexical_reason}.", "note warning"))
        widgets.append(plain("Clauses  (API Q1 ⇄ ISO 9001)", "heading"))
        widgets += [ClausePairRow(pair) for pair in pairs] or [plain(NO_CLAUSE, "note nomatch")]
        procedures = [r for r in response.results if r.kind == "procedure"]
        if procedures:
            widgets.append(plain("Your procedures", "heading"))
            widgets += [ProcedureCard(r, classes="procedure") for r in procedures]
        await self._replace(*widgets)

    async def show_cards(self, heading: str, cards: list[CardView]) -> None:
        await self._replace(plain(heading, "heading"), *(ClauseCard(c, classes="card single") for c in cards))

    async def show_note(self, text: str, kind: NoteKind = "info") -> None:
        await self._replace(plain(text, f"note {kind}"))


class Transcript(VerticalScroll, can_focus=False):
    """A scrolling log of the conversation that keeps up with its newest entry.

    Not focusable itself: tab goes to the cards in it, and focusing a card scrolls it into view.
    """

    def follow(self) -> None:
        self.call_after_refresh(self.scroll_end, animate=False)

    def reveal(self, block: Widget) -> None:
        """Scroll so an answer starts at the top, under the question it answers: its first cards are what
        the auditor reads first, and the question says what they answer."""
        children = list(self.children)
        index = children.index(block) if block in children else 0
        asked = children[index - 1] if index and children[index - 1].has_class("user") else block
        self.call_after_refresh(self.scroll_to_widget, asked, top=True, animate=False)

    def user(self, text: str) -> None:
        self.mount(plain(f"› {text}", "user"))
        self.follow()

    def note(self, text: str, kind: NoteKind = "info") -> None:
        self.mount(plain(text, f"note {kind}"))
        self.follow()

    def rich_note(self, content: Content, kind: NoteKind = "info") -> None:
        self.mount(Static(content, classes=f"note {kind}"))
        self.follow()

    def start_answer(self) -> AnswerBlock:
        block = AnswerBlock()
        self.mount(block)
        self.follow()
        return block
