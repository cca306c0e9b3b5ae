"""Free-text answers, properties: only AnswerParseError escapes, formatted values round-trip, idioms never
become a certain no, and settling an uncertain answer gives the reading picked. The table of real
phrasings is in test_rules_answer_phrases.py."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from rules.answers import AnswerParseError, format_answer, parse_answer
from rules.checklist import Question

CHOICES = ["annual", "monthly", "per lot", "per shipment"]
TEXTS = {
    "count": "How many critical suppliers did you sample?",
    "duration": "How often, in months, is the risk assessment reviewed?",
    "percent": "What was the on-time delivery rate, in percent?",
}


def question(answer_type: str) -> Question:
    kind = answer_type if answer_type in TEXTS else None
    return Question(
        id="t_question",
        process="test",
        text=TEXTS.get(answer_type, "A question for the parser"),
        help="Help text for the parser test",
        type="number" if kind else answer_type,
        choices=CHOICES if answer_type == "choice" else [],
        clauses={"iso": ["8.4"]},
    )


ANSWER_TYPES = ["yesno", "count", "duration", "percent", "date", "text", "choice", "records"]


@given(st.sampled_from(ANSWER_TYPES), st.text(max_size=60))
def test_only_parse_errors_escape_and_every_reading_is_certain_or_offers_a_choice(answer_type, text):
    try:
        parsed = parse_answer(question(answer_type), text)
    except AnswerParseError as exc:
        assert str(exc).startswith("t_question: ") and "\n" not in str(exc)
        return
    if parsed.certain:
        assert parsed.value is not None or parsed.says in ("none", "not applicable")
    else:
        assert parsed.value is None and len(parsed.candidates) >= 2 and parsed.reading


record_id = st.from_regex(r"[A-Z]{2,4}-[0-9]{1,6}", fullmatch=True)
values = {
    "yesno": st.sampled_from(["yes", "no", "partial", "na"]),
    "count": st.integers(0, 10**9).map(float),
    "duration": st.floats(0, 1e6, allow_nan=False, allow_infinity=False).map(lambda f: round(f, 3)),
    "percent": st.floats(0, 100, allow_nan=False).map(lambda f: round(f, 3)),
    "date": st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    "text": st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), min_size=1, max_size=30),
    "choice": st.sampled_from(CHOICES),
    "records": st.lists(record_id, max_size=5, unique=True),
}


@given(st.sampled_from(ANSWER_TYPES).flatmap(lambda t: st.tuples(st.just(t), values[t])))
def test_formatted_value_round_trips(typed):
    answer_type, value = typed
    q = question(answer_type)
    parsed = parse_answer(q, format_answer(q, value))
    assert parsed.certain
    assert parsed.value == value
    assert parsed.note == ""


IDIOMS = ["no problem", "No problems", "no issues", "not a problem", "no exceptions", "no idea", "don't know",
          "can't say", "maybe", "unknown", "yes and no", "no comment", "no one could tell"]


@given(st.sampled_from(IDIOMS), st.sampled_from([", ", " - ", " ", ". ", ""]), st.text(max_size=40))
def test_an_idiom_is_never_a_certain_no(idiom, separator, rest):
    try:
        parsed = parse_answer(question("yesno"), idiom + separator + rest)
    except AnswerParseError:
        return
    assert not (parsed.certain and parsed.value == "no")


@given(st.sampled_from(["no problem, QP-04 rev C is on the wall", "yes, but two revisions out of date", "maybe",
                        "yes and no", "none"]))
def test_settling_gives_the_reading_picked_and_keeps_the_words(text):
    q = question("yesno")
    parsed = parse_answer(q, text)
    assert not parsed.certain
    for candidate in parsed.candidates:
        settled = parse_answer(q, text, settle=candidate.label)
        assert (settled.certain, settled.value, settled.note) == (True, candidate.value, text)
