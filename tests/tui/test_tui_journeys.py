"""End-to-end journeys through the app with Pilot: ask, open clauses, browse, interview, findings, export."""

from __future__ import annotations

from textual.widgets import Input, Select, SelectionList

from assistant.tui.screens.browser import ClauseBrowserScreen
from assistant.tui.screens.export_dialog import ExportDialog
from assistant.tui.screens.findings import FindingsScreen
from assistant.tui.screens.help import HelpScreen
from assistant.tui.screens.interview import InterviewScreen
from assistant.tui.screens.reading_choice import ReadingChoice
from assistant.tui.screens.session_form import SessionFormScreen
from assistant.tui.screens.sessions import SessionsScreen
from assistant.tui.widgets.clause_card import ClauseCard
from assistant.tui.widgets.procedure_card import ProcedureCard
from assistant.tui.widgets.status_bar import IndexStatusBar
from assistant.tui.widgets.transcript import Transcript
from knowledge.catalogue import ISO, Q1, ClauseKey

SIZE = (120, 40)


def transcript_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query_one(Transcript).query("Static"))


async def type_line(pilot, text: str) -> None:
    """Type key by key, as the auditor does."""
    await pilot.press(*text)
    await pilot.press("enter")


async def submit(pilot, text: str) -> None:
    """Fill the focused input and press enter (faster than typing long lines)."""
    pilot.app.focused.value = text
    await pilot.press("enter")


