"""Free-text answers as people type them, turned into typed values (the rest kept as a note), never guessed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel

from knowledge.errors import Q1AuditError
from rules.models import AnswerType, AnswerValue

if TYPE_CHECKING:
    from rules.checklist import Checklist, Question

# The separators people put between an answer and their remark: "no - only 3 of 5", "yes: see QP-7".
_REST = r"(?:[\s.,;:!\-\u2013\u2014()]+(?P<rest>.*))?$"
_YESNO = {
    "yes": ("yes", "y", "yeah", "yep"),
    "no": ("no", "n", "nope"),
    "partial": ("partial", "partially", "partly", "part"),
    "na": ("n/a", "na", "n.a.", "n.a", "not applicable"),
}
_YESNO_WORDS = sorted(((w, v) for v, words in _YESNO.items() for w in words), key=lambda p: -len(p[0]))
_YESNO_RE = re.compile(
    r"^(?P<word>"
    + "|".join(re.escape(w) for w, _ in _YESNO_WORDS)
    + r")(?=$|[\s.,;:!\-\u2013\u2014()])"
    + _REST,
    re.IGNORECASE | re.DOTALL,
)
_NUMBER_RE = re.compile(
    r"^(?P<num>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d{1,3})?)(?=$|[^\w.,]|[.,](?!\d))"
    + r"[\s.,;:!\-\u2013\u2014()%]*(?P<rest>.*)$",
    re.DOTALL,
)
# Number words are accepted up to twenty: beyond that people type digits, and "twenty one" style parsing
# would be guessing.
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
} | {"none": 0, "nil": 0}
_NUMBER_WORD_RE = re.compile(
    r"^(?P<word>[a-z]+)\b[\s.,;:!\-\u2013\u2014()]*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL
)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        )
    )
    for m in names.split()
}
_ISO_DATE_RE = re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\b" + _REST, re.DOTALL)
_NUMERIC_DATE_RE = re.compile(r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4})\b" + _REST, re.DOTALL)
_DAY_MONTH_RE = re.compile(
    r"^(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s\-]+(?P<mon>[a-z]+)\.?[\s\-,]+(?P<y>\d{4})\b" + _REST,
    re.IGNORECASE | re.DOTALL,
)
_MONTH_DAY_RE = re.compile(
    r"^(?P<mon>[a-z]+)\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})\b" + _REST,
    re.IGNORECASE | re.DOTALL,
)
_RECORD_SPLIT_RE = re.compile(r"[,;\n]+")
_NO_RECORDS = {"none", "-", "nil", "no records"}

EXPECTED = {
    AnswerType.yesno: "yes, no, partial or n/a (a remark may follow, e.g. 'no - only 3 of 5 checked')",
    AnswerType.number: "a number such as 12 or 12.5 (a remark may follow, e.g. '12 suppliers')",
    AnswerType.date: "a date as 2024-03-11, 11 Mar 2024, or day/month/year where the day is over 12",
    AnswerType.text: "some text",
    AnswerType.records: "record ids separated by commas or semicolons, e.g. 'PO-1234, PO-1240; NCR-77', or 'none'",
}


class AnswerParseError(Q1AuditError):
    """An answer that cannot be read as the question's type; the message says what is expected."""

    title = "Answer not understood"


class ParsedAnswer(BaseModel):
    value: str | float | date | list[str]
    note: str = ""


def _expected(question: Question) -> str:
    if question.type == AnswerType.choice:
        return "one of: " + ", ".join(question.choices)
    return EXPECTED[question.type]


def _fail(question: Question, text: str, reason: str = "") -> AnswerParseError:
    shown = text if len(text) <= 40 else text[:37] + "..."
    why = f" ({reason})" if reason else ""
    return AnswerParseError(f"{question.id}: cannot read {shown!r}{why}; expected {_expected(question)}")


def _clean(rest: str | None) -> str:
    return " ".join((rest or "").split())


def parse_answer(question: Question, text: str) -> ParsedAnswer:
    """Read `text` as an answer to `question`: the typed value, and whatever follows it as the note."""
    if not text.strip():
        raise _fail(question, text, "the answer is empty")
    # Text and record lists keep their line breaks; everything else reads as one line.
    kept_lines = question.type in (AnswerType.text, AnswerType.records)
    stripped = text.strip() if kept_lines else " ".join(text.split())
    parser = {
        AnswerType.yesno: _parse_yesno,
        AnswerType.number: _parse_number,
        AnswerType.date: _parse_date,
        AnswerType.text: lambda q, t: ParsedAnswer(value=t),
        AnswerType.choice: _parse_choice,
        AnswerType.records: _parse_records,
    }[question.type]
    return parser(question, stripped)


def _parse_yesno(question: Question, text: str) -> ParsedAnswer:
    match = _YESNO_RE.match(text)
    if not match:
        raise _fail(question, text)
    word = match["word"].lower()
    value = next(v for w, v in _YESNO_WORDS if w == word)
    return ParsedAnswer(value=value, note=_clean(match["rest"]))


