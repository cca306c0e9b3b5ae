"""How real answers are read: the phrase table in answer_phrases.yaml, one case per row."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from rules.answers import AnswerParseError, parse_answer
from rules.checklist import Question

TABLE = yaml.safe_load((Path(__file__).parent / "answer_phrases.yaml").read_text(encoding="utf-8"))
QUESTIONS = {
    "yesno": ("yesno", "Do you have a written procedure for risk assessment?"),
    "count": ("number", "How many critical suppliers did you sample?"),
    "duration_months": ("number", "How often, in months, does your procedure say the review is due?"),
    "duration_years": ("number", "How many years does your records procedure say records are kept?"),
    "percent": ("number", "What was the on-time delivery rate, in percent, over the last year?"),
    "date": ("date", "When was the last management review held?"),
    "choice": ("choice", "How often is the supplier data reviewed?"),
    "records": ("records", "Which records did you sample?"),
    "text": ("text", "Who does the welding?"),
}


def question(kind: str) -> Question:
    answer_type, text = QUESTIONS[kind]
    return Question(
        id=f"t_{kind}_question",
        process="test",
        text=text,
        help="Help text for the phrase table",
        type=answer_type,
        choices=["annual", "monthly", "per lot", "per shipment"] if answer_type == "choice" else [],
        clauses={"iso": ["8.4"]},
    )


def _expected(value: object) -> object:
    # YAML 1.1 reads a bare yes / no as a boolean; the table means the words.
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, list):
        return [str(v) for v in value]
    return value


ROWS = [
    pytest.param(kind, row[0], _expected(row[1]), row[2] if len(row) > 2 else "", id=f"{kind}:{row[0]!r}")
    for kind, rows in TABLE.items()
    for row in rows
]


def test_the_table_covers_every_answer_type_with_150_phrasings():
    assert len(ROWS) >= 150
    assert set(TABLE) == set(QUESTIONS)


@pytest.mark.parametrize(("kind", "text", "reading", "note"), ROWS)
def test_phrase(kind, text, reading, note):
    q = question(kind)
    if reading == "!":
        with pytest.raises(AnswerParseError) as caught:
            parse_answer(q, text)
        assert str(caught.value).startswith(f"{q.id}: ") and "\n" not in str(caught.value)
        return
    parsed = parse_answer(q, text)
    if isinstance(reading, str) and reading.startswith("?"):
        assert not parsed.certain, parsed
        assert parsed.labels() == [c.strip() for c in reading[1:].split("|")]
        assert parsed.value is None and parsed.reading
        return
    assert parsed.certain, parsed
    if reading in ("none", "n/a") and kind != "text":
        assert parsed.says == {"none": "none", "n/a": "not applicable"}[reading]
        empty = [] if kind == "records" else 0.0 if (kind, reading) == ("count", "none") else None
        assert parsed.value == empty
    else:
        assert parsed.value == reading
        assert parsed.says == ""
    assert parsed.note == note


@pytest.mark.parametrize("settle", ["yes", "no"])
def test_an_idiom_is_stored_only_as_the_auditor_settles_it_with_the_whole_text_as_note(settle):
    text = "no problem, QP-04 rev C is on the wall"
    parsed = parse_answer(question("yesno"), text, settle=settle)
    assert (parsed.certain, parsed.value, parsed.note) == (True, settle, text)


def test_a_fraction_for_a_percentage_is_settled_by_picking_a_reading():
    assert parse_answer(question("percent"), "0.95", settle="95").value == 95.0
    assert parse_answer(question("percent"), "0.95", settle="0.95").value == 0.95


def test_settling_a_certain_reading_the_other_way_is_refused():
    with pytest.raises(AnswerParseError, match="reads as yes"):
        parse_answer(question("yesno"), "yes", settle="no")
    with pytest.raises(AnswerParseError, match="not one of its readings"):
        parse_answer(question("count"), "5-6", settle="7")


def test_a_qualified_yes_settled_as_partial_keeps_the_qualification():
    parsed = parse_answer(question("yesno"), "yes, but two revisions out of date", settle="partial")
    assert (parsed.value, parsed.note) == ("partial", "yes, but two revisions out of date")


def test_dates_in_the_table_are_real_dates():
    assert all(isinstance(row[1], date) or row[1] == "!" for row in TABLE["date"])
