"""The app's one door to the services: loads them off the UI thread and answers what screens ask.

Nothing here touches a widget. Every `load_*` and `rebuild` method is meant for a worker thread;
the getters block until what they need has loaded, so call them from workers too until
`Q1AuditApp.knowledge_ready` / `sessions_ready` say the wait is over.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from assistant.locations import DataPaths

if TYPE_CHECKING:
    from assistant.sessions.service import SessionService
    from assistant.sessions.turn import AuditSession
    from index.coverage import CoveringProcedure
    from index.embedder import Embedder
    from index.search import AskResponse, SearchService
    from index.store import StoredPassage
    from knowledge.catalogue import Catalogue, Clause, ClauseKey
    from knowledge.differences import DifferencesView, TransitionView
    from rules.checklist import Question

Phase = Literal["loading", "semantic", "lexical", "stale", "building"]
Q1Edition = Literal["10th", "9th", "both"]
"""Which API Q1 edition the chat answers from (many sites are still moving from the 9th)."""
LOAD_TIMEOUT = 120.0
"""Seconds a getter waits for the services to load before giving up with an error."""


@dataclass(frozen=True)
class IndexState:
    """What search can do right now, as the status bar shows it (a dataclass: the first paint does not wait
    for pydantic to import)."""

    phase: Phase = "loading"
    detail: str = "loading the clause catalogue"
    done: int = 0
    total: int = 0

    @property
    def lexical_reason(self) -> str:
        """Why an answer came from keyword search only, in the auditor's words."""
        return {
            "loading": "the embedding model is still loading",
            "stale": "the search index is out of date (ctrl+r rebuilds it)",
            "building": "the search index is being rebuilt",
        }.get(self.phase, self.detail)


@dataclass(frozen=True)
class Reply:
    """What the chat shows for one input: clauses to open, search results, a comparison, or a message."""

    kind: Literal["open", "search", "differences", "message"]
    query: str
    clauses: list[ClauseKey] = field(default_factory=list)
    response: AskResponse | None = None
    view: DifferencesView | TransitionView | None = None
    """For a comparison question: the differences table or the transition list."""
    message: str = ""


class ServiceUnavailable(Exception):
    """A service did not load in time (a bug or a broken install, not a user mistake)."""


