"""What a loaded document looks like, whatever its format: a header and passages split by heading."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DocumentKind = Literal["procedure", "standard"]
DocumentFormat = Literal["markdown", "text", "docx", "pdf"]


class Passage(BaseModel):
    """One section of a document: the unit that is indexed, searched and cited."""

    model_config = ConfigDict(frozen=True)

    ordinal: int
    """Position in the document, from 0."""
    section_path: list[str]
    """Headings from the top of the document down to this section, e.g. ["5 Procedure", "5.2 Critical suppliers"]."""
    page: int | None = None
    """Page the section starts on (PDF, and DOCX where page breaks are known); None for flowing text."""
    text: str
    clause_refs: list[str] = Field(default_factory=list)
    """Clauses the text cites, as ClauseKey strings (`API Q1:10th:5.5.1.2`, `ISO 9001:2015:8.4.1`)."""
    clause_id: str | None = None
    """For licensed standard text: the clause this passage is the text of (by its heading)."""

    @property
    def section(self) -> str:
        return self.section_path[-1] if self.section_path else ""


class LoadedDocument(BaseModel):
    """A document read from disk, ready to store and index."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    """The document number (`QP-08`, `F-08-02`), or a name derived from the file when it has none."""
    title: str
    revision: str | None = None
    approved: str | None = None
    """Approval line as the document states it (who and when)."""
    kind: DocumentKind = "procedure"
    standard: str | None = None
    """For kind "standard": "API Q1" or "ISO 9001"."""
    edition: str | None = None
    """For kind "standard": "10th", "9th" or "2015"."""
    format: DocumentFormat
    source_name: str
    """The file name it was imported from (no directories: paths are machine-specific)."""
    content_hash: str
    """sha256 of the file's bytes: an unchanged file is not imported again."""
    passages: list[Passage]
