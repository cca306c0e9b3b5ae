"""PDF documents through pypdf: sections from the outline (bookmarks), else from numbered or bold heading lines."""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from typing import TYPE_CHECKING, NamedTuple

from knowledge.documents.header import HEADER_ZONE_LINES, HeaderFields, is_control_line, read_header
from knowledge.documents.sections import (
    MAX_HEADING_CHARS,
    Paragraph,
    Parsed,
    Section,
    normalise,
    numbered_heading_level,
)
from knowledge.errors import DocumentError

if TYPE_CHECKING:
    from pypdf import PdfReader

_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:]\W*$")
_UNREADABLE_ENCRYPTION = (
    "is encrypted in a way this install cannot read (AES needs the cryptography package); "
    "save an unprotected copy (print to PDF) and import that"
)
RUNNING_EDGE = 3
"""Page headers and footers are looked for in this many lines at the top and bottom of each page."""


class _Line(NamedTuple):
    page: int
    text: str
    bold: bool


class _Heading(NamedTuple):
    level: int
    title: str
    page: int


def read_pdf(data: bytes, name: str) -> Parsed:
    """Sections of a PDF, with the page each starts on; running headers and footers are left out."""
    from pypdf.errors import DependencyError

    # pypdf logs its repairs of damaged files; the user gets one DocumentError line instead.
    logger = logging.getLogger("pypdf")
    previous_level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        reader = _open(data, name)
        lines = _page_lines(reader)
        outline = _outline(reader)
        metadata_title = (reader.metadata.title if reader.metadata else None) or None
    except DocumentError:
        raise
    except DependencyError:
        raise DocumentError(f"{name}: {_UNREADABLE_ENCRYPTION}") from None
    except Exception as exc:  # pypdf raises many types on damaged content streams
        raise DocumentError(f"{name}: is a damaged PDF ({type(exc).__name__} while reading text); "
                            "export it to PDF again from the source document") from None
    finally:
        logger.setLevel(previous_level)
    if not any(line.text for line in lines):
        raise DocumentError(f"{name}: has no extractable text (a scanned image?); "
                            "run it through OCR (e.g. ocrmypdf) and import the result")
    header = read_header(line.text for line in lines[:HEADER_ZONE_LINES])
    body = _drop_running_lines(lines, len(reader.pages))
    body = [line for i, line in enumerate(body) if not (i < HEADER_ZONE_LINES and is_control_line(line.text))]
    sections = _sections_from_outline(body, outline) if outline else _sections_from_lines(body)
    fallback = HeaderFields(title=_useful_title(metadata_title))
    return Parsed(header.merged(fallback), sections)


def _useful_title(metadata_title: str | None) -> str | None:
    """The metadata title unless it is a PDF writer's placeholder ("untitled", "Microsoft Word - x.docx")."""
    title = normalise(metadata_title or "").removeprefix("Microsoft Word - ")
    if not title or title.lower() in ("untitled", "unknown") or title.lower().endswith((".doc", ".docx")):
        return None
    return title


def _open(data: bytes, name: str) -> PdfReader:
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        # Many PDFs are "encrypted" with an empty password only to restrict printing: those open.
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise DocumentError(f"{name}: is password-protected; "
                                "save an unprotected copy (print to PDF) and import that")
        if len(reader.pages) == 0:
            raise DocumentError(f"{name}: is a PDF with no pages (damaged or truncated?); "
                                "export it to PDF again from the source document")
    except DocumentError:
        raise
    except DependencyError:
        raise DocumentError(f"{name}: {_UNREADABLE_ENCRYPTION}") from None
    except Exception as exc:  # pypdf raises PdfReadError, PdfStreamError, ValueError, KeyError ...
        raise DocumentError(f"{name}: is a damaged or truncated PDF ({type(exc).__name__}); "
                            "export it to PDF again from the source document") from None
    return reader


def _page_lines(reader: PdfReader) -> list[_Line]:
    """Every text line of every page, marked bold when all its text is set in a bold font."""
    lines: list[_Line] = []
    for number, page in enumerate(reader.pages, start=1):
        runs: dict[int, list[tuple[str, bool]]] = {}

        def visit(text, cm, tm, font, size, runs=runs):
            if text.strip():
                y = round(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])
                font_name = str(font.get("/BaseFont", "")) if font else ""
                runs.setdefault(y, []).append((text, bool(_BOLD_FONT.search(font_name))))

        text = page.extract_text(visitor_text=visit) or ""
        bold_lines = {
            normalise("".join(t for t, _ in parts)) for parts in runs.values() if all(b for t, b in parts if t.strip())
        }
        for raw in text.split("\n"):
            line = normalise(raw)
            lines.append(_Line(number, line, bool(line) and line in bold_lines))
    return lines


