"""Hostile text into the clause-reference and answer parsers: a result or one clear line, never a traceback or a hang."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.sessions.models import Scope, SessionHeader
from assistant.sessions.service import SessionService
from knowledge.catalogue import load_catalogue
from knowledge.clause_refs import (
    find_clause_refs,
    looks_like_clause_ref,
    parse_clause_ref,
    resolve_clause_ref,
)
from knowledge.errors import ClauseNotFoundError, Q1AuditError
from rules.engine import RuleEngine

FUZZ = settings(
    max_examples=int(os.environ.get("Q1AUDIT_FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# Text built from the pieces references are made of, so the fuzzer reaches deep into the grammar.
PIECES = ["Q1", "API", "Spec", "ISO", "9001", ":2015", "9th", "10th", "ed.", "clause", "§", "cl.", "Annex A",
          "of", "and", ",", "/", "5", ".", "5.6.1.2", "8.4", "1.", "(", ")", "-", "–", " ", "\n", "\x00", "é"]
reference_like = st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=30).map("".join)
any_text = st.text() | reference_like


def _one_line(exc: Exception) -> None:
    assert isinstance(exc, Q1AuditError), repr(exc)
    assert "\n" not in str(exc) and str(exc).strip()


@FUZZ
@given(any_text)
def test_clause_reference_parser_never_crashes(text):
    catalogue = load_catalogue()
    looks_like_clause_ref(text)
    assert all(catalogue.get(*key) is not None for key in find_clause_refs(text, catalogue))
    for parse in (parse_clause_ref, lambda t: resolve_clause_ref(t, catalogue)):
        try:
            parse(text)
        except ClauseNotFoundError as exc:
            _one_line(exc)


@FUZZ
@given(st.sampled_from(load_catalogue().clauses()), st.text(alphabet=" \n\t,;", min_size=1), st.text(max_size=40))
def test_a_citation_is_found_whatever_surrounds_it(clause, gap, noise):
    citation = f"{'API Q1 ' + clause.edition if clause.standard == 'API Q1' else 'ISO 9001'} clause {clause.id}"
    text = f"{noise}{gap}{citation}{gap}{noise}"
    keys = find_clause_refs(text, load_catalogue())
    assert clause.key in keys


@pytest.mark.parametrize(
    "text",
    [
        "5.1 or " * 5000 + "of q",
        "Q1 " + "5.1, " * 5000,
        "Q1 " + "5.1," * 50_000,
        "clause " * 5000 + "5.1",
        "1." * 20_000,
        "api spec " * 5000 + "q1",
        "Q1" + " " * 50_000 + "5.1",
    ],
    ids=["ids-first-list", "long-list", "list-without-spaces", "clause-words", "dots", "prefixes", "spaces"],
)
def test_adversarial_references_finish(text):
    """Inputs that made the prose scanner quadratic (seconds for a few kB) now scan in linear time."""
    catalogue = load_catalogue()
    find_clause_refs(text, catalogue)
    try:
        resolve_clause_ref(text, catalogue)
    except ClauseNotFoundError as exc:
        _one_line(exc)


@pytest.fixture(scope="module")
def answering(tmp_path_factory):
    from assistant.locations import resolve_data_dir

    service = SessionService(resolve_data_dir(tmp_path_factory.mktemp("answers")))
    processes = service.engine.checklist.processes()
    sid = service.create(SessionHeader(title="Fuzz", scope=Scope(processes=processes))).id
    yield service, sid
    service.disconnect()


QUESTIONS = sorted({q.type: q.id for q in RuleEngine.load().checklist.questions()}.values())


@FUZZ
@given(st.sampled_from(QUESTIONS), any_text | st.sampled_from(["yes", "no - 3 of 5", "2025-02-30", "1e999", "-0", "nan", "∞"]))
def test_answers_are_stored_or_refused_in_one_line(answering, question, text):
    service, sid = answering
    try:
        record = service.answer(sid, question, text)
    except Q1AuditError as exc:
        _one_line(exc)
        return
    assert service.answers(sid)[question] == record


@pytest.mark.parametrize("note", ["x" * 1_000_000, "nul\x00byte", "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "\u202e"])
def test_odd_notes_round_trip(answering, note):
    service, sid = answering
    stored = service.answer(sid, "pur_reeval", "yes", note=note)
    assert service.answers(sid)["pur_reeval"].note == stored.note
