"""Small dialogs: a line of text (a dismiss reason), a choice (a grade), the corrective-action fields."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

from assistant.tui.screens.base import Dialog, DialogBody

ACTION_FIELDS = [
    ("correction", "Correction (what was done at once)"),
    ("root_cause", "Root cause"),
    ("corrective_action", "Corrective action (so it does not recur)"),
    ("evidence", "Evidence of completion"),
    ("owner", "Owner"),
    ("due_date", "Due date (YYYY-MM-DD)"),
]


class TextDialog(Dialog):
    """Asks for one line of text; enter returns it, escape returns None. Empty text is refused unless
    `allow_empty` (then it returns "")."""

    def __init__(self, prompt: str, placeholder: str = "", value: str = "", allow_empty: bool = False):
        super().__init__()
        self.prompt = prompt
        self.placeholder = placeholder
        self.value = value
        self.allow_empty = allow_empty

    def compose(self) -> ComposeResult:
        with DialogBody(classes="dialog"):
            yield Label(self.prompt, classes="dialog-title")
            yield Input(self.value, placeholder=self.placeholder, id="text")
            yield Label("enter saves · escape cancels", classes="dialog-hint")

    @on(Input.Submitted, "#text")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip() or self.allow_empty:
            self.dismiss(event.value.strip())
        else:
            self.notify("Write something first (or escape to cancel).", severity="warning")


class ChoiceDialog(Dialog):
    """Picks one of a few values."""

    def __init__(self, prompt: str, choices: list[tuple[str, str]]):
        super().__init__()
        self.prompt = prompt
        self.choices = choices

    def compose(self) -> ComposeResult:
        with DialogBody(classes="dialog"):
            yield Label(self.prompt, classes="dialog-title")
            yield OptionList(*(Option(label, id=value) for label, value in self.choices), id="choices")
            yield Label("enter picks · escape cancels", classes="dialog-hint")

    @on(OptionList.OptionSelected, "#choices")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class CorrectiveActionDialog(Dialog):
    """The auditee's response fields; returns only the fields that changed (due_date as a date)."""

    BINDINGS = [("ctrl+s", "save", "Save")]

    def __init__(self, finding_id: str, current: dict[str, str]):
        super().__init__()
        self.finding_id = finding_id
        self.current = current

    def compose(self) -> ComposeResult:
        with DialogBody(classes="dialog wide compact"):
            yield Label(f"Corrective action for {self.finding_id}", classes="dialog-title")
            # Compact lines: the six fields and the buttons fit a 24-line terminal; the dialog scrolls if not.
            for field, label in ACTION_FIELDS:
                yield Label(label, classes="field")
                yield Input(value=self.current.get(field, ""), id=field, compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
            yield Label("enter or ctrl+s saves · escape cancels", classes="dialog-hint")

    def action_save(self) -> None:
        changed: dict[str, object] = {}
        for field, _ in ACTION_FIELDS:
            value = self.query_one(f"#{field}", Input).value.strip()
            if value == self.current.get(field, ""):
                continue
            if field == "due_date":
                if not value:
                    continue  # the service keeps a date once set; clearing it is not offered
                try:
                    changed[field] = date.fromisoformat(value)
                except ValueError:
                    self.notify("due date: write it as YYYY-MM-DD", title="Check the form", severity="error")
                    return
            else:
                changed[field] = value
        self.dismiss(changed)

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(Dialog):
    """Yes or no to something that cannot be undone; returns True only for an explicit yes."""

    BINDINGS = [("y", "answer(True)", "Yes"), ("n", "answer(False)", "No")]

    def __init__(self, question: str, yes: str = "Yes"):
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with DialogBody(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            with Horizontal(classes="buttons"):
                yield Button(self.yes, variant="error", id="yes")
                yield Button("No", variant="primary", id="no")
            yield Label("y confirms · n or escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
