"""The differences view, comparison questions and transitions, checked against the bundled crosswalk."""

from __future__ import annotations

import pytest

from knowledge.catalogue import ISO, Q1, load_catalogue
from knowledge.crosswalk import Change, Relation, Theme
from knowledge.differences import (
    EDITION_CHANGES,
    FROM_ISO,
    WHOLE_TABLE,
    DifferencesError,
    DifferencesView,
    TransitionView,
    comparison_topic,
    comparison_view,
    differences,
    transition,
)
from knowledge.errors import ClauseNotFoundError


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def _q1_ids(view: DifferencesView) -> set[tuple[str, str]]:
    return {(row.q1.edition, row.q1.id) for row in view.rows}


def _link_q1(link, edition: str = "10th") -> tuple[str, str]:
    ids = link.q1_ids()
    return (edition, ids[edition]) if edition in ids else next(iter(ids.items()))


def test_the_whole_table_has_every_link_and_every_q1_only_requirement(catalogue):
    view = differences(None, catalogue)
    assert len(view.rows) == len(catalogue.crosswalk.links)
    q1_only = [row for row in view.rows if row.q1_only]
    assert len(q1_only) == len(catalogue.crosswalk.q1_only())
    for link in catalogue.crosswalk.q1_only():
        row = next(r for r in q1_only if (r.q1.edition, r.q1.id) == _link_q1(link) and r.beyond_iso == link.beyond_iso)
        assert row.relation_plain == Relation.none.plain
        assert [c.id for c in row.iso_closest] == link.iso_closest
        assert row.iso == []


def test_groups_follow_the_fixed_theme_order_and_rows_cite_titled_clauses(catalogue):
    view = differences("all", catalogue)
    order = [t.value for t in Theme]
    assert [g.theme for g in view.groups] == order  # every theme has links in the bundled crosswalk
    assert [g.label for g in view.groups] == [t.label for t in Theme]
    for row in view.rows:
        assert row.q1.standard == Q1 and row.q1.title
        assert all(c.standard == ISO and c.title for c in row.iso + row.iso_closest)
        assert row.rationale and row.confidence
        if row.relation in ("superset", "intersect", "none"):
            assert row.beyond_iso


def test_rows_use_the_chosen_edition_and_say_where_its_number_is_unknown(catalogue):
    tenth = differences("suppliers", catalogue)
    ninth = differences("suppliers", catalogue, edition="9th")
    assert ("10th", "5.5.1.2") in _q1_ids(tenth) and ("9th", "5.6.1.2") in _q1_ids(ninth)
    # 9th 5.6.1.4 now has its 10th home (5.5.1.5); product realization still has 9th-only rows.
    assert ("10th", "5.5.1.5") in _q1_ids(tenth)
    unknown = [r for r in differences("product", catalogue).rows if r.q1.edition == "9th"]
    assert unknown and all("10th-edition home not established" in r.note for r in unknown)
    new = next(r for r in ninth.rows if r.q1.id == "5.5.1.3")
    assert new.q1.edition == "10th" and "new in the 10th edition" in new.note
    with pytest.raises(DifferencesError, match="--edition"):
        differences(None, catalogue, edition="11th")


@pytest.mark.parametrize(
    "topic, matched_by, expected",
    [
        ("risk", "theme", {("10th", "5.3"), ("10th", "5.3.3"), ("10th", "5.10")}),
        ("Supplier management", "theme", {("10th", "5.5.1.2"), ("10th", "5.5.1.3")}),
        ("certification", "theme", {("10th", "Annex A")}),
        ("purchasing", "words", {("10th", "5.5"), ("10th", "5.5.1.2"), ("10th", "5.5.1.3"), ("10th", "5.5.3")}),
        ("records", "words", {("10th", "4.5"), ("10th", "5.8.5")}),
        ("calibration", "words", {("10th", "5.8.1"), ("10th", "5.8.2")}),
        ("MOC", "words", {("10th", "5.10"), ("10th", "5.10.2")}),
        ("contingency", "words", {("10th", "5.3.3")}),
        ("5.5", "clause", {("10th", "5.5"), ("10th", "5.5.1.1"), ("10th", "5.5.3")}),
        ("Q1 5.3.3", "clause", {("10th", "5.3.3")}),
        ("ISO 8.4", "clause", {("10th", "5.5.1.2"), ("10th", "5.5.2")}),
        ("9th 5.6.1", "clause", {("10th", "5.5.1.1"), ("10th", "5.5.1.4")}),
    ],
)
def test_topics_match_themes_clauses_and_words(catalogue, topic, matched_by, expected):
    view = differences(topic, catalogue)
    assert view.matched_by == matched_by
    assert expected <= _q1_ids(view)


def test_word_topics_stay_on_topic(catalogue):
    assert {r.q1.id for r in differences("calibration", catalogue).rows} <= {"5.8", "5.8.1", "5.8.2", "5.8.5"}
    assert {r.q1.id for r in differences("contingency", catalogue).rows} <= {"5.3", "5.3.3"}


def test_unknown_topics_and_clauses_raise_one_line_errors(catalogue):
    with pytest.raises(DifferencesError, match="no Q1 requirement matches 'lunch'"):
        differences("lunch", catalogue)
    with pytest.raises(ClauseNotFoundError):
        differences("Q1 9.9", catalogue)
    with pytest.raises(DifferencesError, match="records no requirement"):
        differences("Q1 2", catalogue)


