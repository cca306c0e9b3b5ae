"""Document control fields (number, title, revision, approval) read from a document's header lines."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel

HEADER_ZONE_LINES = 40
"""Header fields are looked for in this many lines from the top: control blocks sit at the start."""

# Labels that start a document-control line; such lines are metadata, not passage text.
_LABEL = (
    r"(?:Document|Doc\.?|Procedure|Form)\s*(?:No\.?|Number|#|ID)|Revision|Rev\.?|Effective(?:\s+Date)?"
    r"|Issue\s+Date|Approved(?:\s+by)?|Prepared\s+by|Reviewed\s+by|Owner|Title"
)
_CONTROL_LINE = re.compile(rf"^\W*(?:{_LABEL})\s*[:|#]", re.IGNORECASE)
_PAGE_LINE = re.compile(r"^\W*Page\s+\d+(?:\s*(?:of|/)\s*\d+)?\W*$", re.IGNORECASE)
_SEP = r"\s*[:|#]\s*"
_DOC_ID = re.compile(
    rf"\b(?:Document|Doc\.?|Procedure|Form)\s*(?:No\.?|Number|#|ID){_SEP}([A-Za-z0-9][\w./-]*)", re.IGNORECASE
)
_REVISION = re.compile(rf"\b(?:Revision|Rev\.?)(?:\s*(?:No\.?|Level))?{_SEP}([A-Za-z0-9][\w.]*)", re.IGNORECASE)
# A revision is a letter or number ("D", "04", "B.1"): a word here is a table's column title ("Rev | Format").
_REVISION_VALUE = re.compile(r"^(?:[A-Za-z0-9]{1,3}|[A-Za-z0-9.]*\d[A-Za-z0-9.]*)$")
_APPROVED = re.compile(rf"\bApproved(?:\s+by)?{_SEP}(.+)", re.IGNORECASE)
_TITLE = re.compile(rf"^\W*Title{_SEP}(.+)", re.IGNORECASE)
# Where a value that runs to the end of the line stops: another label, a column gap or a table bar.
_VALUE_END = re.compile(rf"\s{{3,}}|\t|\s\|\s?|\s+(?=(?:{_LABEL})\s*[:|#])", re.IGNORECASE)


class HeaderFields(BaseModel):
    """What a document says about itself; any field may be missing."""

    doc_id: str | None = None
    title: str | None = None
    revision: str | None = None
    approved: str | None = None

    def merged(self, fallback: HeaderFields) -> HeaderFields:
        """These fields, with gaps filled from `fallback`."""
        mine = self.model_dump(exclude_none=True)
        return fallback.model_copy(update=mine)


def read_header(lines: Iterable[str]) -> HeaderFields:
    """The first value of each field found in the header zone (the first HEADER_ZONE_LINES lines)."""
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        if i >= HEADER_ZONE_LINES:
            break
        for field, pattern in (("doc_id", _DOC_ID), ("revision", _REVISION), ("approved", _APPROVED)):
            match = pattern.search(line)
            if match and field not in found:
                value = _VALUE_END.split(match.group(1).strip(), maxsplit=1)[0].strip(" |,;")
                if field != "revision" or _REVISION_VALUE.match(value):
                    found[field] = value
        match = _TITLE.search(line)
        if match and "title" not in found:
            found["title"] = _VALUE_END.split(match.group(1).strip(), maxsplit=1)[0].strip(" |")
    return HeaderFields(**{k: v for k, v in found.items() if v})


def is_control_line(line: str) -> bool:
    """True for a document-control or page-number line ("Revision: D ...", "Page 2 of 5")."""
    return bool(_CONTROL_LINE.match(line) or _PAGE_LINE.match(line))
