"""`q1audit diff`: tables by theme, the whole table, transitions, JSON and one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.cli import main
from knowledge.catalogue import load_catalogue
from knowledge.crosswalk import Theme


def run(*args: str):
    return CliRunner().invoke(main, ["diff", *args], env={"COLUMNS": "200"})


def test_diff_all_json_lists_every_q1_only_requirement():
    result = run("--all", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema_version"] == 1 and data["matched_by"] == "all"
    rows = [row for group in data["groups"] for row in group["rows"]]
    q1_only = {(r["q1"]["edition"], r["q1"]["id"]) for r in rows if r["q1_only"]}
    for link in load_catalogue().crosswalk.q1_only():
        edition = "10th" if link.q1_10th else "9th"
        assert (edition, link.q1_ids()[edition]) in q1_only


def test_diff_all_prints_one_table_per_theme():
    result = run("--all")
    assert result.exit_code == 0, result.output
    positions = [result.output.index(theme.label) for theme in Theme]
    assert positions == sorted(positions)
    assert "none (Q1 only)" in result.output and "Q1 stricter" in result.output


def test_diff_topic_shows_the_clauses_and_what_q1_adds():
    result = run("contingency")
    assert result.exit_code == 0, result.output
    assert "API Q1 10th 5.3.3 Contingency" in result.output
    assert "none (Q1 only)" in result.output
    assert "ISO 9001 6.1" in result.output


def test_diff_without_topic_summarises_by_theme():
    result = run()
    assert result.exit_code == 0, result.output
    assert "Requirements" in result.output and "--all" in result.output
    for theme in Theme:
        assert theme.label in result.output


@pytest.mark.parametrize(
    "source, target, expected",
    [
        ("ISO 9001:2015", "API Q1:10th", ["Documented procedures Q1 requires", "Requirements ISO 9001 does not have"]),
        ("API Q1:9th", "API Q1:10th", ["Moved (renumbered)", "New in the 10th edition", "home not established"]),
    ],
)
def test_diff_transitions(source, target, expected):
    result = run("--from", source, "--to", target)
    assert result.exit_code == 0, result.output
    for text in expected:
        assert text in result.output


def test_diff_transition_json():
    result = run("--from", "API Q1:9th", "--to", "API Q1:10th", "--json")
    data = json.loads(result.output)
    assert data["source"] == "API Q1:9th" and data["target"] == "API Q1:10th"
    assert {s["key"] for s in data["sections"]} == {"moved", "new", "renamed", "restructured", "dropped", "unknown"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["lunch"], "q1audit: no Q1 requirement matches 'lunch'"),
        (["--from", "API Q1:10th", "--to", "ISO 9001"], "q1audit: no transition from API Q1:10th"),
        (["--from", "ISO 9001"], "--from and --to go together"),
        (["records", "--all"], "give a TOPIC or --all, not both"),
    ],
)
def test_diff_errors_are_one_line(args, message):
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
