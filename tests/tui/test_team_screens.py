"""The team screens: the audit programme and the merge conflicts of the open session, through Pilot."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Static

from assistant.sessions.archive import read_archive
from assistant.sessions.merge import merge_into
from assistant.sessions.models import Scope, SessionHeader
from assistant.sessions.service import SessionService
from assistant.tui.screens.team import ConflictsScreen, ProgrammeScreen

SIZE = (120, 40)


def two_auditors(paths) -> str:
    """A session whose pur_procedure Ana and Bob answered differently, merged into it (one conflict)."""
    service = SessionService(paths)
    header = SessionHeader(title="Purchasing", scope=Scope(processes=["purchasing"]), start_date=date(2025, 3, 11))
    sid = service.create(header).id
    service.answer(sid, "pur_procedure", "yes", by="ana")
    theirs = read_archive(service, sid)
    service.answer(sid, "pur_procedure", "no - not issued", by="lee")
    mine = read_archive(service, sid)
    # Bob answered later on his laptop: his answer is the incoming one, later than Lee's.
    later = theirs.answers[0].model_copy(update={"answered_by": "bob", "answered_at": mine.answers[0].answered_at.replace(year=2030)})
    incoming = theirs.model_copy(update={"answers": [later], "history": []})
    merge_into(service, sid, incoming, "bob.json", by="lee")
    service.disconnect()
    return sid


async def test_conflicts_screen_lists_and_settles(make_app, settle, tui_paths):
    sid = two_auditors(tui_paths)
    app = make_app(model=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, phase=None)
        app.current_session = sid
        app.push_screen(ConflictsScreen(sid))
        await pilot.pause()
        table = app.screen.query_one("#conflicts", DataTable)
        assert table.row_count == 1
        assert [str(c) for c in table.get_row_at(0)] == ["answer", "pur_procedure", "'yes'", "bob",
                                                          "'no (not issued)'", "lee"]
        await pilot.press("k")
        await pilot.pause()
        assert table.row_count == 0


async def test_programme_screen_shows_audits_and_the_chart(make_app, settle, tui_paths):
    sid = two_auditors(tui_paths)
    app = make_app(model=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, phase=None)
        app.push_screen(ProgrammeScreen())
        await pilot.pause()
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#audits", DataTable)
        assert table.row_count == 1 and str(table.get_row_at(0)[0]) == sid
        assert "Not audited in the last 12 months" in str(app.screen.query_one("#due", Static).render())
