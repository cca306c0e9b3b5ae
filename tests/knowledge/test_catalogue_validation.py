"""Broken catalogue data must fail with one line naming the file, the line and the field."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from knowledge.catalogue import DATA_DIR, load_catalogue_from
from knowledge.errors import DataFileError

Q1_10TH = Path("catalogue") / "api_q1_10th.yaml"


@pytest.fixture
def data_copy(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _rewrite(path: Path, change: Callable[[dict], None]) -> str:
    """Load a YAML file, apply `change` to the data, write it back; return the new text."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    path.write_text(text, encoding="utf-8")
    return text


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def _load_error(data_dir: Path) -> str:
    with pytest.raises(DataFileError) as info:
        load_catalogue_from(data_dir)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_the_unbroken_copy_loads(data_copy):
    assert load_catalogue_from(data_copy).clauses()


def test_yaml_syntax_error_names_file_and_line(data_copy):
    path = data_copy / Q1_10TH
    lines = path.read_text(encoding="utf-8").rstrip("\n").splitlines()
    lines += ['  - id: "9.9"', "    title: [never closed"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = _load_error(data_copy)
    assert "api_q1_10th.yaml:" in message and "YAML syntax error" in message
    line = int(message.split("api_q1_10th.yaml:")[1].split(":")[0])
    assert line >= len(lines) - 1


def test_missing_field(data_copy):
    def drop_summary(data):
        data["clauses"][1].pop("summary")
        data["clauses"][1]["id"] = "5.77"  # a unique id to find the line by
        data["clauses"][1].pop("parent", None)

    text = _rewrite(data_copy / Q1_10TH, drop_summary)
    message = _load_error(data_copy)
    line = _line_of(text, "'5.77'")
    assert f"api_q1_10th.yaml:{line}:" in message
    assert "clauses[1] (id 5.77).summary" in message and "Field required" in message


def test_wrong_type(data_copy):
    def bad_flag(data):
        data["clauses"][0]["documented_procedure"] = "sometimes-perhaps"

    text = _rewrite(data_copy / Q1_10TH, bad_flag)
    message = _load_error(data_copy)
    assert f"api_q1_10th.yaml:{_line_of(text, 'sometimes-perhaps')}:" in message
    assert ".documented_procedure" in message and "boolean" in message


def test_duplicate_clause_id(data_copy):
    def duplicate(data):
        data["clauses"].append(dict(data["clauses"][-1], title="Duplicated clause for the test"))

    text = _rewrite(data_copy / Q1_10TH, duplicate)
    message = _load_error(data_copy)
    position = len(yaml.safe_load(text)["clauses"]) - 1
    assert f"api_q1_10th.yaml:{_line_of(text, 'Duplicated clause for the test') - 1}:" in message
    assert f"clauses[{position}]" in message and ".id: duplicate clause id" in message


def test_unknown_parent(data_copy):
    def orphan(data):
        data["clauses"][1]["parent"] = "42.42"

    text = _rewrite(data_copy / Q1_10TH, orphan)
    message = _load_error(data_copy)
    assert f"api_q1_10th.yaml:{_line_of(text, '42.42')}:" in message
    assert "clauses[1]" in message and ".parent: parent '42.42'" in message


def test_crosswalk_link_to_missing_q1_clause(data_copy):
    def dangling(data):
        data["links"][0]["q1_10th"] = "42.42.42"

    text = _rewrite(data_copy / "crosswalk.yaml", dangling)
    message = _load_error(data_copy)
    assert f"crosswalk.yaml:{_line_of(text, '42.42.42')}:" in message
    assert "links[0].q1_10th: no API Q1 10th clause '42.42.42'" in message


def test_crosswalk_link_to_missing_iso_clause(data_copy):
    def dangling(data):
        link = next(link for link in data["links"] if link.get("iso"))
        link["iso"][0] = "42.42"

    text = _rewrite(data_copy / "crosswalk.yaml", dangling)
    message = _load_error(data_copy)
    assert f"crosswalk.yaml:{_line_of(text, '42.42')}:" in message
    assert ".iso[0]: no ISO 9001 clause '42.42'" in message


def test_crosswalk_bad_relation(data_copy):
    def bad_relation(data):
        data["links"][0]["relation"] = "roughly-similar"

    text = _rewrite(data_copy / "crosswalk.yaml", bad_relation)
    message = _load_error(data_copy)
    assert f"crosswalk.yaml:{_line_of(text, 'roughly-similar')}:" in message
    assert "links[0].relation" in message


def test_impossible_date_is_one_line_not_a_traceback(data_copy):
    path = data_copy / Q1_10TH
    text = path.read_text(encoding="utf-8").replace('effective: "2024-09-18"', "effective: 2024-02-30")
    path.write_text(text, encoding="utf-8")
    message = _load_error(data_copy)
    assert "api_q1_10th.yaml" in message and "cannot be read" in message


def test_a_key_written_twice_names_its_line_instead_of_losing_the_first(data_copy):
    path = data_copy / Q1_10TH
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("title:"))
    lines.insert(at + 1, lines[at])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = _load_error(data_copy)
    assert f"api_q1_10th.yaml:{at + 2}: 'title' is given twice" in message