COMPARISONS = [
    ("how does Q1 differ from ISO on purchasing?", "purchasing"),
    ("Q1 vs 9001 records", "records"),
    ("what does API add for calibration?", "calibration"),
    ("difference between API Q1 and ISO 9001", WHOLE_TABLE),
    ("what's new in the 10th edition", EDITION_CHANGES),
    ("what changed from the 9th to the 10th edition?", EDITION_CHANGES),
    ("how does the 10th edition differ from the 9th?", EDITION_CHANGES),
    ("Q1 versus ISO 9001 for MOC", "moc"),
    ("what's extra in Q1 for training?", "training"),
    ("is Q1 stricter than ISO on purchasing?", "purchasing"),
    ("gap between ISO 9001 and API Q1", WHOLE_TABLE),
    ("ISO 9001 vs API Q1: calibration", "calibration"),
    ("how is API Q1 different from ISO 9001 regarding records?", "records"),
    ("what does API Q1 add to ISO 9001 for design?", "design"),
    ("Q1 compared to ISO: supplier evaluation", "supplier evaluation"),
    ("Compare API Spec Q1 with ISO 9001 on contingency planning", "contingency planning"),
    ("Q1 and ISO differences for calibration", "calibration"),
    ("how does Q1 5.5.1.2 differ from ISO?", "API Q1:10th:5.5.1.2"),
    ("ISO 9001 8.4 vs Q1", "ISO 9001:2015:8.4"),
    ("what must an ISO 9001 certified company add to get Q1?", FROM_ISO),
]
NOT_COMPARISONS = [
    "which clause covers purchasing?",
    "what does Q1 say about calibration?",
    "what does API require for calibration?",
    "what is the difference between a correction and a corrective action?",
    "Is a new supplier approval required under the 10th edition?",
    "What is new in our purchasing procedure?",
    "how do we evaluate suppliers?",
    "records retention period",
    "ISO 8.4.1",
    "Q1 5.5.1.2",
]


@pytest.mark.parametrize("question, topic", COMPARISONS)
def test_comparison_questions_are_recognised(catalogue, question, topic):
    assert comparison_topic(question, catalogue) == topic


@pytest.mark.parametrize("question", NOT_COMPARISONS)
def test_other_questions_are_not_comparisons(catalogue, question):
    assert comparison_topic(question, catalogue) is None


def test_every_recognised_topic_gives_a_view(catalogue):
    for question, _ in COMPARISONS:
        assert comparison_view(question, catalogue) is not None, question
    assert isinstance(comparison_view("what's new in the 10th edition", catalogue), TransitionView)
    assert comparison_view("which clause covers purchasing?", catalogue) is None


def test_iso_to_q1_lists_every_q1_only_and_stricter_requirement_procedures_first(catalogue):
    view = transition("ISO 9001:2015", "API Q1:10th", catalogue)
    assert (view.source, view.target) == ("ISO 9001:2015", "API Q1:10th")
    assert view.sections[0].key == "procedures"
    assert all(item.documented_procedure for item in view.sections[0].items)
    assert not any(item.documented_procedure for s in view.sections[1:] for item in s.items)
    listed = {(item.to_clauses[0].edition, item.to_clauses[0].id, item.statement.split(" (")[0]) for item in view.items}
    for link in catalogue.crosswalk.links:
        if link.relation in (Relation.none, Relation.superset):
            edition, clause_id = _link_q1(link)
            assert (edition, clause_id, link.beyond_iso.split(" (")[0]) in listed, link
    for item in view.items:
        assert item.to_clauses and item.statement
    # Every clause asking for a documented procedure is listed, whatever its crosswalk relation.
    procedures = {item.to_clauses[0].id for item in view.sections[0].items if item.to_clauses[0].edition == "10th"}
    assert {c.id for c in catalogue.clauses(Q1, "10th") if c.documented_procedure} <= procedures


def test_ninth_to_tenth_lists_moved_new_renamed_dropped_and_unknown(catalogue):
    view = transition("API Q1:9th", "API Q1 10th edition", catalogue)
    sections = {s.key: s for s in view.sections}
    assert set(sections) == {"moved", "new", "renamed", "restructured", "dropped", "unknown"}
    # E-2, E-3 of the knowledge review: same number, changed content is listed, not counted as unchanged
    assert {i.from_clauses[0].id for i in sections["restructured"].items} >= {"4.5", "5.3"}
    moves = catalogue.edition_map.moves
    assert {i.to_clauses[0].id for i in sections["new"].items} == {
        m.q1_10th for m in moves if m.change == Change.new
    } >= {"5.4.1", "5.5.1.3"}
    moved = {(i.from_clauses[0].id, i.to_clauses[0].id) for i in sections["moved"].items}
    assert ("5.5", "5.3.3") in moved and ("5.11", "5.10") in moved
    unknown = sections["unknown"].items
    assert {i.from_clauses[0].id for i in unknown} == {m.q1_9th for m in moves if m.change == Change.unknown}
    assert all(not i.to_clauses and i.statement.startswith("Not known where") for i in unknown)
    assert any("only partly known" in note for note in view.notes)
    assert view.unchanged == sum(m.change == Change.unchanged for m in moves)


def test_unsupported_transitions_say_which_exist(catalogue):
    with pytest.raises(DifferencesError, match="no transition from API Q1:10th to ISO 9001:2015"):
        transition("API Q1:10th", "ISO 9001", catalogue)
    with pytest.raises(DifferencesError, match="--from: unknown system 'ISO 14001'"):
        transition("ISO 14001", "API Q1:10th", catalogue)
