"""The session form: the audit header (title, type, scope, standards, team, auditees, dates, place, conclusions),
for a new session or to edit one."""

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
from textual.widgets import Button, Footer, Header, Input, Label, Select, SelectionList, TextArea

from assistant.sessions.models import Auditee, AuditTeam, Criteria, Scope, SessionHeader
from assistant.tui.errors import SurvivesBugs
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


class SessionFormScreen(SurvivesBugs, Screen):
    """Returns a SessionHeader (ctrl+s or the Save button), or None (escape). Given a header, edits it."""

    BINDINGS = [Binding("ctrl+s", "create", "Save"), Binding("escape", "cancel", "Cancel")]

    def __init__(self, checklist: Checklist, header: SessionHeader | None = None):
        super().__init__()
        self.checklist = checklist
        self.original = header

    def compose(self) -> ComposeResult:
        h = self.original or SessionHeader(title="-", criteria=Criteria(standards=[v for _, v, on in STANDARDS if on]))
        text = "" if self.original is None else None  # a new session starts with empty fields

        def value(current: str | None) -> str:
            return text if text is not None else (current or "")

        processes = set(h.scope.processes)
        standards = set(h.criteria.standards)
        yield Header()
        with VerticalScroll(id="form"):
            yield Label("Title", classes="field")
            yield Input(value(h.title), placeholder="Purchasing audit, Houston plant", id="title")
            yield Label("Audit type", classes="field")
            yield Select([(t, t) for t in AUDIT_TYPES], value=h.audit_type, allow_blank=False, id="audit-type")
            yield Label("Processes in scope (space ticks; none ticked means all)", classes="field")
            yield SelectionList[str](
                *((self.checklist.title(p), p, p in processes) for p in self.checklist.processes()), id="processes"
            )
            yield Label("Standards audited against", classes="field")
            yield SelectionList[str](*((label, v, v in standards) for label, v, _ in STANDARDS), id="standards")
            yield Label("Objectives (separated by ;)", classes="field")
            yield Input("; ".join(h.objectives), id="objectives")
            yield Label("Lead auditor", classes="field")
            yield Input(value(h.team.lead), id="lead")
            yield Label("Team members (comma separated)", classes="field")
            yield Input(", ".join(h.team.members), id="members")
            yield Label("Auditees: Name (role), Name (role)", classes="field")
            yield Input(", ".join(f"{a.name} ({a.role})" if a.role else a.name for a in h.auditees),
                        placeholder="Dana Ortiz (purchasing manager)", id="auditees")
            yield Label("Client (who asked for the audit)", classes="field")
            yield Input(value(h.client), id="client")
            yield Label("Sites, products (comma separated)", classes="field")
            with Horizontal(classes="pair-fields"):
                yield Input(", ".join(h.scope.sites), placeholder="sites", id="sites")
                yield Input(", ".join(h.scope.products), placeholder="products", id="products")
            yield Label("First and last audit day (YYYY-MM-DD)", classes="field")
            with Horizontal(classes="pair-fields"):
                yield Input(str(h.start_date or ""), placeholder="first day", id="start")
                yield Input(str(h.end_date or ""), placeholder="last day", id="end")
            yield Label("Location", classes="field")
            yield Input(value(h.location), id="location")
            if self.original is not None:
                yield Label("Conclusions (the report drafts one while this is empty)", classes="field")
                yield TextArea(h.conclusions, id="conclusions", classes="long-text")
                yield Label("Diverging opinions (team and auditee could not settle)", classes="field")
                yield TextArea(h.diverging_opinions, id="diverging", classes="long-text")
            with Horizontal(classes="buttons"):
                yield Button("Create session" if self.original is None else "Save", variant="primary", id="create")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value

    def _long(self, selector: str, current: str) -> str:
        found = self.query(selector)
        return found.first(TextArea).text.strip() if found else current

    def header(self) -> SessionHeader:
        """The header as filled in; FormError or ValidationError when a field is wrong."""
        title = self._value("#title").strip()
        if not title:
            raise FormError("title: give the audit a title")
        start, end = _date("first audit day", self._value("#start")), _date("last audit day", self._value("#end"))
        if start and end and end < start:
            raise FormError(f"dates: the last audit day {end} is before the first {start}")
        ticked = set(self.query_one("#processes", SelectionList).selected)
        original = self.original or SessionHeader(title=title)
        return SessionHeader(
            title=title,
            audit_type=self.query_one("#audit-type", Select).value,
            objectives=[o.strip() for o in self._value("#objectives").split(";") if o.strip()],
            # In checklist order, whatever order the boxes were ticked in.
            scope=Scope(processes=[p for p in self.checklist.processes() if p in ticked],
                        sites=_split(self._value("#sites")), products=_split(self._value("#products"))),
            criteria=original.criteria.model_copy(
                update={"standards": list(self.query_one("#standards", SelectionList).selected)}),
            team=AuditTeam(lead=self._value("#lead").strip() or None, members=_split(self._value("#members"))),
            auditees=_auditees(self._value("#auditees")),
            client=self._value("#client").strip() or None,
            start_date=start,
            end_date=end,
            location=self._value("#location").strip() or None,
            conclusions=self._long("#conclusions", original.conclusions),
            diverging_opinions=self._long("#diverging", original.diverging_opinions),
        )

    def action_create(self) -> None:
        try:
            header = self.header()
        except FormError as exc:
            self.notify(str(exc), title="Check the form", severity="error")
            return
        except ValidationError as exc:
            error = exc.errors()[0]
            where = " ".join(str(p) for p in error["loc"]).replace("_", " ")
            message = str(error["msg"]).removeprefix("Value error, ")
            self.notify(f"{where}: {message}" if where else message, title="Check the form", severity="error")
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
