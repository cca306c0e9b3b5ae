"""Free-text answers as people type them, turned into typed values (the rest kept as a note), never guessed.

The whole answer is read, not its first word. A reading is either certain (one typed value) or uncertain
(an idiom such as "no problem", "no idea", "yes and no", "yes, but two revisions out of date", a range or a
percent typed as a fraction): then it carries the candidate readings and nothing may be stored until the
auditor picks one (`settle`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from knowledge.errors import Q1AuditError
from rules.models import YESNO_VALUES, AnswerType, AnswerValue

if TYPE_CHECKING:
    from rules.checklist import Checklist, Question

TypedValue = str | float | date | list[str]
_SEP = "\\s.,;:!\\-\u2013\u2014()/"
_SEP_RE = re.compile(f"^[{_SEP}]+")

# --- yes / no -----------------------------------------------------------------------------------------
# Leading words and phrases, by the value they give. Longer phrases are tried first.
_YESNO = {
    "yes": (
        "yes", "y", "yeah", "yep", "yup", "ya", "aye", "affirmative", "correct", "certainly", "absolutely",
        "of course", "sure", "ok", "okay", "indeed", "true", "confirmed", "we do", "we have", "they do",
        "they are", "it is", "it does", "there is", "there are", "in place",
    ),
    "no": (
        "no", "n", "nope", "nah", "negative", "never", "not at all", "not yet", "false", "we don't", "we do not",
        "we haven't", "we have not", "they don't", "they do not", "they aren't", "they are not", "it isn't",
        "it is not", "it doesn't", "it does not", "there isn't", "there is not", "there aren't", "there are not",
    ),
    "partial": (
        "partial", "partially", "partly", "part", "in part", "mostly", "largely", "some", "some of them",
        "not all", "not fully", "not always", "not completely", "not entirely", "sort of", "kind of",
        "somewhat", "mostly yes",
    ),
    "na": (
        "n/a", "na", "n.a.", "n.a", "n / a", "not applicable", "does not apply", "doesn't apply", "not relevant",
        "irrelevant", "not required", "nothing to check",
    ),
}
_YESNO_LEADS = sorted(((w, v) for v, words in _YESNO.items() for w in words), key=lambda p: -len(p[0]))
_LEAD_RE = re.compile(
    "^(?P<lead>" + "|".join(re.escape(w) for w, _ in _YESNO_LEADS) + f")(?=$|[{_SEP}?'\"])(?P<rest>.*)$",
    re.DOTALL,
)
# Said when the answer is not known: nothing can be recorded from these.
_UNKNOWN = (
    "no idea", "don't know", "dont know", "do not know", "didn't know", "not sure", "unsure", "can't say",
    "cant say", "cannot say", "can not say", "can't tell", "cannot tell", "maybe", "perhaps", "possibly",
    "probably", "unknown", "not known", "dunno", "no comment", "no one could tell", "nobody could tell",
    "nobody knows", "no one knows", "unclear", "not clear", "tbc", "to be confirmed", "to be checked", "tbd",
    "not checked", "no answer", "i think so", "i guess", "hard to say", "depends", "it depends",
    "who knows", "we'll see",
)
# Negations that say all is well ("no problem"): whether that is a yes or a no depends on the question.
_IDIOMS = (
    "no problem", "no problems", "not a problem", "no issue", "no issues", "not an issue", "no exception",
    "no exceptions", "without exception", "no concern", "no concerns", "no worries", "no nonconformity",
    "no nonconformities", "no ncs", "no findings", "no finding", "no gaps", "no deviation", "no deviations",
    "nothing missing", "none missing", "no complaints", "no doubt", "no trouble", "never a problem",
    "not a concern", "no drama", "nothing wrong", "none wrong", "nothing found", "none found",
)
_UNKNOWN_RE = re.compile(
    "^(?:(?:i|we|they|he|she)\\s+)?(?P<phrase>" + "|".join(re.escape(p) for p in sorted(_UNKNOWN, key=len, reverse=True))
    + r")(?=$|[\W])"
)
_IDIOM_RE = re.compile(
    "^(?P<phrase>" + "|".join(re.escape(p) for p in sorted(_IDIOMS, key=len, reverse=True)) + r")(?=$|\W)"
)
_IDIOM_ANYWHERE_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(p) for p in sorted(_IDIOMS, key=len, reverse=True)) + r")\b"
)
# "no" followed straight by one of these is still the answer no ("no we don't", "no evidence of it").
_NO_PRONOUNS = {"we", "they", "it", "there", "he", "she", "i", "not", "never", "none", "nothing", "sir", "way", "nobody"}
_NO_THINGS = {
    "evidence", "record", "records", "procedure", "procedures", "document", "documents", "documentation",
    "plan", "list", "schedule", "register", "log", "approval", "review", "proof", "training", "sign-off",
    "written", "documented", "formal", "such", "objective", "assessment", "evaluation", "certificate",
}
_CONJUNCTION_RE = re.compile(r"^(?:and|or|but|then|also|well|/|\\|&)?[\s,.;:/\\&-]*(?P<word>yes|no|y|n)(?=$|\W)")
# Words that qualify a yes: "yes, but two revisions out of date" is partial, or the auditor says so.
_QUALIFIER_RE = re.compile(
    r"\b(?:but|however|except|excepting|although|though|apart from|other than|only|not all|not every|"
    r"not for|not yet|not up to date|not current|not signed|not approved|not complete|missing|out of date|"
    r"outdated|obsolete|expired|overdue|late|incomplete|partly|partially|mostly|largely|some|few|most of)\b"
)

# --- numbers ------------------------------------------------------------------------------------------
_NUMBER = r"[-+]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)"
_NUMBER_RE = re.compile(
    rf"^(?P<num>{_NUMBER})(?=$|[^\w.,]|[.,](?!\d))\s*(?P<pct>%|percent\b|per cent\b|pct\b)?(?P<rest>.*)$",
    re.DOTALL | re.IGNORECASE,
)
_STANDALONE_NUMBER_RE = re.compile(rf"(?<![\w\-/.,]){_NUMBER}(?![\w\-/]|[.,]\d)")
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
    )
} | {"a dozen": 12, "dozen": 12, "a couple": 2, "a couple of": 2, "single": 1, "a single": 1}
_NUMBER_WORD_RE = re.compile(
    "^(?P<word>" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_NONE_WORDS = (
    "none", "nil", "nothing", "nobody", "no one", "not any", "we have none", "there are none", "there were none",
    "none at all", "none found", "not one",
)
_NONE_WORDS_RE = re.compile(
    "^(?:" + "|".join(re.escape(w) for w in sorted(_NONE_WORDS, key=len, reverse=True)) + r")(?=$|\W)(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_NA_RE = re.compile(
    r"^(?:n/a|n\.a\.?|na|n / a|not applicable|does not apply|doesn't apply|not defined|not set|"
    r"no period|not stated)(?=$|\W)(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_ALL_RE = re.compile(r"^(?:all|every one|everyone|all of them|each)(?=$|\W)(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_RANGE_RE = re.compile(rf"^(?P<a>{_NUMBER})\s*(?:-|\u2013|to|or)\s*(?P<b>{_NUMBER})(?=$|[^\w.,])(?P<rest>.*)$")
_APPROX_RE = re.compile(
    r"^(?P<word>about|approx\.?|approximately|around|roughly|circa|ca\.?|~|some|nearly|almost)\s*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_COMPARATIVE_RE = re.compile(
    r"^(?:more than|over|at least|less than|under|fewer than|at most|up to|above|below|>|<|>=|<=)\s*\d",
    re.IGNORECASE,
)
_UNIT_WORDS = {
    "year": "years", "years": "years", "yr": "years", "yrs": "years",
    "month": "months", "months": "months", "mo": "months", "mos": "months",
    "week": "weeks", "weeks": "weeks", "wk": "weeks", "wks": "weeks",
    "day": "days", "days": "days",
}
# Only exact conversions: a year is 12 months and a week 7 days; anything else is not guessed.
_PER = {("years", "months"): 12.0, ("weeks", "days"): 7.0, ("months", "years"): 1 / 12, ("days", "weeks"): 1 / 7}
_EVERY = {
    "annually": (1, "years"), "yearly": (1, "years"), "every year": (1, "years"), "once a year": (1, "years"),
    "monthly": (1, "months"), "every month": (1, "months"), "quarterly": (3, "months"),
    "every quarter": (3, "months"), "twice a year": (6, "months"), "half-yearly": (6, "months"),
    "semi-annually": (6, "months"), "semiannually": (6, "months"), "biannually": (6, "months"),
    "weekly": (1, "weeks"), "every week": (1, "weeks"), "daily": (1, "days"), "every day": (1, "days"),
}
_EVERY_RE = re.compile(
    r"^(?:every\s+)?(?P<word>" + "|".join(re.escape(w) for w in sorted(_EVERY, key=len, reverse=True))
    + r")(?=$|\W)(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_DURATION_QUESTION_RE = re.compile(
    r"^how (?:often|long)\b|^how many (?:years|months|weeks|days)\b|\bin (?:years|months|weeks|days)\b|"
    r"\b(?:interval|frequency|retention period)\b",
    re.IGNORECASE,
)
_QUESTION_UNIT_RE = re.compile(r"\b(years|months|weeks|days)\b", re.IGNORECASE)

# --- dates --------------------------------------------------------------------------------------------
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            "jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
            "aug august", "sep sept september", "oct october", "nov november", "dec december",
        )
    )
    for m in names.split()
}
_REST = f"(?:[{_SEP}]+(?P<rest>.*))?$"
_ISO_DATE_RE = re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\b" + _REST, re.DOTALL)
_NUMERIC_DATE_RE = re.compile(
    r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4}|\d{2})(?![\d/.\-]\d)\b" + _REST, re.DOTALL
)
_DAY_MONTH_RE = re.compile(
    r"^(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?[\s\-/.]+(?P<mon>[a-z]+)\.?[\s\-/,.]+(?P<y>\d{4})\b" + _REST,
    re.IGNORECASE | re.DOTALL,
)
_MONTH_DAY_RE = re.compile(
    r"^(?P<mon>[a-z]+)\.?[\s\-]+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?[\s\-]+(?P<y>\d{4})\b" + _REST,
    re.IGNORECASE | re.DOTALL,
)
_MONTH_YEAR_RE = re.compile(r"^(?P<mon>[a-z]+)\.?,?\s+(?P<y>\d{4})\b", re.IGNORECASE)
_NO_DATE_RE = re.compile(r"^(?:never|none|not yet|n/a|na|not done|no date|nil|unknown)(?=$|\W)", re.IGNORECASE)
EARLIEST_YEAR, LATEST_YEAR = 1900, 2099

# --- record lists -------------------------------------------------------------------------------------
# Split at semicolons and line breaks, and at commas that do not sit inside a number ("0-20,000 psi").
_RECORD_SPLIT_RE = re.compile(r"[;\n]+|,(?!\d{3}(?!\d))|(?<!\d),")
_RECORD_ID_RE = re.compile(r"^[A-Za-z]{1,8}[-_/#]?\d[\w\-/.#]*$")
_NO_RECORDS_RE = re.compile(
    r"^(?:none|nil|nothing|no records?|not any|-|n/a|na|n\.a\.?|not applicable|we have none(?: yet)?|"
    r"none yet|none available|none sampled|none seen|none on file)(?=$|[\W])(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_RECORD_LEAD_RE = re.compile(r"^(?:yes|y|seen|sampled|checked|records?)\s*[:\-\u2013\u2014,]\s*", re.IGNORECASE)

EXPECTED = {
    AnswerType.yesno: "yes, no, partial or n/a (a remark may follow, e.g. 'no - only 3 of 5 checked')",
    AnswerType.number: "a number such as 12 or 12.5 (a remark may follow, e.g. '12 suppliers')",
    AnswerType.date: "a date as 2024-03-11, 11 Mar 2024, or day/month/year where the day is over 12",
    AnswerType.text: "some text",
    AnswerType.records: "record ids separated by commas or semicolons, e.g. 'PO-1234, PO-1240; NCR-77', or 'none'",
}

NumberKind = Literal["count", "duration", "percent"]


class AnswerParseError(Q1AuditError):
    """An answer that cannot be read as the question's type; the message says what is expected."""

    title = "Answer not understood"


