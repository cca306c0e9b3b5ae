"""Markdown documents through markdown-it-py: headings, paragraphs, list items and table rows."""

from __future__ import annotations

import re

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from knowledge.documents.header import HEADER_ZONE_LINES, HeaderFields, is_control_line, read_header
from knowledge.documents.sections import Paragraph, Parsed, Section
from knowledge.documents.text import decode_text
from knowledge.errors import DocumentError
from knowledge.input_limits import FRONT_MATTER, check_yaml

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
# Front-matter keys people use for each header field, first match wins.
_FRONT_MATTER_KEYS = {
    "doc_id": ("doc_id", "document_id", "document_no", "document", "doc_no", "number", "id"),
    "title": ("title",),
    "revision": ("revision", "rev"),
    "approved": ("approved", "approved_by", "approval"),
}


def read_markdown(data: bytes, name: str) -> Parsed:
    """Sections of a Markdown file; YAML front matter fills the header before any header lines do."""
    text = decode_text(data, name)
    front = HeaderFields()
    match = _FRONT_MATTER.match(text)
    if match:
        front = _front_matter(match.group(1) or "", name)
        # Blank lines keep markdown-it's line numbers equal to the file's.
        text = "\n" * match.group(0).count("\n") + text[match.end() :]
    sections: list[Section] = [Section(0, "", [])]
    lines_seen: list[str] = []
    row: list[str] | None = None  # cells of the table row being read
    pending_heading: int | None = None
    start_line = 0
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        if token.map:
            start_line = token.map[0]
        if token.type == "heading_open":
            pending_heading = int(token.tag[1])
        elif token.type == "inline" and pending_heading is not None:
            sections.append(Section(pending_heading, _inline_text(token), []))
            pending_heading = None
        elif token.type == "inline" and row is not None:
            row.append(_inline_text(token).replace("\n", " "))
        elif token.type == "inline":
            lines = _inline_text(token).split("\n")
            if start_line < HEADER_ZONE_LINES:
                lines_seen.extend(lines)
                lines = [line for line in lines if not is_control_line(line)]
            if any(line.strip() for line in lines):
                sections[-1].paragraphs.append(Paragraph("\n".join(lines)))
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            cells = " | ".join(c for c in row if c.strip())
            row = None
            if start_line < HEADER_ZONE_LINES:
                lines_seen.append(cells)
            if start_line >= HEADER_ZONE_LINES or not is_control_line(cells):
                sections[-1].paragraphs.append(Paragraph(cells))
        elif token.type in ("fence", "code_block"):
            sections[-1].paragraphs.append(Paragraph(token.content))
    return Parsed(front.merged(read_header(lines_seen)), sections)


def _inline_text(token: Token) -> str:
    """Plain text of an inline token: markup dropped, line breaks kept as newlines."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)


def _front_matter(source: str, name: str) -> HeaderFields:
    try:
        check_yaml(source, name, FRONT_MATTER, yaml.SafeLoader)
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 2}" if mark is not None else ""
        raise DocumentError(f"{name}:{where} front matter is not valid YAML; fix it or remove the --- block") from None
    if not isinstance(data, dict):
        return HeaderFields()
    lowered = {str(k).lower().replace(" ", "_").replace("-", "_"): v for k, v in data.items()}
    fields: dict[str, str] = {}
    for field, keys in _FRONT_MATTER_KEYS.items():
        for key in keys:
            value = lowered.get(key)
            if value is not None and not isinstance(value, (dict, list)) and str(value).strip():
                fields[field] = str(value).strip()
                break
    return HeaderFields(**fields)
