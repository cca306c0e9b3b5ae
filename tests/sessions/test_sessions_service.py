"""Sessions and answers: create, list, resume, answers committed at once with history, closed sessions locked."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from assistant.sessions.errors import SessionClosedError, SessionError, SessionNotFoundError
from assistant.sessions.models import Criteria, Scope, SessionStatus
from assistant.sessions.service import SessionService
from rules.answers import AnswerParseError
from rules.checklist import UnknownQuestionError


def test_create_list_and_resume_in_a_new_service(service, make_header, isolated_home):
    first = service.create(make_header(title="First"))
    second = service.create(make_header(title="Second", audit_type="api"))
    assert first.id != second.id
    assert first.status == SessionStatus.planned
    assert {s.id for s in service.list()} == {first.id, second.id}

    reopened = SessionService(isolated_home)
    resumed = reopened.get(second.id)
    assert resumed.header.title == "Second"
    assert resumed.header.audit_type == "api"
    assert resumed.header.scope.processes == ["purchasing", "calibration"]
    assert resumed.audit_date == date(2025, 3, 11)
    assert {s.kind for s in resumed.sources} >= {"catalogue", "checklist", "rule-pack"}


def test_session_ids_follow_the_creation_year(service, make_header):
    ids = [service.create(make_header()).id for _ in range(3)]
    year = ids[0].split("-")[0]
    assert ids == [f"{year}-001", f"{year}-002", f"{year}-003"]


def test_header_is_checked_and_standards_normalised(service, make_header):
    created = service.create(make_header(criteria=Criteria(standards=["api q1:10th", "ISO 9001:2015"])))
    assert created.header.criteria.standards == ["API Q1:10th", "ISO 9001:2015"]
    with pytest.raises(SessionError, match="no process 'purchase'"):
        service.create(make_header(scope=Scope(processes=["purchase"])))
    with pytest.raises(SessionError, match="unknown standard 'API Q1:8th'"):
        service.create(make_header(criteria=Criteria(standards=["API Q1:8th"])))


def test_unknown_session_names_the_id(service):
    with pytest.raises(SessionNotFoundError, match="no session '1999-001'"):
        service.get("1999-001")


def test_answer_is_parsed_stored_at_once_and_survives_a_new_service(service, session_id, isolated_home):
    record = service.answer(
        session_id, "pur_reeval", "no - only 3 of 5 suppliers re-evaluated", records=["SUP-12"],
        interviewee="Dana", role="Supply Chain Manager", by="lee",
    )
    assert (record.value, record.note, record.raw) == ("no", "only 3 of 5 suppliers re-evaluated",
                                                       "no - only 3 of 5 suppliers re-evaluated")

    # Another connection, as after a crash or from the TUI, sees it without any save step.
    stored = SessionService(isolated_home).answers(session_id)["pur_reeval"]
    assert stored.value == "no"
    assert stored.records == ["SUP-12"]
    assert (stored.interviewee, stored.role, stored.answered_by) == ("Dana", "Supply Chain Manager", "lee")
    assert service.get(session_id).status == SessionStatus.in_progress


def test_typed_values_come_back_typed(service, session_id):
    service.answer(session_id, "cal_due_date", "28 Feb 2025")
    service.answer(session_id, "cal_sampled", "12 gauges on the floor")
    service.answer(session_id, "pur_po_sampled", "PO-1, PO-2; PO-3")
    answers = service.answers(session_id)
    assert answers["cal_due_date"].value == date(2025, 2, 28)
    assert answers["cal_sampled"].value == 12.0
    assert answers["cal_sampled"].note == "gauges on the floor"
    assert answers["pur_po_sampled"].value == ["PO-1", "PO-2", "PO-3"]
    # Checklist order, whatever order they were given in.
    assert list(answers) == ["pur_po_sampled", "cal_due_date", "cal_sampled"]


def test_unreadable_answer_is_refused_and_nothing_stored(service, session_id):
    with pytest.raises(AnswerParseError, match="expected yes, no, partial or n/a"):
        service.answer(session_id, "pur_reeval", "perfect")
    with pytest.raises(AnswerParseError, match="'maybe' is not certain"):
        service.answer(session_id, "pur_reeval", "maybe")
    with pytest.raises(UnknownQuestionError, match="no checklist question"):
        service.answer(session_id, "pur_nonsense", "yes")
    assert service.answers(session_id) == {}
    assert service.get(session_id).status == SessionStatus.planned


def test_changing_an_answer_keeps_who_when_old_and_new(service, session_id):
    service.answer(session_id, "pur_reeval", "yes", by="lee", records=["SUP-1"])
    service.answer(session_id, "pur_reeval", "yes", by="kim")  # the same answer again: no new entry
    service.answer(session_id, "pur_reeval", "partial - one missed", by="kim")
    history = service.history(session_id, "pur_reeval")
    assert [(h.changed_by, h.old.value if h.old else None, h.new.value) for h in history] == [
        ("lee", None, "yes"),
        ("kim", "yes", "partial"),
    ]
    assert history[1].changed_at >= history[0].changed_at
    current = service.answers(session_id)["pur_reeval"]
    assert current.note == "one missed"
    assert current.records == ["SUP-1"]  # kept when the new answer names none


def test_closed_session_refuses_every_change(service, answered, make_header, tmp_path):
    finding_id = service.findings(answered)[0].id
    for finding in service.findings(answered):  # a session with undecided findings cannot be closed
        service.decide(answered, finding.id, "confirmed")
    service.close(answered)
    attempts = [
        lambda: service.answer(answered, "pur_procedure", "yes"),
        lambda: service.update_header(answered, make_header(title="Renamed")),
        lambda: service.set_status(answered, SessionStatus.in_review),
        lambda: service.decide(answered, finding_id, "confirmed"),
        lambda: service.add_manual_finding(answered, "minor", ["Q1 5.5.1"], "late"),
        lambda: service.set_corrective_action(answered, finding_id, owner="Dana"),
        lambda: service.load_answers(answered, tmp_path / "never-read.yaml"),
    ]
    for attempt in attempts:
        with pytest.raises(SessionClosedError, match="is closed"):
            attempt()
    assert service.get(answered).header.title == "Purchasing and calibration"
    assert "pur_procedure" not in service.answers(answered)


def test_header_update_and_status(service, session_id, make_header):
    updated = service.update_header(session_id, make_header(title="Renamed", location="Houston"))
    assert (updated.header.title, updated.header.location) == ("Renamed", "Houston")
    assert service.set_status(session_id, "in_review").status == SessionStatus.in_review


def test_each_thread_uses_its_own_connection(service, session_id):
    errors: list[BaseException] = []

    def work(question_id: str) -> None:
        try:
            service.answer(session_id, question_id, "yes")
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(q,)) for q in ("pur_procedure", "cal_procedure", "cal_register")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert set(service.answers(session_id)) == {"pur_procedure", "cal_procedure", "cal_register"}
