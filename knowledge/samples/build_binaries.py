"""Build the sample QMS's DOCX and PDF files from the Markdown sources in `sources/`."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel

SAMPLES_DIR = Path(__file__).resolve().parent
SOURCES_DIR = SAMPLES_DIR / "sources"
QMS_DIR = SAMPLES_DIR / "qms"
"""The documents the app imports; sources/ holds the Markdown the DOCX and PDF files are built from."""
COMPANY = "Halvorsen Wellhead & Valve, Inc."
# Zip entries carry a timestamp; a fixed one makes rebuilt DOCX files byte-identical.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
NUMBERED = re.compile(r"^(\s*)(\d+)\.\s+(.*)$")
BULLET = re.compile(r"^(\s*)-\s+(.*)$")
TABLE_RULE = re.compile(r"^\|[-| :]+\|$")
BOLD = re.compile(r"\*\*(.+?)\*\*")


class SourceHeader(BaseModel):
    """Front matter of a source: the document header plus the format to build."""

    doc_id: str
    title: str
    revision: str
    approved: str
    effective: dt.date
    build: Literal["docx", "pdf"]

    @property
    def number_line(self) -> str:
        return f"Document No.: {self.doc_id}   Revision: {self.revision}   Effective: {self.effective.isoformat()}"

    @property
    def approved_line(self) -> str:
        return f"Approved: {self.approved}"


@dataclass
class Heading:
    level: int  # 1 for "##" (numbered section), 2 for "###" (subsection)
    text: str


@dataclass
class Para:
    text: str


@dataclass
class Item:
    marker: str  # "1." for numbered items, "" for bullets
    level: int
    text: str


@dataclass
class Table:
    rows: list[list[str]] = field(default_factory=list)


Block = Heading | Para | Item | Table


def read_source(path: Path) -> tuple[SourceHeader, list[Block]]:
    """Split a source into its header and the blocks after the title lines."""
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    if match is None:
        raise ValueError(f"{path.name}: missing YAML front matter")
    header = SourceHeader.model_validate(yaml.safe_load(match.group(1)))
    body = text[match.end() :]
    # The title and the two header lines are rendered from the front matter, so skip them here.
    first_section = body.find("\n## ")
    return header, parse_blocks(body[first_section + 1 :])


def parse_blocks(body: str) -> list[Block]:
    """Parse the small Markdown subset the sources use: headings, paragraphs, lists, pipe tables."""
    blocks: list[Block] = []
    for line in body.splitlines():
        last = blocks[-1] if blocks else None
        if not line.strip():
            blocks.append(Para(""))  # paragraph break marker, dropped below
        elif heading := HEADING.match(line):
            blocks.append(Heading(len(heading.group(1)) - 1, heading.group(2).strip()))
        elif line.startswith("|"):
            if TABLE_RULE.match(line.strip()):
                continue
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if isinstance(last, Table):
                last.rows.append(cells)
            else:
                blocks.append(Table([cells]))
        elif numbered := NUMBERED.match(line):
            level = 1 if len(numbered.group(1)) >= 2 else 0
            blocks.append(Item(f"{numbered.group(2)}.", level, numbered.group(3)))
        elif bullet := BULLET.match(line):
            level = 1 if len(bullet.group(1)) >= 2 else 0
            blocks.append(Item("", level, bullet.group(2)))
        elif (isinstance(last, Item) and line.startswith(" ")) or (isinstance(last, Para) and last.text):
            last.text += " " + line.strip()  # continuation of a list item or paragraph
        else:
            blocks.append(Para(line.strip()))
    return [block for block in blocks if not (isinstance(block, Para) and not block.text)]


def bold_spans(text: str) -> list[tuple[str, bool]]:
    """Split `**bold**` markup into (text, is_bold) spans."""
    parts = BOLD.split(text)
    return [(part, index % 2 == 1) for index, part in enumerate(parts) if part]


def build_docx(header: SourceHeader, blocks: list[Block], target: Path) -> None:
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    props = document.core_properties
    props.title = header.title
    props.author = COMPANY
    props.last_modified_by = COMPANY
    props.subject = header.doc_id
    props.revision = 1
    issued = dt.datetime.combine(header.effective, dt.time(8, 0), tzinfo=dt.UTC)
    props.created = issued
    props.modified = issued

    document.add_paragraph(header.title, style="Title")
    document.add_paragraph(header.number_line)
    document.add_paragraph(header.approved_line)

    for block in blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Para):
            add_runs(document.add_paragraph(), block.text)
        elif isinstance(block, Item):
            if block.marker:
                paragraph = document.add_paragraph()
                paragraph.paragraph_format.left_indent = Pt(18 + 18 * block.level)
                paragraph.paragraph_format.first_line_indent = Pt(-18)
                add_runs(paragraph, f"{block.marker}\t{block.text}")
            else:
                style = "List Bullet 2" if block.level else "List Bullet"
                add_runs(document.add_paragraph(style=style), block.text)
        else:
            table = document.add_table(rows=0, cols=len(block.rows[0]), style="Table Grid")
            for row_index, row in enumerate(block.rows):
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=False):
                    add_runs(cell.paragraphs[0], value, bold=row_index == 0)

    footer = document.sections[0].footer.paragraphs[0]
    footer.text = f"{COMPANY}   {header.doc_id} Rev {header.revision}   Uncontrolled when printed   Page "
    page_field = OxmlElement("w:fldSimple")
    page_field.set(qn("w:instr"), "PAGE")
    footer._p.append(page_field)

    buffer = io.BytesIO()
    document.save(buffer)
    target.write_bytes(fixed_zip_times(buffer.getvalue()))


def add_runs(paragraph, text: str, bold: bool = False) -> None:
    for span, is_bold in bold_spans(text):
        paragraph.add_run(span).bold = bold or is_bold


def fixed_zip_times(data: bytes) -> bytes:
    """Rewrite a zip archive with every entry dated ZIP_EPOCH."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for info in source.infolist():
            dest.writestr(
                zipfile.ZipInfo(info.filename, ZIP_EPOCH), source.read(info.filename), zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


def column_widths(rows: list[list[str]], total: float) -> list[float]:
    """Share the page width by the longest text in each column, within limits, so short columns stay narrow."""
    weights = [
        min(max(len(row[index]) for row in rows if index < len(row)), 60) + 6 for index in range(len(rows[0]))
    ]
    return [total * weight / sum(weights) for weight in weights]


def build_pdf(header: SourceHeader, blocks: list[Block], target: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import inch
    from reportlab.platypus import Frame, PageTemplate, Paragraph, Preformatted, Spacer, Table, TableStyle
    from reportlab.platypus.doctemplate import BaseDocTemplate

    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14, spaceAfter=5)
    title = ParagraphStyle(
        "title", parent=body, fontName="Helvetica-Bold", fontSize=18, leading=22, spaceAfter=8
    )
    header_line = ParagraphStyle("header", parent=body, fontSize=9.5, leading=12, spaceAfter=0)
    heading_styles = {
        1: ParagraphStyle(
            "h1", parent=body, fontName="Helvetica-Bold", fontSize=14, leading=18, spaceBefore=12
        ),
        2: ParagraphStyle(
            "h2", parent=body, fontName="Helvetica-Bold", fontSize=11.5, leading=15, spaceBefore=6
        ),
    }
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=11, spaceAfter=0)
    cell_head = ParagraphStyle("cellhead", parent=cell, fontName="Helvetica-Bold")

    def markup(text: str) -> str:
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return BOLD.sub(r"<b>\1</b>", escaped)

    def story() -> list:
        flowables: list = [
            Paragraph(markup(header.title), title),
            Preformatted(header.number_line, header_line),  # Preformatted keeps the triple spaces
            Preformatted(header.approved_line, header_line),
            Spacer(1, 10),
        ]
        for block in blocks:
            if isinstance(block, Heading):
                paragraph = Paragraph(markup(block.text), heading_styles[block.level])
                paragraph.outline = (block.text, block.level - 1)
                flowables.append(paragraph)
            elif isinstance(block, Para):
                flowables.append(Paragraph(markup(block.text), body))
            elif isinstance(block, Item):
                indent = 18 + 18 * block.level
                style = ParagraphStyle(
                    "item", parent=body, leftIndent=indent, bulletIndent=indent - 14, spaceAfter=3
                )
                flowables.append(Paragraph(markup(block.text), style, bulletText=block.marker or "\u2022"))
            else:
                rows = [
                    [Paragraph(markup(value), cell_head if index == 0 else cell) for value in row]
                    for index, row in enumerate(block.rows)
                ]
                table = Table(
                    rows, repeatRows=1, hAlign="LEFT", colWidths=column_widths(block.rows, 6.5 * inch)
                )
                table.setStyle(
                    TableStyle(
                        [
                            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e8ee")),
                            ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ]
                    )
                )
                flowables.extend([table, Spacer(1, 6)])
        return flowables

    class QmsDocTemplate(BaseDocTemplate):
        def afterFlowable(self, flowable) -> None:
            outline = getattr(flowable, "outline", None)
            if outline:
                text, level = outline
                key = f"s{id(flowable)}"
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(text, key, level=level, closed=False)
                self.canv.showOutline()  # open the bookmarks pane when the PDF is opened

    def render(total_pages: int | None) -> tuple[bytes, int]:
        def footer(canvas, doc) -> None:
            # Drawn at page end so text extraction reads the title lines first, the footer last.
            canvas.saveState()
            canvas.setFont("Helvetica", 8)
            canvas.drawString(inch, 0.55 * inch, f"{COMPANY}   {header.doc_id} Rev {header.revision}")
            canvas.drawCentredString(letter[0] / 2, 0.55 * inch, "Uncontrolled when printed")
            of_total = f" of {total_pages}" if total_pages else ""
            canvas.drawRightString(letter[0] - inch, 0.55 * inch, f"Page {doc.page}{of_total}")
            canvas.restoreState()

        buffer = io.BytesIO()
        doc = QmsDocTemplate(
            buffer,
            pagesize=letter,
            leftMargin=inch,
            rightMargin=inch,
            topMargin=0.9 * inch,
            bottomMargin=0.9 * inch,
            title=f"{header.doc_id} {header.title}",
            author=COMPANY,
            subject=f"{header.doc_id} Rev {header.revision}",
            creator=COMPANY,
            invariant=1,
        )
        frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPageEnd=footer)])
        doc.build(story())
        return buffer.getvalue(), doc.page

    # Two passes: the first counts pages so the footer can say "Page n of N".
    _, total = render(None)
    pdf, _ = render(total)
    target.write_bytes(pdf)


def main() -> None:
    builders = {"docx": build_docx, "pdf": build_pdf}
    for source in sorted(SOURCES_DIR.glob("*.md")):
        header, blocks = read_source(source)
        target = QMS_DIR / f"{source.stem}.{header.build}"
        builders[header.build](header, blocks, target)
        print(f"built {target.name}")


if __name__ == "__main__":
    main()
