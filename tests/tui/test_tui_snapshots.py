"""Snapshots of the main screens at 100x30: fixed data, a fixed clock for session ids, no cursor blink.

Update with `pytest tests/tui/test_tui_snapshots.py --snapshot-update` only after reading the report.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.widgets import Input

from assistant.sessions.models import Scope, SessionHeader
from knowledge.catalogue import Q1, ClauseKey

SIZE = (100, 30)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    """Session ids carry the year they were made in."""
    monkeypatch.setattr("assistant.sessions.service._now", lambda: datetime(2025, 3, 11, 9, 0, tzinfo=UTC))


async def _still(pilot) -> None:
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    # Scrolling to a new answer happens after its cards are laid out: let that settle too.
    for _ in range(3):
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()


def _session_with_answers(app) -> str:
    service = app.backend.sessions
    header = SessionHeader(title="Purchasing audit", scope=Scope(processes=["purchasing"]))
    session = service.create(header)
    service.answer(session.id, "pur_procedure", text="yes")
    service.answer(session.id, "pur_noncritical_evaluated", text="no - two of five suppliers never evaluated")
    service.answer(session.id, "pur_reeval", text="partial")
    return session.id


def test_chat_with_an_answer(snap_compare, make_app, settle):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press(*"gauge found out of calibration", "enter")
        await settle(pilot)
        await _still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_clause_browser(snap_compare, make_app, settle):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_clause(ClauseKey(Q1, "10th", "5.5.2"))
        await settle(pilot)
        await _still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_interview(snap_compare, make_app, settle):
    async def run_before(pilot):
        await settle(pilot)
        session_id = _session_with_answers(pilot.app)
        await pilot.press("f4")
        await pilot.pause()
        pilot.app.screen.open_session(session_id)
        await settle(pilot)
        await _still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_findings(snap_compare, make_app, settle):
    async def run_before(pilot):
        await settle(pilot)
        session_id = _session_with_answers(pilot.app)
        pilot.app.current_session = session_id
        await pilot.press("f5")
        await settle(pilot)
        await _still(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
