"""Clause cards: one clause with its title, our summary, score and licensed text; enter opens it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

if TYPE_CHECKING:  # the catalogue (and pydantic, yaml) load in a worker, after the first paint
    from assistant.tui.pairing import CardView, ClausePair
    from knowledge.catalogue import ClauseKey


def card_content(card: CardView, relation: str | None = None) -> Content:
    parts: list[str | tuple[str, str]] = [(card.label, "bold $accent")]
    if card.sure is not None:  # the model's calibrated confidence, as the CLI prints it
        parts.append((f"  {card.sure:.0%} sure", "dim"))
    elif card.score is not None:
        parts.append((f"  {card.score:.2f}", "dim"))
    parts += ["\n", (card.title, "bold")]
    if not card.verified:
        parts.append(("  (title not verified)", "dim italic"))
    if relation:
        parts.append((f"\n⇄ {relation}", "italic $secondary"))
    parts.append(f"\n{card.summary}")
    if card.licensed:
        parts += [("\nYour copy: ", "bold"), (card.licensed, "italic")]
    return Content.assemble(*parts)


class ClauseCard(Static, can_focus=True):
    """A focusable clause card; enter or a click asks the app to open the clause."""

    BINDINGS = [Binding("enter", "open", "Open clause")]

    class Selected(Message):
        """The user chose the card's clause."""

        def __init__(self, key: ClauseKey):
            super().__init__()
            self.key = key

    def __init__(self, card: CardView, relation: str | None = None, **kwargs):
        super().__init__(card_content(card, relation), **kwargs)
        self.card = card

    def action_open(self) -> None:
        self.post_message(self.Selected(self.card.key))

    def on_click(self) -> None:
        self.action_open()


class ClausePairRow(Horizontal):
    """Q1 on the left, ISO on the right, the crosswalk relation on the ISO side."""

    def __init__(self, pair: ClausePair):
        super().__init__(classes="pair")
        self.pair = pair

    def compose(self) -> ComposeResult:
        pair = self.pair
        if pair.q1 is not None:
            yield ClauseCard(pair.q1, classes="card q1")
        else:
            yield Static(f"No API Q1 clause linked ({pair.relation})", classes="card missing")
        if pair.iso is not None:
            yield ClauseCard(pair.iso, relation=pair.relation if pair.q1 else None, classes="card iso")
        else:
            yield Static(f"No ISO 9001 counterpart: {pair.relation}", classes="card missing")
