"""Free-text answers: table-driven cases, and properties (only AnswerParseError escapes; formatted values round-trip)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.answers import AnswerParseError, format_answer, parse_answer
from rules.checklist import Question

CHOICES = ["annual", "monthly", "per lot", "per shipment"]


def question(answer_type: str) -> Question:
    return Question(
        id="t_question",
        process="test",
        text="A question for the parser",
        help="Help text for the parser test",
        type=answer_type,
        choices=CHOICES if answer_type == "choice" else [],
        clauses={"iso": ["8.4"]},
    )


@pytest.mark.parametrize(
    ("answer_type", "text", "value", "note"),
    [
        ("yesno", "y", "yes", ""),
        ("yesno", "Yes.", "yes", ""),
        ("yesno", "no - only 3 of 5 suppliers re-evaluated", "no", "only 3 of 5 suppliers re-evaluated"),
        ("yesno", "n/a", "na", ""),
        ("yesno", "N/A not applicable here", "na", "not applicable here"),
        ("yesno", "partial", "partial", ""),
        ("yesno", "Partly, two records missing", "partial", "two records missing"),
        ("number", "12", 12.0, ""),
        ("number", "12 suppliers", 12.0, "suppliers"),
        ("number", "twelve", 12.0, ""),
        ("number", "1,200 parts", 1200.0, "parts"),
        ("number", "3.5", 3.5, ""),
        ("number", "none", 0.0, ""),
        ("date", "2024-03-11", date(2024, 3, 11), ""),
        ("date", "13/03/2024", date(2024, 3, 13), ""),
        ("date", "03/13/2024", date(2024, 3, 13), ""),
        ("date", "11 March 2024", date(2024, 3, 11), ""),
        ("date", "March 11, 2024 per sticker", date(2024, 3, 11), "per sticker"),
        ("records", "PO-1234, PO-1240; NCR-77", ["PO-1234", "PO-1240", "NCR-77"], ""),
        ("records", "none", [], ""),
        ("choice", "Monthly", "monthly", ""),
        ("choice", "ann - per QP-7", "annual", "per QP-7"),
        ("choice", "per lot", "per lot", ""),
        ("text", "  welding done by subcontractor  ", "welding done by subcontractor", ""),
    ],
)
def test_parses(answer_type, text, value, note):
    parsed = parse_answer(question(answer_type), text)
    assert (parsed.value, parsed.note) == (value, note)


@pytest.mark.parametrize(
    ("answer_type", "text", "expected_words"),
    [
        ("yesno", "maybe", "yes, no, partial or n/a"),
        ("yesno", "nothing", "yes, no, partial or n/a"),
        ("yesno", "   ", "empty"),
        ("number", "a dozen", "a number"),
        ("date", "11/03/2024", "either way round"),
        ("date", "2024-02-30", "no such date"),
        ("date", "next week", "a date"),
        ("choice", "per", "starts several choices"),
        ("choice", "weekly", "one of: annual"),
        ("records", " ; , ", "record ids"),
    ],
)
def test_refuses_to_guess(answer_type, text, expected_words):
    with pytest.raises(AnswerParseError, match=expected_words) as caught:
        parse_answer(question(answer_type), text)
    assert "t_question" in str(caught.value)
    assert "\n" not in str(caught.value)


ANSWER_TYPES = ["yesno", "number", "date", "text", "choice", "records"]


@given(st.sampled_from(ANSWER_TYPES), st.text(max_size=60))
def test_only_parse_errors_escape(answer_type, text):
    try:
        parsed = parse_answer(question(answer_type), text)
    except AnswerParseError as exc:
        assert str(exc).startswith("t_question: ") and "\n" not in str(exc)
    else:
        assert parsed.value is not None


record_id = st.from_regex(r"[A-Z]{2,4}-[0-9]{1,6}", fullmatch=True)
values = {
    "yesno": st.sampled_from(["yes", "no", "partial", "na"]),
    "number": st.one_of(
        st.integers(-10**9, 10**9).map(float),
        st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False).map(lambda f: round(f, 3)),
    ),
    "date": st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)),
    "text": st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), min_size=1, max_size=30),
    "choice": st.sampled_from(CHOICES),
    "records": st.lists(record_id, max_size=5, unique=True),
}


@given(st.sampled_from(ANSWER_TYPES).flatmap(lambda t: st.tuples(st.just(t), values[t])))
def test_formatted_value_round_trips(typed):
    answer_type, value = typed
    q = question(answer_type)
    parsed = parse_answer(q, format_answer(q, value))
    assert parsed.value == value
    assert parsed.note == ""
