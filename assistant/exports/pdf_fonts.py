"""Fonts for PDF reports: a Unicode TTF found on the machine, a CJK fallback, and text marked up to use them.

reportlab embeds TrueType fonts, so what the PDF shows does not depend on the reader's machine. The
body font is DejaVu Sans where installed (Latin, Greek, Cyrillic, Arabic, Hebrew letters), else Noto
Sans or Arial, else Bitstream Vera, which ships inside reportlab (Latin only). Chinese, Japanese and
Korean characters use an installed CJK TrueType font when there is one, else Adobe's non-embedded
CID font STSong-Light, which readers draw from their own Asian fonts. A character no font covers
(most emoji) is printed as U+FFFD (or `?` with Vera), so a gap is visible instead of silently lost.
Arabic letters come out unjoined and left to right: reportlab shapes text only with the optional
uharfbuzz and rlbidi packages, which q1audit does not install. The HTML and DOCX reports show it right.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape

from assistant.exports.safety import clean_text

BODY_FONTS = [
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    ("arial.ttf", "arialbd.ttf"),
    ("Arial.ttf", "Arial Bold.ttf"),
]
# TrueType-outline CJK fonts only: reportlab cannot embed the CFF outlines of Noto Sans CJK / Source Han.
CJK_FONTS = ["wqy-zenhei.ttc", "wqy-microhei.ttc", "DroidSansFallbackFull.ttf", "DroidSansFallback.ttf",
             "msyh.ttc", "simsun.ttc", "Arial Unicode.ttf", "ARIALUNI.TTF"]
CID_FALLBACK = "STSong-Light"
REGULAR, BOLD, CJK = "Q1Body", "Q1Body-Bold", "Q1CJK"


def _font_dirs() -> list[Path]:
    home = Path.home()
    dirs = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), home / ".local/share/fonts", home / ".fonts",
            Path("/Library/Fonts"), Path("/System/Library/Fonts"), home / "Library/Fonts"]
    if os.environ.get("WINDIR"):
        dirs.append(Path(os.environ["WINDIR"]) / "Fonts")
    return [d for d in dirs if d.is_dir()]


def _installed_fonts() -> dict[str, Path]:
    """File name -> path of every font file under the usual font folders (first found wins)."""
    found: dict[str, Path] = {}
    for folder in _font_dirs():
        for root, _, files in os.walk(folder):
            for name in files:
                if name.lower().endswith((".ttf", ".ttc")):
                    found.setdefault(name, Path(root) / name)
    return found


class FontSet(NamedTuple):
    regular: str
    bold: str
    covered: frozenset[int]
    """Code points the body font draws."""
    cjk: str | None
    cjk_covered: frozenset[int] | None
    """Code points of the CJK TrueType font; None for the CID fallback, which covers the CJK blocks."""
    replacement: str


def _is_cjk(code: int) -> bool:
    return (0x2E80 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF
            or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x2FA1F)


@cache
def fonts() -> FontSet:
    """Register the report fonts with reportlab once per process."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    installed = _installed_fonts()
    bundled = Path(reportlab.__file__).parent / "fonts"
    regular_path, bold_path = bundled / "Vera.ttf", bundled / "VeraBd.ttf"
    for regular, bold in BODY_FONTS:
        if regular in installed:
            regular_path, bold_path = installed[regular], installed.get(bold, installed[regular])
            break
    body = TTFont(REGULAR, str(regular_path))
    pdfmetrics.registerFont(body)
    pdfmetrics.registerFont(TTFont(BOLD, str(bold_path)))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
    covered = frozenset(body.face.charToGlyph)

    cjk_name, cjk_covered = None, None
    for name in CJK_FONTS:
        if name in installed:
            font = TTFont(CJK, str(installed[name]), subfontIndex=0)
            pdfmetrics.registerFont(font)
            cjk_name, cjk_covered = CJK, frozenset(font.face.charToGlyph)
            break
    else:
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
        cjk_name = CID_FALLBACK
    return FontSet(REGULAR, BOLD, covered, cjk_name, cjk_covered, "\ufffd" if 0xFFFD in covered else "?")


def markup(text: str) -> str:
    """User text as reportlab Paragraph markup: escaped, line breaks kept, each character in a font that has it."""
    fs = fonts()
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(f'<font name="{fs.cjk}">{escape("".join(run))}</font>')
            run.clear()

    for char in clean_text(text):
        code = ord(char)
        if char == "\n":
            flush()
            out.append("<br/>")
        elif code in fs.covered or char in "\t\r":
            flush()
            out.append(escape(char))
        elif fs.cjk and (code in fs.cjk_covered if fs.cjk_covered is not None else _is_cjk(code)):
            run.append(char)
        else:
            flush()
            out.append(fs.replacement)
    flush()
    return "".join(out)
