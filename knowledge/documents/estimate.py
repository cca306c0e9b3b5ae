"""How many passages a document file will make, guessed from its size before it is read.

Reading a large file is itself the slow part (a 25 MB Word file holding 199 MB of text took over two
minutes to parse), so `kb import` asks about a large file on this guess, before parsing it. The guess
leans high: asking about a file that turns out smaller costs a keystroke, a silent hour costs more.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from knowledge.documents.docx import check_zip
from knowledge.documents.loader import read_checked

BYTES_PER_PASSAGE = 1_500
"""Text, and Word's document.xml, per passage of about 250 words (measured: 1,350 to 1,700 for text,
1,450 to 2,150 for Word's XML; the lower figure, so the guess is high)."""
PASSAGES_PER_PDF_PAGE = 2.5
"""Measured 2.3 on a 2,000-page PDF of 40 lines a page."""


def estimate_passages(path: Path) -> int:
    """Roughly how many passages `path` will make (0 when a PDF's pages cannot be counted: its reader
    says why). Raises DocumentError, as reading it would, for a file refused anyway (over the size
    limit, not what its extension says, a zip bomb), so no one is asked about a file that cannot be read."""
    format_, data = read_checked(Path(path))
    if format_ == "docx":
        check_zip(data, Path(path).name)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:  # the central directory only: nothing is inflated
            return archive.getinfo("word/document.xml").file_size // BYTES_PER_PASSAGE
    if format_ == "pdf":
        from pypdf import PdfReader

        try:
            return round(len(PdfReader(io.BytesIO(data), strict=False).pages) * PASSAGES_PER_PDF_PAGE)
        except Exception:  # noqa: BLE001 - a damaged PDF is the reader's to describe, in one line
            return 0
    return len(data) // BYTES_PER_PASSAGE
