"""Random mutations of the real catalogue, checklist and rule-pack files: a clear one-line error or a clean load, never a traceback."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.catalogue import load_catalogue, load_catalogue_from
from knowledge.errors import Q1AuditError
from rules.checklist import load_checklist_from
from rules.engine import RuleEngine
from rules.grading import load_grading
from rules.packs import read_packs

ROOT = Path(__file__).parents[2]
DATA = ROOT / "knowledge" / "data"
CHECKLISTS = ROOT / "rules" / "checklists"
PACKS = ROOT / "rules" / "packs"
# Q1AUDIT_FUZZ_EXAMPLES=2000 runs a longer fuzzing session than CI's.
FUZZ = settings(max_examples=int(os.environ.get("Q1AUDIT_FUZZ_EXAMPLES", "40")), deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that break YAML or the models in interesting ways: indentation, anchors, tags, odd scalars.
NASTY = [
    "", " ", "  ", "\t", ":", ": ", "- ", "-", "[", "]", "{", "}", "&a ", "*a", "*undefined", "!!python/object:os.system",
    "!!binary", "? ", "|", ">", "#", "'", '"', "~", "null", "yes", "no", "1e999", "-.inf", ".nan", "0x1F",
    "2025-02-30", "9999999999999999999999", "\x00", "\ufeff", "\u202e", "é", "\U0001f600", "\r", "\n", "%YAML 1.1",
    "---", "...", "<<: *a", "id: ", "when: ", "clauses: {q1_10th: [\"99.99\"]}", "rsk_procedure", '$', "$$",
]


@st.composite
def mutated(draw, text: str) -> bytes:
    """`text` with one to four edits: lines dropped, duplicated or swapped, nasty pieces spliced in, a cut or bad bytes."""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["drop", "dup", "swap", "splice", "replace_value", "dedent", "truncate"]))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if not lines:
            break
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "splice":
            at = draw(st.integers(0, len(lines[i])))
            piece = draw(st.sampled_from(NASTY) | st.text(max_size=12))
            lines[i] = lines[i][:at] + piece + lines[i][at:]
        elif op == "replace_value" and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {draw(st.sampled_from(NASTY) | st.text(max_size=20))}\n"
        elif op == "dedent":
            lines[i] = lines[i].lstrip() if draw(st.booleans()) else "  " + lines[i]
        elif op == "truncate":
            lines = lines[:i]
    data = "".join(lines).encode("utf-8", "surrogatepass")
    if draw(st.booleans()) and data:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\x00", b"\xed\xa0\x80"])) + data[at:]
    return data


def _one_line(error: Exception) -> None:
    assert isinstance(error, Q1AuditError), f"{type(error).__name__}: {error}"
    message = str(error)
    assert message.strip() and "\n" not in message and "Traceback" not in message


def _catalogue_files() -> list[Path]:
    return sorted(DATA.rglob("*.yaml"))


@FUZZ
@given(st.sampled_from(_catalogue_files()).flatmap(lambda p: st.tuples(st.just(p), mutated(p.read_text()))))
def test_mutated_catalogue_files(case):
    path, data = case
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(DATA, copy)
        (copy / path.relative_to(DATA)).write_bytes(data)
        try:
            load_catalogue_from(copy)
        except Exception as exc:  # noqa: BLE001 - the assertion says what escaped
            _one_line(exc)


@FUZZ
@given(st.sampled_from(sorted(CHECKLISTS.glob("*.yaml"))).flatmap(lambda p: st.tuples(st.just(p), mutated(p.read_text()))))
def test_mutated_checklist_files(case):
    path, data = case
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "checklists"
        shutil.copytree(CHECKLISTS, copy)
        (copy / path.name).write_bytes(data)
        try:
            load_checklist_from(copy, load_catalogue())
        except Exception as exc:  # noqa: BLE001
            _one_line(exc)


@FUZZ
@given(st.sampled_from(sorted(PACKS.glob("*.yaml"))).flatmap(lambda p: st.tuples(st.just(p), mutated(p.read_text()))))
def test_mutated_rule_packs(case):
    path, data = case
    engine = RuleEngine.load()
    with tempfile.TemporaryDirectory() as tmp:
        pack = Path(tmp) / path.name
        pack.write_bytes(data)
        try:
            rules, errors = read_packs([pack], engine.checklist, load_catalogue())
        except Exception as exc:  # noqa: BLE001
            _one_line(exc)
            return
        for error in errors:
            assert error.strip() and "\n" not in error
        # A pack that still loads must still behave: its own fixtures run without raising.
        for rule in rules:
            for fixture in (*rule.fires, *rule.quiet):
                engine.fires(rule, fixture.answers, fixture.context)


@FUZZ
@given(mutated((ROOT / "rules" / "grading.yaml").read_text()))
def test_mutated_grading_file(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "grading.yaml"
        path.write_bytes(data)
        try:
            load_grading(path)
        except Exception as exc:  # noqa: BLE001
            _one_line(exc)


BILLION_LAUGHS = "".join(
    f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}" if i else '"lol"'] * 9) + "]\n" for i in range(9)
)


@pytest.mark.parametrize(
    "text",
    [
        BILLION_LAUGHS + "process: risk\nrules: *l8\n",
        "process: risk\nrules: " + "[" * 50_000 + "]" * 50_000 + "\n",
        "process: !!python/object/apply:os.system ['touch pwned']\nrules: []\n",
        "process: risk\nrules:\n  - !!python/name:builtins.eval\n",
        "\x00\x01\x02",
        "process: risk\nrules: [" + "{}, " * 20_000 + "]\n",
    ],
    ids=["billion-laughs", "deep-nesting", "python-object", "python-name", "binary", "many-rules"],
)
def test_hostile_yaml_is_refused_in_one_line(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = RuleEngine.load()
    pack = tmp_path / "hostile.yaml"
    pack.write_bytes(text.encode("utf-8", "surrogatepass"))
    _, errors = read_packs([pack], engine.checklist, load_catalogue())
    assert errors and all("\n" not in e for e in errors)
    assert not (tmp_path / "pwned").exists()
