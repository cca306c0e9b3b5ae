"""The clause browser: both standards as a tree, a clause's detail, and crosswalk links to follow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Header, OptionList, Select, Static, Tree
from textual.widgets.option_list import Option
from textual.widgets.tree import TreeNode

from assistant.tui.errors import shows_errors
from assistant.tui.screens.base import AppScreen
from assistant.tui.widgets.status_bar import IndexStatusBar
from knowledge.catalogue import DEFAULT_EDITION, ISO, Q1, ClauseKey

if TYPE_CHECKING:
    from index.coverage import CoveringProcedure
    from index.store import StoredPassage
    from knowledge.catalogue import Catalogue, Clause
    from rules.checklist import Question

Q1_EDITIONS = [("API Q1 10th edition", "10th"), ("API Q1 9th edition", "9th")]


def _ref(standard: str, edition: str, clause_id: str, title: str | None) -> str:
    edition_text = f" {edition}" if standard == Q1 else ""
    return f"{standard}{edition_text} {clause_id} {title or '(not in the catalogue)'}"


def detail_content(clause: Clause, catalogue: Catalogue) -> Content:
    """Everything the catalogue says about a clause, in our words (never the standard's text)."""
    parts: list[str | tuple[str, str]] = [(clause.label, "bold $accent"), "  ", (clause.title, "bold")]
    if not clause.verified:
        parts.append((f"  [{clause.confidence.value}]", "dim"))
    ancestors = catalogue.ancestors(clause)
    if ancestors:
        parts.append(("\n" + " › ".join(f"{a.id} {a.title}" for a in ancestors), "dim"))
    parts += ["\n\n", clause.summary]
    if clause.evidence:
        parts.append(("\n\nEvidence to ask for", "bold"))
        parts += [f"\n • {item}" for item in clause.evidence]
    needs = [n for n, flag in (("a documented procedure", clause.documented_procedure),
                                ("records", clause.records)) if flag]
    if needs:
        parts.append((f"\n\nAsks for {' and '.join(needs)}.", "italic"))
    if clause.keywords:
        parts.append((f"\nSite words: {', '.join(clause.keywords)}", "dim"))
    if clause.note:
        parts.append((f"\nNote: {clause.note}", "dim italic"))
    return Content.assemble(*parts)


def extras_content(
    questions: list[Question], procedures: list[CoveringProcedure], licensed: list[StoredPassage],
    process_titles: dict[str, str],
) -> Content:
    parts: list[str | tuple[str, str]] = [("Checklist questions", "bold")]
    parts += [f"\n • {q.text}  ({process_titles.get(q.process, q.process)})" for q in questions] or [
        ("\n none cite this clause", "dim")]
    parts.append(("\n\nCompany procedures", "bold"))
    for p in procedures:
        score = f" {p.score:.2f}" if p.score is not None else ""
        parts += [f"\n • {p.doc} {p.title}: {p.section} ", (f"({p.how}{score})", "dim")]
    if not procedures:
        parts.append(("\n none cite or match this clause", "dim"))
    if licensed:
        parts.append(("\n\nYour licensed copy", "bold"))
        for passage in licensed[:3]:
            page = f" p. {passage.page}" if passage.page else ""
            parts += [(f"\n{passage.section}{page}: ", "dim"), passage.text[:600]]
    return Content.assemble(*parts)


class ClauseBrowserScreen(AppScreen):
    """Tree on the left, detail on the right; tab reaches the links, enter follows one."""

    BINDINGS = [
        Binding("escape", "app.back", "Back"),
        Binding("l", "focus_links", "Links"),
        Binding("t", "focus_tree", "Tree"),
        Binding("d", "differences", "Q1 vs ISO"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.current: ClauseKey | None = None
        self._pending: ClauseKey | None = None
        self._tree_nodes: dict[ClauseKey, TreeNode] = {}
        self._edition = DEFAULT_EDITION[Q1]


    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="browser"):
            with Vertical(id="tree-pane"):
                yield Select(Q1_EDITIONS, value=self._edition, allow_blank=False, id="edition")
                tree: Tree[ClauseKey] = Tree("Standards", id="clauses")
                tree.show_root = False
                yield tree
            with VerticalScroll(id="detail"):
                yield Static("Loading the clause catalogue…", id="detail-body")
                yield Static("Crosswalk and edition links", classes="heading", id="links-heading")
                yield OptionList(id="links")
                yield Static("", id="detail-extras")
        yield IndexStatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.q1app, "knowledge_ready", self._knowledge_ready)

    def _knowledge_ready(self, ready: bool) -> None:
        if ready:
            self._fill_tree()
            target = self._pending or self.current or ClauseKey(Q1, self._edition, "5.5")
            self._pending = None
            self.show_clause(target)

    # --- tree ------------------------------------------------------------------------------------

    def _fill_tree(self) -> None:
        catalogue = self.q1app.backend.catalogue
        tree = self.query_one("#clauses", Tree)
        tree.clear()
        self._tree_nodes.clear()
        for standard, edition in ((Q1, self._edition), (ISO, DEFAULT_EDITION[ISO])):
            label = f"API Q1 {edition} edition" if standard == Q1 else "ISO 9001:2015"
            top = tree.root.add(label, expand=True)
            for clause in catalogue.clauses(standard, edition):
                if clause.parent is None:
                    self._add(top, clause, catalogue)

    def _add(self, parent: TreeNode, clause: Clause, catalogue: Catalogue) -> None:
        children = catalogue.children(clause)
        label = Text.assemble((clause.id, "bold"), f" {clause.title}")  # Tree labels are Rich text
        node = parent.add(label, data=clause.key, allow_expand=bool(children))
        self._tree_nodes[clause.key] = node
        for child in children:
            self._add(node, child, catalogue)

    @on(Select.Changed, "#edition")
    def _edition_changed(self, event: Select.Changed) -> None:
        if event.value == self._edition or not self.q1app.knowledge_ready:
            return
        self._edition = str(event.value)
        self._fill_tree()
        self.show_clause(self._same_clause_in(self._edition))

    def _same_clause_in(self, edition: str) -> ClauseKey:
        """Where the clause being shown sits in the other Q1 edition (the edition map), else the top."""
        catalogue = self.q1app.backend.catalogue
        if self.current is not None and self.current.standard == Q1:
            clause = catalogue.get(*self.current)
            for move in catalogue.edition_moves(clause) if clause else []:
                target = move.q1_10th if edition == "10th" else move.q1_9th
                if target and catalogue.get(Q1, edition, target):
                    return ClauseKey(Q1, edition, target)
        first = catalogue.clauses(Q1, edition)[0]
        return first.key if self.current is None or self.current.standard == Q1 else self.current

    @on(Tree.NodeHighlighted, "#clauses")
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        if event.node.data is not None and event.node.data != self.current:
            self._show_detail(event.node.data)

    # --- showing a clause ------------------------------------------------------------------------

    def show_clause(self, key: ClauseKey) -> None:
        """Select a clause in the tree (switching the Q1 edition if needed) and show its detail."""
        if not self._tree_nodes:  # not mounted yet, or the catalogue is still loading
            self._pending = key
            return
        if key.standard == Q1 and key.edition != self._edition:
            self._edition = key.edition
            self.query_one("#edition", Select).value = key.edition
            self._fill_tree()
        node = self._tree_nodes.get(key)
        if node is None:
            self.notify(f"{key} is not in the catalogue", severity="warning")
            return
        ancestor = node.parent
        while ancestor is not None:
            ancestor.expand()
            ancestor = ancestor.parent
        tree = self.query_one("#clauses", Tree)
        self._show_detail(key)
        tree.call_after_refresh(tree.move_cursor, node)
        tree.call_after_refresh(tree.scroll_to_node, node)

    def _show_detail(self, key: ClauseKey) -> None:
        from knowledge.clause_detail import clause_detail

        catalogue = self.q1app.backend.catalogue
        clause = catalogue.get(*key)
        if clause is None:
            return
        self.current = key
        self.query_one("#detail-body", Static).update(detail_content(clause, catalogue))
        links = self.query_one("#links", OptionList)
        links.clear_options()
        detail = clause_detail(clause, catalogue)
        options: list[Option] = []
        for view in detail.links:
            if view.counterpart is not None:
                c = view.counterpart
                text = f"→ {_ref(c.standard, c.edition, c.id, c.title)}  ({view.relation_plain})"
                options.append(Option(text, id=f"{c.standard}|{c.edition}|{c.id}"))
            for near in view.nearest_iso:
                text = f"→ nearest ISO: {_ref(near.standard, near.edition, near.id, near.title)}  (Q1 only)"
                options.append(Option(text, id=f"{near.standard}|{near.edition}|{near.id}"))
            if view.beyond_iso:
                options.append(Option(f"   Q1 asks beyond ISO: {view.beyond_iso}", disabled=True))
        for move in detail.edition_moves:
            other_edition = "9th" if clause.edition == "10th" else "10th"
            other = move.q1_9th if other_edition == "9th" else move.q1_10th
            if other:
                moved = catalogue.get(Q1, other_edition, other)
                text = f"↺ {_ref(Q1, other_edition, other, moved.title if moved else None)}  ({move.change.value})"
                options.append(Option(text, id=f"{Q1}|{other_edition}|{other}"))
        unique: dict[str, Option] = {}
        for option in options:  # one line per target, the first (most specific) wins
            unique.setdefault(option.id or f"text:{option.prompt}", option)
        links.add_options(list(unique.values()) or [Option("No crosswalk link for this clause", disabled=True)])
        self.query_one("#detail-extras", Static).update(Content("Loading questions and procedures…"))
        self._load_extras(key)

    @work(thread=True, exclusive=True, group="clause-extras", exit_on_error=False, description="Clause detail")
    def _load_extras(self, key: ClauseKey) -> None:
        backend = self.q1app.backend
        clause = backend.catalogue.get(*key)
        checklist = backend.sessions.engine.checklist
        titles = {process: checklist.title(process) for process in checklist.processes()}
        content = extras_content(backend.questions_for(clause), backend.procedures_for(clause),
                                 backend.licensed_text(key), titles)
        self.app.call_from_thread(self._show_extras, key, content)

    def _show_extras(self, key: ClauseKey, content: Content) -> None:
        if key == self.current:
            self.query_one("#detail-extras", Static).update(content)

    @on(OptionList.OptionSelected, "#links")
    def _follow(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            standard, edition, clause_id = event.option.id.split("|")
            self.show_clause(ClauseKey(standard, edition, clause_id))
            self.query_one("#links", OptionList).focus()

    def action_focus_links(self) -> None:
        self.query_one("#links", OptionList).focus()

    def action_focus_tree(self) -> None:
        self.query_one("#clauses", Tree).focus()

    @shows_errors
    def action_differences(self) -> None:
        """What Q1 asks beyond ISO 9001 for the clause shown, its sub-clauses included."""
        from knowledge.differences import differences

        if self.current is not None:
            edition = self.current.edition if self.current.standard == Q1 else self._edition
            catalogue = self.q1app.backend.catalogue
            clause = catalogue.get(*self.current)
            # The clause's label ("API Q1 10th 4.5") is the view's title: the stored key is not for people.
            topic = clause.label if clause is not None else str(self.current)
            self.q1app.open_differences(differences(topic, catalogue, edition))
