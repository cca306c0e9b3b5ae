"""The interview's audit turn through Pilot: idioms asked back, the reading shown, manual findings as written."""

from __future__ import annotations

import re

from assistant.sessions.models import Scope, SessionHeader
from assistant.tui.screens.findings import FindingsScreen
from assistant.tui.screens.interview import InterviewScreen, split_finding_command
from assistant.tui.screens.reading_choice import ReadingChoice
from assistant.tui.widgets.transcript import Transcript

SIZE = (120, 40)
IDIOM = "no problem, QP-04 rev C is on the wall"


def transcript_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query_one(Transcript).query("Static"))


async def say(pilot, text: str) -> None:
    pilot.app.focused.value = text
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_interview(pilot, settle, processes: list[str]) -> tuple[InterviewScreen, str]:
    await settle(pilot)
    service = pilot.app.backend.sessions
    session = service.create(SessionHeader(title="Risk and MOC", scope=Scope(processes=processes)))
    await pilot.press("f4")
    await pilot.pause()
    pilot.app.screen.open_session(session.id)
    await settle(pilot)
    assert isinstance(pilot.app.screen, InterviewScreen)
    return pilot.app.screen, session.id


async def test_no_problem_is_asked_back_and_never_stored_as_no(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        interview, session_id = await open_interview(pilot, settle, ["risk"])
        service = app.backend.sessions
        assert interview.current.id == "rsk_procedure"
        await say(pilot, IDIOM)
        assert isinstance(app.screen, ReadingChoice)
        await pilot.press("escape")  # record nothing
        assert service.answers(session_id) == {}
        assert "Nothing recorded" in transcript_text(app)

        await say(pilot, IDIOM)
        await pilot.press("1")  # yes
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        answer = service.answers(session_id)["rsk_procedure"]
        assert answer.value == "yes" and answer.note == IDIOM
        assert "✓ Recorded: YES" in transcript_text(app)
        assert "RSK-001" not in {f.id for f in service.findings(session_id)}
        assert interview.current.id != "rsk_procedure"


async def test_a_qualified_yes_is_asked_back_with_partial_first(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        interview, session_id = await open_interview(pilot, settle, ["risk"])
        await say(pilot, "yes, but two revisions out of date")
        assert isinstance(app.screen, ReadingChoice)
        await pilot.press("1")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        answer = app.backend.sessions.answers(session_id)["rsk_procedure"]
        assert answer.value == "partial"


async def test_a_plain_answer_is_read_back(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_interview(pilot, settle, ["risk"])
        await say(pilot, "no - only 3 of 5 re-evaluated")
        assert "✓ Recorded: NO, note: only 3 of 5 re-evaluated" in transcript_text(app)


async def test_finding_keeps_every_word_and_files_by_the_clause(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        interview, session_id = await open_interview(pilot, settle, ["risk", "moc", "record_retention"])
        assert interview.current.process == "risk"
        await say(pilot, "/finding minor 5.5.1.2 No re-evaluation of supplier Acme Forge since 2023")
        await say(pilot, "Approved supplier list, Acme Forge entry")
        await say(pilot, "")
        await say(pilot, "/finding major 5.10 Heat treat subcontractor changed (HT-Gulf) without management of change")
        await say(pilot, "PO 4471")
        await say(pilot, "Changes that affect quality go through MOC first")
        found = {f.id: f for f in app.backend.sessions.findings(session_id)}
        first, second = found["M-001"], found["M-002"]
        assert first.statement.nonconformity == "No re-evaluation of supplier Acme Forge since 2023"
        assert first.statement.evidence == "Approved supplier list, Acme Forge entry"
        assert second.process == "moc"
        assert second.statement.requirement == "Changes that affect quality go through MOC first"
        assert "recorded under Management of change" in transcript_text(app)


def test_finding_command_words():
    assert split_finding_command("minor 5.5.1.2 No re-evaluation of supplier") == (
        "minor", "5.5.1.2", None, "No re-evaluation of supplier"
    )
    assert split_finding_command("major ISO 8.4.1 @purchasing ASL not dated") == (
        "major", "ISO 8.4.1", "purchasing", "ASL not dated"
    )
    assert split_finding_command("minor Q1 9th 5.6.1 text here")[1] == "Q1 9th 5.6.1"


async def test_a_withdrawn_finding_stays_in_the_panel_and_can_be_reinstated(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        interview, session_id = await open_interview(pilot, settle, ["risk"])
        await say(pilot, "no")
        interview.turn.decide("RSK-001", "confirmed")
        await say(pilot, "/back")
        await say(pilot, "yes - QP-04 rev C")
        assert "Finding RSK-001 withdrawn" in transcript_text(app)
        await pilot.press("f5")
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, FindingsScreen)
        withdrawn = next(f for f in panel.findings if f.id == "RSK-001")
        assert withdrawn.status.value == "withdrawn"
        panel.query_one("#findings").move_cursor(row=[f.id for f in panel.findings].index("RSK-001"))
        await pilot.press("r")
        await app.workers.wait_for_complete()  # decisions are saved in a worker
        await pilot.pause()
        assert app.backend.sessions.finding(session_id, "RSK-001").status.value == "confirmed"


async def test_an_answer_not_understood_is_said_without_the_question_id(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        interview, _ = await open_interview(pilot, settle, ["record_retention"])
        question = interview.current
        assert question.type.value == "number"
        await say(pilot, "whatever QP-02 says")
        said = transcript_text(app)
        assert "Not understood, asked again" in said
        assert f"{question.id}:" not in said.split("Not understood", 1)[1]
        assert interview.current.id == question.id


async def test_ask_reads_a_clause_number_in_the_edition_the_audit_is_held_against(make_app, settle):
    from assistant.sessions.models import Criteria

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        service = app.backend.sessions
        header = SessionHeader(title="Old-edition site", scope=Scope(processes=["risk"]),
                               criteria=Criteria(standards=["API Q1:9th", "ISO 9001:2015"]))
        session = service.create(header)
        await pilot.press("f4")
        await pilot.pause()
        app.screen.open_session(session.id)
        await settle(pilot)
        await say(pilot, "/ask what does Q1 5.5 ask for")
        answer = transcript_text(app).split("/ask", 1)[1]
        # The 9th edition's 5.5 first, not the 10th's (Purchasing), which a 10th-edition audit would see.
        first = re.search(r"API Q1 (9th|10th) [\d.]+", answer.split("Clauses", 1)[1])
        assert first is not None and first.group(0) == "API Q1 9th 5.5" and "Contingency" in answer
