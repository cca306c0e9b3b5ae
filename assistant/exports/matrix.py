"""The draft conformity matrix as an Excel workbook or Markdown, written beside the target then moved in place."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from assistant.exports.content import report_title
from assistant.exports.errors import ExportError
from assistant.exports.markdown_export import md
from assistant.exports.safety import clean_text, looks_like_formula
from index.matrix import ConformityMatrix, MatrixRow
from knowledge.durable_files import create_private

COLUMNS = [
    ("Clause", 10), ("Title", 40), ("Procedure required", 11), ("Status", 14), ("Document", 12),
    ("Document title", 30), ("Rev", 6), ("Section", 34), ("Page", 6), ("Found by", 14), ("Confidence", 11),
    ("Other candidates", 30), ("Clause confidence", 12), ("Reviewer notes", 40),
]
"""Header and column width; the last column is left empty for the applicant's own remarks."""
GAP_MARK = "GAP"


def _cells(row: MatrixRow) -> list[str]:
    status = GAP_MARK if row.status == "gap" else row.status
    return [
        row.clause, report_title(row.title), "yes" if row.documented_procedure else "", status, row.document or "",
        row.document_title or "", row.revision or "", row.section or "", str(row.page or ""), row.how or "",
        row.confidence if row.document else "", ", ".join(row.others), row.clause_confidence, "",
    ]


def _intro(matrix: ConformityMatrix) -> str:
    return (
        f"Draft conformity matrix for {matrix.standard} {matrix.edition}, drafted by q1audit from "
        f"{matrix.documents} company documents (newest imported {matrix.drafted}; {matrix.mode} match). Review "
        "every row: 'cites' means a procedure names the clause in its body; 'cites in references only' and "
        "'matches' (text close) are leads to check, not coverage. Sections 1-3 (scope, references, terms) "
        "are not requirements. GAP: nothing found."
    )


def write_matrix_xlsx(matrix: ConformityMatrix, path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    # A fixed creation time: the same knowledge base gives the same bytes.
    book.set_properties({"title": f"Conformity matrix {matrix.standard} {matrix.edition}", "author": "q1audit",
                         "created": datetime(2000, 1, 1)})
    sheet = book.add_worksheet("Matrix")
    head = book.add_format({"bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF", "text_wrap": True,
                            "valign": "top", "border": 1})
    body_props = {"text_wrap": True, "valign": "top", "border": 1, "border_color": "#BFBFBF"}
    gap_props = body_props | {"bg_color": "#F8CBAD", "bold": True}
    check_props = body_props | {"bg_color": "#FFF2CC"}
    body, gap, check = (book.add_format(props) for props in (body_props, gap_props, check_props))
    sheet.merge_range(0, 0, 0, len(COLUMNS) - 1, _intro(matrix), book.add_format({"text_wrap": True, "italic": True}))
    sheet.set_row(0, 45)
    for col, (title, width) in enumerate(COLUMNS):
        sheet.write_string(1, col, title, head)
        sheet.set_column(col, col, width)
    quoted = {style: book.add_format({**props, "quote_prefix": True}) for style, props in (
        (body, body_props), (gap, gap_props), (check, check_props))}
    for r, row in enumerate(matrix.rows, start=2):
        style = {"gap": gap, "to check": check}.get(row.status, body)
        for col, text in enumerate(_cells(row)):
            value = clean_text(text)
            sheet.write_string(r, col, value, quoted[style] if looks_like_formula(value) else style)
    sheet.autofilter(1, 0, max(len(matrix.rows), 1) + 1, len(COLUMNS) - 1)
    sheet.freeze_panes(2, 2)
    book.close()


def render_matrix_markdown(matrix: ConformityMatrix) -> str:
    gaps = matrix.gaps
    out = [f"# Conformity matrix: {matrix.standard} {matrix.edition} (draft)", "", md(_intro(matrix)), ""]
    out += [f"{len(gaps)} gaps: " + (", ".join(row.clause for row in gaps) or "none"), ""]
    out += [f"{len(matrix.to_check)} to check (only a text match): "
            + (", ".join(row.clause for row in matrix.to_check) or "none"), ""]
    columns = [title for title, _ in COLUMNS[:-1]]
    out += ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    for row in matrix.rows:
        cells = [md(text) for text in _cells(row)[:-1]]
        if row.status == "gap":
            cells[3] = f"**{GAP_MARK}**"
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def write_matrix(matrix: ConformityMatrix, path: Path, force: bool = False) -> Path:
    """Write `.xlsx` or `.md`; an existing file is replaced only with `force`, and never left half-written."""
    target = Path(path).expanduser()
    suffix = target.suffix.lower()
    if suffix not in (".xlsx", ".md"):
        raise ExportError(f"-o {target.name}: the matrix is written as .xlsx or .md")
    if target.is_dir():
        raise ExportError(f"{target} is a folder; give a file name with -o")
    if target.exists() and not force:
        raise ExportError(f"{target} already exists; use --force to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        create_private(partial)
        if suffix == ".xlsx":
            write_matrix_xlsx(matrix, partial)
        else:
            partial.write_text(render_matrix_markdown(matrix), encoding="utf-8")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target