async def saved(pilot) -> None:
    """Wait until the interview has saved what was typed (answers are written in a worker)."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def browser(app) -> ClauseBrowserScreen:
    return next(s for s in app.screen_stack if isinstance(s, ClauseBrowserScreen))


class TestChat:
    async def test_question_shows_the_right_clause_cards_and_procedures(self, make_app, settle):
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await submit(pilot, "calibration of measuring equipment, gauge found out of calibration")
            await settle(pilot)
            keys = [card.card.key for card in app.screen.query(ClauseCard)]
            assert ClauseKey(Q1, "10th", "5.8.1") in keys[:4] or ClauseKey(Q1, "10th", "5.8") in keys[:4]
            assert any(key.standard == ISO and key.id.startswith("7.1.5") for key in keys)
            docs = {card.result.doc for card in app.screen.query(ProcedureCard)}
            assert "QP-12" in docs

    async def test_typed_clause_reference_opens_the_clause(self, make_app, settle):
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await type_line(pilot, "ISO 8.4.2")
            await settle(pilot)
            assert app.current_mode == "browse"
            assert browser(app).current == ClauseKey(ISO, "2015", "8.4.2")
            await pilot.press("escape")
            assert app.current_mode == "chat"
            assert "Opened in the clause browser" in transcript_text(app)

    async def test_a_number_that_differs_between_editions_offers_both_the_chosen_first(self, make_app, settle):
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("f7")  # answers from the 9th edition
            await settle(pilot)
            await type_line(pilot, "Q1 sec 5.5")
            await settle(pilot)
            assert app.current_mode == "chat"  # two clauses: nothing opened, the user picks
            cards = [card.card.key for card in app.screen.query(ClauseCard)][-2:]
            assert cards == [ClauseKey(Q1, "9th", "5.5"), ClauseKey(Q1, "10th", "5.5")]
            assert "pick one" in transcript_text(app)

    async def test_a_card_opens_its_clause_from_the_keyboard(self, make_app, settle):
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await submit(pilot, "purchase order information given to suppliers")
            await settle(pilot)
            first = app.screen.query(ClauseCard).first()
            first.focus()
            await pilot.press("enter")
            await pilot.pause()
            assert app.current_mode == "browse"
            assert browser(app).current == first.card.key

    async def test_keyword_only_answers_say_so(self, make_app, settle):
        app = make_app(model=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, phase="lexical")
            assert "keyword search only" in str(app.screen.query_one(IndexStatusBar).render())
            await submit(pilot, "supplier evaluation before first use")
            await settle(pilot, phase="lexical")
            assert "Keyword search only" in transcript_text(app)
            assert app.screen.query(ClauseCard)

    async def test_nonsense_gets_no_good_match(self, make_app, settle):
        # Keyword search: the hashing fake embedder finds chance neighbours for any words.
        app = make_app(model=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, phase="lexical")
            await submit(pilot, "zebra xylophone quasar")
            await settle(pilot, phase="lexical")
            assert "No clause is a good match" in transcript_text(app)


class TestBrowser:
    async def test_follow_a_crosswalk_link_with_the_keyboard(self, make_app, settle):
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("f3")
            await pilot.pause()
            screen = browser(app)
            screen.show_clause(ClauseKey(Q1, "10th", "5.5.2"))
            await settle(pilot)
            await pilot.press("l")
            await pilot.press("down", "enter")
            await settle(pilot)
            assert screen.current == ClauseKey(ISO, "2015", "8.4.3")
            assert "8.4.3" in str(screen.query_one("#detail-body").render())

    async def test_edition_switch_keeps_the_clause_through_the_edition_map(self, make_app, settle):
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_clause(ClauseKey(Q1, "10th", "5.5.1.2"))
            await settle(pilot)
            browser(app).query_one("#edition", Select).value = "9th"
            await settle(pilot)
            assert browser(app).current == ClauseKey(Q1, "9th", "5.6.1.2")


class TestInterview:
    async def test_session_answers_findings_dismissal_and_export(self, make_app, settle, tui_paths):
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("f4")
            await pilot.pause()
            assert isinstance(app.screen, SessionsScreen)
            await pilot.press("n")
            await pilot.pause()
            form = app.screen
            assert isinstance(form, SessionFormScreen)
            await pilot.press(*"Purchasing audit")
            form.query_one("#processes", SelectionList).select("purchasing")
            form.query_one("#auditees", Input).value = "Dana Ortiz (buyer)"
            await pilot.press("ctrl+s")
            await settle(pilot)
            interview = app.screen
            assert isinstance(interview, InterviewScreen)
            assert interview.current.id == "pur_procedure"

            await type_line(pilot, "perhaps")
            assert isinstance(app.screen, ReadingChoice)  # asked back, nothing recorded
            await pilot.press("escape")
            assert interview.current.id == "pur_procedure"

            await submit(pilot, "no - only a draft exists")
            await saved(pilot)
            assert "Finding PUR-001" in transcript_text(app)
            assert interview.current.id != "pur_procedure"

            await type_line(pilot, "/back")
            assert interview.current.id == "pur_procedure"
            await submit(pilot, "/note draft seen on the shared drive")
            await saved(pilot)
            service = app.backend.sessions
            answer = service.answers(app.current_session)["pur_procedure"]
            assert answer.value == "no" and "shared drive" in answer.note
            await type_line(pilot, "/skip")
            await submit(pilot, "/finding minor 5.5.2 PO 4711 names no revision of the drawing")
            await submit(pilot, "PO 4711")  # the evidence
            await submit(pilot, "")  # the requirement: the clause's title
            await saved(pilot)
            assert any(f.id == "M-001" for f in service.findings(app.current_session))

            await pilot.press("f5")
            await pilot.pause()
            assert isinstance(app.screen, FindingsScreen)
            assert app.screen.selected_id() == "PUR-001"
            await pilot.press("d")
            await pilot.pause()
            await submit(pilot, "procedure approved last week")
            await app.workers.wait_for_complete()  # decisions are saved in a worker
            await pilot.pause()
            finding = service.finding(app.current_session, "PUR-001")
            assert finding.status.value == "dismissed"
            assert finding.dismiss_reason == "procedure approved last week"

            await pilot.press("ctrl+e")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            dialog.query_one("#format", Select).value = "csv"
            dialog.query_one("#audience", Select).value = "team"  # the dismissed finding is in the team's copy only
            await pilot.pause()
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert dialog.written is not None and dialog.written.exists()
            assert dialog.written.parent == tui_paths.exports_dir
            assert "PUR-001" in dialog.written.read_text(encoding="utf-8")

    async def test_resume_lists_the_session_and_continues(self, make_app, settle):
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            from assistant.sessions.models import Scope, SessionHeader

            service = app.backend.sessions
            session = service.create(SessionHeader(title="Calibration", scope=Scope(processes=["calibration"])))
            first = service.engine.checklist.questions("calibration")[0]
            service.answer(session.id, first.id, text="yes")
            await pilot.press("f4")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, InterviewScreen)
            assert app.screen.current.id != first.id
            assert app.current_session == session.id


async def test_help_and_theme_toggle(make_app, settle):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        before = app.theme
        await pilot.press("ctrl+t")
        assert app.theme != before
