"""TUI fixtures: a data directory with three sample procedures and an index built by the hashing embedder."""

from __future__ import annotations

import contextlib
import shutil
from datetime import date
from pathlib import Path

import pytest
from textual.worker import WorkerCancelled

from assistant.locations import DataPaths
from assistant.sessions.archive import read_archive
from assistant.sessions.merge import merge_into
from assistant.sessions.models import Scope, SessionHeader
from assistant.sessions.service import SessionService
from assistant.tui.app import Q1AuditApp, create_app
from index.embedder import EmbedderUnavailable, HashingEmbedder
from index.importer import import_files
from index.search import SearchService
from knowledge import SAMPLE_QMS_DIR
from knowledge.catalogue import load_catalogue

SAMPLES = SAMPLE_QMS_DIR
DOCS = [
    "QP-07_purchasing_and_supplier_evaluation.md",
    "QP-12_control_of_tmmde.md",
    "QP-15_nonconforming_product.md",
]


@pytest.fixture(scope="session")
def built_home(tmp_path_factory) -> Path:
    """Built once per run: importing and embedding is the slow part."""
    root = tmp_path_factory.mktemp("tui-home")
    paths = DataPaths(root)
    catalogue = load_catalogue()
    service = SearchService(paths.knowledge_db, paths.index_dir, catalogue, HashingEmbedder())
    outcomes = list(import_files(service.store, [SAMPLES / d for d in DOCS], catalogue, paths.documents_dir))
    assert all(o.error is None for o in outcomes)
    service.build()
    service.store.close()
    return root


@pytest.fixture
def tui_paths(built_home, tmp_path) -> DataPaths:
    root = tmp_path / "home"
    shutil.copytree(built_home, root)
    return DataPaths(root)


def _no_model() -> HashingEmbedder:
    raise EmbedderUnavailable("embedding model switched off for this test")


@pytest.fixture
def make_app(tui_paths):
    """`make_app()` has semantic search (hashing embedder); `make_app(model=False)` is keyword-only.

    The app survives its own bugs (notified and logged); a test fails if any app it made met one.
    """
    made: list[Q1AuditApp] = []

    def make(model: bool = True) -> Q1AuditApp:
        app = create_app(tui_paths, HashingEmbedder if model else _no_model)
        made.append(app)
        return app

    yield make
    errors = [error for app in made for error in app.unexpected_errors]
    assert not errors, f"the app met unexpected errors: {errors!r}"


async def _settle(pilot, phase: str | None = "semantic") -> None:
    app = pilot.app
    for _ in range(400):
        # A worker replaced by a newer one of its exclusive group (another clause opened) is cancelled: go on.
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()
        if app.knowledge_ready and app.sessions_ready and (phase is None or app.index_state.phase == phase):
            return
    raise AssertionError(f"app did not settle: {app.index_state}")


@pytest.fixture
def settle():
    """`await settle(pilot)`: wait until the catalogue, the checklists and (by default) semantic search are up,
    and every worker (searches included) has finished."""
    return _settle



@pytest.fixture
def two_auditors():
    """`two_auditors(paths)`: a session two auditors answered differently, merged (one conflict)."""
    return _merged_session


def _merged_session(paths: DataPaths) -> str:
    """A session whose pur_procedure Ana and Bob answered differently, merged into it (one conflict)."""
    service = SessionService(paths)
    header = SessionHeader(title="Purchasing", scope=Scope(processes=["purchasing"]), start_date=date(2025, 3, 11))
    sid = service.create(header).id
    service.answer(sid, "pur_procedure", "yes", by="ana")
    theirs = read_archive(service, sid)
    service.answer(sid, "pur_procedure", "no - not issued", by="lee")
    mine = read_archive(service, sid)
    # Bob answered later on his laptop: his answer is the incoming one, later than Lee's.
    later = theirs.answers[0].model_copy(update={"answered_by": "bob",
                                                 "answered_at": mine.answers[0].answered_at.replace(year=2030)})
    incoming = theirs.model_copy(update={"answers": [later], "history": []})
    merge_into(service, sid, incoming, "bob.json", by="lee")
    service.disconnect()
    return sid
