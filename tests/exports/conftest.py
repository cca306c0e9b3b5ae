"""A session full of hostile text (formulas, HTML, very long text, non-Latin scripts, emoji) to export."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from assistant.sessions.models import Auditee, AuditTeam, Criteria, Scope, SessionHeader
from assistant.sessions.service import SessionService

FORMULA = '=HYPERLINK("http://evil.example","click")'
SCRIPT = "<script>alert('x')</script>"
ARABIC = "مراجعة الموردين"
CHINESE = "供应商评估记录"
CYRILLIC = "Проверка поставщиков"
EMOJI = "🛢️🔥"
LONG = "Long evidence text about purchase order review. " * 400
LONG_WORD = "X" * 3000


@pytest.fixture
def hostile() -> SimpleNamespace:
    """The hostile texts, for assertions (test modules cannot import conftest under importlib mode)."""
    return SimpleNamespace(FORMULA=FORMULA, SCRIPT=SCRIPT, ARABIC=ARABIC, CHINESE=CHINESE, CYRILLIC=CYRILLIC,
                           EMOJI=EMOJI, LONG=LONG, LONG_WORD=LONG_WORD)


@pytest.fixture(scope="session")
def engine():
    from rules.engine import RuleEngine

    return RuleEngine.load()


@pytest.fixture
def service(isolated_home, engine) -> SessionService:
    svc = SessionService(isolated_home, engine=engine)
    yield svc
    svc.disconnect()


@pytest.fixture
def hostile_session(service: SessionService) -> str:
    """Purchasing and calibration in scope, half answered; two manual findings with hostile text."""
    header = SessionHeader(
        title=f"{SCRIPT} Supplier audit {CYRILLIC} / {CHINESE} {EMOJI}",
        audit_type="supplier",
        objectives=[f"{FORMULA} check purchasing", f"Verify {ARABIC}"],
        scope=Scope(processes=["purchasing", "calibration"], sites=["Plant 2 — Houston"], products=["Valves"]),
        criteria=Criteria(standards=["API Q1:10th", "ISO 9001:2015"], procedures=["QP-08"]),
        team=AuditTeam(lead="@lead Ana Núñez", members=["-Bob", "+Chen Wei 陈伟"]),
        auditees=[Auditee(name="Omar الفاسي", role="Buyer")],
        client=f"{SCRIPT} Management",
        start_date=date(2025, 3, 10),
        end_date=date(2025, 3, 11),
        location="Houston",
        diverging_opinions=f"Auditee disagrees with M-002 {EMOJI}",
    )
    sid = service.create(header).id
    service.answer(sid, "pur_procedure", "yes", note=f"{FORMULA} QP-08 rev C {SCRIPT}", interviewee="Omar", role="Buyer",
                   records=["=1+1", "PO-1001"], by="ana")
    service.answer(sid, "pur_reeval", "no - only 3 of 5", note=f"{ARABIC} {CHINESE} {CYRILLIC} {EMOJI}", by="ana")
    service.answer(sid, "pur_reeval", "partial", note=f"changed my mind\t{LONG}", by="ana")
    service.answer(sid, "pur_reeval_sampled", "5", by="ana")
    service.answer(sid, "pur_po_sampled", "PO-1001, PO-1002", note="\r+carriage return first", by="ana")
    service.answer(sid, "pur_records_kept", "n/a", by="ana")
    m1 = service.add_manual_finding(
        sid, "minor", ["Q1 5.5.1"], text=f"{FORMULA} Two suppliers not re-evaluated {SCRIPT} {LONG_WORD}",
        title=f"-Re-evaluation overdue {CHINESE} {EMOJI}", evidence=f"@SUM(A1) {LONG}", process="purchasing", by="ana",
    )
    service.add_manual_finding(
        sid, "observation", ["ISO 7.1.5"], text=f"+Gauge labels hard to read {ARABIC}", process="calibration", by="ana"
    )
    service.add_manual_finding(sid, "ofi", ["Q1 5.5.2"], text="Dismiss me later", process="purchasing", by="ana")
    service.decide(sid, "M-003", "dismissed", reason="Duplicate of M-001", by="ana")
    # Rule findings the answers raise are set aside, so the fixture's report is final with the manual ones only.
    for finding in service.findings(sid):
        if finding.status == "proposed" and not finding.id.startswith("M-"):
            service.decide(sid, finding.id, "dismissed", reason="Outside this fixture", by="ana")
    service.set_corrective_action(
        sid, m1.id, correction=f"=cmd|' /C calc'!A0 {SCRIPT}", root_cause=f"No schedule {CYRILLIC}",
        corrective_action="Add re-evaluation dates to the ERP", evidence="", owner="Omar", due_date=date(2025, 4, 30),
        by="omar",
    )
    return sid
