"""Clause references: parse what people type ("Q1 9th 5.6.1.2", "ISO 8.4") and find citations in prose."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict

from knowledge.catalogue import DEFAULT_EDITION, ISO, Q1, Catalogue, Clause, ClauseKey
from knowledge.errors import ClauseNotFoundError


def _edition_word(group: str) -> str:
    """An edition as written next to a standard ("9th", "Tenth", "2015"), captured under `group`."""
    return rf"(?P<{group}>9th|10th|ninth|tenth|(?:19|20)\d\d)"


# The pieces below are shared by the single-reference parser and the prose scanner, so both
# accept the same spellings. `(?<![\w.])` / `(?![\w])` stand in for \b where dots and digits meet.
_Q1 = r"(?P<q1>(?P<q1_prefix>api[\s-]*(?:spec(?:ification)?\.?[\s-]*)?|spec(?:ification)?\.?[\s-]*)?q1)"
_ISO = (
    r"(?P<iso>iso(?P<iso_num>[\s-]*9001(?:\s*[:/-]\s*(?P<iso_year>(?:19|20)\d\d))?)?"
    r"|(?P<iso_bare>9001)(?:\s*[:/-]\s*(?P<iso_bare_year>(?:19|20)\d\d))?)"
)
"""ISO 9001 as "ISO", "ISO 9001:2015" or a bare "9001" (people drop the ISO)."""
_STANDARD = rf"(?<![\w]){_Q1}(?![\w])|(?<![\w]){_ISO}(?![\w])"

_EDITION = rf"(?<![\w]){_edition_word('ed')}(?:\s*ed(?:ition)?\b\.?)?(?![\w])"
_CLAUSE_WORD = r"(?:(?:clauses?|cl|sections?|sec|paragraphs?|para)\b\.?|§§?)"
_ID = r"(?:(?<![\w.])\d{1,2}(?:\.\d{1,3})*(?![\w]|\.\d)|(?<![\w])annex\s+[a-z](?![\w]))"
_ID_LIST_SEP = r"\s*(?:,|;|&|/|\band\b|\bor\b)\s*"

_STANDARD_RE = re.compile(_STANDARD, re.I)
_EDITION_RE = re.compile(_EDITION, re.I)
_ID_RE = re.compile(_ID, re.I)
_CLAUSE_WORD_RE = re.compile(rf"(?<![\w]){_CLAUSE_WORD}", re.I)
_KEY_FORM_RE = re.compile(
    r"^\s*(?P<standard>(?:api\s*)?q1|iso(?:\s*9001)?)\s*:\s*(?P<edition>\w+)\s*:\s*(?P<id>.+?)\s*$", re.I
)

# A citation in prose: a standard, maybe its edition, maybe "clause", then one or more ids ...
_AFTER_STANDARD = (
    rf"(?:[\s,(-]*{_edition_word('ed_after')}(?:\s*ed(?:ition)?\b\.?)?\)?)?"
    rf"[\s,:;|(–—-]*(?P<word>{_CLAUSE_WORD}\s*)?"
    rf"(?P<ids>{_ID}(?:{_ID_LIST_SEP}{_CLAUSE_WORD}?\s*{_ID})*)"
)
_CITATION_RE = re.compile(rf"(?:{_STANDARD}){_AFTER_STANDARD}", re.I)
# ... or ids first: "clause 5.6.1 of API Q1 9th". The list is bounded: every number in a long run is a
# possible start, and an unbounded list from each would make scanning a hostile document quadratic.
_IDS_FIRST = (
    rf"(?P<word>{_CLAUSE_WORD}\s*)?(?P<ids>{_ID}(?:{_ID_LIST_SEP}{_ID}){{0,20}})\s+(?:of|in)\s+(?:the\s+)?(?:{_STANDARD})"
    rf"(?:[\s,(-]*{_edition_word('ed_after')}(?![\w]))?"
)
_CITATION_IDS_FIRST_RE = re.compile(_IDS_FIRST, re.I)

_ORDINALS = {"9th": "9th", "ninth": "9th", "2013": "9th", "10th": "10th", "tenth": "10th", "2023": "10th"}
# Words that may surround a clause reference without making it a question.
_FILLER = {"of", "the", "ed", "edition", "api", "spec", "specification", "standard", "see", "ref", "per"}


class ClauseRefQuery(BaseModel):
    """A clause reference as written: the standard and edition are None where the text does not say."""

    model_config = ConfigDict(frozen=True)

    standard: str | None
    edition: str | None
    id: str
    words: tuple[str, ...] = ()
    """Other words in the text (a title the user typed along), used to suggest near matches."""


def _normalize_id(raw: str) -> str:
    if raw.lower().startswith("annex"):
        return f"Annex {raw.split()[-1].upper()}"
    return raw


def _normalize_edition(standard: str | None, raw: str | None) -> str | None:
    """`ninth` -> `9th`; an ISO year stays a year; a year on Q1 maps to the edition published that year."""
    if raw is None:
        return None
    raw = raw.lower()
    if standard == ISO:
        return raw
    return _ORDINALS.get(raw, raw)


def _standard_of(match: re.Match) -> str:
    return Q1 if match.group("q1") else ISO


def parse_clause_ref(text: str) -> ClauseRefQuery:
    """Read one clause reference written any usual way; raise ClauseNotFoundError without a clause number."""
    key = _KEY_FORM_RE.match(text)
    if key:
        standard = Q1 if "q1" in key["standard"].lower() else ISO
        ids = _ID_RE.findall(key["id"])
        if len(ids) == 1:
            return ClauseRefQuery(
                standard=standard,
                edition=_normalize_edition(standard, key["edition"]),
                id=_normalize_id(ids[0]),
            )
    rest = text.rstrip(" \t.,;:!?)]")
    standards = {_standard_of(m): m for m in _STANDARD_RE.finditer(rest)}
    if len(standards) > 1:
        raise ClauseNotFoundError(f"{text.strip()!r} names both API Q1 and ISO 9001; give one")
    standard = next(iter(standards), None)
    edition_raw = None
    if standard is not None:
        match = standards[standard]
        edition_raw = match.group("iso_year") or match.group("iso_bare_year")
        rest = rest[: match.start()] + " " + rest[match.end() :]
    edition_match = _EDITION_RE.search(rest)
    if edition_match and edition_raw is None:
        edition_raw = edition_match["ed"]
        rest = rest[: edition_match.start()] + " " + rest[edition_match.end() :]
    if standard is None and edition_raw and edition_raw.lower() in ("9th", "10th", "ninth", "tenth"):
        standard = Q1
    rest = _CLAUSE_WORD_RE.sub(" ", rest)
    ids = _ID_RE.findall(rest)
    if not ids:
        raise ClauseNotFoundError(
            f"no clause number in {text.strip()!r} (write it like 'Q1 5.6.1' or 'ISO 8.4.1')"
        )
    if len(ids) > 1:
        raise ClauseNotFoundError(f"{text.strip()!r} has more than one clause number; give one")
    rest = _ID_RE.sub(" ", rest)
    words = tuple(w for w in re.findall(r"[\w-]+", rest.lower()) if w not in _FILLER)
    return ClauseRefQuery(
        standard=standard,
        edition=_normalize_edition(standard, edition_raw),
        id=_normalize_id(ids[0]),
        words=words,
    )


def looks_like_clause_ref(text: str) -> bool:
    """True when a chat input is only a clause reference ("5.11", "ISO 8.4.2"), not a question with numbers."""
    try:
        query = parse_clause_ref(text)
    except ClauseNotFoundError:
        return False
    if query.words:
        return False
    # A lone whole number ("3") is more likely an answer to a question than Section 3.
    return "." in query.id or query.id.startswith("Annex") or query.standard is not None


def _q1_keys(edition: str | None, clause_id: str, catalogue: Catalogue) -> list[ClauseKey]:
    """Q1 without an edition means the current (10th) edition, or the 9th where the 10th lacks the id."""
    if edition is not None:
        return [ClauseKey(Q1, edition, clause_id)]
    current = ClauseKey(Q1, DEFAULT_EDITION[Q1], clause_id)
    if catalogue.get(*current) is not None:
        return [current]
    return [ClauseKey(Q1, "9th", clause_id)]


def _candidate_keys(query: ClauseRefQuery, catalogue: Catalogue) -> list[ClauseKey]:
    keys: list[ClauseKey] = []
    if query.standard in (None, Q1):
        keys += _q1_keys(query.edition if query.standard == Q1 else None, query.id, catalogue)
    if query.standard in (None, ISO):
        keys.append(ClauseKey(ISO, query.edition or DEFAULT_EDITION[ISO], query.id))
    return keys


def find_clauses(text: str, catalogue: Catalogue) -> list[Clause]:
    """Every catalogue clause the reference can mean (no standard given: API Q1 and ISO 9001)."""
    query = parse_clause_ref(text)
    found = (catalogue.get(*key) for key in _candidate_keys(query, catalogue))
    return [clause for clause in found if clause is not None]


def _id_parts(clause_id: str) -> list[str]:
    return clause_id.split(".")


def _nearest(query: ClauseRefQuery, catalogue: Catalogue, limit: int = 4) -> list[Clause]:
    """Clauses close to an unknown reference: sharing title words, then the longest id prefix, then nearby numbers."""
    editions = {(k.standard, k.edition) for k in _candidate_keys(query, catalogue)}
    if query.standard in (None, Q1) and query.edition is None:
        editions.add((Q1, DEFAULT_EDITION[Q1]))
    wanted = _id_parts(query.id)
    words = {w for w in query.words if len(w) > 2}

    def score(clause: Clause) -> tuple:
        parts = _id_parts(clause.id)
        common = 0
        for a, b in zip(parts, wanted, strict=False):
            if a != b:
                break
            common += 1
        shared = len(words & set(re.findall(r"\w+", clause.title.lower())))
        last = parts[common] if common < len(parts) else ""
        target = wanted[common] if common < len(wanted) else ""
        distance = abs(int(last) - int(target)) if last.isdigit() and target.isdigit() else 99
        return (-shared, -common, abs(len(parts) - len(wanted)), distance)

    pool = [c for c in catalogue.clauses() if (c.standard, c.edition) in editions]
    ranked = sorted(pool, key=score)
    return [c for c in ranked if score(c)[0] < 0 or score(c)[1] < 0][:limit]


def resolve_clause_ref(text: str, catalogue: Catalogue) -> Clause:
    """The one clause a reference names; ClauseNotFoundError (unknown or ambiguous, with near matches) otherwise."""
    matches = find_clauses(text, catalogue)
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = ", ".join(f"{c.label} {c.title}" for c in matches)
        raise ClauseNotFoundError(f"{text.strip()!r} is ambiguous: {listed}; put Q1 or ISO before the number")
    query = parse_clause_ref(text)
    near = _nearest(query, catalogue)
    hint = "; nearest: " + ", ".join(f"{c.label} {c.title}" for c in near) if near else ""
    raise ClauseNotFoundError(f"no clause {_where(query)}{hint} (q1audit clause --list shows them all)")


def _where(query: ClauseRefQuery) -> str:
    """Say where an unknown reference was looked for, like `API Q1 10th 5.6.9.9 (nor in the 9th)`."""
    if query.standard is None:
        return f"{query.id} in API Q1 (10th or 9th) or ISO 9001"
    if query.standard == ISO:
        year = f":{query.edition}" if query.edition else ""
        return f"ISO 9001{year} {query.id}"
    if query.edition is None:
        return f"API Q1 10th {query.id} (nor in the 9th edition)"
    return f"API Q1 {query.edition} {query.id}"


def _edition_for(match: re.Match, standard: str) -> str | None:
    if standard == ISO:
        year = match.group("iso_year") or match.group("iso_bare_year") or match.group("ed_after")
        return year if year and len(year) == 4 else None
    raw = match.group("ed_after")
    edition = _normalize_edition(Q1, raw)
    return edition if raw else None


def _citations(text: str) -> Iterator[tuple[int, ClauseRefQuery]]:
    """Each clause number attached to a standard in prose, with its position; the edition None where unsaid."""
    for regex in (_CITATION_RE, _CITATION_IDS_FIRST_RE):
        for match in regex.finditer(text):
            standard = _standard_of(match)
            edition = _edition_for(match, standard)
            if standard == ISO and edition not in (None, DEFAULT_EDITION[ISO]):
                continue  # another ISO 9001 edition numbers its clauses differently
            # A bare "Q1" or "ISO" followed by a whole number is too often a quarter or a count.
            strong = bool(
                match.group("q1_prefix") or match.group("iso_num") or match.group("iso_bare") or match.group("word")
            )
            for id_match in _ID_RE.finditer(match.group("ids")):
                clause_id = _normalize_id(id_match.group())
                if not strong and "." not in clause_id and not clause_id.startswith("Annex"):
                    continue
                yield match.start("ids") + id_match.start(), ClauseRefQuery(
                    standard=standard, edition=edition, id=clause_id
                )


def find_clause_refs(text: str, catalogue: Catalogue) -> list[ClauseKey]:
    """Clause citations in prose (a procedure's text or references table), in order, de-duplicated.

    Only numbers attached to a standard count ("API Q1 5.5.1.2", "ISO 9001 cl. 8.7", "clause 5.6 of Q1"),
    so a procedure's own section numbers are never taken for clauses. Q1 means the 10th edition unless
    the 9th is written with it; ids missing from the catalogue are dropped.
    """
    hits = [
        (position, key)
        for position, query in _citations(text)
        for key in _candidate_keys(query, catalogue)
        if catalogue.get(*key) is not None
    ]
    seen: set[ClauseKey] = set()
    ordered: list[ClauseKey] = []
    for _, key in sorted(hits, key=lambda hit: hit[0]):
        if key not in seen:
            seen.add(key)
            ordered.append(key)
    return ordered


ReadingRole = Literal["number", "home", "counterpart"]

_OTHER_EDITION = {"9th": "10th", "10th": "9th"}
_COUNTERPART_WORDS = re.compile(
    r"\b(?:equivalents?|counterparts?|crosswalk|cross-walk|corresponds?|corresponding|maps?\s+(?:to|onto)|"
    r"same\s+thing|in\s+(?:q1|iso)\s+terms|(?:q1|iso)\s+calls?)\b",
    re.I,
)


class ClauseReading(BaseModel):
    """One clause a typed clause number stands for, and why it is offered."""

    model_config = ConfigDict(frozen=True)

    key: ClauseKey
    role: ReadingRole
    """number: the clause the number names; home: the same clause in the other Q1 edition;
    counterpart: the crosswalk counterpart the question asks for."""
    label: str
    """How to show the reading to the user, e.g. `9th-edition 5.6.1.2 (in the 10th: 5.5.1.2)`."""
    same_clause: bool = False
    """The number names the same clause in both Q1 editions (this reading is one of the two)."""


_EDITION_FIRST_RE = re.compile(
    rf"(?<![\w]){_edition_word('ed')}(?:\s*ed(?:ition)?\b\.?)?\s*(?:of\s+)?(?:{_Q1}\s*)?"
    rf"(?:{_CLAUSE_WORD}\s*)?(?P<ids>{_ID})",
    re.I,
)
"""A Q1 number after its edition, the standard left out: "9th edition 5.11", "10th ed. cl 5.10"."""


def _mentions(text: str) -> list[ClauseRefQuery]:
    """Clause numbers in a question: citations in the text, or the whole text when it is just a reference."""
    by_position: dict[int, ClauseRefQuery] = {}
    for position, query in _citations(text):
        # "ISO 5.3 in Q1 terms" also reads as "5.3 in Q1": the standard written before the number wins.
        by_position.setdefault(position, query)
    for match in _EDITION_FIRST_RE.finditer(text):
        edition = _normalize_edition(Q1, match["ed"])
        if edition in _OTHER_EDITION:
            query = ClauseRefQuery(standard=Q1, edition=edition, id=_normalize_id(match["ids"]))
            by_position.setdefault(match.start("ids"), query)
    found = [by_position[position] for position in sorted(by_position)]
    if not found and looks_like_clause_ref(text):
        found = [parse_clause_ref(text)]
    edition = _EDITION_RE.search(text)
    if edition and (said := _normalize_edition(Q1, edition["ed"])) in _OTHER_EDITION:
        # "Q1 5.5 ninth edition": an edition written after the number still counts.
        found = [q.model_copy(update={"edition": said}) if q.standard != ISO and q.edition is None else q for q in found]
    return list(dict.fromkeys(found))


def _q1_readings(query: ClauseRefQuery, catalogue: Catalogue, first: str) -> list[ClauseReading]:
    """A Q1 number read in the named edition, or in both when none is named (the `first` edition leading)."""
    editions = [query.edition] if query.edition in _OTHER_EDITION else [first, _OTHER_EDITION[first]]
    present = [e for e in editions if catalogue.get(Q1, e, query.id) is not None]
    readings: list[ClauseReading] = []
    for edition in present:
        key = ClauseKey(Q1, edition, query.id)
        found = catalogue.other_edition_home(catalogue.get(*key))
        home, own = (found[0].key, found[1]) if found else (None, False)
        same_clause = len(present) == 2 and home == ClauseKey(Q1, _OTHER_EDITION[edition], query.id)
        if same_clause:
            label = f"{query.id} (same number in both editions)"
        elif len(present) == 2:
            label = f"{query.id} in the {edition} edition"
        else:
            under = "" if own else "under "
            where = f"in the {home.edition}: {under}{home.id}" if home else f"not in the {_OTHER_EDITION[edition]} edition"
            label = f"{edition}-edition {query.id} ({where})"
        readings.append(ClauseReading(key=key, role="number", label=label, same_clause=same_clause))
    if len(present) == 1 and (found := catalogue.other_edition_home(catalogue.get(Q1, present[0], query.id))):
        home = found[0].key
        readings.append(
            ClauseReading(key=home, role="home", label=f"{home.edition}-edition home of {present[0]} {query.id}")
        )
    return readings


def _counterpart_readings(reading: ClauseReading, catalogue: Catalogue, first: str) -> list[ClauseReading]:
    clause = catalogue.get(*reading.key)
    if clause is None:
        return []
    # A subclause the crosswalk does not link takes its nearest linked ancestor's counterparts.
    for source in [clause, *reversed(catalogue.ancestors(clause))]:
        found = catalogue.counterparts(source)
        found.sort(key=lambda c: c.standard == Q1 and c.edition != first)  # stable: the chosen edition first
        readings = [
            ClauseReading(key=c.key, role="counterpart", label=f"crosswalk counterpart of {source.label}")
            for c in found
        ]
        for link in catalogue.links_for(source) if source.standard == Q1 else []:
            readings += [
                ClauseReading(
                    key=ClauseKey(ISO, DEFAULT_EDITION[ISO], i), role="counterpart",
                    label=f"nearest ISO 9001 clause to {source.label} (Q1 only, no counterpart)",
                )
                for i in link.iso_closest
            ]
        if readings:
            return readings
    return []


def read_clause_numbers(text: str, catalogue: Catalogue, q1_edition: str | None = None) -> list[ClauseReading]:
    """The clauses the clause numbers in a question stand for, most wanted first.

    A Q1 number without an edition is read in both editions: where it names different clauses both are
    given, `q1_edition` (the session's or chosen edition, else the 10th) first; where it exists in one
    edition only, that clause comes with its home in the other. A question that cites one standard and
    names the other ("ISO 10.2 in Q1 terms", "what does Q1 call 9001 10.2?") gets the crosswalk
    counterparts first.
    """
    first = q1_edition if q1_edition in _OTHER_EDITION else DEFAULT_EDITION[Q1]
    readings: list[ClauseReading] = []
    cited: set[str] = set()
    for query in _mentions(text):
        if query.standard in (None, Q1) and (q1 := _q1_readings(query, catalogue, first)):
            readings += q1
            cited |= {Q1} if query.standard == Q1 else set()
        iso = ClauseKey(ISO, query.edition or DEFAULT_EDITION[ISO], query.id)
        if query.standard in (None, ISO) and catalogue.get(*iso) is not None:
            readings.append(ClauseReading(key=iso, role="number", label=f"ISO 9001 {query.id}"))
            cited |= {ISO} if query.standard == ISO else set()
    named = {_standard_of(m) for m in _STANDARD_RE.finditer(text)}
    counterparts = [c for r in readings for c in _counterpart_readings(r, catalogue, first)]
    if len(cited) == 1 and (named - cited or _COUNTERPART_WORDS.search(text)):
        readings = [c for c in counterparts if c.key.standard not in cited] + readings
    else:
        # Last, so a search limited to the other standard still leads with the clause's counterpart.
        readings += counterparts
    seen: set[ClauseKey] = set()
    return [r for r in readings if not (r.key in seen or seen.add(r.key))]
