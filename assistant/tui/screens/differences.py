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


def _options(view: DifferencesView | TransitionView) -> tuple[str, list[Option], dict[str, ClauseKey]]:
    """The title, the rows, and the clause each selectable row opens.

    A clause may sit in several crosswalk rows (Q1 4.5 links to two ISO clauses), so a row's option id is
    its position, never the clause: option ids must be unique.
    """
    options: list[Option] = []
    targets: dict[str, ClauseKey] = {}

    def target(clause: CitedClause) -> str:
        row_id = f"row-{len(targets)}"
        targets[row_id] = ClauseKey(clause.standard, clause.edition, clause.id)
        return row_id

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
                options.append(Option(prompt, id=target(row.q1)))
        return title, options, targets
    title = f"From {view.source} to {view.target}"
    for note in view.notes:
        options.append(Option(Content(note), disabled=True))
    for section in view.sections:
        options.append(Option(Content.assemble((f"{section.title} ({len(section.items)})", "bold $accent")),
                              disabled=True))
        for item in section.items:
            to_clause = item.to_clauses[0] if item.to_clauses else None
            prompt = Content.assemble(
                ("; ".join(_cite(c) for c in item.from_clauses) or "-", "dim"), ("  →  ", "dim"),
                ("; ".join(_cite(c) for c in item.to_clauses) or "-", "bold"), (f"  [{item.change}]", "italic"),
                f"\n   {item.statement}",
            )
            options.append(Option(prompt, id=target(to_clause) if to_clause else None, disabled=to_clause is None))
    return title, options, targets


class DifferencesScreen(AppScreen):
    """Rows of the crosswalk; enter opens the row's Q1 clause in the browser."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, view: DifferencesView | TransitionView):
        super().__init__()
        self.view = view
        self.targets: dict[str, ClauseKey] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(classes="heading", id="differences-title")
        yield OptionList(id="differences")
        yield IndexStatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.show(self.view)
        self.query_one("#differences", OptionList).focus()

    def show(self, view: DifferencesView | TransitionView) -> None:
        """Fill the screen with a view (also to show another one in place)."""
        title, options, targets = _options(view)
        self.view, self.targets = view, targets
        self.query_one("#differences-title", Static).update(Content(title))
        rows = self.query_one("#differences", OptionList)
        rows.clear_options()
        rows.add_options(options)
        rows.highlighted = next((i for i, option in enumerate(options) if not option.disabled), None)

    @on(OptionList.OptionSelected, "#differences")
    def _open(self, event: OptionList.OptionSelected) -> None:
        key = self.targets.get(event.option.id or "")
        if key is not None:
            self.app.pop_screen()
            self.q1app.open_clause(key)