class Candidate(BaseModel):
    """One way an uncertain answer can be read: the auditor picks it by `label` (one word or number)."""

    label: str
    value: TypedValue | None
    meaning: str
    """In words, e.g. "95 %" or "no (the thing asked about is missing)"."""


class ParsedAnswer(BaseModel):
    """How one typed answer was read."""

    value: TypedValue | None
    """None only when the answer says "none / not applicable" for a period, or when the reading is uncertain."""
    note: str = ""
    """What the auditor said besides the value (qualifications, references), kept word for word."""
    reading: str = ""
    """How the text was read, in words, when it was more than a plain value ("'none' read as 0")."""
    says: Literal["", "none", "not applicable", "all"] = ""
    """The answer said there are none, that it does not apply, or "all": rules and reports may tell these
    apart from a plain 0 or an empty list."""
    certain: bool = True
    candidates: list[Candidate] = Field(default_factory=list)
    """When not certain: the readings to choose from, the likeliest first."""

    def labels(self) -> list[str]:
        return [c.label for c in self.candidates]


def number_kind(question: Question) -> NumberKind:
    """Whether a number question asks for a count, a period (in the question's unit) or a percentage."""
    if re.search(r"\bpercent|%|\brate\b", question.text, re.IGNORECASE) or question.id.endswith(("_percent", "_pct")):
        return "percent"
    if _DURATION_QUESTION_RE.search(question.text):
        return "duration"
    return "count"


