"""Site questions: the bundled files load against the catalogue, and a bad file is refused with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.catalogue import load_catalogue
from knowledge.errors import DataFileError
from knowledge.site_questions import SITE_QUESTIONS_DIR, load_site_questions, load_site_questions_from


def test_every_clause_of_every_edition_has_what_is_heard_on_site():
    catalogue = load_catalogue()
    heard = {key for key, _ in load_site_questions()}
    for clause in catalogue.clauses():
        assert clause.key in heard, f"{clause.label} has no site questions in {SITE_QUESTIONS_DIR.name}/"


def _write(folder: Path, clauses: str) -> Path:
    folder.mkdir()
    (folder / "q1.yaml").write_text(f'standard: API Q1\nedition: "10th"\nclauses:\n{clauses}', encoding="utf-8")
    return folder


@pytest.mark.parametrize(("clauses", "expected"), [
    ('  "5.8":\n    - "Torque wrench found with an expired cal sticker"\n  "9.9.9":\n    - "Nobody knows who owns this"\n',
     r"q1\.yaml:7: clauses\.9\.9\.9: no API Q1 10th clause '9\.9\.9'"),
    ('  "5.8":\n    - "Torque wrench found with an expired cal sticker"\n  "5.9":\n    - "torque wrench found with an  expired cal sticker"\n',
     r"q1\.yaml:7: .*already written under clause 5\.8"),
    ('  "5.8":\n    - "too short"\n', r"q1\.yaml:5: .*at least 15 characters"),
])
def test_a_bad_file_is_refused_naming_file_line_and_field(tmp_path, clauses, expected):
    folder = _write(tmp_path / "site", clauses)
    with pytest.raises(DataFileError, match=expected) as info:
        load_site_questions_from(folder, load_catalogue())
    assert "\n" not in str(info.value)
