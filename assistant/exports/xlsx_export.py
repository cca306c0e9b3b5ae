"""Excel workbooks: the finding list (findings, answers with evidence, audit header) and the API response pack."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistant.exports.content import ANSWER_COLUMNS, EDITION_LABELS, ReportContent
from assistant.exports.safety import clean_text, looks_like_formula

MAX_CELL = 32767
"""Excel's limit on the characters in one cell; longer text is cut with a pointer to the JSON export."""
CUT_NOTE = " [cut: Excel cells hold 32767 characters; the JSON export has the full text]"
WIDE = 60
NARROW = 14
WIDTHS = {
    "Finding": 10, "Title": 40, "Requirement": WIDE, "Evidence": WIDE, "Nonconformity": WIDE, "Question text": WIDE,
    "Note": 40, "Correction": 40, "Root cause": 40, "Corrective action": 40, "Evidence of completion": 40,
    "Auditor's verification": 40, "Dismissed because": 30, "Records sampled": 24, "Process": 20,
    "Question": 28, "Answered at": 22, "Decided at": 22, "Field": 22, "Value": 100, "Audit title": 30,
    "Related clauses (crosswalk)": 30,
}
RESPONSE_COLUMNS = [
    "Audit", "Finding", "Grade", "Title", *(f"{label} clauses" for label in EDITION_LABELS.values()),
    "Requirement", "Nonconformity", "Evidence", "Correction", "Root cause", "Corrective action",
    "Evidence of completion", "Action owner", "Due date", "Auditor's verification", "Accepted (yes/no)",
]
"""The form API expects per nonconformity: the auditee fills correction to due date, the auditor the rest."""


def _cell(text: str) -> str:
    text = clean_text(text)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - len(CUT_NOTE)] + CUT_NOTE


def _workbook(content: ReportContent, path: Path, subject: str):
    import xlsxwriter

    # Every cell is written with write_string, and these options stop any other guessing besides.
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    # The session's own time, not the export's: the same session gives the same document properties.
    book.set_properties(
        {"title": f"{content.session.id} {content.header.title}", "subject": subject, "author": "q1audit",
         "created": content.session.updated_at.replace(tzinfo=None)}
    )
    return book


def _table(book, content: ReportContent, name: str, columns: Sequence[str], rows: Sequence[Sequence[str]],
           freeze_cols: int = 1) -> None:
    """A sheet with a bold header row, filters, frozen header (and first column), wrapped text, print setup.

    Text that a spreadsheet would read as a formula is written as it is, with Excel's quote-prefix
    marker: the cell shows `=SUM(1)` as text and can never run it.
    """
    sheet = book.add_worksheet(name)
    head = book.add_format({"bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF", "text_wrap": True,
                            "valign": "top", "border": 1})
    body_props = {"text_wrap": True, "valign": "top", "border": 1, "border_color": "#BFBFBF"}
    body = book.add_format(body_props)
    quoted = book.add_format(body_props | {"quote_prefix": True})
    for col, title in enumerate(columns):
        sheet.write_string(0, col, title, head)
        sheet.set_column(col, col, WIDTHS.get(title, NARROW))
    for r, cells in enumerate(rows, start=1):
        for col, text in enumerate(cells):
            value = _cell(text)
            sheet.write_string(r, col, value, quoted if looks_like_formula(value) else body)
    sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    sheet.freeze_panes(1, freeze_cols)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    state = "DRAFT " if content.draft else ""
    sheet.set_header(f"&L{state}Audit {content.session.id}&R{content.report_line}")
    sheet.set_footer("&LConfidential&RPage &P of &N")


def write_findings_xlsx(content: ReportContent, path: Path) -> None:
    book = _workbook(content, path, "Audit finding list")
    _table(book, content, "Findings", content.finding_columns(), content.finding_table())
    _table(book, content, "Answers", ANSWER_COLUMNS, content.answer_table(), freeze_cols=3)
    _table(book, content, "Audit header", ["Field", "Value"], _header_rows(content))
    book.close()


def _header_rows(content: ReportContent) -> list[list[str]]:
    return [
        *([label, value] for label, value in content.header_fields()),
        ["Conclusions", content.conclusions],
        ["Diverging opinions", content.diverging_opinions],
    ]


def write_response_xlsx(content: ReportContent, path: Path) -> None:
    book = _workbook(content, path, "API nonconformity response pack")
    rows = []
    for row in content.nonconformities:
        f, action = row.finding, row.finding.action
        rows.append([
            content.session.id, row.number, row.grade_label, f.title,
            *(row.clause_ids(label) for label in EDITION_LABELS.values()),
            f.statement.requirement, f.statement.nonconformity, f.statement.evidence, action.correction,
            action.root_cause, action.corrective_action, action.evidence, action.owner,
            action.due_date.isoformat() if action.due_date else "", "", "",
        ])
    _table(book, content, "Response", RESPONSE_COLUMNS, rows, freeze_cols=2)
    _table(book, content, "Audit header", ["Field", "Value"], _header_rows(content))
    book.close()