def _expected(question: Question) -> str:
    if question.type == AnswerType.choice:
        return "one of: " + ", ".join(question.choices)
    return EXPECTED[question.type]


def _fail(question: Question, text: str, reason: str = "") -> AnswerParseError:
    shown = text if len(text) <= 40 else text[:37] + "..."
    why = f" ({reason})" if reason else ""
    return AnswerParseError(f"{question.id}: cannot read {shown!r}{why}; expected {_expected(question)}")


def _clean(rest: str | None) -> str:
    """The remark after a value, without the separators before it; nothing when it is only punctuation."""
    note = " ".join(_SEP_RE.sub("", rest or "").split())
    return note if any(c.isalnum() for c in note) else ""


def _uncertain(reading: str, candidates: list[Candidate], note: str = "") -> ParsedAnswer:
    return ParsedAnswer(value=None, note=note, reading=reading, certain=False, candidates=candidates)


def parse_answer(question: Question, text: str, settle: str | None = None) -> ParsedAnswer:
    """Read `text` as an answer to `question`.

    A certain reading carries the typed value and the rest of the text as its note; an uncertain one
    carries the candidate readings. `settle` is the auditor's pick among them (a candidate's label, or for
    yes/no questions any of yes / no / partial / na): the result is then certain, with the whole text
    kept as the note. AnswerParseError when the text cannot be read at all, or `settle` is not a reading.
    """
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
    parsed = parser(question, stripped)
    return parsed if settle is None else _settle(question, stripped, parsed, settle)


