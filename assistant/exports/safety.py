"""Text made safe for where it goes: spreadsheet cells (formula injection), XML-based files, file names."""

from __future__ import annotations

import re
import unicodedata

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet reads a cell starting with one of these as a formula (or strips the whitespace first)."""

# Control characters XML 1.0 cannot hold (DOCX, XLSX, PDF markup); tab, newline and CR stay.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# Windows refuses these as file names whatever the extension.
_RESERVED_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def neutralise_cell(text: str) -> str:
    """A CSV value that a spreadsheet shows as text, never runs: `=HYPERLINK(...)` becomes `'=HYPERLINK(...)`.

    XLSX needs no such change to the text: its cells carry Excel's own quote-prefix marker instead.
    """
    return "'" + text if looks_like_formula(text) else text


def clean_text(text: str) -> str:
    """Text without the control characters XML cannot carry (they come from pasted or corrupted input)."""
    return _XML_ILLEGAL.sub("", text)


def safe_filename(text: str, limit: int = 60) -> str:
    """A portable file-name stem from user text (a session title): ASCII letters, digits, `.`, `_`, `-`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE_NAME.sub("-", ascii_text).strip(".-_")[:limit].rstrip(".-_")
    if not stem or stem.split(".")[0].lower() in _RESERVED_NAMES:
        stem = f"audit-{stem}" if stem else "audit"
    return stem
