"""The new-session form: the audit header (title, type, scope, standards, team, auditees, dates, place)."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, SelectionList

from assistant.sessions.models import Auditee, AuditTeam, Criteria, Scope, SessionHeader
from rules.checklist import AUDIT_TYPES

if TYPE_CHECKING:
    from rules.checklist import Checklist

STANDARDS = [("API Q1 10th edition", "API Q1:10th", True), ("ISO 9001:2015", "ISO 9001:2015", True),
             ("API Q1 9th edition", "API Q1:9th", False)]
_AUDITEE = re.compile(r"^\s*(?P<name>[^()]+?)\s*(?:\((?P<role>[^)]*)\))?\s*$")


class FormError(ValueError):
    """A field the auditor filled in wrongly; the message names the field."""


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;]", text) if part.strip()]


def _date(field: str, text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise FormError(f"{field}: write the date as YYYY-MM-DD, e.g. 2025-03-11") from None


def _auditees(text: str) -> list[Auditee]:
    people = []
    for part in _split(text):
        match = _AUDITEE.match(part)
        if match is None:
            raise FormError(f"auditees: cannot read {part!r}; write 'Name (role), Name (role)'")
        people.append(Auditee(name=match["name"], role=match["role"] or ""))
    return people


class SessionFormScreen(Screen):
    """Returns a SessionHeader (ctrl+s or the Create button), or None (escape)."""

    BINDINGS = [Binding("ctrl+s", "create", "Create"), Binding("escape", "cancel", "Cancel")]

    def __init__(self, checklist: Checklist):
        super().__init__()
        self.checklist = checklist

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="form"):
            yield Label("Title", classes="field")
            yield Input(placeholder="Purchasing audit, Houston plant", id="title")
            yield Label("Audit type", classes="field")
            yield Select([(t, t) for t in AUDIT_TYPES], value="internal", allow_blank=False, id="audit-type")
            yield Label("Processes in scope (space ticks; none ticked means all)", classes="field")
            yield SelectionList[str](
                *((self.checklist.title(p), p) for p in self.checklist.processes()), id="processes"
            )
            yield Label("Standards audited against", classes="field")
            yield SelectionList[str](*STANDARDS, id="standards")
            yield Label("Lead auditor", classes="field")
            yield Input(id="lead")
            yield Label("Team members (comma separated)", classes="field")
            yield Input(id="members")
            yield Label("Auditees: Name (role), Name (role)", classes="field")
            yield Input(placeholder="Dana Ortiz (purchasing manager)", id="auditees")
            with Horizontal(classes="dates"):
                yield Input(placeholder="start YYYY-MM-DD", id="start")
                yield Input(placeholder="end YYYY-MM-DD", id="end")
            yield Label("Location", classes="field")
            yield Input(id="location")
            with Horizontal(classes="buttons"):
                yield Button("Create session", variant="primary", id="create")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value

    def header(self) -> SessionHeader:
        """The header as filled in; FormError or ValidationError when a field is wrong."""
        title = self._value("#title").strip()
        if not title:
            raise FormError("title: give the audit a title")
        start, end = _date("start date", self._value("#start")), _date("end date", self._value("#end"))
        return SessionHeader(
            title=title,
            audit_type=self.query_one("#audit-type", Select).value,
            scope=Scope(processes=list(self.query_one("#processes", SelectionList).selected)),
            criteria=Criteria(standards=list(self.query_one("#standards", SelectionList).selected)),
            team=AuditTeam(lead=self._value("#lead").strip() or None, members=_split(self._value("#members"))),
            auditees=_auditees(self._value("#auditees")),
            start_date=start,
            end_date=end,
            location=self._value("#location").strip() or None,
        )

    def action_create(self) -> None:
        try:
            header = self.header()
        except FormError as exc:
            self.notify(str(exc), title="Check the form", severity="error")
            return
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"]) or "header"
            self.notify(f"{where}: {error['msg']}", title="Check the form", severity="error")
            return
        self.dismiss(header)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        self.action_create()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()