def _parse_number(question: Question, text: str) -> ParsedAnswer:
    match = _NUMBER_RE.match(text)
    if match:
        value = float(match["num"].replace(",", ""))
        if value != value or value in (float("inf"), float("-inf")):
            raise _fail(question, text, "the number is out of range")
        return ParsedAnswer(value=value, note=_clean(match["rest"]))
    match = _NUMBER_WORD_RE.match(text)
    if match and match["word"].lower() in _NUMBER_WORDS:
        return ParsedAnswer(value=float(_NUMBER_WORDS[match["word"].lower()]), note=_clean(match["rest"]))
    raise _fail(question, text)


def _make_date(question: Question, text: str, year: str, month: int, day: str) -> date:
    try:
        return date(int(year), month, int(day))
    except ValueError:
        raise _fail(question, text, "no such date") from None


def _parse_date(question: Question, text: str) -> ParsedAnswer:
    if match := _ISO_DATE_RE.match(text):
        return ParsedAnswer(
            value=_make_date(question, text, match["y"], int(match["m"]), match["d"]),
            note=_clean(match["rest"]),
        )
    if match := _NUMERIC_DATE_RE.match(text):
        first, second = int(match["a"]), int(match["b"])
        if first != second and first <= 12 and second <= 12:
            raise _fail(question, text, "day and month could be either way round; write it as YYYY-MM-DD")
        # One part is over 12, so it must be the day; equal parts read the same either way.
        day, month = (first, second) if first > 12 or first == second else (second, first)
        return ParsedAnswer(
            value=_make_date(question, text, match["y"], month, str(day)), note=_clean(match["rest"])
        )
    for pattern in (_DAY_MONTH_RE, _MONTH_DAY_RE):
        match = pattern.match(text)
        if match and match["mon"].lower() in _MONTHS:
            value = _make_date(question, text, match["y"], _MONTHS[match["mon"].lower()], match["d"])
            return ParsedAnswer(value=value, note=_clean(match["rest"]))
    raise _fail(question, text)


def _parse_choice(question: Question, text: str) -> ParsedAnswer:
    lowered = text.lower()
    # The longest choice the text starts with wins ("per lot" before "per"); the rest is the note.
    for choice in sorted(question.choices, key=len, reverse=True):
        c = choice.lower()
        if lowered.startswith(c) and (len(lowered) == len(c) or not lowered[len(c)].isalnum()):
            return ParsedAnswer(
                value=choice, note=_clean(re.sub(r"^[\s.,;:!\-\u2013\u2014()]+", "", text[len(c) :]))
            )
    word, _, rest = text.partition(" ")
    rest = re.sub(r"^[\s.,;:!\-\u2013\u2014()]+", "", rest)
    word = word.rstrip(".,;:!").lower()
    matches = [c for c in question.choices if c.lower().startswith(word)]
    if len(matches) == 1:
        return ParsedAnswer(value=matches[0], note=_clean(rest))
    reason = f"{word!r} starts several choices" if len(matches) > 1 else ""
    raise _fail(question, text, reason)


def _parse_records(question: Question, text: str) -> ParsedAnswer:
    if text.lower().rstrip(".") in _NO_RECORDS:
        return ParsedAnswer(value=[])
    records: list[str] = []
    for part in _RECORD_SPLIT_RE.split(text):
        record = part.strip().rstrip(".")
        if record and record not in records:
            records.append(record)
    if not records:
        raise _fail(question, text)
    return ParsedAnswer(value=records)


def format_answer(question: Question, value: str | float | date | list[str]) -> str:
    """The text that `parse_answer` reads back as `value` (used by exports and round-trip tests)."""
    if question.type == AnswerType.number:
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    if question.type == AnswerType.date:
        return value.isoformat()
    if question.type == AnswerType.records:
        return ", ".join(value) if value else "none"
    if question.type == AnswerType.yesno and value == "na":
        return "n/a"
    return str(value)


def coerce_value(question: Question, value: object) -> str | float | date | list[str] | None:
    """A stored or YAML-given value as the question's type; text is read with `parse_answer`.

    Stored answers come back from JSON, where a date is ISO text and a number may be an int.
    """
    if value is None:
        return None
    expected_python = {
        AnswerType.number: (int, float),
        AnswerType.date: (date,),
        AnswerType.records: (list,),
    }.get(question.type, (str,))
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if isinstance(value, expected_python) and question.type not in (AnswerType.yesno, AnswerType.choice):
        if question.type == AnswerType.records:
            return [str(v) for v in value]
        return float(value) if question.type == AnswerType.number else value
    if isinstance(value, int | float):
        value = format_answer(question, value) if question.type == AnswerType.number else str(value)
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, date):
        value = value.isoformat()
    return parse_answer(question, str(value)).value


def typed_values(checklist: Checklist, answers: Mapping[str, AnswerValue]) -> dict[str, object]:
    """Typed values of the answered questions (a records question falls back on the sampled records).

    An answer to a question the checklist no longer has, or no longer readable as its type (the
    checklist changed after it was given), is left out: the session reports the changed checklist.
    """
    values: dict[str, object] = {}
    for question_id, answer in answers.items():
        try:
            question = checklist.get(question_id)
            value = answer.value
            if value is None and question.type == AnswerType.records and answer.records:
                value = list(answer.records)
            typed = coerce_value(question, value)
        except Q1AuditError:
            continue
        if typed is not None:
            values[question_id] = typed
    return values
