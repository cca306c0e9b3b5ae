"""Bulk answers from YAML or JSON: the sample audit loads, bad entries are all reported and nothing is stored."""

from __future__ import annotations

import json
from datetime import date

import pytest

from assistant.sessions.errors import AnswerFileError


def test_sample_audit_loads_and_fires_findings(service, session_id, sample_answers):
    stored = service.load_answers(session_id, sample_answers, by="lee")
    answers = service.answers(session_id)
    assert len(stored) == len(answers) >= 15
    assert answers["pur_reeval_done"].records == ["F-07-01-0112", "F-07-01-0127", "F-07-01-0131"]
    assert answers["cal_due_date"].value == date(2025, 2, 28)
    assert answers["pur_procedure"].role == "Supply Chain Manager"
    assert {"PUR-002", "CAL-001"} <= {f.id for f in service.findings(session_id)}


def test_loading_the_same_file_twice_changes_nothing(service, session_id, sample_answers):
    service.load_answers(session_id, sample_answers)
    service.load_answers(session_id, sample_answers)
    assert len(service.history(session_id, "pur_reeval")) == 1


def test_bad_entries_are_all_reported_and_nothing_is_stored(service, session_id, tmp_path):
    bad = tmp_path / "answers.yaml"
    bad.write_text(
        "pur_procedure: yes\n"
        "pur_reeval: maybe\n"
        "pur_unknown_question: yes\n"
        "cal_due_date: {value: 2025-02-30}\n"
        "cal_sampled: {value: 12, colour: red}\n"
        "cal_overdue:\n",
        encoding="utf-8",
    )
    with pytest.raises(AnswerFileError) as caught:
        service.load_answers(session_id, bad)
    problems = caught.value.problems
    assert [p.split(": ")[1] for p in problems] == [
        "pur_reeval", "pur_unknown_question", "cal_due_date", "cal_sampled", "cal_overdue"
    ]
    assert problems[0].startswith(f"{bad}:2: pur_reeval: 'maybe' is not certain")
    assert "colour" in problems[3]
    assert "nothing was stored" in str(caught.value)
    assert service.answers(session_id) == {}


def test_json_file_with_objects_and_plain_values(service, session_id, tmp_path):
    data = {
        "pur_po_sampled": ["PO-1", 4711],
        "cal_due_date": "2025-04-01",
        "pur_reeval": {"value": "no", "note": "none since 2021", "records": [12, "SUP-9"], "interviewee": "Dana"},
    }
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    service.load_answers(session_id, path)
    answers = service.answers(session_id)
    assert answers["pur_po_sampled"].value == ["PO-1", "4711"]
    assert answers["pur_reeval"].note == "none since 2021"
    assert answers["pur_reeval"].records == ["12", "SUP-9"]


def test_a_file_that_is_not_a_mapping_is_refused(service, session_id, tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- pur_procedure\n", encoding="utf-8")
    with pytest.raises(AnswerFileError, match="expected a mapping of question id"):
        service.load_answers(session_id, path)


def test_attachments_in_a_file_stay_inside_its_folder(service, session_id, tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "gauge.jpg").write_bytes(b"jpeg")
    outside = tmp_path.parent / "secret.txt"
    outside.write_text("not for the audit", encoding="utf-8")
    path = tmp_path / "answers.yaml"
    path.write_text(
        "cal_register: {value: yes, attachments: [photos/gauge.jpg]}\n"
        f"cal_procedure: {{value: yes, attachments: [../{outside.name}]}}\n",
        encoding="utf-8",
    )
    with pytest.raises(AnswerFileError, match="cal_procedure: attachment '../secret.txt' must be a path inside"):
        service.load_answers(session_id, path)
    assert service.answers(session_id) == {}

    path.write_text("cal_register: {value: yes, attachments: [photos/gauge.jpg]}\n", encoding="utf-8")
    service.load_answers(session_id, path)
    assert service.answers(session_id)["cal_register"].attachments == [f"{session_id}/cal_register_gauge.jpg"]


def test_an_answer_given_twice_is_refused_not_silently_dropped(service, session_id, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("pur_procedure: yes\npur_reeval: no\npur_procedure: no\n", encoding="utf-8")
    with pytest.raises(AnswerFileError, match=r"answers.yaml:3: 'pur_procedure' is given twice") as caught:
        service.load_answers(session_id, path)
    assert "\n" not in caught.value.problems[0]
    assert service.answers(session_id) == {}
