"""Keys work where the user is: type-ahead bursts stay separate entries, ctrl+e gets through inputs, and
typing goes to the input again when a screen comes back."""

from __future__ import annotations

from textual import events

from assistant.sessions.models import Scope, SessionHeader
from assistant.tui.screens.export_dialog import ExportDialog
from assistant.tui.screens.interview import InterviewScreen
from assistant.tui.widgets.clause_card import ClauseCard
from assistant.tui.widgets.transcript import Transcript

SIZE = (80, 24)


def burst(app, text: str) -> None:
    """Every key at once, as a barcode scanner, a paste or a busy app delivers them (Pilot waits per key)."""
    for char in text:
        key = {"\n": "enter", " ": "space"}.get(char, char)
        event = events.Key(key, "\r" if char == "\n" else char)
        event.set_sender(app)
        app._driver.send_message(event)


def entries(app) -> list[str]:
    return [str(w.render()) for w in app.screen.query_one(Transcript).query(".user")]


async def test_a_burst_of_questions_stays_two_questions(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "mill cert\nred tag\n")
        await settle(pilot)
        assert entries(app) == ["› mill cert", "› red tag"]
        assert app.screen.query_one("#ask").value == ""


async def test_a_burst_of_answers_answers_two_questions(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        service = app.backend.sessions
        session = service.create(SessionHeader(title="Purchasing", scope=Scope(processes=["purchasing"])))
        await pilot.press("f4")
        app.screen.open_session(session.id)
        await settle(pilot)
        assert isinstance(app.screen, InterviewScreen)
        first = app.screen.current.id
        burst(app, "yes\nyes\npart")
        await settle(pilot)
        assert entries(app) == ["› yes", "› yes"]
        answers = service.answers(session.id)
        assert answers[first].value == "yes" and len(answers) == 2
        assert app.screen.query_one("#answer").value == "part"  # typed ahead, kept for the next enter


async def test_ctrl_e_exports_from_the_answer_line_and_the_chat(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        session = app.backend.sessions.create(SessionHeader(title="Calibration"))
        await pilot.press("f4")
        app.screen.open_session(session.id)
        await settle(pilot)
        assert app.focused.id == "answer"
        await pilot.press("ctrl+e")
        assert isinstance(app.screen, ExportDialog)
        await pilot.press("ctrl+e")  # not a second dialog on top
        assert len([s for s in app.screen_stack if isinstance(s, ExportDialog)]) == 1
        await pilot.press("escape", "f2")
        assert app.focused.id == "ask"
        await pilot.press("ctrl+e")
        assert isinstance(app.screen, ExportDialog)


async def test_back_in_the_chat_typing_goes_to_the_input(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"5.3", "enter")
        await settle(pilot)
        app.screen.query(ClauseCard).first().focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "browse"
        await pilot.press("f2")
        await pilot.press(*"5.11")
        assert app.focused.id == "ask" and app.focused.value == "5.11"


async def test_a_bug_is_notified_and_logged_and_the_app_carries_on(make_app, settle, monkeypatch):
    from assistant.tui.errors import ERROR_LOG
    from assistant.tui.screens.chat import ChatScreen

    def broken(self) -> None:
        raise RuntimeError("a bug in a key handler")

    monkeypatch.setattr(ChatScreen, "action_next_edition", broken)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ChatScreen)
        assert any("a bug in a key handler" in n.message for n in app._notifications)
        log = app.backend.paths.root / ERROR_LOG
        assert "RuntimeError: a bug in a key handler" in log.read_text(encoding="utf-8")
        await pilot.press(*"5.3", "enter")  # still answering
        await settle(pilot)
        assert entries(app) == ["› 5.3"]
        assert [type(e) for e in app.unexpected_errors] == [RuntimeError]
        app.unexpected_errors.clear()  # expected here: the fixture fails a test on any other
