"""The audit turn (AuditSession): what the auditor says is exactly what gets recorded, and nothing vanishes."""

from __future__ import annotations

import pytest

from assistant.sessions.derived import derive, gate_open
from assistant.sessions.models import FindingStatus, Scope
from assistant.sessions.turn import AuditSession
from rules.answers import AnswerParseError

IDIOM = "no problem, QP-04 rev C is on the wall"


@pytest.fixture
def risk(service, make_header) -> AuditSession:
    header = make_header()
    header = header.model_copy(update={"scope": header.scope.model_copy(update={"processes": ["risk", "moc"]})})
    return AuditSession(service, service.create(header).id, by="lee")


def test_an_idiom_is_asked_back_and_nothing_is_stored(risk, service):
    result = risk.submit("rsk_procedure", IDIOM)
    assert not result.recorded
    assert [c.label for c in result.reading.candidates] == ["yes", "no"]
    assert result.next_question == "rsk_procedure"
    assert service.answers(risk.session.id) == {}
    assert risk.state.findings == []


def test_the_auditor_settles_it_and_the_whole_text_is_kept(risk, service):
    result = risk.submit("rsk_procedure", IDIOM, settle="yes")
    assert result.stored.value == "yes" and result.stored.note == IDIOM
    assert result.shown.startswith("YES") and IDIOM in result.shown
    assert service.answers(risk.session.id)["rsk_procedure"].answered_by == "lee"
    assert not [f for f in result.appeared if f.rule_id == "RSK-001"]


def test_a_plain_no_is_shown_back_with_its_note_and_the_finding_appears(risk):
    result = risk.submit("rsk_procedure", "no - only a draft in the QA office")
    assert result.shown == "NO, note: only a draft in the QA office"
    assert [f.id for f in result.appeared] == ["RSK-001"]
    assert result.next_question == risk.next_question().id != "rsk_procedure"
    assert result.progress.answered == 1


def test_a_decided_finding_whose_answer_changes_is_withdrawn_not_lost_and_can_be_reinstated(risk, service):
    risk.submit("rsk_procedure", "no")
    risk.decide("RSK-001", FindingStatus.confirmed)
    result = risk.submit("rsk_procedure", "yes - QP-04 rev C")
    assert [(f.id, f.status) for f in result.withdrawn] == [("RSK-001", FindingStatus.withdrawn)]
    kept = {f.id: f for f in service.findings(risk.session.id, include_withdrawn=True)}["RSK-001"]
    assert kept.status == FindingStatus.withdrawn and kept.decision == FindingStatus.confirmed
    assert [a.value for a in kept.answers] == ["no"] and [a.value for a in kept.answers_now] == ["yes"]
    assert kept.decided_by == "lee"
    assert "RSK-001" not in {f.id for f in service.findings(risk.session.id)}  # reports count live ones
    risk.reinstate("RSK-001")
    assert {f.id: f.status for f in risk.state.findings}["RSK-001"] == FindingStatus.confirmed


def test_an_undecided_finding_that_stops_firing_is_reported_gone(risk):
    risk.submit("rsk_procedure", "no")
    result = risk.submit("rsk_procedure", "yes")
    assert [(f.id, f.status) for f in result.withdrawn] == [("RSK-001", FindingStatus.proposed)]
    assert risk.state.withdrawn == []


def test_a_manual_finding_is_filed_under_the_process_of_the_clause_it_cites(risk):
    finding = risk.add_finding(
        "major", ["5.10"], "Heat treat subcontractor changed (HT-Gulf) without management of change",
        evidence="PO 4471 to HT-Gulf, no MOC record", near_process="risk",
    )
    assert finding.process == "moc"
    assert finding.statement.nonconformity.startswith("Heat treat subcontractor changed")
    assert finding.statement.evidence == "PO 4471 to HT-Gulf, no MOC record"
    assert finding.decided_by == "lee"


def test_the_question_on_screen_breaks_a_tie_only(service, session_id):
    turn = AuditSession(service, session_id)
    # ISO 7.1.5.1 is cited by calibration questions only: the open purchasing question does not win.
    assert turn.add_finding("minor", ["ISO 7.1.5.1"], "gauge without status", near_process="purchasing").process == (
        "calibration"
    )


def test_who_acts_is_the_name_given_else_the_lead_auditor(service, make_header):
    header = make_header()
    header = header.model_copy(update={"team": header.team.model_copy(update={"lead": "Pat Lead"})})
    created = service.create(header).id
    assert AuditSession(service, created).by == "Pat Lead"
    assert AuditSession(service, created, by="kim").by == "kim"


def test_another_window_writing_in_between_is_seen(service, session_id, firing):
    turn = AuditSession(service, session_id)
    service.answer(session_id, "pur_reeval_sampled", "5")  # the CLI, side by side
    service.answer(session_id, "pur_reeval_done", "3")
    result = turn.submit("pur_reeval", firing["pur_reeval"])
    assert {"pur_reeval", "pur_reeval_sampled", "pur_reeval_done"} <= set(turn.answers)
    assert "PUR-002" in {f.id for f in result.appeared}


def test_unreadable_text_raises_and_a_pick_outside_the_readings_is_refused(risk):
    with pytest.raises(AnswerParseError):
        risk.submit("rsk_procedure", "perfect")
    with pytest.raises(AnswerParseError, match="not one of its readings"):
        risk.submit("rsk_procedure", IDIOM, settle="maybe")


def test_a_gated_question_is_asked_only_after_a_yes(risk):
    risk.submit("rsk_procedure", "no")
    gated = risk.question("rsk_register").model_copy(update={"gate": "rsk_procedure"})
    assert not gate_open(gated, risk.answers)
    risk.submit("rsk_procedure", "yes")
    assert gate_open(gated, risk.answers)


def test_a_turn_gives_the_same_state_as_reading_the_session_afresh(service, make_header):
    """Each turn re-runs only the rules its answer touches; the result must equal a full pass."""
    session_id = service.create(make_header(scope=Scope())).id
    turn = AuditSession(service, session_id)
    answers = {"yesno": ["no - none", "yes", "partial", "n/a"], "number": ["0", "3", "12"],
               "date": ["2020-01-01", "2025-03-01"], "text": ["x"], "records": ["none", "PO-1"]}
    questions = service.engine.checklist.questions()
    for i in range(60):
        question = questions[(i * 7) % len(questions)]
        options = question.choices or answers[question.type]
        turn.submit(question.id, options[i % len(options)])
    fresh = derive(service.engine, service.rows(session_id))
    assert len(fresh.findings) > 5
    assert [f.model_dump() for f in turn.state.findings] == [f.model_dump() for f in fresh.findings]
    assert turn.state.asked == fresh.asked and turn.state.progress == fresh.progress
