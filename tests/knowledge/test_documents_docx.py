"""Loading Word procedures built in the test with python-docx, and refusing damaged or hostile .docx files."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.enum.text import WD_BREAK

from knowledge.catalogue import load_catalogue
from knowledge.documents.loader import load_document
from knowledge.errors import DocumentError

BODY = (
    "The buyer confirms the supplier is on the approved supplier list for the scope ordered, and records "
    "the check on the purchase requisition before the order is released."
)


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def build_procedure(header_in_page_header: bool = True) -> docx.Document:
    document = docx.Document()
    document.core_properties.title = "Core properties title"
    control = "Document No.: QP-07   Revision: D   Effective: 2025-02-03"
    if header_in_page_header:
        document.sections[0].header.paragraphs[0].text = control
    else:
        document.add_paragraph(control)
    document.add_paragraph("Purchasing and Supplier Evaluation", style="Title")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Approved:"
    table.cell(0, 1).text = "R. Castillo, Quality Manager, 2025-01-28"
    table.cell(1, 0).text = "Owner"
    table.cell(1, 1).text = "Purchasing Manager"
    document.add_heading("1 Purpose", level=1)
    document.add_paragraph(BODY)
    document.add_heading("2 References", level=1)
    document.add_paragraph("API Q1 10th 5.5.1.2; ISO 9001:2015 8.4.1")
    document.add_heading("3 Procedure", level=1)
    intro = document.add_paragraph("Steps for each kind of supplier follow below, in the order a buyer meets them.")
    intro.add_run().add_break(WD_BREAK.PAGE)
    bold_numbered = document.add_paragraph().add_run("3.1 Critical suppliers")
    bold_numbered.bold = True
    for _ in range(3):
        document.add_paragraph(BODY)
    document.add_paragraph("1 Check the list")  # a plain numbered step, not a heading
    document.add_heading("3.2 Noncritical suppliers", level=2)
    document.add_paragraph(BODY)
    return document


def save(document: docx.Document, path) -> None:
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())


def test_docx_procedure(tmp_path, catalogue):
    path = tmp_path / "QP-07.docx"
    save(build_procedure(), path)
    doc = load_document(path, catalogue)
    assert (doc.doc_id, doc.revision, doc.format) == ("QP-07", "D", "docx")
    assert doc.title == "Purchasing and Supplier Evaluation"
    assert doc.approved == "R. Castillo, Quality Manager, 2025-01-28"
    assert [p.section_path for p in doc.passages] == [
        ["1 Purpose"],
        ["2 References"],
        ["3 Procedure"],
        ["3 Procedure", "3.1 Critical suppliers"],
        ["3 Procedure", "3.2 Noncritical suppliers"],
    ]
    assert doc.passages[1].clause_refs == ["API Q1:10th:5.5.1.2", "ISO 9001:2015:8.4.1"]
    assert [p.page for p in doc.passages] == [1, 1, 1, 2, 2]
    assert doc.passages[3].text.endswith("1 Check the list")
    assert "Owner | Purchasing Manager" not in " ".join(p.text for p in doc.passages)


def test_docx_header_in_body_and_title_fallbacks(tmp_path, catalogue):
    document = build_procedure(header_in_page_header=False)
    path = tmp_path / "in-body.docx"
    save(document, path)
    doc = load_document(path, catalogue)
    assert (doc.doc_id, doc.revision) == ("QP-07", "D")
    assert not any("Document No." in p.text for p in doc.passages)

    bare = docx.Document()
    bare.core_properties.title = "Widget Winding"
    bare.add_paragraph(BODY)
    bare_path = tmp_path / "WI-04.docx"
    save(bare, bare_path)
    doc = load_document(bare_path, catalogue)
    assert (doc.doc_id, doc.title, doc.revision) == ("WI-04", "Widget Winding", None)
    assert doc.passages[0].section_path == ["Widget Winding"]


def assert_docx_error(path, catalogue, phrase: str) -> None:
    with pytest.raises(DocumentError) as caught:
        load_document(path, catalogue)
    message = str(caught.value)
    assert message.startswith(path.name) and "\n" not in message
    assert phrase in message


def test_zip_of_junk(tmp_path, catalogue):
    path = tmp_path / "junk.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not word")
    assert_docx_error(path, catalogue, "not a Word document")


def test_word_package_with_broken_xml(tmp_path, catalogue):
    path = tmp_path / "broken.docx"
    good = io.BytesIO()
    build_procedure().save(good)
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, b"<w:document><unclosed" if item.filename == "word/document.xml" else data)
    assert_docx_error(path, catalogue, "not a readable Word document")


def test_truncated_docx(tmp_path, catalogue):
    good = io.BytesIO()
    build_procedure().save(good)
    path = tmp_path / "cut.docx"
    path.write_bytes(good.getvalue()[: len(good.getvalue()) // 2])
    assert_docx_error(path, catalogue, "damaged or truncated")


def test_zip_bomb_refused_from_directory(tmp_path, catalogue):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (8 * 1024 * 1024))
    assert path.stat().st_size < 100_000
    assert_docx_error(path, catalogue, "over the safe limit")


def test_docx_without_text(tmp_path, catalogue):
    path = tmp_path / "empty-body.docx"
    save(docx.Document(), path)
    assert_docx_error(path, catalogue, "has no text")
