"""Turn a stream of headings and paragraphs, whatever the file format, into passages of ~250 words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from knowledge.documents.header import HeaderFields

TARGET_WORDS = 250
"""Passage size: long enough to hold a requirement with its context, short enough to embed well."""
MIN_WORDS = 8
"""A section body shorter than this is folded into the section below it (e.g. "See 5.2.")."""
MAX_HEADING_CHARS = 200

_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,3}){0,6}|Annex [A-Z])\.?\s+(\S.*)$")
_SENTENCE_END = re.compile(r"[.!?;:][\"')\]]*$")
_MID_SENTENCE_END = re.compile(r"[a-z)][.!?]\s+[A-Z]")
_DOT_LEADER = re.compile(r"(?:\.\s?){4,}|…")

# PDF writers emit list bullets as DEL or private-use Symbol glyphs; other control characters are noise.
_CLEAN = {c: " " for c in [*range(0x00, 0x09), *range(0x0B, 0x20)]} | {
    0x7F: "•", 0xF0B7: "•", 0xF0A7: "•", 0x200B: None, 0xFEFF: None, 0xAD: None,
}


class Paragraph(NamedTuple):
    text: str
    page: int | None = None


class Section(NamedTuple):
    """A heading and the paragraphs under it, as a format loader finds them."""

    level: int
    """Heading depth from 1; 0 for text before the first heading."""
    heading: str
    paragraphs: list[Paragraph]
    page: int | None = None
    """Page the heading is on."""


class Chunk(NamedTuple):
    """A passage before clause links are added."""

    section_path: list[str]
    page: int | None
    text: str


def normalise(text: str) -> str:
    """One line: runs of whitespace (including non-breaking) become one space, control characters go."""
    return " ".join(text.translate(_CLEAN).split())


def heading_number(heading: str) -> str | None:
    """The clause-style number a heading starts with: "5.5.1.2 Initial ..." -> "5.5.1.2"."""
    match = _NUMBERED_HEADING.match(heading)
    return match.group(1) if match else None


def numbered_heading_level(line: str) -> int | None:
    """Depth of a line that reads as a numbered heading ("5.2 Critical suppliers" -> 2), else None.

    A numbered line is a heading only when it is short and does not end like a sentence, so that
    numbered steps ("1. Check the packing slip.") stay body text.
    """
    # Dot leaders mark a table-of-contents entry, not the heading itself.
    if len(line) > MAX_HEADING_CHARS or _DOT_LEADER.search(line):
        return None
    match = _NUMBERED_HEADING.match(line.strip())
    if match is None:
        return None
    number, title = match.groups()
    if not (title[0].isupper() or title[0].isdigit()) or len(title.split()) > 12:
        return None
    if title.rstrip()[-1] in ".;:," or _MID_SENTENCE_END.search(title):
        return None
    return 1 if number.startswith("Annex") else number.count(".") + 1


def split_sections(
    sections: Iterable[Section],
    title: str,
    *,
    target_words: int = TARGET_WORDS,
    min_words: int = MIN_WORDS,
) -> list[Chunk]:
    """Passages with their heading chain; long sections split on paragraph boundaries, empty ones dropped.

    Text before the first heading, or in a document with no headings, gets `[title]` as its path.
    A section with fewer than `min_words` words is carried into the next section when that one is
    below it in the heading tree (a parent's one-line intro); otherwise it stays a passage of its own.
    """
    chunks: list[Chunk] = []
    stack: list[tuple[int, str]] = []
    carried: tuple[list[str], list[Paragraph], bool] | None = None
    """A too-short section waiting for the next one: its path, its text, and whether it precedes every heading."""
    for section in sections:
        heading = normalise(section.heading)
        if section.level > 0 and heading:
            numbered = heading_number(heading) is not None
            while stack and (stack[-1][0] >= section.level or (numbered and _inside_numbered(stack))):
                stack.pop()
            stack.append((section.level, heading))
        path = [h for _, h in stack] or [title]
        paragraphs = [Paragraph(normalise(p.text), p.page) for p in section.paragraphs]
        paragraphs = [p for p in paragraphs if p.text]
        if carried is not None:
            carried_path, carried_paragraphs, preamble = carried
            if path[: len(carried_path)] == carried_path and len(path) > len(carried_path):
                paragraphs = carried_paragraphs + paragraphs
            elif not preamble:
                chunks.append(Chunk(carried_path, carried_paragraphs[0].page, _join(carried_paragraphs)))
            # else: a few words above the first heading (a title line, a logo caption) are dropped.
            carried = None
        if not paragraphs:
            continue
        if sum(len(p.text.split()) for p in paragraphs) < min_words:
            carried = (path, paragraphs, not stack)
            continue
        for piece in _pieces(paragraphs, target_words):
            page = piece[0].page if piece[0].page is not None else section.page
            chunks.append(Chunk(path, page, _join(piece)))
    if carried is not None:
        carried_path, carried_paragraphs, _ = carried
        chunks.append(Chunk(carried_path, carried_paragraphs[0].page, _join(carried_paragraphs)))
    return chunks


def _inside_numbered(stack: list[tuple[int, str]]) -> bool:
    """The innermost heading is unnumbered ("NOTE") inside a numbered section: the next number ends it."""
    return heading_number(stack[-1][1]) is None and any(heading_number(h) for _, h in stack[:-1])


def _join(paragraphs: list[Paragraph]) -> str:
    return "\n\n".join(p.text for p in paragraphs)


def _pieces(paragraphs: list[Paragraph], target_words: int) -> list[list[Paragraph]]:
    """Group paragraphs into runs of about `target_words`, cutting over-long paragraphs first."""
    pieces: list[list[Paragraph]] = []
    current: list[Paragraph] = []
    count = 0
    for paragraph in (part for p in paragraphs for part in _cut_long(p, target_words)):
        words = len(paragraph.text.split())
        if current and count + words > target_words:
            pieces.append(current)
            current, count = [], 0
        current.append(paragraph)
        count += words
    if current:
        pieces.append(current)
    # A short tail reads better joined to the piece before it than standing alone.
    if len(pieces) > 1 and sum(len(p.text.split()) for p in pieces[-1]) < target_words // 4:
        pieces[-2].extend(pieces.pop())
    return pieces


def _cut_long(paragraph: Paragraph, target_words: int) -> list[Paragraph]:
    """A paragraph longer than the target cut into ~target-sized parts, at a sentence end where one is near."""
    words = paragraph.text.split()
    if len(words) <= target_words:
        return [paragraph]
    parts: list[Paragraph] = []
    start = 0
    while start < len(words):
        end = min(start + target_words, len(words))
        if end < len(words):
            # Look back over the last third of the window for a sentence end to cut after.
            for i in range(end, start + (2 * target_words) // 3, -1):
                if _SENTENCE_END.search(words[i - 1]):
                    end = i
                    break
        parts.append(Paragraph(" ".join(words[start:end]), paragraph.page))
        start = end
    return parts


class Parsed(NamedTuple):
    """What a format reader hands to the loader: the header it found and the sections in order."""

    header: HeaderFields
    sections: list[Section]
