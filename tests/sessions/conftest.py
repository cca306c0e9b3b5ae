"""Fixtures for session tests: a service on the test's own data directory and a session to work in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from assistant.sessions.models import Criteria, Scope, SessionHeader
from assistant.sessions.service import SessionService

AUDIT_DAY = date(2025, 3, 11)


@pytest.fixture
def service(isolated_home) -> SessionService:
    svc = SessionService(isolated_home)
    yield svc
    svc.disconnect()


@pytest.fixture
def make_header() -> Callable[..., SessionHeader]:
    def make(audit_type: str = "internal", **changes) -> SessionHeader:
        header = SessionHeader(
            title="Purchasing and calibration",
            audit_type=audit_type,
            scope=Scope(processes=["purchasing", "calibration"], sites=["Main plant"]),
            criteria=Criteria(standards=["API Q1:10th", "ISO 9001:2015"], procedures=["QP-07", "QP-12"]),
            start_date=AUDIT_DAY,
        )
        return header.model_copy(update=changes)

    return make


@pytest.fixture
def session_id(service: SessionService, make_header) -> str:
    return service.create(make_header()).id


@pytest.fixture
def firing() -> dict[str, str]:
    """Answers on which PUR-002 (3 of 5 re-evaluated), PUR-004 (PO information) and CAL-001 (gauge past due) fire."""
    return {
        "pur_reeval": "partial - two suppliers overdue",
        "pur_reeval_sampled": "5",
        "pur_reeval_done": "3",
        "pur_po_information": "partial - PO-24-0211 lacks the spec revision",
        "cal_due_date": "2025-02-28",
    }


@pytest.fixture
def answered(service: SessionService, session_id: str, firing: dict[str, str]) -> str:
    """The session with the firing answers given."""
    for question_id, text in firing.items():
        service.answer(session_id, question_id, text, by="auditor")
    return session_id


@pytest.fixture
def sample_answers() -> Path:
    return Path(__file__).parents[2] / "knowledge" / "samples" / "audits" / "2025-purchasing-calibration.yaml"
