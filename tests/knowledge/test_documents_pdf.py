"""Loading PDFs built in the test with reportlab (outline or bold headings, 2+ pages), and refusing bad PDFs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from knowledge.catalogue import load_catalogue
from knowledge.documents.loader import load_document, load_standard_document
from knowledge.errors import DocumentError

FIXTURES = Path(__file__).parents[1] / "fixtures"
CONTROL_LINE = "Document No.: QP-07   Revision: D   Effective: 2025-02-03"
BODY = (
    "The buyer confirms the supplier is on the approved supplier list for the scope ordered, and records "
    "the check on the purchase requisition before the order is released to the supplier."
)
PROCEDURE = [
    (1, "1 Purpose"),
    (0, BODY),
    (1, "2 References"),
    (0, "This procedure meets API Q1 10th 5.5.1.2 and ISO 9001:2015 8.4.1 for all purchases."),
    (1, "3 Procedure"),
    (0, " ".join([BODY] * 12)),
    (2, "3.1 Critical suppliers"),
    (0, " ".join([BODY] * 14)),
    (1, "Urgent orders"),
    (0, BODY),
    (1, "4 Records"),
    (0, BODY),
]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def build_pdf(
    blocks: list[tuple[int, str]],
    *,
    outline: bool = False,
    running_header: str | None = CONTROL_LINE,
    first_page_lines: tuple[str, ...] = ("Approved: R. Castillo, Quality Manager, 2025-01-28",),
    title: str | None = None,
    encrypt: str | None = None,
) -> bytes:
    """A PDF with bold headings (level > 0) and wrapped body paragraphs (level 0), a page header and footer."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt=encrypt)
    if title:
        pdf.setTitle(title)
    width, height = A4
    margin = 50
    page = 1

    def start_page() -> float:
        if running_header:
            pdf.setFont("Helvetica", 8)
            pdf.drawString(margin, height - 30, running_header)
        pdf.setFont("Helvetica", 8)
        pdf.drawString(margin, 20, f"Page {page}")
        return height - 60

    y = start_page()
    for line in first_page_lines:
        pdf.setFont("Helvetica", 9)
        pdf.drawString(margin, y, line)
        y -= 14
    for n, (level, text) in enumerate(blocks):
        font, size = ("Helvetica-Bold", 10) if level else ("Helvetica", 10)
        lines = simpleSplit(text, font, size, width - 2 * margin)
        if y - 14 * (len(lines) + (3 if level else 0)) < 40:
            pdf.showPage()
            page += 1
            y = start_page()
        y -= 6
        if level and outline:
            pdf.bookmarkPage(f"h{n}", fit="XYZ", top=y + 12)
            pdf.addOutlineEntry(text, f"h{n}", level=level - 1)
        for line in lines:
            pdf.setFont(font, size)
            pdf.drawString(margin, y, line)
            y -= 14
    pdf.save()
    return buffer.getvalue()


def test_pdf_with_bold_headings(tmp_path, catalogue):
    path = tmp_path / "QP-07.pdf"
    path.write_bytes(build_pdf(PROCEDURE, title="Purchasing and Supplier Evaluation"))
    doc = load_document(path, catalogue)
    assert (doc.doc_id, doc.revision, doc.format) == ("QP-07", "D", "pdf")
    assert doc.title == "Purchasing and Supplier Evaluation"
    assert doc.approved == "R. Castillo, Quality Manager, 2025-01-28"
    sections = [p.section_path for p in doc.passages]
    assert sections[:3] == [["1 Purpose"], ["2 References"], ["3 Procedure"]]
    assert ["3 Procedure", "3.1 Critical suppliers"] in sections
    # An unnumbered bold heading sits below the numbered one above it, until the next number.
    assert ["3 Procedure", "3.1 Critical suppliers", "Urgent orders"] in sections
    assert sections[-1] == ["4 Records"]
    assert doc.passages[1].clause_refs == ["API Q1:10th:5.5.1.2", "ISO 9001:2015:8.4.1"]
    pages = [p.page for p in doc.passages]
    assert pages[0] == 1 and pages[-1] >= 2 and pages == sorted(pages)
    # Running headers and page footers are not passage text.
    text = " ".join(p.text for p in doc.passages)
    assert "Document No." not in text and "Page 1" not in text and "Page 2" not in text


