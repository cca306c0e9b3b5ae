"""Snapshots of every screen at 80x24 (a laptop terminal) and 120x40: fixed data, a fixed clock for session
ids and times, no cursor blink.

Update with `pytest tests/tui/test_tui_snapshots.py --snapshot-update` only after reading the report.
"""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

import pytest
from textual.widgets import Input

from assistant.sessions.models import Scope, SessionHeader
from knowledge.catalogue import Q1, ClauseKey
from knowledge.differences import differences

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    """Session ids carry the year they were made in; lists and histories show times."""
    monkeypatch.setattr("assistant.sessions.service._now", lambda: datetime(2025, 3, 11, 9, 0, tzinfo=UTC))
    # Who acts defaults to the login name when a session names no lead auditor: the same on every machine.
    monkeypatch.setattr("assistant.sessions.turn.login_name", lambda: "auditor")


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
    app.current_session = session.id
    return session.id


async def _open_session(pilot) -> str:
    session_id = _session_with_answers(pilot.app)
    await pilot.press("f4")
    await pilot.pause()
    pilot.app.screen.open_session(session_id)
    return session_id


async def chat(pilot):
    await pilot.press(*"gauge found out of calibration", "enter")


async def clause_browser(pilot):
    pilot.app.open_clause(ClauseKey(Q1, "10th", "5.5.2"))


async def differences_view(pilot):
    pilot.app.open_differences(differences("purchasing", pilot.app.backend.catalogue))


async def sessions(pilot):
    _session_with_answers(pilot.app)
    await pilot.press("f4")


async def new_session_form(pilot):
    await pilot.press("f4", "n")


async def edit_session_form(pilot):
    await sessions(pilot)
    await pilot.pause()
    pilot.app.screen.refresh_sessions()
    await pilot.press("e")


async def status_dialog(pilot):
    await sessions(pilot)
    await pilot.pause()
    pilot.app.screen.refresh_sessions()
    await pilot.press("s")


async def delete_dialog(pilot):
    await sessions(pilot)
    await pilot.pause()
    pilot.app.screen.refresh_sessions()
    await pilot.press("delete")


async def interview(pilot):
    await _open_session(pilot)


async def reading_choice(pilot):
    """An answer that reads two ways is asked back with one-key choices."""
    await interview(pilot)
    await pilot.pause()
    await pilot.press(*"no problem, QP-04 rev C is on the wall", "enter")


async def finding_draft(pilot):
    """/finding asks for the evidence seen before it records the finding."""
    await interview(pilot)
    await pilot.pause()
    await pilot.press(*"/finding minor 5.5.1.2 No re-evaluation of supplier Acme Forge since 2023", "enter")


async def answers(pilot):
    _session_with_answers(pilot.app)
    await pilot.press("f6")


async def findings(pilot):
    _session_with_answers(pilot.app)
    await pilot.press("f5")


async def corrective_action(pilot):
    await findings(pilot)
    await pilot.pause()
    await pilot.press("a")


async def dismiss_reason(pilot):
    await findings(pilot)
    await pilot.pause()
    await pilot.press("d")


async def export_dialog(pilot):
    _session_with_answers(pilot.app)
    await pilot.press("ctrl+e")
    await pilot.pause()
    pilot.app.screen.query_one("#path", Input).value = "exports/2025-001-Purchasing-audit.csv"  # not a tmp path


async def programme(pilot, merged):
    """The audit programme (from the palette): audits, findings per year, repeats, processes due."""
    from assistant.tui.screens.team import ProgrammeScreen

    merged(pilot.app.backend.paths)
    pilot.app.push_screen(ProgrammeScreen())


async def merge_conflicts(pilot, merged):
    """Answers two auditors gave differently, after a merge: keep one or take the other."""
    from assistant.tui.screens.team import ConflictsScreen

    session_id = merged(pilot.app.backend.paths)
    pilot.app.current_session = session_id
    pilot.app.push_screen(ConflictsScreen(session_id))


async def help_screen(pilot):
    await pilot.press("f1")


SCREENS = [chat, clause_browser, differences_view, sessions, new_session_form, edit_session_form, status_dialog,
           delete_dialog, interview, reading_choice, finding_draft, answers, findings, corrective_action,
           dismiss_reason, export_dialog, programme, merge_conflicts, help_screen]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS, ids=[s.__name__ for s in SCREENS])
def test_screen(snap_compare, make_app, settle, two_auditors, screen, size):
    # The team screens need a merged session; the other screens take the pilot alone.
    data = {"merged": two_auditors} if "merged" in inspect.signature(screen).parameters else {}

    async def run_before(pilot):
        await settle(pilot)
        await screen(pilot, **data)
        await settle(pilot)
        await _still(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
