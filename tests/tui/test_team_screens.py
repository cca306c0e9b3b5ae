"""The team screens: the audit programme and the merge conflicts of the open session, through Pilot."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Static

from assistant.sessions.models import Scope, SessionHeader
from assistant.sessions.service import SessionService
from assistant.tui.screens.team import ConflictsScreen, ProgrammeScreen

SIZE = (120, 40)


async def test_conflicts_screen_lists_and_settles(make_app, settle, tui_paths, two_auditors):
    sid = two_auditors(tui_paths)
    app = make_app(model=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, phase=None)
        app.current_session = sid
        app.push_screen(ConflictsScreen(sid))
        await pilot.pause()
        table = app.screen.query_one("#conflicts", DataTable)
        assert table.row_count == 1
        assert [str(c) for c in table.get_row_at(0)] == ["answer", "Is there a documented proce…", "“yes”", "bob",
                                                          "“no (not issued)”", "lee"]
        await pilot.press("k")
        await pilot.pause()
        assert table.row_count == 0


async def test_programme_screen_shows_audits_and_the_chart(make_app, settle, tui_paths, two_auditors):
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


async def test_findings_panel_flags_a_repeat_of_an_earlier_audit(make_app, settle, tui_paths):
    from datetime import timedelta

    from assistant.tui.screens.findings import FindingsScreen

    service = SessionService(tui_paths)
    sids = []
    for start in (date(2025, 3, 11), date.today() + timedelta(days=30)):
        header = SessionHeader(title=f"Purchasing {start.year}", scope=Scope(processes=["purchasing"]), start_date=start)
        sid = service.create(header).id
        for question, text in (("pur_reeval", "partial - two overdue"), ("pur_reeval_sampled", "5"),
                               ("pur_reeval_done", "3")):
            service.answer(sid, question, text, by="lee")
        sids.append(sid)
    first, second = sids
    service.decide(first, "PUR-002", "confirmed", by="lee")
    service.set_corrective_action(first, "PUR-002", evidence="Plan rev 4 seen", by="lee")
    service.disconnect()
    app = make_app(model=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, phase=None)
        app.current_session = second
        app.push_screen(FindingsScreen(second))
        await pilot.pause()
        table = app.screen.query_one("#findings", DataTable)
        assert table.row_count  # the findings show before the earlier audits are read
        await app.screen.workers.wait_for_complete()  # the repeat flags follow from a worker
        await pilot.pause()
        row = next(table.get_row_at(i) for i in range(table.row_count) if str(table.get_row_at(i)[1]) == "PUR-002")
        assert str(row[3]).startswith("↻ ")
        table.move_cursor(row=table.get_row_index("PUR-002"))
        await pilot.pause()
        body = str(app.screen.query_one("#finding-body", Static).render())
        assert f"Repeat of F-01 (PUR-002) in audit {first}" in body
