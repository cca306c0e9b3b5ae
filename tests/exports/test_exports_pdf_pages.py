"""The PDF report rendered page by page (pypdfium2): findings never split from their heading, every script drawn."""

from __future__ import annotations

import re
from datetime import date

import pytest

from assistant.exports import export_session
from assistant.sessions.models import AuditTeam, Scope, SessionHeader

NORWEGIAN = "Kalibrering av måleutstyr på verkstedet i Ålesund"
ARABIC = "قال المشرف إن الشهادة مفقودة"
CHINESE = "供应商评估记录缺失"
RUSSIAN = "Сертификат поверки отсутствует"


def _pages(path):
    """(text, bitmap, textpage) of every page, each page rendered as pixels."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    for page in document:
        yield page.get_textpage(), page.render(scale=2).to_pil().convert("L"), page


@pytest.fixture
def long_audit(service) -> str:
    """Enough findings, with long notes, that findings and tables meet page breaks."""
    sid = service.create(SessionHeader(title="Page breaks", scope=Scope(processes=["purchasing", "calibration"]),
                                       team=AuditTeam(lead="Lead"), start_date=date(2025, 3, 11))).id
    service.answer(sid, "pur_procedure", "no", note="Procedure QP-07 missing. " * 30)
    service.answer(sid, "cal_procedure", "partial", note="Only the register. " * 40)
    for i in range(9):
        service.add_manual_finding(sid, ["minor", "observation", "major"][i % 3], ["Q1 5.5.1", "ISO 8.4.1"],
                                   text=f"Finding {i}: supplier file incomplete. " * (5 + 12 * (i % 4)),
                                   evidence="Records looked at in the supplier file. " * (3 + 9 * (i % 3)),
                                   process="purchasing")
    for finding in service.findings(sid):
        if finding.status.value == "proposed":
            service.decide(sid, finding.id, "confirmed")
    return sid


def test_no_finding_block_is_split_from_its_heading(service, long_audit, tmp_path):
    out = export_session(service, long_audit, "pdf", tmp_path / "r.pdf")
    pages = list(_pages(out))
    assert len(pages) >= 4
    seen = []
    for textpage, bitmap, _ in pages:
        assert bitmap.getextrema()[0] < 100, "every page renders with something drawn on it"
        text = textpage.get_text_range()
        for heading in re.findall(r"^(F-\d\d): ", text, flags=re.M):
            block = text[text.index(f"{heading}: "):]
            # Heading, grade line, clause table and statement are on the heading's page, in order.
            assert re.search(r"Clauses.*?Cited.*?Requirement.*?Evidence.*?Nonconformity", block, flags=re.S), heading
            seen.append(heading)
        if "Findings by grade" in text:
            assert "Major" in text and "Minor" in text and "Observation" in text, "grade table kept whole"
    assert seen == [f"F-{i:02d}" for i in range(1, len(seen) + 1)] and len(seen) >= 9


def test_norwegian_arabic_chinese_and_russian_are_drawn_with_embedded_glyphs(service, tmp_path):
    import pypdf

    sid = service.create(SessionHeader(title="Scripts", scope=Scope(processes=["purchasing"]))).id
    service.answer(sid, "pur_procedure", "no", note="\n".join([NORWEGIAN, ARABIC, CHINESE, RUSSIAN, "🔧 ✅"]))
    for finding in service.findings(sid):
        service.decide(sid, finding.id, "confirmed")
    out = export_session(service, sid, "pdf", tmp_path / "scripts.pdf")

    reader = pypdf.PdfReader(out)
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)
            assert "/FontFile2" in descriptor["/FontDescriptor"], f"{font['/BaseFont']} is not embedded"

    drawn = set()
    for textpage, bitmap, page in _pages(out):
        text = textpage.get_text_range()
        assert "\ufffd" not in text and "\u25a1" not in text, "no character left without a glyph"
        # pdfium reads text back in logical order: Arabic drawn unshaped or left to right would come back reversed.
        for sample in (NORWEGIAN, ARABIC, CHINESE, RUSSIAN):
            start = text.find(sample)
            if start < 0:
                continue
            for i in range(start, start + len(sample)):
                if not sample[i - start].strip():
                    continue
                left, bottom, right, top = textpage.get_charbox(i)
                height = page.get_height()
                box = bitmap.crop((int(left * 2), int((height - top) * 2), int(right * 2) + 1,
                                   int((height - bottom) * 2) + 1))
                assert box.getextrema()[0] < 128, f"{sample[i - start]!r} is drawn"
            drawn.add(sample)
    assert drawn == {NORWEGIAN, ARABIC, CHINESE, RUSSIAN}


def test_arabic_is_joined_and_put_in_visual_order():
    import unicodedata

    from assistant.exports.pdf_fonts import visual_line

    drawn = visual_line(f"QP-07 {ARABIC}")
    assert drawn.startswith("QP-07 ") and all("\ufe70" <= ch <= "\ufeff" or ch == " " for ch in drawn[6:])
    assert unicodedata.normalize("NFKC", drawn[6:][::-1]) == ARABIC, "joined forms, right to left"
    assert visual_line(NORWEGIAN) == NORWEGIAN
