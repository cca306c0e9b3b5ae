"""The differences screen in the app: comparison questions in the chat and `d` in the clause browser open it."""

from __future__ import annotations

from textual.widgets import OptionList

from assistant.tui.screens.browser import ClauseBrowserScreen
from assistant.tui.screens.differences import DifferencesScreen
from assistant.tui.widgets.transcript import Transcript
from knowledge.catalogue import Q1, ClauseKey
from knowledge.differences import DifferencesView, TransitionView


async def _ask(pilot, settle, text: str) -> None:
    await pilot.click("#ask")
    await pilot.press(*text, "enter")
    await settle(pilot)


async def test_a_comparison_question_in_the_chat_opens_the_differences_view(make_app, settle):
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await _ask(pilot, settle, "how does Q1 differ from ISO on purchasing?")
        screen = app.screen
        assert isinstance(screen, DifferencesScreen)
        assert isinstance(screen.view, DifferencesView) and screen.view.topic == "purchasing"
        ids = {row.q1.id for row in screen.view.rows}
        assert {"5.5.1.2", "5.5.1.3"} <= ids
        options = screen.query_one("#differences", OptionList)
        assert options.has_focus and options.option_count > len(ids)
        await pilot.press("escape")
        assert not isinstance(app.screen, DifferencesScreen)
        notes = " ".join(str(s.render()) for s in app.screen.query_one(Transcript).query(".note"))
        assert "differences between API Q1 and ISO 9001" in notes


async def test_an_edition_question_opens_the_transition(make_app, settle):
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await _ask(pilot, settle, "what's new in the 10th edition?")
        assert isinstance(app.screen, DifferencesScreen)
        view = app.screen.view
        assert isinstance(view, TransitionView) and (view.source, view.target) == ("API Q1:9th", "API Q1:10th")


async def test_an_ordinary_question_is_searched_not_compared(make_app, settle):
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await _ask(pilot, settle, "which clause covers purchasing?")
        assert not isinstance(app.screen, DifferencesScreen)


async def test_d_in_the_clause_browser_shows_the_clause_and_its_sub_clauses(make_app, settle):
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        app.open_clause(ClauseKey(Q1, "10th", "5.5"))
        await settle(pilot)
        assert isinstance(app.screen, ClauseBrowserScreen)
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DifferencesScreen) and screen.view.matched_by == "clause"
        ids = {row.q1.id for row in screen.view.rows}
        assert "5.5.1.2" in ids and all(i == "5.5" or i.startswith("5.5.") for i in ids)
        assert screen.view.topic == "API Q1 10th 5.5"  # the title names the clause as people write it
