"""The help screen: every key and chat command on one page."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from assistant.tui.screens.base import Dialog
from assistant.tui.screens.interview import HELP as INTERVIEW_HELP

KEYS = [
    ("Everywhere", [
        ("F1", "this help"), ("F2", "ask (chat)"), ("F3", "clause browser"), ("F4", "audit sessions"),
        ("F5", "findings of the open session"), ("F6", "answers of the open session"),
        ("ctrl+p", "command palette: clauses by number or words, sessions"),
        ("ctrl+e", "export the open session"), ("ctrl+r", "rebuild the search index when it is stale"),
        ("ctrl+t", "light / dark theme"), ("ctrl+q", "quit"), ("tab / shift+tab", "move between panes and cards"),
    ]),
    ("Chat", [
        ("enter", "ask; a clause number (5.11, ISO 8.4.2) opens the clause"),
        ("tab, enter", "focus an answer card, open its clause"), ("escape", "back to the input"),
        ("F7", "API Q1 edition of the answers: 10th, 9th, both"),
        ("page up / down", "scroll the answers (or the mouse wheel)"),
    ]),
    ("Clause browser", [
        ("↑ ↓ ← →", "move in the tree"), ("l / t", "to the links / to the tree"),
        ("enter on a link", "follow it"), ("d", "what Q1 asks beyond ISO 9001 here"),
        ("escape", "back where you came from"),
    ]),
    ("Audit sessions", [
        ("n", "new session (ctrl+s creates)"), ("enter", "resume"), ("e", "edit the header, conclusions"),
        ("s", "status: in progress, in review, closed"), ("a", "answers"), ("delete", "delete (asks first)"),
        ("b", "who is answering and deciding (default: the lead auditor)"),
    ]),
    ("Interview", [("ctrl+o", "open the question's clauses"), ("ctrl+b", "previous question"),
                   ("1 2 ...", "pick the reading of an answer asked back"), ("escape", "leave the interview")]),
    ("Answers", [("1 2 3 4", "all, unanswered, no, partial"), ("enter", "answer the question again")]),
    ("Findings", [
        ("c", "confirm"), ("d", "dismiss (with a reason)"), ("g", "regrade"), ("a", "corrective action"),
        ("o", "reopen"), ("r", "reinstate a withdrawn finding"), ("e", "export"),
        ("h", "show or fold the escalation hints"), ("escape", "back"),
    ]),
]


def help_content() -> Content:
    parts: list[str | tuple[str, str]] = [("q1audit keys", "bold $accent")]
    for section, keys in KEYS:
        parts.append((f"\n\n{section}", "bold"))
        for key, what in keys:
            parts += ["\n  ", (f"{key:<16}", "bold"), what]
    parts.append("\n\nAsk “how does Q1 differ from ISO on purchasing?” for the differences view.")
    parts += [("\n\nInterview\n", "bold"), INTERVIEW_HELP, ("\n\nescape or F1 closes this help.", "dim")]
    return Content.assemble(*parts)


class HelpScreen(Dialog):
    BINDINGS = [("f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide", id="help"):
            yield Static(help_content())
