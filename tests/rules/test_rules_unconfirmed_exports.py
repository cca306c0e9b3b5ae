"""A finding resting on a 10th-edition number no source confirms says so in every export format."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.exports.registry import FORMATS
from rules.models import UNCONFIRMED_MARK

# "(number not confirmed)" in running text; tables shorten it to "6.4.3 (not confirmed)" under an
# "API Q1 10th" column head.
SHORT_MARK = "(not confirmed)"


def _run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _text(path: Path) -> str:
    if path.suffix == ".docx":
        return zipfile.ZipFile(path).read("word/document.xml").decode()
    if path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path)
        return "\n".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None)
    if path.suffix == ".pdf":
        import pypdf

        return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    return path.read_text()


@pytest.fixture
def confirmed_unconfirmed_citation() -> str:
    """A 10th-edition session with CAR-004 confirmed: it cites 10th 6.4.3, whose number is not confirmed."""
    runner = CliRunner()
    session_id = _run(runner, "session", "new", "--title", "10th", "--standard", "API Q1:10th",
                      "--start", "2025-06-30").strip()
    _run(runner, "session", "answer", session_id, "car_preventive_procedure", "no")
    _run(runner, "finding", "decide", session_id, "CAR-004", "--confirm")
    return session_id


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_export_marks_the_unconfirmed_number(fmt, confirmed_unconfirmed_citation, tmp_path):
    out = tmp_path / f"report{FORMATS[fmt].suffix}"
    _run(CliRunner(), "export", confirmed_unconfirmed_citation, "--format", fmt, "--output", str(out))
    text = _text(out)
    if fmt == "json":  # the archive keeps the fact as data, for the import to restore
        clauses = [c for f in json.loads(text)["findings"] for c in f.get("clauses", [])]
        assert {"standard": "API Q1", "edition": "10th", "id": "6.4.3", "confirmed": False} in clauses
        return
    assert f"6.4.3 {SHORT_MARK}" in text or f"6.4.3 {UNCONFIRMED_MARK}" in text, fmt
