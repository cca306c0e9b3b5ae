"""Plain-text documents: decoding, and headings found by numbering, capitals or underlines."""

from __future__ import annotations

import re

from knowledge.documents.header import HEADER_ZONE_LINES, HeaderFields, is_control_line, read_header
from knowledge.documents.sections import MAX_HEADING_CHARS, Paragraph, Parsed, Section, numbered_heading_level
from knowledge.errors import DocumentError

_ATX = re.compile(r"^(#{1,6})\s+(\S.*?)\s*#*$")
_UNDERLINE = re.compile(r"^(=+|-+)\s*$")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode_text(data: bytes, name: str) -> str:
    """Bytes of a text or Markdown file as str: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DocumentError(f"{name}: starts like UTF-16 text but is not valid UTF-16 ({exc.reason}); "
                                "save it again as UTF-8") from None
    if b"\x00" in data:
        raise DocumentError(f"{name}: contains NUL bytes, so it is binary data, not text; "
                            "check the file and its extension")
    text = None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    # cp1252 maps almost any byte, so binary data is caught by how many control characters it yields.
    if text is None or len(_CONTROL_CHARS.findall(text)) > max(8, len(text) // 100):
        raise DocumentError(f"{name}: is not readable text (neither UTF-8 nor Windows-1252); "
                            "save it again as UTF-8 text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(data: bytes, name: str) -> Parsed:
    """Sections of a plain-text file; form feeds count as page breaks."""
    text = decode_text(data, name)
    lines = text.split("\n")
    header = read_header(lines)
    has_pages = "\f" in text
    sections: list[Section] = []
    current = Section(0, "", [], 1 if has_pages else None)
    paragraph: list[str] = []
    page = 1
    last_numbered = 0

    def flush() -> None:
        if paragraph:
            current.paragraphs.append(Paragraph(" ".join(paragraph), page if has_pages else None))
            paragraph.clear()

    for i, raw in enumerate(lines):
        if "\f" in raw:
            flush()
            page += raw.count("\f")
        line = raw.replace("\f", "").strip()
        next_line = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if not line or _UNDERLINE.match(line):
            flush()
            continue
        if i < HEADER_ZONE_LINES and is_control_line(line):
            flush()
            continue
        level = _heading_level(line, next_line, last_numbered)
        if level is None:
            paragraph.append(line)
            continue
        if numbered_heading_level(line) is not None:
            last_numbered = level
        flush()
        sections.append(current)
        current = Section(level, _ATX.sub(r"\2", line), [], page if has_pages else None)
    flush()
    sections.append(current)
    return Parsed(header.merged(_title_line(sections[0])), sections)


def _title_line(preamble: Section) -> HeaderFields:
    """A short first line above the first heading is the document's title ("Receiving Inspection")."""
    if not preamble.paragraphs:
        return HeaderFields()
    first = preamble.paragraphs[0]
    if len(first.text.split()) > 12 or first.text.rstrip()[-1] in ".;:,":
        return HeaderFields()
    preamble.paragraphs.pop(0)
    return HeaderFields(title=first.text.strip())


def _heading_level(line: str, next_line: str, last_numbered: int) -> int | None:
    """Markdown-style and underlined headings, numbered headings, and capitalised lines one level below
    the last numbered heading (a "NOTE" inside clause 5.5 belongs to 5.5)."""
    if len(line) > MAX_HEADING_CHARS:
        return None
    atx = _ATX.match(line)
    if atx:
        return len(atx.group(1))
    underline = _UNDERLINE.match(next_line)
    if underline and len(next_line) >= 3 and len(line.split()) <= 12:
        return 1 if next_line.startswith("=") else 2
    numbered = numbered_heading_level(line)
    # A numbered line whose text runs on in lower case is a wrapped list item, not a heading.
    if numbered is not None and not next_line[:1].islower():
        return numbered
    letters = [c for c in line if c.isalpha()]
    capitals = len(letters) >= 3 and all(c.isupper() for c in letters) and len(letters) * 2 >= len(line.replace(" ", ""))
    if capitals and len(line.split()) <= 8 and line[-1] not in ".;:,":
        return last_numbered + 1
    return None