def _outline(reader: PdfReader) -> list[_Heading]:
    """Bookmarks in reading order with their depth (from 1) and page (from 1)."""
    headings: list[_Heading] = []

    def walk(items, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
                continue
            page = reader.get_destination_page_number(item)
            title = normalise(str(item.title or ""))
            if title and page is not None and page >= 0:
                headings.append(_Heading(depth, title, page + 1))

    walk(reader.outline, 1)
    return sorted(headings, key=lambda h: h.page)


def _drop_running_lines(lines: list[_Line], pages: int) -> list[_Line]:
    """Lines without page headers and footers: the top or bottom lines that repeat, digits aside, on half the pages."""
    if pages < 2:
        return lines

    def shape(text: str) -> str:
        return re.sub(r"\d+", "#", text)

    edges: set[int] = set()  # indexes of the first and last RUNNING_EDGE lines of each page
    by_page: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        if line.text:
            by_page.setdefault(line.page, []).append(i)
    for indexes in by_page.values():
        edges.update(indexes[:RUNNING_EDGE] + indexes[-RUNNING_EDGE:])
    per_page = Counter(s for _, s in {(lines[i].page, shape(lines[i].text)) for i in edges})
    running = {s for s, count in per_page.items() if count >= max(2, (pages + 1) // 2)}
    return [line for i, line in enumerate(lines) if i not in edges or shape(line.text) not in running]


def _sections_from_outline(lines: list[_Line], outline: list[_Heading]) -> list[Section]:
    """Cut the text where each bookmark's title appears on its page (or at the top of that page)."""
    cuts: list[tuple[int, _Heading]] = []
    cursor = 0
    for heading in outline:
        start = next((i for i in range(cursor, len(lines)) if lines[i].page >= heading.page), len(lines))
        end = next((i for i in range(start, len(lines)) if lines[i].page > heading.page), len(lines))
        found = next((i for i in range(start, end) if _same_title(lines[i].text, heading.title)), None)
        cut = found if found is not None else start
        cuts.append((cut, heading))
        # The heading line itself is not body text.
        cursor = cut + 1 if found is not None else cut
    sections = [Section(0, "", _paragraphs(lines[: cuts[0][0]] if cuts else lines), 1)]
    for n, (cut, heading) in enumerate(cuts):
        skip = 1 if cut < len(lines) and _same_title(lines[cut].text, heading.title) else 0
        end = cuts[n + 1][0] if n + 1 < len(cuts) else len(lines)
        level = numbered_heading_level(heading.title) or heading.level
        sections.append(Section(level, heading.title, _paragraphs(lines[cut + skip : end]), heading.page))
    return sections


def _same_title(line: str, title: str) -> bool:
    line, title = line.casefold(), title.casefold()
    # Long titles are cut short in bookmarks or wrapped onto two lines on the page.
    return bool(line) and (line == title or line.startswith(title) or (len(line) > 10 and title.startswith(line)))


def _sections_from_lines(lines: list[_Line]) -> list[Section]:
    """Headings are numbered lines (bold, or two levels deep and more) and short bold lines."""
    sections = [Section(0, "", [], 1)]
    body: list[_Line] = []
    last_numbered = 0
    for line in lines:
        level = _heading_level(line, last_numbered)
        if level is None:
            body.append(line)
            continue
        sections[-1].paragraphs.extend(_paragraphs(body))
        body = []
        if numbered_heading_level(line.text) is not None:
            last_numbered = level
        sections.append(Section(level, line.text, [], line.page))
    sections[-1].paragraphs.extend(_paragraphs(body))
    return sections


def _heading_level(line: _Line, last_numbered: int) -> int | None:
    if not line.text or len(line.text) > MAX_HEADING_CHARS:
        return None
    level = numbered_heading_level(line.text)
    if level is not None:
        return level if (line.bold or level > 1) else None
    if line.bold and len(line.text.split()) <= 12 and line.text[-1] not in ".;:," and line.text[0].isalnum():
        return last_numbered + 1
    return None


def _paragraphs(lines: list[_Line]) -> list[Paragraph]:
    """Lines joined into paragraphs, which end at a blank line or a line ending a sentence."""
    paragraphs: list[Paragraph] = []
    current: list[_Line] = []
    for line in lines:
        if line.text:
            current.append(line)
        if current and (not line.text or _SENTENCE_END.search(line.text)):
            paragraphs.append(Paragraph(" ".join(part.text for part in current), current[0].page))
            current = []
    if current:
        paragraphs.append(Paragraph(" ".join(part.text for part in current), current[0].page))
    return paragraphs
