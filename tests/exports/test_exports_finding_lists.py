"""Finding lists (CSV, XLSX, Markdown) and the response pack read back with their readers, hostile text included."""

from __future__ import annotations

import csv

from assistant.exports import export_session
from assistant.exports.content import FINDING_COLUMNS
from assistant.exports.safety import FORMULA_STARTS, neutralise_cell, safe_filename


def _rows(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_lists_every_finding_with_both_standards_and_no_live_formula(service, hostile_session, hostile, tmp_path):
    h = hostile
    out = export_session(service, hostile_session, "csv", tmp_path / "f.csv")
    rows = {r["Finding"]: r for r in _rows(out)}
    assert {"M-001", "M-002", "M-003"} <= rows.keys()
    m1 = rows["M-001"]
    assert m1["API Q1 10th clauses"] == "5.5.1" and m1["API Q1 9th clauses"] == "5.6.1"
    assert rows["M-002"]["ISO 9001:2015 clauses"] == "7.1.5"
    assert m1["Rule"] == "manual" and m1["Status"] == "confirmed" and m1["Due date"] == "2025-04-30"
    assert m1["Title"] == f"'-Re-evaluation overdue {h.CHINESE} {h.EMOJI}"
    assert m1["Correction"].startswith("'=cmd|")
    assert m1["Evidence"].startswith("'@SUM(A1)") and h.LONG.strip() in m1["Evidence"]
    assert rows["M-003"]["Status"] == "dismissed" and rows["M-003"]["Dismissed because"] == "Duplicate of M-001"
    for row in rows.values():
        assert not any(value.startswith(FORMULA_STARTS) for value in row.values())


def test_xlsx_has_formatted_sheets_and_neutralised_cells(service, hostile_session, hostile, tmp_path):
    h = hostile
    import openpyxl

    out = export_session(service, hostile_session, "xlsx", tmp_path / "f.xlsx")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Findings", "Answers", "Audit header"]
    findings = book["Findings"]
    assert [c.value for c in findings[1]] == FINDING_COLUMNS
    assert findings[1][0].font.b
    assert findings.auto_filter.ref.startswith("A1:")
    assert findings.freeze_panes == "B2"
    assert findings.column_dimensions["A"].width > 5
    assert findings["B2"].alignment.wrap_text
    cells = [c for row in book.worksheets for r in row.iter_rows() for c in r if c.value is not None]
    assert all(c.data_type == "s" for c in cells), "every cell is text, none a formula"
    assert not any(str(c.value).startswith(FORMULA_STARTS) for c in cells)

    answers = {r[1].value: r for r in book["Answers"].iter_rows(min_row=2)}
    procedure = answers["pur_procedure"]
    assert procedure[4].value == f"'{h.FORMULA} QP-08 rev C {h.SCRIPT}"
    assert procedure[5].value == "'=1+1, PO-1001"
    assert procedure[6].value == "Omar"
    assert answers["pur_reeval"][4].value.startswith("changed my mind\t")
    # xlsxwriter stores the CR as the escape `_x000D_`, which Excel decodes and openpyxl leaves as is.
    assert answers["pur_po_sampled"][4].value.startswith("'") and answers["pur_po_sampled"][4].value.endswith("+carriage return first")
    header = {r[0].value: r[1].value for r in book["Audit header"].iter_rows(min_row=2)}
    assert header["Lead auditor"] == "'@lead Ana Núñez"
    assert header["Diverging opinions"] == f"Auditee disagrees with M-002 {h.EMOJI}"
    assert h.CYRILLIC in header["Title"]


def test_markdown_escapes_markup_and_keeps_scripts(service, hostile_session, hostile, tmp_path):
    h = hostile
    text = export_session(service, hostile_session, "md", tmp_path / "f.md").read_text(encoding="utf-8")
    assert "<script>" not in text
    assert r"\<script\>alert('x')\</script\>" in text
    assert f"### M-001: -Re-evaluation overdue {h.CHINESE} {h.EMOJI}" in text
    assert h.ARABIC in text and h.CYRILLIC in text
    assert "- **API Q1 9th:** 5.6.1 " in text
    assert "- **Due date:** 2025-04-30" in text
    # Every table row has as many cells as its head: no user pipe broke a table.
    for line in text.splitlines():
        if line.startswith("| M-"):
            assert line.replace("\\|", "").count("|") == 8


def test_response_pack_lists_nonconformities_only(service, hostile_session, hostile, tmp_path):
    h = hostile
    import docx
    import openpyxl

    book = openpyxl.load_workbook(export_session(service, hostile_session, "response-xlsx", tmp_path / "r.xlsx"))
    sheet = book["Response"]
    head = [c.value for c in sheet[1]]
    assert {"Correction", "Root cause", "Corrective action", "Evidence of completion"} <= set(head)
    ids = [r[0].value for r in sheet.iter_rows(min_row=2)]
    assert "M-001" in ids and "M-002" not in ids and "M-003" not in ids  # observation, dismissed
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "M-001")
    assert row[head.index("Root cause")].value == f"No schedule {h.CYRILLIC}"
    assert row[head.index("Correction")].value.startswith("'=cmd")

    document = docx.Document(export_session(service, hostile_session, "response-docx", tmp_path / "r.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert f"M-001: -Re-evaluation overdue {h.CHINESE} {h.EMOJI}" in headings
    assert not any(title.startswith("M-002") for title in headings)
    cells = {t.cell(i, 0).text: t.cell(i, 1).text for t in document.tables if len(t.columns) == 2 for i in range(len(t.rows))}
    assert cells["Corrective action"] == "Add re-evaluation dates to the ERP"


def test_cell_and_file_name_safety(hostile):
    h = hostile
    assert neutralise_cell("=1+1") == "'=1+1"
    assert neutralise_cell("\tx") == "'\tx"
    assert neutralise_cell("plain = text") == "plain = text"
    assert safe_filename(f"../../etc/passwd {h.SCRIPT}") == "etc-passwd-script-alert-x-script"
    assert safe_filename("CON") == "audit-CON"
    assert safe_filename(f"{h.CHINESE}{h.EMOJI}") == "audit"
    assert safe_filename("Ärger über Lieferant") == "Arger-uber-Lieferant"
