"""Clause references: the spellings people type, citations in procedure prose, and resolving to one clause."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.catalogue import Catalogue, ClauseEntry, ClauseKey, StandardFile
from knowledge.clause_refs import (
    find_clause_refs,
    find_clauses,
    looks_like_clause_ref,
    parse_clause_ref,
    resolve_clause_ref,
)
from knowledge.crosswalk import Crosswalk, EditionMap
from knowledge.errors import ClauseNotFoundError

REFERENCE = json.loads((Path(__file__).parent / "reference_clauses.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    """Every clause number of the reference, independent of how far the bundled YAML has got."""
    by_edition: dict[tuple[str, str], list[ClauseEntry]] = {}
    for row in REFERENCE["clauses"]:
        entry = ClauseEntry(
            id=row["id"],
            title=row["title"],
            confidence=row["confidence"],
            summary="A test clause summary text.",
        )
        by_edition.setdefault((row["standard"], row["edition"]), []).append(entry)
    files = [
        StandardFile(standard=standard, edition=edition, full_title="test", published="2015", clauses=entries)
        for (standard, edition), entries in by_edition.items()
    ]
    crosswalk = Crosswalk.model_validate(
        {
            "description": "test",
            "links": [
                {
                    "q1_10th": "5.5",
                    "q1_9th": "5.6",
                    "iso": ["8.4"],
                    "relation": "equal",
                    "theme": "suppliers",
                    "rationale": "test link only",
                }
            ],
        }
    )
    edition_map = EditionMap.model_validate(
        {"description": "test", "moves": [{"q1_9th": "5.6", "q1_10th": "5.5", "change": "renumbered"}]}
    )
    return Catalogue(files, crosswalk, edition_map)


Q1, ISO = "API Q1", "ISO 9001"

SPELLINGS = [
    ("Q1 5.6.1", Q1, None, "5.6.1"),
    ("API Q1 §5.6.1", Q1, None, "5.6.1"),
    ("5.6.1 of Q1", Q1, None, "5.6.1"),
    ("ISO 8.4.1", ISO, None, "8.4.1"),
    ("iso9001 8.4", ISO, None, "8.4"),
    ("ISO-9001 8.4", ISO, None, "8.4"),
    ("ISO 9001:2015 8.4.1", ISO, "2015", "8.4.1"),
    ("clause 7.1.5.2", None, None, "7.1.5.2"),
    ("Q1 9th 5.6.1.2", Q1, "9th", "5.6.1.2"),
    ("API Spec Q1 10th ed. 5.5.1.3", Q1, "10th", "5.5.1.3"),
    ("Q1 (9th) 5.7.1.5", Q1, "9th", "5.7.1.5"),
    ("§ 4.5", None, None, "4.5"),
    ("cl. 8.5.2", None, None, "8.5.2"),
    ("5.11", None, None, "5.11"),
    ("Annex A", None, None, "Annex A"),
    ("api q1 annex a", Q1, None, "Annex A"),
    ("Q1:10th:5.3.3", Q1, "10th", "5.3.3"),
    ("API Q1:10th:5.3.3", Q1, "10th", "5.3.3"),
    ("ISO 9001:2015:8.4.1", ISO, "2015", "8.4.1"),
    ("Q1 5.6.1.", Q1, None, "5.6.1"),
    ("ISO 8.7;", ISO, None, "8.7"),
    ("q1 5.8!", Q1, None, "5.8"),
    ("API Q1 5.5?", Q1, None, "5.5"),
    ("Q1 Tenth Edition 5.8", Q1, "10th", "5.8"),
    ("q1 tenth edition 5.8", Q1, "10th", "5.8"),
    ("API SPEC Q1 NINTH EDITION 5.6.1.2", Q1, "9th", "5.6.1.2"),
    ("API Specification Q1, 9th Edition, clause 5.7.1.5", Q1, "9th", "5.7.1.5"),
    ("api-q1 5.3.3", Q1, None, "5.3.3"),
    ("Spec Q1 5.5.1", Q1, None, "5.5.1"),
    ("clause 5.6 of API Q1 9th", Q1, "9th", "5.6"),
    ("section 8.4.2 of ISO 9001", ISO, None, "8.4.2"),
    ("9th 5.7.1.5", Q1, "9th", "5.7.1.5"),
    ("Q1 10th 5", Q1, "10th", "5"),
    ("  ISO 9001  clause  10.2.1  ", ISO, None, "10.2.1"),
    ("ISO 9001:2008 7.4.1", ISO, "2008", "7.4.1"),
]


@pytest.mark.parametrize(("text", "standard", "edition", "clause_id"), SPELLINGS)
def test_parse_clause_ref_spellings(text, standard, edition, clause_id):
    query = parse_clause_ref(text)
    assert (query.standard, query.edition, query.id) == (standard, edition, clause_id)


def test_parse_keeps_other_words_for_suggestions():
    assert parse_clause_ref("Q1 5.6.9.9 inspection records").words == ("inspection", "records")


@pytest.mark.parametrize(
    "text", ["", "records of calibration", "Q1", "ISO 9001:2015", "API Q1 tenth edition"]
)
def test_parse_without_a_clause_number_is_one_line_error(text):
    with pytest.raises(ClauseNotFoundError, match="no clause number") as info:
        parse_clause_ref(text)
    assert "\n" not in str(info.value)


def test_parse_rejects_two_standards_and_two_numbers():
    with pytest.raises(ClauseNotFoundError, match="both API Q1 and ISO 9001"):
        parse_clause_ref("Q1 5.5 ISO 8.4")
    with pytest.raises(ClauseNotFoundError, match="more than one clause number"):
        parse_clause_ref("5.6.1 5.6.2")


@pytest.mark.parametrize(
    "text",
    [
        "5.11",
        "ISO 8.4.2",
        "Q1 9th 5.6.1.2",
        "Annex A",
        "cl. 8.5.2",
        "Q1 5",
        "API Q1:10th:5.3.3",
        "5.6.1 of Q1",
    ],
)
def test_looks_like_clause_ref_for_bare_references(text):
    assert looks_like_clause_ref(text)


@pytest.mark.parametrize(
    "text",
    [
        "we have 3 of 5 suppliers on the ASL",
        "what does 7.1.5 say about cal stickers?",
        "how do I audit Q1 5.5?",
        "3",
        "yes, 2 of them",
        "records for 5.6.1 and 5.6.2",
        "",
    ],
)
def test_looks_like_clause_ref_is_false_for_questions(text):
    assert not looks_like_clause_ref(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q1 9th 5.6.1.2", [(Q1, "9th", "5.6.1.2")]),
        ("Q1 5.5.1.2", [(Q1, "10th", "5.5.1.2")]),
        ("Q1 5.11", [(Q1, "9th", "5.11")]),  # not in the 10th: the 9th edition is meant
        ("ISO 8.4.1", [(ISO, "2015", "8.4.1")]),
        ("5.1", [(Q1, "10th", "5.1"), (ISO, "2015", "5.1")]),
        ("7.1.5.2", [(ISO, "2015", "7.1.5.2")]),
        ("Annex A", [(Q1, "9th", "Annex A")]),
        ("ISO 9001:2008 7.4.1", []),
    ],
)
def test_find_clauses(text, expected, catalogue):
    assert [tuple(c.key) for c in find_clauses(text, catalogue)] == expected


def test_resolve_gives_the_one_clause(catalogue):
    clause = resolve_clause_ref("api spec q1 10th ed. 5.5.1.2", catalogue)
    assert clause.key == ClauseKey(Q1, "10th", "5.5.1.2")


def test_resolve_unknown_lists_nearest_by_number(catalogue):
    with pytest.raises(ClauseNotFoundError) as info:
        resolve_clause_ref("Q1 5.6.9.9", catalogue)
    message = str(info.value)
    assert message.startswith("no clause API Q1 10th 5.6.9.9")
    assert "nearest: API Q1 10th 5.6.9.4 Records" in message
    assert "API Q1 10th 5.6.9 " in message
    assert "\n" not in message


def test_resolve_unknown_prefers_title_words(catalogue):
    with pytest.raises(ClauseNotFoundError) as info:
        resolve_clause_ref("ISO 8.4.9 information for external providers", catalogue)
    assert "nearest: ISO 9001 8.4.3 Information for external providers" in str(info.value)


def test_resolve_ambiguous_names_both(catalogue):
    with pytest.raises(ClauseNotFoundError, match="ambiguous") as info:
        resolve_clause_ref("5.1", catalogue)
    assert "API Q1 10th 5.1" in str(info.value) and "ISO 9001 5.1" in str(info.value)


PROCEDURE = """\
# QP-07 Purchasing and Supplier Control
Revision: C