def _settle(question: Question, text: str, parsed: ParsedAnswer, settle: str) -> ParsedAnswer:
    wanted = settle.strip().lower()
    options = list(parsed.candidates)
    if question.type == AnswerType.yesno:
        listed = {c.label for c in options}
        options += [_yesno_candidate(v) for v in YESNO_VALUES if v not in listed]
        wanted = {"n/a": "na", "y": "yes", "n": "no"}.get(wanted, wanted)
    chosen = next((c for c in options if c.label.lower() == wanted), None)
    if chosen is None:
        listed = " | ".join(c.label for c in options) or "none"
        raise _fail(question, text, f"{settle!r} is not one of its readings: {listed}")
    if parsed.certain and parsed.value != chosen.value:
        raise _fail(question, text, f"it reads as {format_answer(question, parsed.value)}, not {settle}")
    note = parsed.note if parsed.certain else text
    return ParsedAnswer(value=chosen.value, note=note, reading=f"read as {chosen.meaning}, as the auditor chose")


# --- yes / no -----------------------------------------------------------------------------------------

_YESNO_MEANING = {
    "yes": "yes",
    "no": "no",
    "partial": "partial (only in part)",
    "na": "n/a (does not apply here)",
}


def _yesno_candidate(value: str) -> Candidate:
    return Candidate(label=value, value=value, meaning=_YESNO_MEANING[value])


