"""Asked back: an answer that reads more than one way, with its readings as one-key choices."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from assistant.tui.screens.base import Dialog, DialogBody

if TYPE_CHECKING:
    from textual.events import Key

    from rules.answers import ParsedAnswer


class ReadingChoice(Dialog):
    """Returns the label of the reading picked (1, 2 ... or enter), or None on escape (nothing is recorded)."""

    def __init__(self, text: str, parsed: ParsedAnswer):
        super().__init__()
        self.text = text
        self.parsed = parsed

    def compose(self) -> ComposeResult:
        shown = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        with DialogBody(classes="dialog"):
            yield Label(f"How should “{shown}” be recorded?", classes="dialog-title")
            yield Label(self.parsed.reading.capitalize() + ".", classes="dialog-hint")
            yield OptionList(
                *(Option(f"{i}  {c.meaning}", id=c.label) for i, c in enumerate(self.parsed.candidates, 1)),
                id="readings",
            )
            yield Label("1-9 or enter picks · escape records nothing", classes="dialog-hint")

    def on_key(self, event: Key) -> None:
        if event.character and event.character.isdigit():
            index = int(event.character) - 1
            if 0 <= index < len(self.parsed.candidates):
                event.stop()
                self.dismiss(self.parsed.candidates[index].label)

    @on(OptionList.OptionSelected, "#readings")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
