"""Every screen on its own data: the differences view for every theme and every clause of every standard and
edition, the clause browser on every clause, the chat on every clause number.

One app per sweep, one differences screen refilled in place (mounting a screen per view would take minutes);
the make_app fixture fails the test if the app met any unexpected error, even one it survived.
"""

from __future__ import annotations

import contextlib

from assistant.tui.screens.browser import ClauseBrowserScreen
from assistant.tui.screens.chat import ChatScreen
from assistant.tui.screens.differences import DifferencesScreen
from assistant.tui.widgets.transcript import AnswerBlock, Transcript
from knowledge.catalogue import Q1
from knowledge.crosswalk import Theme
from knowledge.differences import DifferencesError, differences, transition

Q1_EDITIONS = ("10th", "9th")


async def _idle(pilot) -> None:
    """Every worker done (an exclusive worker cancelled by the next clause counts as done)."""
    while any(not worker.is_finished for worker in pilot.app.workers):
        await pilot.pause(0.01)
    await pilot.pause()


async def test_the_differences_view_shows_every_theme_and_every_clause(make_app, settle):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        catalogue = app.backend.catalogue
        views = [transition("API Q1:9th", "API Q1:10th", catalogue)]
        topics = [None, *(theme.value for theme in Theme), "records", "documents", "nonconforming", "contingency"]
        for edition in Q1_EDITIONS:
            views += [differences(topic, catalogue, edition) for topic in topics]
            views.append(transition("ISO 9001:2015", f"API Q1:{edition}", catalogue))
        for clause in catalogue.clauses():
            for edition in (clause.edition,) if clause.standard == Q1 else Q1_EDITIONS:
                # "No requirement to compare there" is a DifferencesError: the app shows it as a message.
                with contextlib.suppress(DifferencesError):
                    views.append(differences(str(clause.key), catalogue, edition))
        assert len(views) > len(catalogue.clauses())
        app.open_differences(views[0])
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DifferencesScreen)
        for view in views:
            screen.show(view)
            await pilot.pause()
            rows = screen.query_one("#differences")
            assert rows.option_count > 0 and rows.highlighted is not None
        await pilot.press("enter")  # the last row opens its clause in the browser
        await pilot.pause()
        assert isinstance(app.screen, ClauseBrowserScreen)


async def test_the_clause_browser_shows_every_clause(make_app, settle):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await pilot.pause()
        browser = app.screen
        assert isinstance(browser, ClauseBrowserScreen)
        for clause in app.backend.catalogue.clauses():
            browser.show_clause(clause.key)
            await _idle(pilot)  # the questions and procedures citing it
            assert browser.current == clause.key


async def test_the_chat_answers_every_clause_number(make_app, settle, monkeypatch):
    app = make_app()
    opened = []
    # Showing each clause in the browser is the sweep above; here only where the chat sends it.
    monkeypatch.setattr(app, "open_clause", opened.append)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        catalogue = app.backend.catalogue
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        transcript = chat.query_one(Transcript)
        numbers = sorted({clause.id for clause in catalogue.clauses()})
        numbers += ["ISO 7.5.3", "Q1 9th 5.6.1.2", "API Q1 10th 4.5", "9.9.9"]
        for number in numbers:
            block = AnswerBlock()
            await transcript.mount(block)
            chat.ask_into(block, number)
            await _idle(pilot)
            assert not block.query(".pending"), number
            await block.remove()
        assert len(opened) > len(numbers) // 2
