"""The whole audit in the app: header, status, conclusions, delete, answers, the question's clauses,
the chat's Q1 edition and the report's audience."""

from __future__ import annotations

from textual.widgets import Input, Select, TextArea

from assistant.sessions.models import Scope, SessionHeader
from assistant.tui.screens.answers import AnswersScreen
from assistant.tui.screens.browser import ClauseBrowserScreen
from assistant.tui.screens.dialogs import ChoiceDialog, ConfirmDialog, TextDialog
from assistant.tui.screens.export_dialog import ExportDialog
from assistant.tui.screens.interview import InterviewScreen
from assistant.tui.screens.session_form import SessionFormScreen
from assistant.tui.screens.sessions import SessionsScreen
from assistant.tui.widgets.clause_card import ClauseCard

SIZE = (80, 24)


def _session(app, title: str = "Purchasing audit") -> str:
    service = app.backend.sessions
    session = service.create(SessionHeader(title=title, scope=Scope(processes=["purchasing"])))
    service.answer(session.id, "pur_procedure", text="yes")
    service.answer(session.id, "pur_noncritical_evaluated", text="no - two of five never evaluated")
    service.answer(session.id, "pur_noncritical_evaluated", text="partial - three of five evaluated")
    return session.id


async def _saved(pilot) -> None:
    """Session writes run in a worker (another window may hold the write lock): wait for them."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _sessions_screen(pilot) -> SessionsScreen:
    await pilot.press("f4")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SessionsScreen)
    screen.refresh_sessions()
    return screen


async def test_edit_the_header_conclusions_and_status_then_close(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        session_id = _session(app)
        service = app.backend.sessions
        await _sessions_screen(pilot)
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, SessionFormScreen)
        assert form.query_one("#title", Input).value == "Purchasing audit"
        form.query_one("#client", Input).value = "VP Operations"
        form.query_one("#start", Input).value = "2025-03-11"
        form.query_one("#end", Input).value = "2025-03-10"
        form.query_one("#conclusions", TextArea).text = "Purchasing controls work; supplier evaluation lags."
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SessionFormScreen)  # refused: the last day is before the first
        form.query_one("#end", Input).value = "2025-03-12"
        await pilot.press("ctrl+s")
        await _saved(pilot)
        header = service.get(session_id).header
        assert header.client == "VP Operations" and header.conclusions.startswith("Purchasing controls work")
        assert header.scope.processes == ["purchasing"]  # kept

        await pilot.press("s")
        assert isinstance(app.screen, ChoiceDialog)
        app.screen.dismiss("in_review")
        await _saved(pilot)
        assert service.get(session_id).status.value == "in_review"
        assert "in review" in str(app.screen.query_one("#sessions").get_row_at(0))

        await pilot.press("s")
        app.screen.dismiss("closed")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await _saved(pilot)
        undecided = [f.id for f in service.findings(session_id) if f.status.value == "proposed"]
        assert undecided and not service.get(session_id).closed  # refused, as the CLI refuses it
        assert isinstance(app.screen, SessionsScreen)
        for finding_id in undecided:
            service.decide(session_id, finding_id, "confirmed")
        await pilot.press("s")
        app.screen.dismiss("closed")
        await pilot.pause()
        await pilot.press("y")
        await _saved(pilot)
        assert service.get(session_id).closed
        await pilot.press("s")  # the service refuses any change to a closed session: shown, not raised
        app.screen.dismiss("in_progress")
        await _saved(pilot)
        assert service.get(session_id).closed


async def test_delete_asks_first(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        session_id = _session(app)
        await _sessions_screen(pilot)
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        assert app.backend.sessions.list()
        await pilot.press("delete", "y")
        await _saved(pilot)
        assert app.backend.sessions.list() == []
        assert session_id not in str(app.screen.query_one("#sessions").rows)


async def test_answers_screen_filters_shows_history_and_answers_again(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        session_id = _session(app)
        await _sessions_screen(pilot)
        await pilot.press("a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnswersScreen)
        everything = len(screen.rows)
        await pilot.press("4")
        assert [q.id for q in screen.rows] == ["pur_noncritical_evaluated"]
        history = str(screen.query_one("#answer-history").render())
        assert "two of five never evaluated" in history and "three of five evaluated" in history
        await pilot.press("2")
        assert 0 < len(screen.rows) == everything - 2
        await pilot.press("3")
        assert screen.rows == []
        await pilot.press("4", "enter")
        await settle(pilot)
        interview = app.screen
        assert isinstance(interview, InterviewScreen) and interview.session_id == session_id
        assert interview.current.id == "pur_noncritical_evaluated"
        assert app.focused.id == "answer"


async def test_ctrl_o_opens_the_questions_clause(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        session = app.backend.sessions.create(SessionHeader(title="Calibration", scope=Scope(processes=["purchasing"])))
        await _sessions_screen(pilot)
        app.screen.open_session(session.id)
        await settle(pilot)
        question = app.screen.current
        await pilot.press("ctrl+o")
        await pilot.pause()
        if isinstance(app.screen, ChoiceDialog):  # the question cites several clauses
            await pilot.press("enter")
            await pilot.pause()
        assert isinstance(app.screen, ClauseBrowserScreen)
        cited = {(s, e, i) for _, s, e, i in question.clauses.keyed()}
        assert tuple(app.screen.current) in cited
        await pilot.press("escape")
        assert isinstance(app.screen, InterviewScreen) and app.focused.id == "answer"


async def test_the_chat_answers_from_the_chosen_q1_edition(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f7")  # 10th -> 9th
        assert "9th" in app.screen.query_one("#ask").border_title
        await pilot.press(*"supplier evaluation", "enter")
        await settle(pilot)
        editions = {c.card.key.edition for c in app.screen.query(ClauseCard) if c.card.key.standard == "API Q1"}
        assert editions == {"9th"}
        await pilot.press("f7")  # both
        await pilot.press(*"supplier evaluation", "enter")
        await settle(pilot)
        editions = {c.card.key.edition for c in app.screen.query(ClauseCard) if c.card.key.standard == "API Q1"}
        assert editions == {"9th", "10th"}


async def test_the_auditee_report_leaves_dismissed_findings_out(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        session_id = _session(app)
        service = app.backend.sessions
        service.answer(session_id, "pur_procedure", text="no - only a draft")
        dismissed = service.findings(session_id)[0]
        service.decide(session_id, dismissed.id, "dismissed", reason="records found later")
        app.current_session = session_id
        written = {}
        for audience in ("team", "auditee"):
            await pilot.press("ctrl+e")
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            dialog.query_one("#format", Select).value = "md"
            dialog.query_one("#audience", Select).value = audience
            dialog.query_one("#path", Input).value = str(app.backend.paths.exports_dir / f"{audience}.md")
            await pilot.press("ctrl+s")
            await settle(pilot)
            written[audience] = dialog.written.read_text(encoding="utf-8")
            await pilot.press("ctrl+s")  # again: the file exists, the dialog says how to overwrite
            assert "already exists" in str(dialog.query_one("#export-result").render())
            await pilot.press("escape")
        assert dismissed.id in written["team"] and dismissed.id not in written["auditee"]


async def test_at_80x24_hints_fold_and_the_action_dialog_reaches_save(make_app, settle):
    from knowledge import SAMPLE_QMS_DIR

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        service = app.backend.sessions
        session = service.create(SessionHeader(title="Sample", scope=Scope(processes=["purchasing", "calibration"])))
        service.load_answers(session.id, SAMPLE_QMS_DIR.parent / "audits" / "2025-purchasing-calibration.yaml")
        assert service.escalation_hints(session.id)
        app.current_session = session.id
        await pilot.press("f5")
        await settle(pilot)
        hints = app.screen.query_one("#hints-pane")
        assert hints.outer_size.height == 1
        await pilot.press("h")
        await pilot.pause()
        assert hints.outer_size.height > 1 and "h folds" in str(app.screen.query_one("#hints").render())
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.focused.id == "correction"
        for _ in range(6):  # the other five fields, then Save: each is in view when it has the focus
            await pilot.press("tab")
            await pilot.pause()
            assert app.screen.focused.region.bottom <= 24 and app.screen.focused.region.height > 0
        assert app.screen.focused.id == "save"


async def test_a_status_change_is_saved_in_a_worker_while_the_list_keeps_answering_keys(make_app, settle, monkeypatch):
    import threading

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        session_id = _session(app)
        screen = await _sessions_screen(pilot)
        service = app.backend.sessions
        release, events = threading.Event(), []
        set_status = service.set_status

        def slow_set_status(*args, **kwargs):  # another window holding the write lock, say
            events.append("save started")
            release.wait(timeout=10)
            events.append("save done")
            return set_status(*args, **kwargs)

        monkeypatch.setattr(service, "set_status", slow_set_status)
        await pilot.press("s")
        app.screen.dismiss("in_review")
        await pilot.pause()
        await pilot.press("b")  # the list answers a key while the status waits
        assert isinstance(app.screen, TextDialog)
        events.append("key handled")
        await pilot.press("escape")
        release.set()
        await _saved(pilot)
        assert events == ["save started", "key handled", "save done"]
        assert service.get(session_id).status.value == "in_review"
        assert "in review" in str(screen.query_one("#sessions").get_row_at(0))
