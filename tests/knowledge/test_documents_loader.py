"""The loader's front door: file discovery, checks on size and content, licensed standard text, samples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from knowledge.catalogue import load_catalogue
from knowledge.documents.loader import iter_document_files, load_document, load_standard_document
from knowledge.errors import DocumentError

FIXTURES = Path(__file__).parents[1] / "fixtures"
SAMPLES = Path(__file__).parents[2] / "knowledge" / "samples"
BODY = "Widgets are counted, wound and boxed before they leave the bench for the shipping dock."


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def assert_one_line_error(path: Path, catalogue, *phrases: str) -> None:
    with pytest.raises(DocumentError) as caught:
        load_document(path, catalogue)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(path.name)
    for phrase in phrases:
        assert phrase in message


def test_iter_document_files(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "QP-02.docx").write_bytes(b"x")
    (tmp_path / "a.md").write_text("x")
    (tmp_path / "c.PDF").write_bytes(b"x")
    (tmp_path / "notes.xlsx").write_bytes(b"x")
    (tmp_path / "README.md").write_text("x")
    (tmp_path / ".hidden.md").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.md").write_text("x")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "draft.md").write_text("x")
    outside = tmp_path.parent / f"{tmp_path.name}_outside"
    outside.mkdir()
    (outside / "secret.md").write_text("x")
    (tmp_path / "link").symlink_to(outside, target_is_directory=True)
    (tmp_path / "link.md").symlink_to(outside / "secret.md")
    single = tmp_path / "b" / "QP-02.docx"
    found = iter_document_files([tmp_path, single])
    assert found == [tmp_path / "a.md", tmp_path / "b" / "QP-02.docx", tmp_path / "c.PDF"]


def test_iter_document_files_missing_path(tmp_path):
    with pytest.raises(DocumentError, match="nothing-here"):
        iter_document_files([tmp_path / "nothing-here"])


def test_empty_file(tmp_path, catalogue):
    path = tmp_path / "QP-01.md"
    path.touch()
    assert_one_line_error(path, catalogue, "empty")


def test_whitespace_only_file(tmp_path, catalogue):
    path = tmp_path / "blank.txt"
    path.write_text("\n   \n\t\n")
    assert_one_line_error(path, catalogue, "no text")


def test_file_over_size_limit_is_refused_before_reading(tmp_path, catalogue):
    path = tmp_path / "huge.pdf"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: no 50 MB actually written
    assert_one_line_error(path, catalogue, "50 MB", "25 MB limit")


def test_unsupported_and_old_formats(tmp_path, catalogue):
    sheet = tmp_path / "ASL.xlsx"
    sheet.write_bytes(b"PK\x03\x04junk")
    assert_one_line_error(sheet, catalogue, "unsupported file type '.xlsx'", ".docx")
    old = tmp_path / "QP-03.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0junk")
    assert_one_line_error(old, catalogue, "save it as .docx")


def test_missing_file_and_folder(tmp_path, catalogue):
    with pytest.raises(DocumentError, match="gone.md: no such file"):
        load_document(tmp_path / "gone.md", catalogue)
    folder = tmp_path / "folder.md"
    folder.mkdir()
    assert_one_line_error(folder, catalogue, "is a folder")


def test_binary_with_nul_bytes(tmp_path, catalogue):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000))
    assert_one_line_error(path, catalogue, "NUL bytes")


def test_binary_without_nul_bytes(tmp_path, catalogue):
    path = tmp_path / "noise.md"
    path.write_bytes(bytes(b for b in os.urandom(4000) if b) + b"\x81\x8d")
    assert_one_line_error(path, catalogue, "not readable text", "UTF-8")


def test_content_that_does_not_match_extension(tmp_path, catalogue):
    fake_pdf = tmp_path / "QP-05.pdf"
    fake_pdf.write_text("1 Purpose\n\nThis is text pretending to be a PDF.\n")
    assert_one_line_error(fake_pdf, catalogue, "not a PDF")
    pdf_as_text = tmp_path / "QP-06.txt"
    pdf_as_text.write_bytes(b"%PDF-1.7\n%binary stuff")
    assert_one_line_error(pdf_as_text, catalogue, "is a PDF, not text")
    text_as_docx = tmp_path / "QP-07.docx"
    text_as_docx.write_text("just text")
    assert_one_line_error(text_as_docx, catalogue, "not a ZIP container")


def test_errors_are_one_line_even_for_odd_names(tmp_path, catalogue):
    path = tmp_path / "QP 01 (draft).txt"
    path.touch()
    assert_one_line_error(path, catalogue, "empty")


SYNTHETIC_CLAUSES = ["1", "2", "4.1.1", "4.1.2", "4.4", "4.5", "5.5", "5.5.1.2", "5.5.1.4", "5.5.2", "5.9", "5.10", "6.2.1"]


def test_synthetic_standard_text_attaches_passages_to_clauses(catalogue):
    doc = load_standard_document(FIXTURES / "synthetic_q1_10th.txt", "API Q1", "10th", catalogue)
    assert (doc.kind, doc.standard, doc.edition, doc.format) == ("standard", "API Q1", "10th", "text")
    assert doc.doc_id == "API Q1 10th"
    ids = [p.clause_id for p in doc.passages]
    assert list(dict.fromkeys(ids)) == SYNTHETIC_CLAUSES
    by_id = {p.clause_id: p for p in doc.passages}
    assert by_id["5.5.1.2"].section_path[-1] == "5.5.1.2 Initial Supplier Evaluation—Critical Purchases"
    assert by_id["5.5.1.2"].text.startswith("Before a new seller supplies a critical widget spring")
    assert "API Q1:10th:5.5" in by_id["5.5.1.2"].clause_refs
    # The long clause is split into two passages, both attached to it.
    assert ids.count("5.9") == 2
    # A non-clause heading stays with the clause above it; text before the first clause is dropped.
    note = next(p for p in doc.passages if p.section == "WIDGET BUYING NOTE")
    assert note.clause_id == "5.5"
    everything = " ".join(p.text for p in doc.passages)
    assert "Foreword" not in everything and "widget committee" not in everything and "CONTENTS" not in everything


def test_standard_heading_missing_from_catalogue_joins_clause_above(tmp_path, catalogue):
    path = tmp_path / "q1.txt"
    path.write_text(f"5.5.2 Purchasing Information\n\n{BODY}\n\n5.5.7 Widget Storage\n\n{BODY}\n")
    doc = load_standard_document(path, "API Q1", "10th", catalogue)
    assert [(p.section, p.clause_id) for p in doc.passages] == [
        ("5.5.2 Purchasing Information", "5.5.2"),
        ("5.5.7 Widget Storage", "5.5.2"),
    ]


def test_standard_errors(tmp_path, catalogue):
    with pytest.raises(DocumentError, match="no catalogue edition API Q1 11th"):
        load_standard_document(FIXTURES / "synthetic_q1_10th.txt", "API Q1", "11th", catalogue)
    path = tmp_path / "novel.txt"
    path.write_text(f"Chapter One\n\n{BODY}\n")
    with pytest.raises(DocumentError, match=r"novel.txt: no heading matches a clause of API Q1 10th"):
        load_standard_document(path, "API Q1", "10th", catalogue)


def sample_files() -> list[Path]:
    return iter_document_files([SAMPLES]) if SAMPLES.is_dir() else []


@pytest.mark.skipif(not sample_files(), reason="no sample documents yet")
@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_every_sample_document_loads(path, catalogue):
    doc = load_document(path, catalogue)
    assert doc.doc_id != path.stem, "sample has no document number in its header"
    assert doc.revision
    assert len(doc.passages) >= 3
    # Forms (F-xx-yy in the sample company's numbering) are blanks to fill in and cite no clauses.
    if not doc.doc_id.startswith("F-"):
        assert sum(bool(p.clause_refs) for p in doc.passages) >= 1
