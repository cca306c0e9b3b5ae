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

from pydantic import BaseModel, ConfigDict

from assistant.locations import DataPaths

if TYPE_CHECKING:
    from assistant.sessions.service import SessionService
    from index.coverage import CoveringProcedure
    from index.embedder import Embedder
    from index.search import AskResponse, SearchService
    from index.store import StoredPassage
    from knowledge.catalogue import Catalogue, Clause, ClauseKey
    from knowledge.differences import DifferencesView, TransitionView
    from rules.checklist import Question

Phase = Literal["loading", "semantic", "lexical", "stale", "building"]
LOAD_TIMEOUT = 120.0
"""Seconds a getter waits for the services to load before giving up with an error."""


class IndexState(BaseModel):
    """What search can do right now, as the status bar shows it."""

    model_config = ConfigDict(frozen=True)

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

    def __init__(self, paths: DataPaths, embedder_factory: Callable[[], Embedder] | None = None):
        self.paths = paths
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
        from index.search import SearchService
        from knowledge.catalogue import load_catalogue
        from rules.checklist import CHECKLIST_DIR

        self._embedder_loading = self._embedder_loading or self._start_embedder()

        self._search = SearchService(
            self.paths.knowledge_db, self.paths.index_dir, load_catalogue(), checklist_dir=CHECKLIST_DIR
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

    # --- chat -------------------------------------------------------------------------------------

    def reply(self, text: str, top: int = 3) -> Reply:
        """Route one chat input: a clause reference opens the clause, a comparison question ("how does Q1
        differ from ISO on purchasing?") opens the differences view, anything else is searched."""
        from knowledge.clause_refs import find_clauses, looks_like_clause_ref, resolve_clause_ref
        from knowledge.differences import DifferencesError, comparison_view
        from knowledge.errors import ClauseNotFoundError

        text = " ".join(text.split())
        if looks_like_clause_ref(text):
            found = find_clauses(text, self.catalogue)
            if found:
                return Reply(kind="open", query=text, clauses=[c.key for c in found])
            try:
                resolve_clause_ref(text, self.catalogue)
            except ClauseNotFoundError as exc:
                return Reply(kind="message", query=text, message=str(exc))
        try:
            view = comparison_view(text, self.catalogue)
        except DifferencesError as exc:
            return Reply(kind="message", query=text, message=str(exc))
        if view is not None:
            return Reply(kind="differences", query=text, view=view)
        return self.reply_search(text, top)

    def reply_search(self, text: str, top: int = 3) -> Reply:
        """Search only (the interview's `/ask`): clause numbers in the text rank that clause first."""
        return Reply(kind="search", query=text, response=self.search.ask(text, top=top))

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
