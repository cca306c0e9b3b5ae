"""Word (.docx) documents through python-docx: heading styles, numbered heading text and page breaks."""

from __future__ import annotations

import io
import re
import zipfile
from typing import TYPE_CHECKING

from knowledge.documents.header import HEADER_ZONE_LINES, HeaderFields, is_control_line, read_header
from knowledge.documents.sections import Paragraph, Parsed, Section, numbered_heading_level
from knowledge.errors import DocumentError

if TYPE_CHECKING:
    from docx.document import Document
    from docx.text.paragraph import Paragraph as DocxParagraph

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
"""Word XML compresses ~5-20x; a member inflating over 200x (and over 5 MB) is a zip bomb."""
MAX_MEMBERS = 5000
_HEADING_STYLE = re.compile(r"^Heading (\d)$")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(data: bytes, name: str) -> Parsed:
    """Sections of a Word document, its header fields from the page header and the top of the body."""
    check_zip(data, name)
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        return _parse(document)
    except DocumentError:
        raise
    except Exception as exc:  # python-docx and lxml raise many types for a damaged package
        raise DocumentError(
            f"{name}: is not a readable Word document ({type(exc).__name__}); open it in Word and save it again as .docx"
        ) from None


def check_zip(data: bytes, name: str) -> None:
    """Refuse a damaged ZIP, a ZIP that is not Word, or a zip bomb, before python-docx inflates anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise DocumentError(f"{name}: is not a valid .docx (the ZIP container is damaged or truncated); "
                            "open it in Word and save it again") from None
    names = {m.filename for m in members}
    if "word/document.xml" not in names:
        raise DocumentError(f"{name}: is a ZIP file but not a Word document (no word/document.xml); "
                            "check the file is a .docx")
    total = sum(m.file_size for m in members)
    bomb = any(m.file_size > 5 * 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members)
    if bomb or total > MAX_UNCOMPRESSED_BYTES or len(members) > MAX_MEMBERS:
        raise DocumentError(
            f"{name}: unpacks to {total // (1024 * 1024)} MB in {len(members)} parts, over the safe limit "
            f"({MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB, ratio {MAX_RATIO}:1); it is not imported"
        )


def _parse(document: Document) -> Parsed:
    from docx.table import Table

    count_rendered = bool(document.element.body.findall(f".//{_W}lastRenderedPageBreak"))
    has_pages = count_rendered or bool(document.element.body.xpath(".//w:br[@w:type='page']"))
    page = 1
    line_no = 0
    top_lines: list[str] = []
    sections: list[Section] = [Section(0, "", [], 1 if has_pages else None)]
    title = ""
    for block in document.iter_inner_content():
        page_here = page
        if isinstance(block, Table):
            lines = [_row_text(row) for row in block.rows]
        else:
            level = _heading_level(block)
            if level == 0:
                title = title or block.text.strip()
                continue
            if level is not None and block.text.strip():
                sections.append(Section(level, block.text, [], page if has_pages else None))
                page += _page_breaks(block, count_rendered)
                continue
            lines = block.text.split("\n")
            page += _page_breaks(block, count_rendered)
        for line in lines:
            line_no += 1
            if line_no <= HEADER_ZONE_LINES:
                top_lines.append(line)
                if is_control_line(line):
                    continue
            if line.strip():
                sections[-1].paragraphs.append(Paragraph(line, page_here if has_pages else None))
    header_lines = [
        line for part in document.sections for line in _story_lines(part.header) + _story_lines(part.first_page_header)
    ]
    found = read_header(header_lines).merged(read_header(top_lines))
    fallback = HeaderFields(title=title or (document.core_properties.title or "").strip() or None)
    return Parsed(found.merged(fallback), sections)


def _heading_level(paragraph: DocxParagraph) -> int | None:
    """0 for the Title style, N for Heading N (or a style based on it), else a numbered bold heading line."""
    style = paragraph.style
    while style is not None:
        if style.name == "Title":
            return 0
        match = _HEADING_STYLE.match(style.name or "")
        if match:
            return int(match.group(1))
        style = style.base_style
    text = paragraph.text.strip()
    level = numbered_heading_level(text)
    # A single-number line in body style ("1 Purchase orders") is often a list item; it counts when bold.
    bold = bool(paragraph.runs) and all(run.bold for run in paragraph.runs if run.text.strip())
    if level is not None and (level > 1 or bold):
        return level
    return None


def _page_breaks(paragraph: DocxParagraph, count_rendered: bool) -> int:
    # Word records where it broke pages when it last saved (lastRenderedPageBreak); hand-made files
    # only have explicit breaks. Counting both would count each manual break twice.
    if count_rendered:
        return len(paragraph.rendered_page_breaks)
    return len(paragraph._p.xpath(".//w:br[@w:type='page']"))


def _row_text(row) -> str:
    cells: list[str] = []
    for cell in row.cells:
        text = " ".join(cell.text.split())
        # Merged cells repeat the same cell object's text once per grid column.
        if text and (not cells or cells[-1] != text):
            cells.append(text)
    return " | ".join(cells)


def _story_lines(story) -> list[str]:
    from docx.table import Table

    if story is None or story.is_linked_to_previous:
        return []
    lines: list[str] = []
    for block in story.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_row_text(row) for row in block.rows)
        else:
            lines.extend(block.text.split("\n"))
    return lines
