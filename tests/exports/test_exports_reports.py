"""Audit reports (HTML, PDF, DOCX) read back with an HTML parser, pypdf and python-docx."""

from __future__ import annotations

from html.parser import HTMLParser

from assistant.exports import export_session

SECTIONS = [
    "Executive summary",
    "Audit conclusions",
    "Audit details",
    "Audit criteria",
    "Summary of findings",
    "Degree to which the criteria are met",
    "Findings",
    "Diverging opinions",
    "Not covered",
    "Report approval and distribution",
]


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.headings: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_heading = tag in ("h1", "h2", "h3")
        if self._in_heading:
            self.headings.append("")

    def handle_endtag(self, tag):
        self._in_heading = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_heading:
            self.headings[-1] += data


def test_html_report_escapes_hostile_text_and_has_iso_19011_sections(service, hostile_session, hostile, tmp_path):
    out = export_session(service, hostile_session, "html", tmp_path / "r.html")
    html = out.read_text(encoding="utf-8")
    parser = _Collect()
    parser.feed(html)
    text = " ".join(parser.text)
    assert "script" not in parser.tags, "user text must never become markup"
    assert hostile.SCRIPT in text
    assert set(SECTIONS) <= set(parser.headings)
    assert parser.headings.index("Executive summary") < parser.headings.index("Findings")
    assert f"F-01: -Re-evaluation overdue {hostile.CHINESE} {hostile.EMOJI}" in parser.headings
    assert parser.tags.count("svg") == 2, "findings and coverage charts, inline"
    for expected in ("API Q1 10th 5.5.1 (not confirmed)", "Related (crosswalk)", "API Q1 9th 5.6.1", "ISO 9001:2015",
                     "7.1.5", "Purchasing Control", hostile.ARABIC, "Auditee disagrees with M-002",
                     "an area without findings is not thereby shown to conform", "not answered",
                     "answered not applicable", "QP-08", "Processes outside the audit scope", "Confidential",
                     "Final, revision 1, issued"):
        assert expected in text, expected
    for team_only in ("M-003", "Duplicate of M-001", "manual finding", "rule ", "Points for the audit team",
                      "DRAFT"):
        assert team_only not in text, team_only


def test_pdf_report_has_numbered_pages_sections_and_text(service, hostile_session, hostile, tmp_path):
    import pypdf

    out = export_session(service, hostile_session, "pdf", tmp_path / "r.pdf")
    reader = pypdf.PdfReader(out)
    pages = [page.extract_text() for page in reader.pages]
    total = len(pages)
    assert total >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in page
        assert f"Audit {hostile_session}" in page and "Final, revision 1" in page
    text = "\n".join(pages)
    for section in SECTIONS:
        assert section in text, section
    assert "Audit report" in text and hostile.CYRILLIC in text and "<script>alert" in text
    assert "Omar, due 2025-04-30" in text
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[:2] == ["Executive summary", "Audit details"]
    assert reader.metadata.title.startswith(f"Audit report {hostile_session}")


def test_docx_report_has_headings_tables_and_page_numbers(service, hostile_session, hostile, tmp_path):
    import docx

    out = export_session(service, hostile_session, "docx", tmp_path / "r.docx")
    document = docx.Document(out)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert set(SECTIONS) <= set(headings)
    assert document.paragraphs[0].style.name == "Title"
    grades = next(t for t in document.tables if t.cell(0, 0).text == "Grade")
    assert [r.cells[0].text for r in grades.rows][1:] == ["Minor", "Observation"]
    head_row = grades.rows[0]._tr
    assert head_row.xpath("./w:trPr/w:tblHeader"), "head rows repeat on every page"
    assert head_row.xpath("./w:trPr/w:cantSplit"), "rows never split across pages"
    footer_xml = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml and "issued" in footer_xml
    assert "DRAFT" not in document.sections[0].header.paragraphs[0]._p.xml
    assert document.core_properties.comments == ""
    body = "\n".join(p.text for p in document.paragraphs)
    body += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert hostile.SCRIPT in body and hostile.LONG_WORD in body and hostile.ARABIC in body


def test_empty_session_exports_every_format(service, tmp_path):
    from assistant.exports.registry import FORMATS
    from assistant.sessions.models import SessionHeader

    sid = service.create(SessionHeader(title="Nothing yet")).id
    for fmt, spec in FORMATS.items():
        for audience in ("auditee", "team"):
            out = export_session(service, sid, fmt, tmp_path / f"empty-{fmt}-{audience}{spec.suffix}", audience=audience)
            assert out.stat().st_size > 0
    assert "No findings." in (tmp_path / "empty-md-auditee.md").read_text(encoding="utf-8")


def test_photos_are_shown_under_their_finding_with_a_caption(service, tmp_path):
    import docx
    import pypdf
    from PIL import Image

    from assistant.sessions.models import Scope, SessionHeader

    photo = tmp_path / "gauge.png"
    Image.new("RGB", (1200, 900), (200, 120, 40)).save(photo)
    sid = service.create(SessionHeader(title="Photos", scope=Scope(processes=["purchasing"]))).id
    service.answer(sid, "pur_procedure", "no", attachments=[photo])
    for finding in service.findings(sid):
        service.decide(sid, finding.id, "confirmed")

    reader = pypdf.PdfReader(export_session(service, sid, "pdf", tmp_path / "p.pdf"))
    images = [(page_no, image) for page_no, page in enumerate(reader.pages) for image in page.images]
    assert len(images) == 1
    page_no, image = images[0]
    caption = "Photo: pur_procedure_gauge.png, attached to:"
    assert caption in reader.pages[page_no].extract_text()
    html = export_session(service, sid, "html", tmp_path / "p.html").read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == 1 and caption in html
    document = docx.Document(export_session(service, sid, "docx", tmp_path / "p.docx"))
    assert len(document.inline_shapes) == 1
    assert document.inline_shapes[0].width < document.sections[0].page_width, "scaled to the page"
    assert any(p.text.startswith(caption) for p in document.paragraphs)