def test_pdf_sections_from_outline(tmp_path, catalogue):
    blocks = [(level, text.upper() if level else text) for level, text in PROCEDURE]
    path = tmp_path / "outlined.pdf"
    path.write_bytes(build_pdf(blocks, outline=True))
    doc = load_document(path, catalogue)
    assert [p.section for p in doc.passages][:3] == ["1 PURPOSE", "2 REFERENCES", "3 PROCEDURE"]
    assert ["3 PROCEDURE", "3.1 CRITICAL SUPPLIERS"] in [p.section_path for p in doc.passages]
    assert doc.passages[0].text == BODY
    # No title field or metadata title: the first heading stands in.
    assert doc.title == "1 PURPOSE"


def test_empty_password_pdf_opens(tmp_path, catalogue):
    path = tmp_path / "restricted.pdf"
    path.write_bytes(build_pdf(PROCEDURE, encrypt=""))
    assert load_document(path, catalogue).doc_id == "QP-07"


def fixture_blocks() -> list[tuple[int, str]]:
    """The synthetic standard's paragraphs; single-line paragraphs without a full stop are headings."""
    blocks: list[tuple[int, str]] = []
    for paragraph in FIXTURES.joinpath("synthetic_q1_10th.txt").read_text(encoding="utf-8").split("\n\n"):
        lines = paragraph.strip().split("\n")
        text = " ".join(lines)
        heading = len(lines) == 1 and not text.endswith(".") and "...." not in text
        blocks.append((1 if heading else 0, text))
    return blocks


def test_synthetic_standard_pdf_attaches_passages_to_clauses(tmp_path, catalogue):
    path = tmp_path / "API_Q1_10th_licensed.pdf"
    path.write_bytes(build_pdf(fixture_blocks(), running_header="Licensed copy for tests", first_page_lines=()))
    doc = load_standard_document(path, "API Q1", "10th", catalogue)
    text_doc = load_standard_document(FIXTURES / "synthetic_q1_10th.txt", "API Q1", "10th", catalogue)
    assert [p.clause_id for p in doc.passages] == [p.clause_id for p in text_doc.passages]
    by_id = {p.clause_id: p for p in doc.passages}
    assert by_id["5.5.1.2"].section == "5.5.1.2 Initial Supplier Evaluation—Critical Purchases"
    assert by_id["1"].page == 1
    assert by_id["6.2.1"].page >= 2
    assert "Licensed copy" not in " ".join(p.text for p in doc.passages)


def assert_pdf_error(path: Path, catalogue, phrase: str) -> None:
    with pytest.raises(DocumentError) as caught:
        load_document(path, catalogue)
    message = str(caught.value)
    assert message.startswith(path.name) and "\n" not in message
    assert phrase in message


def test_password_protected_pdf(tmp_path, catalogue):
    path = tmp_path / "secret.pdf"
    path.write_bytes(build_pdf(PROCEDURE, encrypt="open-sesame"))
    assert_pdf_error(path, catalogue, "password-protected")


def test_scanned_pdf_without_text(tmp_path, catalogue):
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(2):
        pdf.rect(50, 50, 400, 600, fill=1)
        pdf.showPage()
    pdf.save()
    path = tmp_path / "scan.pdf"
    path.write_bytes(buffer.getvalue())
    assert_pdf_error(path, catalogue, "OCR")


def test_corrupt_pdf(tmp_path, catalogue):
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(1, 256)) * 40)
    assert_pdf_error(path, catalogue, "damaged")


def test_truncated_pdf(tmp_path, catalogue):
    data = build_pdf(PROCEDURE)
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[:200])
    assert_pdf_error(path, catalogue, "PDF")
