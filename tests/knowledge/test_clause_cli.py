"""`q1audit clause`: one clause with its context and crosswalk, the catalogue list, and one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.cli import main
from knowledge.catalogue import ISO, Q1, load_catalogue


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def run(*args: str):
    return CliRunner().invoke(main, ["clause", *args])


def test_shows_a_clause_with_breadcrumb_flags_and_crosswalk(catalogue):
    clause = catalogue.get(Q1, "10th", "5.5")
    result = run("Q1", "5.5")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "API Q1 10th 5.5" in out and clause.title in out
    for parent in catalogue.ancestors(clause):
        assert f"{parent.id} {parent.title}" in out
    assert ("documented procedure required" in out.lower()) == clause.documented_procedure
    assert "Crosswalk:" in out
    for link in catalogue.links_for(clause):
        assert f"[{link.relation.plain}]" in out
    for other in catalogue.counterparts(clause):
        assert f"ISO 9001 {other.id}" in out
    if catalogue.edition_moves(clause):
        assert "9th <-> 10th edition:" in out


def test_json_has_parents_children_links_and_moves(catalogue):
    result = run("api spec q1 10th ed. 5.5", "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    clause = catalogue.get(Q1, "10th", "5.5")
    assert (shown["standard"], shown["edition"], shown["id"], shown["title"]) == (
        Q1,
        "10th",
        "5.5",
        clause.title,
    )
    assert [p["id"] for p in shown["parents"]] == [p.id for p in catalogue.ancestors(clause)]
    assert [c["id"] for c in shown["children"]] == [c.id for c in catalogue.children(clause)]
    assert shown["links"], "Q1 5.5 Purchasing has an ISO counterpart"
    for link in shown["links"]:
        assert set(link["counterpart"]) == {"standard", "edition", "id", "title"}
        assert link["relation"] in {"equal", "superset", "subset", "intersect"}
        assert link["rationale"]
        assert "beyond_iso" in link
    assert {"q1_9th", "q1_10th", "change"} <= set(shown["edition_moves"][0])


def test_iso_clause_links_back_to_both_q1_editions(catalogue):
    result = run("ISO 9001:2015 8.4", "--json")
    assert result.exit_code == 0, result.output
    counterparts = {
        (link["counterpart"]["edition"], link["counterpart"]["id"])
        for link in json.loads(result.output)["links"]
    }
    assert {("10th", "5.5"), ("9th", "5.6")} <= counterparts


def test_unconfirmed_clause_is_marked(catalogue):
    clause = next(c for c in catalogue.clauses() if not c.verified)
    result = run(f"{clause.key}")
    assert result.exit_code == 0, result.output
    assert f"{clause.confidence.value}: title/number not confirmed" in result.output
    assert json.loads(run(str(clause.key), "--json").output)["verified"] is False


def test_unknown_clause_exits_1_with_one_line_and_nearest():
    result = run("Q1", "5.5.99")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("q1audit: no clause API Q1 10th 5.5.99")
    assert "nearest: API Q1 10th 5.5" in result.stderr


def test_ambiguous_clause_exits_1(catalogue):
    q1_ids = {c.id for c in catalogue.clauses(Q1, "10th")}
    shared = next(c.id for c in catalogue.clauses(ISO) if c.id in q1_ids)
    result = run(shared)
    assert result.exit_code == 1
    assert "ambiguous" in result.stderr and f"API Q1 10th {shared}" in result.stderr


def test_no_reference_is_a_usage_error():
    result = run()
    assert result.exit_code == 2
    assert "--list" in result.stderr


def test_list_json_has_every_clause(catalogue):
    result = run("--list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == len(catalogue.clauses())
    assert {"standard", "edition", "id", "title", "parent", "confidence"} <= set(rows[0])
    assert {(r["standard"], r["edition"]) for r in rows} == {(Q1, "10th"), (Q1, "9th"), (ISO, "2015")}


@pytest.mark.parametrize(
    ("options", "editions"),
    [
        (["--standard", "iso"], {(ISO, "2015")}),
        (["--standard", "Q1"], {(Q1, "10th"), (Q1, "9th")}),
        (["--standard", "api q1", "--edition", "ninth"], {(Q1, "9th")}),
        (["--edition", "10th"], {(Q1, "10th")}),
    ],
)
def test_list_filters(options, editions):
    rows = json.loads(run("--list", "--json", *options).output)
    assert rows and {(r["standard"], r["edition"]) for r in rows} == editions


def test_list_table(catalogue):
    result = run("--list", "--standard", "ISO")
    assert result.exit_code == 0, result.output
    assert "Confidence" in result.output
    assert f"{len(catalogue.clauses(ISO))} clauses" in result.output
    assert "Control of externally" in result.output  # titles wrap in a narrow terminal


def test_bad_standard_option():
    result = run("--list", "--standard", "ISO 14001")
    assert result.exit_code == 2
    assert "use Q1 or ISO" in result.stderr