class Backend:
    """Search, catalogue, sessions and rules for the UI, loaded lazily and safe to call from worker threads."""

    def __init__(self, paths: DataPaths, embedder_factory: Callable[[], Embedder] | None = None,
                 acting_as: str | None = None):
        self.paths = paths
        self.acting_as = acting_as
        """Who answers and decides (`q1audit tui --by`, or chosen in the app); None: each session's lead
        auditor, else the login name, as the CLI does."""
        self._embedder_factory = embedder_factory
        self._knowledge_loaded = threading.Event()
        self._sessions_loaded = threading.Event()
        self._search: SearchService | None = None
        self._sessions: SessionService | None = None
        self._embedder: Embedder | None = None
        self._embedder_loading: Future[Embedder] | None = None
        self._coverage: dict[tuple, dict[str, list[CoveringProcedure]]] = {}

    # --- loading (worker threads) ------------------------------------------------------------------

    def load_knowledge(self) -> IndexState:
        """The catalogue and a keyword-only search service (about a second).

        The model starts loading alongside: onnxruntime builds its session outside the GIL.
        """
        from assistant.recovery import recover
        from assistant.search_service import checklist_dir
        from index.search import SearchService
        from knowledge.catalogue import load_catalogue

        # After a kill: finish a restore, drop stale copies and orphan files, before any database is opened
        # (the CLI does it before every command; here it waits until the window is up).
        recover(self.paths)
        self._embedder_loading = self._embedder_loading or self._start_embedder()

        self._search = SearchService(
            self.paths.knowledge_db, self.paths.index_dir, load_catalogue(), checklist_dir=checklist_dir()
        )
        self._knowledge_loaded.set()
        return IndexState(phase="loading", detail="keyword search ready; loading the embedding model")

    def load_sessions(self) -> None:
        """The session service with its checklist and rule packs (a few seconds on first use)."""
        from assistant.sessions.service import SessionService

        service = SessionService(self.paths)
        service.engine  # noqa: B018 - loads and validates the checklist and packs now, not at the first answer
        self._sessions = service
        self._sessions_loaded.set()

    def load_embedder(self) -> IndexState:
        """The embedding model; search turns semantic at once if the index on disk matches it."""
        from index.embedder import EmbedderUnavailable

        try:
            self._embedder = (self._embedder_loading or self._start_embedder()).result()
        except EmbedderUnavailable as exc:
            self.search.model_error = str(exc)
            return IndexState(phase="lexical", detail=f"keyword search only: {exc}")
        status = self.search.builder.status(self._embedder.name, self._embedder)
        if status.state != "current":
            return IndexState(phase="stale", detail=f"index {status.state}: {status.reason}")
        self.search.attach_embedder(self._embedder)
        self.search.warm_up()
        return self._semantic_state(status.passages)

    def _start_embedder(self) -> Future[Embedder]:
        """Load the model in a thread of its own; the future holds the embedder or the load's error."""
        from index.embedder import load_default_embedder

        factory = self._embedder_factory or (lambda: load_default_embedder(self.paths.index_dir))
        loading: Future[Embedder] = Future()

        def load() -> None:
            try:
                loading.set_result(factory())
            except BaseException as exc:  # handed to load_embedder, which reports it
                loading.set_exception(exc)

        threading.Thread(target=load, name="load-embedder", daemon=True).start()
        return loading

    def rebuild(self, progress: Callable[[int, int], None]) -> IndexState:
        """Bring the vector index up to date, then search semantically."""
        from index.embedder import EmbedderUnavailable

        if self._embedder is None:
            raise EmbedderUnavailable("the embedding model is not loaded: search stays keyword-only")
        report = self._probe().build(progress=progress, export=True)
        self.search.attach_embedder(self._embedder)
        self._coverage.clear()
        return self._semantic_state(report.passages)

    def _probe(self) -> SearchService:
        """A service with the model attached, for checking and building the index while the live one
        stays keyword-only (the live one would rebuild inside a query, with no progress shown)."""
        from index.search import SearchService

        return SearchService(self.paths.knowledge_db, self.paths.index_dir, self.catalogue, self._embedder)

    def _semantic_state(self, passages: int) -> IndexState:
        name = self._embedder.name if self._embedder else "?"
        note = f"; {self._embedder.note}" if getattr(self._embedder, "note", None) else ""
        return IndexState(phase="semantic", detail=f"semantic search ready ({passages} passages, {name}){note}")

    # --- services ---------------------------------------------------------------------------------

    @property
    def search(self) -> SearchService:
        if not self._knowledge_loaded.wait(LOAD_TIMEOUT) or self._search is None:
            raise ServiceUnavailable("the clause catalogue did not load")
        return self._search

    @property
    def catalogue(self) -> Catalogue:
        return self.search.catalogue

    @property
    def sessions(self) -> SessionService:
        if not self._sessions_loaded.wait(LOAD_TIMEOUT) or self._sessions is None:
            raise ServiceUnavailable("the audit checklist did not load")
        return self._sessions

    def audit(self, session_id: str) -> AuditSession:
        """The session's audit turn, acting as the person chosen now (asked each time: the choice or the
        session's lead auditor may change while the app runs)."""
        from assistant.sessions.turn import who_acts

        turn = self.sessions.audit(session_id)
        turn.by = who_acts(turn.session, self.acting_as)
        return turn

    # --- chat -------------------------------------------------------------------------------------

    def reply(self, text: str, top: int = 3, edition: Q1Edition = "10th") -> Reply:
        """Route one chat input: a clause reference opens the clause, a comparison question ("how does Q1
        differ from ISO on purchasing?") opens the differences view, anything else is searched."""
        from knowledge.clause_refs import (
            find_clauses,
            looks_like_clause_ref,
            read_clause_numbers,
            resolve_clause_ref,
        )
        from knowledge.differences import DifferencesError, comparison_view
        from knowledge.errors import ClauseNotFoundError

        text = " ".join(text.split())
        if looks_like_clause_ref(text):
            found = find_clauses(text, self.catalogue)
            if found:
                # Read as search reads it: the chosen Q1 edition first; a number that names another clause in the
                # other edition (5.5: Purchasing in the 10th, Contingency Planning in the 9th), or exists in one
                # edition only (with its home in the other), offers both to pick from.
                first = "10th" if edition == "both" else edition
                readings = [r.key for r in read_clause_numbers(text, self.catalogue, first)
                            if r.role != "counterpart" and not (r.same_clause and r.key.edition != first
                                                                 and edition != "both")]
                return Reply(kind="open", query=text, clauses=readings or [c.key for c in found])
            try:
                resolve_clause_ref(text, self.catalogue)
            except ClauseNotFoundError as exc:
                return Reply(kind="message", query=text, message=str(exc))
        try:
            view = comparison_view(text, self.catalogue, "10th" if edition == "both" else edition)
        except DifferencesError as exc:
            return Reply(kind="message", query=text, message=str(exc))
        if view is not None:
            return Reply(kind="differences", query=text, view=view)
        return self.reply_search(text, top, edition)

    def reply_search(self, text: str, top: int = 3, edition: Q1Edition = "10th") -> Reply:
        """Search only (the interview's `/ask`): clause numbers in the text rank that clause first.

        The 10th edition is searched with ISO 9001; the 9th alone (its ISO partners come from the
        crosswalk); both merges the two by score.
        """
        if edition == "10th":
            return Reply(kind="search", query=text, response=self.search.ask(text, top=top))
        ninth = self.search.ask(text, top=top, edition="9th")
        if edition == "9th":
            return Reply(kind="search", query=text, response=ninth)
        tenth = self.search.ask(text, top=top)
        extra = [r for r in ninth.results if r.kind == "clause"]
        results = sorted(tenth.results + extra, key=lambda r: -r.score)
        return Reply(kind="search", query=text, response=tenth.model_copy(update={"results": results}))

    # --- clause detail ----------------------------------------------------------------------------

    def questions_for(self, clause: Clause) -> list[Question]:
        """Checklist questions that cite the clause."""
        wanted = (clause.standard, clause.edition, clause.id)
        return [
            q
            for q in self.sessions.engine.checklist.questions()
            if any((s, e, i) == wanted for _, s, e, i in q.clauses.keyed())
        ]

    def procedures_for(self, clause: Clause) -> list[CoveringProcedure]:
        """Company procedures that cite or match the clause (the coverage map, cached per edition)."""
        from index.coverage import build_coverage

        search = self.search
        key = (clause.standard, clause.edition, search.store.version(), search.embedder is not None)
        if key not in self._coverage:
            report = build_coverage(search, clause.standard, clause.edition)
            self._coverage[key] = {row.id: row.procedures for row in report.clauses}
        return self._coverage[key].get(clause.id, [])

    def licensed_text(self, key: ClauseKey) -> list[StoredPassage]:
        """Passages of the user's imported copy of the standard filed under this clause."""
        return self.search.store.passages(
            "d.kind = 'standard' and d.standard = ? and d.edition = ? and p.clause_id = ?",
            (key.standard, key.edition, key.id),
        )
