"""Fonts for PDF reports, and user text marked up so every character is drawn in an embedded font that has it.

reportlab embeds TrueType fonts, so what the PDF shows does not depend on the reader's machine. The
body font is DejaVu Sans where installed, else Kurinto Sans from the `weblate-fonts` package (a q1audit
dependency, so every install has it). Characters the body font lacks go, in order, to Kurinto Sans
(symbols and many emoji, Arabic, Hebrew, Indic scripts), Kurinto Sans SC (Chinese and fullwidth forms),
Kurinto Sans JP (kana) and Kurinto Sans KR (Hangul), each embedded as a subset. A character none of
them has is printed as a visible placeholder, never dropped.

reportlab draws text left to right without shaping, so lines holding Arabic or Hebrew are shaped with
`arabic-reshaper` (joined letter forms) and put in visual order with `python-bidi` before they are drawn.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape

from assistant.exports.safety import clean_text

BODY_FONTS = [
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
]
FALLBACK_FONTS = ["KurintoSans-Rg.ttf", "KurintoSansSC-Rg.ttf", "KurintoSansJP-Rg.ttf", "KurintoSansKR-Rg.ttf"]
"""Shipped by weblate-fonts, tried in this order for characters the body font lacks."""
PLACEHOLDER = "\u25a1"
"""WHITE SQUARE: shown for a character no embedded font can draw."""
REGULAR, BOLD = "Q1Body", "Q1Body-Bold"
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def _font_dirs() -> list[Path]:
    home = Path.home()
    dirs = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), home / ".local/share/fonts", home / ".fonts",
            Path("/Library/Fonts"), Path("/System/Library/Fonts"), home / "Library/Fonts"]
    if os.environ.get("WINDIR"):
        dirs.append(Path(os.environ["WINDIR"]) / "Fonts")
    return [d for d in dirs if d.is_dir()]


def _installed_fonts() -> dict[str, Path]:
    """File name -> path of every TrueType font under the usual font folders (first found wins)."""
    found: dict[str, Path] = {}
    for folder in _font_dirs():
        for root, _, files in os.walk(folder):
            for name in files:
                if name.lower().endswith(".ttf"):
                    found.setdefault(name, Path(root) / name)
    return found


def shipped_font_dir() -> Path:
    import weblate_fonts

    return Path(weblate_fonts.__file__).parent / "static" / "weblate_fonts" / "kurinto" / "ttf"


class Face(NamedTuple):
    name: str
    covered: frozenset[int]


class FontSet(NamedTuple):
    regular: str
    bold: str
    faces: tuple[Face, ...]
    """The body font first, then the fallbacks, each with the code points it draws."""


@cache
def fonts() -> FontSet:
    """Register the report fonts with reportlab once per process."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    installed = _installed_fonts()
    shipped = shipped_font_dir()
    regular_path, bold_path = shipped / "KurintoSans-Rg.ttf", shipped / "KurintoSans-Bd.ttf"
    for regular, bold in BODY_FONTS:
        if regular in installed:
            regular_path, bold_path = installed[regular], installed.get(bold, installed[regular])
            break
    body = TTFont(REGULAR, str(regular_path))
    pdfmetrics.registerFont(body)
    pdfmetrics.registerFont(TTFont(BOLD, str(bold_path)))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
    faces = [Face(REGULAR, frozenset(body.face.charToGlyph))]
    for file in FALLBACK_FONTS:
        font = TTFont(f"Q1{Path(file).stem}", str(shipped / file))
        pdfmetrics.registerFont(font)
        faces.append(Face(font.fontName, frozenset(font.face.charToGlyph)))
    return FontSet(REGULAR, BOLD, tuple(faces))


def visual_line(line: str) -> str:
    """A line as reportlab must draw it: Arabic letters joined and right-to-left runs in visual order."""
    if not _RTL.search(line):
        return line
    import arabic_reshaper
    from bidi import get_display

    return get_display(arabic_reshaper.reshape(line))


@cache
def _face_for(code: int) -> str | None:
    for face in fonts().faces:
        if code in face.covered:
            return face.name
    return None


def markup(text: str) -> str:
    """User text as reportlab Paragraph markup: escaped, line breaks kept, each character in a font that has it."""
    body = fonts().regular
    out: list[str] = []
    for n, line in enumerate(visual_line(line) for line in clean_text(text).split("\n")):
        if n:
            out.append("<br/>")
        run: list[str] = []
        current = body
        for char in line:
            code = ord(char)
            if 0xFE00 <= code <= 0xFE0F or code == 0x200D:  # variation selectors and joiners draw nothing
                continue
            face = body if char in "\t\r" else _face_for(code)
            if face is None:
                face, char = body, PLACEHOLDER
            if face != current:
                out.append(_run(run, current, body))
                run, current = [], face
            run.append(char)
        out.append(_run(run, current, body))
    return "".join(out)


def _run(chars: list[str], face: str, body: str) -> str:
    if not chars:
        return ""
    text = escape("".join(chars))
    return text if face == body else f'<font name="{face}">{text}</font>'
