"""The differences view: what API Q1 asks beyond ISO 9001 on a topic, or what a transition changes."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from assistant.tui.screens.base import AppScreen
from assistant.tui.widgets.status_bar import IndexStatusBar
from knowledge.catalogue import ClauseKey
from knowledge.differences import CitedClause, DifferencesView, TransitionView


def _cite(clause: CitedClause) -> str:
    return f"{clause.label} {clause.title or '(not in the catalogue)'}"


def _key(clause: CitedClause) -> str:
    return f"{clause.standard}|{clause.edition}|{clause.id}"


def _options(view: DifferencesView | TransitionView) -> tuple[str, list[Option]]:
    options: list[Option] = []
    if isinstance(view, DifferencesView):
        scope = "everything" if view.topic is None else f"“{view.topic}” (matched by {view.matched_by})"
        title = f"API Q1 {view.edition} beyond ISO 9001:2015: {scope}, {len(view.rows)} requirements"
        for group in view.groups:
            options.append(Option(Content.assemble((group.label, "bold $accent")), disabled=True))
            for row in group.rows:
                iso = "; ".join(_cite(c) for c in row.iso) or "no ISO counterpart; nearest " + "; ".join(
                    _cite(c) for c in row.iso_closest
                )
                prompt = Content.assemble(
                    (_cite(row.q1), "bold"), ("  ⇄  ", "dim"), iso, (f"  [{row.relation_plain}]", "italic"),
                    "\n   ", row.beyond_iso or row.rationale, (f"\n   {row.note}" if row.note else "", "dim"),
                )
                options.append(Option(prompt, id=_key(row.q1)))
        return title, options
    title = f"From {view.source} to {view.target}"
    for note in view.notes:
        options.append(Option(Content(note), disabled=True))
    for section in view.sections:
        options.append(Option(Content.assemble((f"{section.title} ({len(section.items)})", "bold $accent")),
                              disabled=True))
        for index, item in enumerate(section.items):
            target = item.to_clauses[0] if item.to_clauses else None
            prompt = Content.assemble(
                ("; ".join(_cite(c) for c in item.from_clauses) or "-", "dim"), ("  →  ", "dim"),
                ("; ".join(_cite(c) for c in item.to_clauses) or "-", "bold"), (f"  [{item.change}]", "italic"),
                f"\n   {item.statement}",
            )
            options.append(Option(prompt, id=_key(target) if target else f"{section.key}-{index}",
                                  disabled=target is None))
    return title, options


class DifferencesScreen(AppScreen):
    """Rows of the crosswalk; enter opens the row's Q1 clause in the browser."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, view: DifferencesView | TransitionView):
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        title, options = _options(self.view)
        yield Header()
        yield Static(Content(title), classes="heading")
        yield OptionList(*options, id="differences")
        yield IndexStatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#differences", OptionList).focus()

    @on(OptionList.OptionSelected, "#differences")
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and event.option.id.count("|") == 2:
            self.app.pop_screen()
            self.app.open_clause(ClauseKey(*event.option.id.split("|")))  # type: ignore[attr-defined]