## 1 Purpose
This procedure meets API Q1 10th 5.5.1.2 and ISO 9001:2015 8.4.1 for the evaluation of suppliers.

## 4 Procedure
### 4.2 Critical suppliers
Critical suppliers are listed in section 4.3 and reviewed every 12 months (see 6.2 below).
Suppliers of processes validated per API Spec Q1 (9th ed.) 5.7.1.5 keep their status.
Ref: Q1 5.8 / ISO 7.1.5. Nonconforming purchased goods follow ISO 9001 cl. 8.7.
In Q1 3 audits were held. ISO 14001 clause 6.1 is out of scope, and so is ISO 9001:2008 7.4.1.
Change control follows clause 5.6.1 of API Q1 9th edition.

## 7 References
| Standard | Clause |
|---|---|
| API Q1 | 5.9 |
| ISO 9001 | 8.5.2, 8.5.3 and 8.6 |
| API Q1 | Annex A |
| API Q1 10th | 5.5.1.2 |
"""


def test_find_clause_refs_in_procedure_prose(catalogue):
    assert [str(k) for k in find_clause_refs(PROCEDURE, catalogue)] == [
        "API Q1:10th:5.5.1.2",
        "ISO 9001:2015:8.4.1",
        "API Q1:9th:5.7.1.5",
        "API Q1:10th:5.8",
        "ISO 9001:2015:7.1.5",
        "ISO 9001:2015:8.7",
        "API Q1:9th:5.6.1",
        "API Q1:10th:5.9",
        "ISO 9001:2015:8.5.2",
        "ISO 9001:2015:8.5.3",
        "ISO 9001:2015:8.6",
        "API Q1:9th:Annex A",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "## 5.5 Records\nSee 5.6.1 and section 8.4 of this procedure.",
        "Q1 2024 revenue was up; in Q1 5 suppliers were added.",
        "API 6A and API 5L products; ISO 14001 6.1.",
        "Q1 99.9 is not a clause.",
    ],
)
def test_find_clause_refs_ignores_numbers_without_a_standard(text, catalogue):
    assert find_clause_refs(text, catalogue) == []
