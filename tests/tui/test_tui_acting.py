"""Who acts in the app (as the CLI's --by), and findings decisions saved off the UI thread."""

from __future__ import annotations

import shlex
import threading

from click.testing import CliRunner

from assistant.cli import main
from assistant.sessions.models import AuditTeam, Scope, SessionHeader
from assistant.tui.app import create_app
from assistant.tui.screens.dialogs import TextDialog
from assistant.tui.screens.findings import FindingsScreen
from assistant.tui.serve import serve_command
from index.embedder import HashingEmbedder

SIZE = (80, 24)


def _session_with_findings(app, lead: str | None = None) -> str:
    service = app.backend.sessions
    header = SessionHeader(title="Purchasing", scope=Scope(processes=["purchasing"]), team=AuditTeam(lead=lead))
    session = service.create(header)
    service.answer(session.id, "pur_noncritical_evaluated", text="no - two of five never evaluated")
    service.answer(session.id, "pur_reeval", text="no")
    app.current_session = session.id
    return session.id


async def _findings_panel(pilot) -> FindingsScreen:
    await pilot.press("f5")
    await pilot.pause()
    assert isinstance(pilot.app.screen, FindingsScreen)
    return pilot.app.screen


async def test_a_decision_is_saved_in_a_worker_while_the_panel_keeps_answering_keys(make_app, settle, monkeypatch):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        session_id = _session_with_findings(app)
        panel = await _findings_panel(pilot)
        turn = app.backend.audit(session_id)
        release, events = threading.Event(), []
        decide = turn.decide

        def slow_decide(*args, **kwargs):  # another window holding the write lock, say
            events.append("decide started")
            release.wait(timeout=10)
            events.append("decide done")
            return decide(*args, **kwargs)

        monkeypatch.setattr(turn, "decide", slow_decide)
        first = panel.selected_id()
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("h")  # the panel answers a key while the decision waits
        events.append("key handled")
        assert "saving" in panel.sub_title
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert events == ["decide started", "key handled", "decide done"]
        assert app.backend.sessions.finding(session_id, first).status.value == "confirmed"
        assert "saving" not in panel.sub_title


async def test_decisions_in_a_row_are_saved_in_the_order_pressed(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        session_id = _session_with_findings(app)
        panel = await _findings_panel(pilot)
        first = panel.selected_id()
        await pilot.press("c", "o", "c")  # confirm, reopen, confirm: the last word counts
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not panel.pending and not panel.writing
        assert app.backend.sessions.finding(session_id, first).status.value == "confirmed"


async def test_who_acts_is_the_lead_auditor_by_default_and_can_be_chosen_in_the_app(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        session_id = _session_with_findings(app, lead="Dana Whitfield")
        service = app.backend.sessions
        panel = await _findings_panel(pilot)
        first = panel.selected_id()
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert service.finding(session_id, first).decided_by == "Dana Whitfield"

        await pilot.press("escape", "f4")
        await pilot.pause()
        assert "lead auditor" in str(app.screen.query_one("#acting-as").render())
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"Kari Nordmann", "enter")
        await pilot.pause()
        assert "Kari Nordmann" in str(app.screen.query_one("#acting-as").render())
        panel = await _findings_panel(pilot)
        await pilot.press("o", "c")  # reopened, then confirmed again: by the one now acting
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert service.finding(session_id, first).decided_by == "Kari Nordmann"


async def test_by_given_at_launch_names_who_answers(tui_paths, settle):
    app = create_app(tui_paths, HashingEmbedder, by="  Sam Ortiz ")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        session_id = _session_with_findings(app, lead="Dana Whitfield")
        turn = app.backend.audit(session_id)
        turn.submit("pur_procedure", "yes")
        assert app.backend.sessions.answers(session_id)["pur_procedure"].answered_by == "Sam Ortiz"
    assert not app.unexpected_errors


def test_the_served_app_is_the_tui_command_with_its_by(tmp_path):
    words = shlex.split(serve_command(tmp_path, by="Dana Whitfield"))
    assert words[-3:] == ["tui", "--by", "Dana Whitfield"]
    result = CliRunner().invoke(main, [*words[3:], "--help"])  # what the browser's process runs, parsed
    assert result.exit_code == 0, result.output
    assert "--by NAME" in result.output