def _normal(text: str) -> str:
    """Lower case with typographic quotes made plain and leading quotes or bullets dropped.

    Every character maps to one character, so a position in the result is one in the text's tail.
    """
    text = re.sub(r"^(?:[\s\"'\u2018\u2019(\[{*_,;:!\u2013\u2014]|[-.](?!\d))+", "", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _parse_yesno(question: Question, text: str) -> ParsedAnswer:
    lowered = _normal(text)
    everything = [_yesno_candidate(v) for v in YESNO_VALUES]
    if match := _UNKNOWN_RE.match(lowered):
        return _uncertain(f"{match['phrase']!r} says the answer is not known", everything)
    if match := _IDIOM_RE.match(lowered):
        phrase = match["phrase"]
        return _uncertain(
            f"{phrase!r} is a way of speaking, not a yes or a no",
            [_yesno_candidate("yes"), _yesno_candidate("no")],
        )
    if re.match(r"^(?:none|nothing|nobody|no one)(?=$|\W)", lowered):
        return _uncertain(
            "'none' may mean no, or that the question does not apply", [_yesno_candidate("no"), _yesno_candidate("na")]
        )
    if lowered.startswith("not really"):
        return _uncertain("'not really' is between no and partial", [_yesno_candidate("no"), _yesno_candidate("partial")])
    match = _LEAD_RE.match(lowered)
    if not match:
        raise _fail(question, text)
    lead = match["lead"]
    value = next(v for w, v in _YESNO_LEADS if w == lead)
    offset = len(text) - len(lowered)
    rest_raw = text[offset + match.start("rest") :]
    rest = match["rest"]
    note = _clean(rest_raw)
    if rest.lstrip().startswith("?"):
        return _uncertain(f"{lead!r} was asked back, not answered", everything, note)
    plain_rest = _IDIOM_ANYWHERE_RE.sub(" ", rest)
    if value in ("yes", "no") and (word := _CONJUNCTION_RE.match(plain_rest.strip(" ,.;:-"))):
        opposite = {"yes": "yes", "y": "yes", "no": "no", "n": "no"}[word["word"]]
        if opposite != value:
            return _uncertain(
                f"{lead!r} and {word['word']!r} say both",
                [_yesno_candidate("partial"), _yesno_candidate("yes"), _yesno_candidate("no")],
                note,
            )
    if lead == "no" and (directly := re.match(r"^ +([a-z][\w'-]*)", rest)):
        following = directly.group(1)
        if following in _NO_THINGS:
            note = text  # "no procedure exists": the words say what is missing
        elif following not in _NO_PRONOUNS:
            return _uncertain(
                f"'no {following}' may describe something missing, or that all is well",
                [_yesno_candidate("no"), _yesno_candidate("yes")],
                note,
            )
    if value == "no" and (not_applicable := _NO_BECAUSE_NA_RE.match(rest.strip(_SEP_CHARS))):
        # "no - not applicable": the no only says the thing is not there to audit; a gate closes the same way.
        return ParsedAnswer(value="na", note=_clean(not_applicable["rest"]))
    if value == "yes" and (qualifier := _QUALIFIER_RE.search(plain_rest)):
        return _uncertain(
            f"a yes qualified by {qualifier.group(0)!r}",
            [_yesno_candidate("partial"), _yesno_candidate("yes")],
            note,
        )
    return ParsedAnswer(value=value, note=note)


# "no - not applicable", "no, n/a: no welding done": only these phrases, not "no - not defined" (a real no).
_SEP_CHARS = " \t\n.,;:!-\u2013\u2014()"
_NO_BECAUSE_NA_RE = re.compile(
    r"^(?:n/a|n\.a\.?|na|n / a|not applicable|does not apply|doesn't apply)(?=$|[^\w/])(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)


# --- numbers ------------------------------------------------------------------------------------------


def _number_candidate(value: float, meaning: str | None = None) -> Candidate:
    label = _number_text(value)
    return Candidate(label=label, value=value, meaning=meaning or label)


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _unit_of(rest: str) -> str | None:
    first = rest.strip(" ,.;:-()").split(" ", 1)[0].lower().strip(".,;:()")
    return _UNIT_WORDS.get(first)


def _parse_number(question: Question, text: str) -> ParsedAnswer:
    kind = number_kind(question)
    lowered = _normal(text)
    offset = len(text) - len(lowered)
    if _UNKNOWN_RE.match(lowered):
        raise _fail(question, text, "that says it is not known; skip the question or give the number")
    if match := _NA_RE.match(lowered):
        return ParsedAnswer(
            value=None, note=_clean(text[offset + match.start("rest") :]), says="not applicable",
            reading="read as not applicable",
        )
    if match := _NONE_WORDS_RE.match(lowered):
        note = _clean(text[offset + match.start("rest") :])
        if kind == "duration":
            return ParsedAnswer(value=None, note=note, says="none", reading="no period: read as none / not applicable")
        if kind == "percent":
            raise _fail(question, text, "give the percentage, e.g. 0 or 95")
        return ParsedAnswer(value=0.0, note=note, says="none", reading="'none' read as 0")
    if _ALL_RE.match(lowered) and not re.search(r"\d", lowered):
        raise _fail(question, text, "'all' needs the number: how many is that?")
    if _COMPARATIVE_RE.match(lowered):
        raise _fail(question, text, "give the exact number, not a bound")
    if kind != "count" and (match := _EVERY_RE.match(lowered)):
        amount, unit = _EVERY[match["word"]]
        return _duration(question, text, float(amount), unit, _clean(text[offset + match.start("rest") :]))
    approx = ""
    if match := _APPROX_RE.match(lowered):
        approx = match["word"]
        lowered = lowered[match.start("rest") :]
        offset = len(text) - len(lowered)
    if match := _RANGE_RE.match(lowered):
        a, b = (float(match[k].replace(",", "")) for k in ("a", "b"))
        if a < b and not match["a"].startswith("-") and not match["b"].startswith(("-", "+")):
            return _uncertain(
                f"{match['a']}-{match['b']} is a range, not one number",
                [_number_candidate(a), _number_candidate(b)],
                _clean(text[offset + match.start("rest") :]),
            )
    if match := _NUMBER_RE.match(lowered):
        written = match["num"]
        rest = text[offset + match.start("rest") :]
        percent_sign = bool(match["pct"])
    elif match := _NUMBER_WORD_RE.match(lowered):
        written = str(_NUMBER_WORDS[match["word"].lower()])
        rest = text[offset + match.start("rest") :]
        percent_sign = False
    else:
        found = _STANDALONE_NUMBER_RE.findall(lowered)
        if len(found) != 1 or re.search(r"\bnot\b|\bno\b", lowered):
            raise _fail(question, text)
        written, rest, percent_sign = found[0], text, False
        approx = approx or "read from the sentence"
    value = float(written.replace(",", ""))
    if value != value or value in (float("inf"), float("-inf")) or abs(value) > 1e12:
        raise _fail(question, text, "the number is out of range")
    note = " ".join(p for p in (approx if approx != "read from the sentence" else "", _clean(rest)) if p)
    reading = f"{_number_text(value)} read from the sentence" if approx == "read from the sentence" else ""
    if re.match(r"^\s*(?:of|out of)\s+\d", rest):
        note = " ".join(text.split())  # "3 of 5": the sample size stays with the count
    if kind == "count":
        if value < 0:
            raise _fail(question, text, "a count cannot be negative")
        if not value.is_integer():
            raise _fail(question, text, "a count is a whole number")
        if percent_sign:
            raise _fail(question, text, "the question asks how many, not a percentage")
        return ParsedAnswer(value=value, note=note, reading=reading)
    if kind == "percent":
        return _percent(question, text, value, written, percent_sign, note, reading)
    unit = _unit_of(rest)
    if unit is not None:
        note = " ".join(p for p in (approx if approx != "read from the sentence" else "",
                                    _clean(re.sub(r"^\W*\w+", "", rest, count=1))) if p)
    return _duration(question, text, value, unit, note, reading)


def _percent(
    question: Question, text: str, value: float, written: str, percent_sign: bool, note: str, reading: str
) -> ParsedAnswer:
    if value < 0 or value > 100:
        raise _fail(question, text, "a percentage lies between 0 and 100")
    if not percent_sign and 0 < value <= 1 and "." in written:
        return _uncertain(
            f"{written} reads as a fraction: {_number_text(value * 100)} % or {_number_text(value)} %?",
            [
                _number_candidate(round(value * 100, 6), f"{_number_text(round(value * 100, 6))} %"),
                _number_candidate(value, f"{_number_text(value)} %"),
            ],
            note,
        )
    return ParsedAnswer(value=value, note=note, reading=reading)


def _duration(
    question: Question, text: str, value: float, unit: str | None, note: str, reading: str = ""
) -> ParsedAnswer:
    if value < 0:
        raise _fail(question, text, "a period cannot be negative")
    asked = _QUESTION_UNIT_RE.search(question.text)
    wanted = asked.group(1).lower() if asked else None
    if unit is None or wanted is None or unit == wanted:
        return ParsedAnswer(value=value, note=note, reading=reading)
    factor = _PER.get((unit, wanted))
    converted = value * factor if factor else None
    if converted is None or not float(round(converted, 6)).is_integer():
        raise _fail(question, text, f"the question asks in {wanted}; give the period in {wanted}")
    converted = float(round(converted))
    return ParsedAnswer(
        value=converted, note=note, reading=f"{_number_text(value)} {unit} read as {_number_text(converted)} {wanted}"
    )


# --- dates --------------------------------------------------------------------------------------------


def _make_date(question: Question, text: str, year: str, month: int, day: str) -> date:
    full_year = int(year) + 2000 if len(year) == 2 else int(year)
    if not EARLIEST_YEAR <= full_year <= LATEST_YEAR:
        raise _fail(question, text, f"the year {full_year} cannot be right")
    try:
        return date(full_year, month, int(day))
    except ValueError:
        raise _fail(question, text, "no such date") from None


def _parse_date(question: Question, text: str) -> ParsedAnswer:
    lowered = _normal(text)
    offset = len(text) - len(lowered)
    text = text[offset:]

    def note(match: re.Match) -> str:
        return _clean(match["rest"])

    if _UNKNOWN_RE.match(lowered) or _NO_DATE_RE.match(lowered):
        raise _fail(question, text, "no date given; skip the question, or record what was found with /note or /finding")
    if match := _ISO_DATE_RE.match(text):
        return ParsedAnswer(
            value=_make_date(question, text, match["y"], int(match["m"]), match["d"]), note=note(match)
        )
    if match := _NUMERIC_DATE_RE.match(text):
        first, second = int(match["a"]), int(match["b"])
        if first != second and first <= 12 and second <= 12:
            raise _fail(question, text, "day and month could be either way round; write it as YYYY-MM-DD")
        # One part is over 12, so it must be the day; equal parts read the same either way.
        day, month = (first, second) if first > 12 or first == second else (second, first)
        return ParsedAnswer(value=_make_date(question, text, match["y"], month, str(day)), note=note(match))
    for pattern in (_DAY_MONTH_RE, _MONTH_DAY_RE):
        match = pattern.match(text)
        if match and match["mon"].lower() in _MONTHS:
            value = _make_date(question, text, match["y"], _MONTHS[match["mon"].lower()], match["d"])
            return ParsedAnswer(value=value, note=note(match))
    match = _MONTH_YEAR_RE.match(text)
    if match and match["mon"].lower() in _MONTHS:
        raise _fail(question, text, "which day of the month? e.g. 11 " + match["mon"] + " " + match["y"])
    raise _fail(question, text)


# --- choices ------------------------------------------------------------------------------------------


def _parse_choice(question: Question, text: str) -> ParsedAnswer:
    lowered = text.lower()
    # The longest choice the text starts with wins ("per lot" before "per"); the rest is the note.
    for choice in sorted(question.choices, key=len, reverse=True):
        c = choice.lower()
        if lowered.startswith(c) and (len(lowered) == len(c) or not lowered[len(c)].isalnum()):
            return ParsedAnswer(value=choice, note=_clean(text[len(c) :]))
    if _UNKNOWN_RE.match(_normal(text)):
        raise _fail(question, text, "that says it is not known")
    # Abbreviated words: "cert only" is "certificate only", "ann" is "annual"; the most words matched wins.
    typed = re.findall(r"[\w/-]+", lowered)
    best = []
    for choice in question.choices:
        words = choice.lower().split()
        if typed and all(w.startswith(t) for t, w in zip(typed, words, strict=False)):
            best.append((min(len(typed), len(words)), choice))
    top = max((n for n, _ in best), default=0)
    matches = [c for n, c in best if n == top]
    if len(matches) == 1:
        consumed = re.match(r"^\W*" + r"\W+".join(re.escape(t) for t in typed[:top]), lowered)
        return ParsedAnswer(value=matches[0], note=_clean(text[consumed.end() :]) if consumed else "")
    word = typed[0] if typed else text
    reason = f"{word!r} starts several choices" if len(matches) > 1 else ""
    raise _fail(question, text, reason)


# --- record lists -------------------------------------------------------------------------------------


def _parse_records(question: Question, text: str) -> ParsedAnswer:
    first = _RECORD_SPLIT_RE.split(text.strip(), maxsplit=1)[0].strip()
    if (match := _NO_RECORDS_RE.match(text.strip())) and not _RECORD_ID_RE.match(first):  # "NA-0" is a record
        says = "not applicable" if re.match(r"^(?:n/a|na|n\.a|not applicable)", text.strip(), re.I) else "none"
        return ParsedAnswer(value=[], note=_clean(match["rest"]), says=says)
    body = _RECORD_LEAD_RE.sub("", text.strip(), count=1)
    records: list[str] = []
    for part in _RECORD_SPLIT_RE.split(body):
        item = " ".join(part.split()).rstrip(".")
        words = item.split(" ")
        # "MOC-1 MOC-2": several ids with nothing else are several records.
        pieces = words if len(words) > 1 and all(_RECORD_ID_RE.match(w) for w in words) else [item]
        for piece in pieces:
            if piece and piece not in records:
                records.append(piece)
    if not records:
        raise _fail(question, text)
    return ParsedAnswer(value=records)


# --- formatting and stored values ---------------------------------------------------------------------


def format_answer(question: Question, value: TypedValue | None) -> str:
    """The text that `parse_answer` reads back as `value` (used by every screen, export and round-trip test)."""
    if value is None:
        return "none" if question.type == AnswerType.number else "-"
    if question.type == AnswerType.number:
        return _number_text(float(value)) + (" %" if number_kind(question) == "percent" else "")
    if question.type == AnswerType.date:
        return value.isoformat()
    if question.type == AnswerType.records:
        return "; ".join(value) if value else "none"
    if question.type == AnswerType.yesno and value == "na":
        return "n/a"
    return str(value)


def coerce_value(question: Question, value: object) -> TypedValue | None:
    """A stored or YAML-given value as the question's type; text is read with `parse_answer`.

    Stored answers come back from JSON, where a date is ISO text and a number may be an int. Text whose
    reading is uncertain is refused (AnswerParseError naming the readings): nothing is guessed.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        value = "yes" if value else "no"
    # Stored yes/no and choice values are already typed: no need to read them again on every rule pass.
    if question.type == AnswerType.yesno and value in YESNO_VALUES:
        return value
    if question.type == AnswerType.choice and value in question.choices:
        return value
    expected_python = {
        AnswerType.number: (int, float),
        AnswerType.date: (date,),
        AnswerType.records: (list,),
    }.get(question.type, (str,))
    if isinstance(value, expected_python) and question.type not in (AnswerType.yesno, AnswerType.choice):
        if question.type == AnswerType.records:
            return [str(v) for v in value]
        return float(value) if question.type == AnswerType.number else value
    if isinstance(value, int | float):
        value = format_answer(question, value) if question.type == AnswerType.number else str(value)
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, date):
        value = value.isoformat()
    parsed = parse_answer(question, str(value))
    if not parsed.certain:
        raise uncertain_error(question, str(value), parsed)
    return parsed.value


def uncertain_error(question: Question, text: str, parsed: ParsedAnswer) -> AnswerParseError:
    """One line naming the possible readings of an uncertain answer."""
    shown = text if len(text) <= 40 else text[:37] + "..."
    readings = " or ".join(c.meaning for c in parsed.candidates)
    return AnswerParseError(f"{question.id}: {shown!r} is not certain ({parsed.reading}): it could be {readings}")


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
