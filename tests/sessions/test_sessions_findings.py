"""Findings: re-evaluation with decisions that survive it, manual findings, corrective actions, hints, changed sources."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.sessions.errors import FindingNotFoundError, SessionError
from assistant.sessions.models import FindingStatus
from index.store import KnowledgeStore
from knowledge.documents.models import LoadedDocument, Passage
from knowledge.errors import ClauseNotFoundError
from rules.models import Grade


def test_findings_cite_rule_clauses_and_the_answers_that_fired_them(service, answered):
    found = {f.id: f for f in service.findings(answered)}
    assert {"PUR-002", "PUR-004", "CAL-001"} <= set(found)
    reeval = found["PUR-002"]
    assert reeval.rule_id == "PUR-002"
    assert reeval.status == FindingStatus.proposed
    assert reeval.grade == reeval.proposed_grade == Grade.minor
    assert [a.question_id for a in reeval.answers] == reeval.fired_by
    assert {"pur_reeval_sampled", "pur_reeval_done"} <= set(reeval.fired_by)
    assert [c.standard for c in reeval.clauses][:1] == ["API Q1"]
    assert "3" in reeval.statement.nonconformity


def test_api_audits_record_ungraded_nonconformities(service, make_header, firing):
    sid = service.create(make_header(audit_type="api")).id
    for question_id, text in firing.items():
        service.answer(sid, question_id, text)
    assert {f.grade for f in service.findings(sid)} == {Grade.nonconformity}
    with pytest.raises(SessionError, match="grade 'minor' is not used in api audits"):
        service.decide(sid, "PUR-002", "confirmed", grade="minor")


def test_decisions_survive_reevaluation(service, answered):
    service.decide(answered, "PUR-002", "dismissed", reason="Both suppliers inactive since 2023", by="lee")
    service.decide(answered, "pur-004", "confirmed", grade="major", by="lee")  # ids are not case sensitive
    service.decide(answered, "CAL-001", "confirmed", by="lee")

    # Unrelated answers re-run the engine; the decisions stay.
    service.answer(answered, "pur_procedure", "yes")
    found = {f.id: f for f in service.findings(answered)}
    assert found["PUR-002"].status == FindingStatus.dismissed
    assert found["PUR-002"].dismiss_reason == "Both suppliers inactive since 2023"
    assert (found["PUR-004"].status, found["PUR-004"].grade, found["PUR-004"].proposed_grade) == (
        FindingStatus.confirmed, Grade.major, Grade.minor)
    assert found["CAL-001"].decided_by == "lee"
    assert not found["PUR-004"].answers_changed_since_decision

    # The rule stops firing, then fires again: the decision applies again, flagged for a second look.
    service.answer(answered, "pur_po_information", "yes")
    assert "PUR-004" not in {f.id for f in service.findings(answered)}
    service.answer(answered, "pur_po_information", "no - none of the POs name a revision")
    again = service.finding(answered, "PUR-004")
    assert (again.status, again.grade) == (FindingStatus.confirmed, Grade.major)
    assert again.answers_changed_since_decision

    service.decide(answered, "PUR-004", "proposed")
    reopened = service.finding(answered, "PUR-004")
    assert (reopened.status, reopened.grade, reopened.decided_by) == (FindingStatus.proposed, Grade.minor, None)


def test_decision_mistakes_are_explained(service, answered):
    with pytest.raises(SessionError, match="say why"):
        service.decide(answered, "PUR-002", "dismissed", reason="  ")
    with pytest.raises(FindingNotFoundError, match="no finding 'PUR-999'"):
        service.decide(answered, "PUR-999", "confirmed")


def test_manual_findings_resolve_clauses_and_number_themselves(service, answered):
    first = service.add_manual_finding(
        answered, "minor", ["Q1 5.5.1.1"], "Approved supplier list shows two suppliers past re-evaluation date",
        evidence="ASL printout of 2025-03-10", process="purchasing", by="lee",
    )
    second = service.add_manual_finding(answered, "ofi", ["ISO 7.1.5.2"], "Gauge labels are hard to read")
    assert (first.id, second.id) == ("M-001", "M-002")
    assert first.manual and first.status == FindingStatus.confirmed
    keys = [(c.standard, c.edition, c.id) for c in first.clauses]
    # The crosswalk and edition map add the other standard and edition, in Q1 10th, Q1 9th, ISO order.
    assert keys == [("API Q1", "10th", "5.5.1.1"), ("API Q1", "9th", "5.6.1.1"), ("ISO 9001", "2015", "8.4.1"),
                    ("ISO 9001", "2015", "8.4.2")]
    assert "5.5.1.1" in first.statement.requirement
    ids = [f.id for f in service.findings(answered)]
    assert ids[-2:] == ["M-001", "M-002"]  # after the rule findings, in the order added

    with pytest.raises(ClauseNotFoundError):
        service.add_manual_finding(answered, "minor", ["Q1 99.9"], "nowhere")
    with pytest.raises(SessionError, match="no process 'buying'"):
        service.add_manual_finding(answered, "minor", ["Q1 5.5.1"], "text", process="buying")


def test_corrective_action_fields_are_kept_and_merged(service, answered):
    service.set_corrective_action(answered, "CAL-001", correction="MIC-0417 recalibrated", owner="Luis",
                                  due_date=date(2025, 4, 15), by="luis")
    service.set_corrective_action(answered, "CAL-001", root_cause="Recall list missed loaned gauges")
    action = service.finding(answered, "CAL-001").action
    assert (action.correction, action.root_cause, action.owner, action.due_date) == (
        "MIC-0417 recalibrated", "Recall list missed loaned gauges", "Luis", date(2025, 4, 15))
    assert action.corrective_action == ""


def test_escalation_hints_leave_out_dismissed_findings(service, answered):
    service.answer(answered, "cal_sampled", "12")
    service.answer(answered, "cal_overdue", "2")
    service.answer(answered, "cal_oot_assessed", "no")
    hinted = {fid for hint in service.escalation_hints(answered) for fid in hint.finding_ids}
    assert "CAL-001" in hinted
    for finding in service.findings(answered):
        if finding.process == "calibration" and finding.id != "CAL-001":
            service.decide(answered, finding.id, "dismissed", reason="not applicable")
    assert all("CAL-001" not in h.finding_ids for h in service.escalation_hints(answered))


def _procedure(revision: str, digest: str) -> LoadedDocument:
    return LoadedDocument(
        doc_id="QP-07", title="Purchasing", revision=revision, format="markdown", source_name="QP-07.md",
        content_hash=digest, passages=[Passage(ordinal=0, section_path=["1 Purpose"], text="Buy from approved suppliers.")],
    )


def test_changed_procedure_is_reported_once_answers_were_given(service, session_id, isolated_home):
    store = KnowledgeStore(isolated_home.knowledge_db)
    store.import_document(_procedure("C", "a" * 64))
    service.answer(session_id, "pur_procedure", "yes")
    assert service.changed_sources(session_id) == []

    store.import_document(_procedure("D", "b" * 64))
    store.close()
    changes = service.changed_sources(session_id)
    assert [(c.kind, c.name, c.change, c.old_revision, c.new_revision) for c in changes] == [
        ("procedure", "QP-07", "changed", "C", "D")
    ]
    assert "rev C -> rev D" in changes[0].describe()
