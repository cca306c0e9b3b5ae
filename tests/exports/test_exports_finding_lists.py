"""Finding lists (CSV, XLSX, Markdown) and the response pack read back with their readers, hostile text included."""

from __future__ import annotations

import csv

from assistant.exports import export_session
from assistant.exports.safety import FORMULA_STARTS, neutralise_cell, safe_filename


def _rows(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_lists_every_finding_with_cited_clauses_apart_and_no_live_formula(service, hostile_session, hostile,
                                                                              tmp_path):
    h = hostile
    out = export_session(service, hostile_session, "csv", tmp_path / "f.csv")
    rows = {r["Finding"]: r for r in _rows(out)}
    assert list(rows) == ["F-01", "F-02"], "the auditee's list: decided findings only, numbered per report"
    m1 = rows["F-01"]
    assert {r["Audit"] for r in rows.values()} == {hostile_session}
    assert {r["Report"][:17] for r in rows.values()} == {"Final, revision 1"}
    assert m1["API Q1 10th clauses"] == "5.5.1 (not confirmed)" and m1["API Q1 9th clauses"] == ""
    assert m1["Related clauses (crosswalk)"] == "API Q1 9th 5.6.1"
    assert rows["F-02"]["ISO 9001:2015 clauses"] == "7.1.5"
    assert m1["Grade"] == "Minor" and m1["Status"] == "Confirmed" and m1["Due date"] == "2025-04-30"
    assert m1["Process"] == "Purchasing"
    assert not {"Rule", "Proposed grade", "Finding id", "Dismissed because"} & set(m1)
    assert m1["Title"] == f"'-Re-evaluation overdue {h.CHINESE} {h.EMOJI}"
    assert m1["Correction"].startswith("'=cmd|")
    assert m1["Evidence"].startswith("'@SUM(A1)") and h.LONG.strip() in m1["Evidence"]
    for row in rows.values():
        assert not any(value.startswith(FORMULA_STARTS) for value in row.values())

    team = {r["Finding id"]: r for r in _rows(export_session(service, hostile_session, "csv", tmp_path / "t.csv",
                                                             audience="team"))}
    assert team["M-001"]["Rule"] == "manual" and team["M-001"]["Finding"] == "F-01"
    assert team["M-003"]["Status"] == "Dismissed" and team["M-003"]["Dismissed because"] == "Duplicate of M-001"


def test_xlsx_has_formatted_sheets_and_quote_prefixed_cells(service, hostile_session, hostile, tmp_path):
    h = hostile
    import openpyxl

    out = export_session(service, hostile_session, "xlsx", tmp_path / "f.xlsx", audience="team")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Findings", "Answers", "Audit header"]
    findings = book["Findings"]
    head = [c.value for c in findings[1]]
    assert head[:6] == ["Audit", "Audit title", "Organisation", "Audit date", "Report", "Finding"] and "Rule" in head
    assert findings[1][0].font.b
    assert findings.auto_filter.ref.startswith("A1:")
    assert findings.freeze_panes == "B2"
    assert findings.column_dimensions["A"].width > 5
    assert findings["B2"].alignment.wrap_text
    assert findings.page_setup.orientation == "landscape" and findings.print_title_rows == "$1:$1"
    cells = [c for row in book.worksheets for r in row.iter_rows() for c in r if c.value is not None]
    assert all(c.data_type == "s" for c in cells), "every cell is text, none a formula"
    formula_like = [c for c in cells if str(c.value).startswith(FORMULA_STARTS)]
    assert formula_like and all(c.quotePrefix for c in formula_like), "Excel's quote prefix, not a visible apostrophe"
    assert not any(str(c.value).startswith("'") for c in cells)

    answers = {r[2].value: r for r in book["Answers"].iter_rows(min_row=2)}
    procedure = answers["pur_procedure"]
    assert procedure[0].value == hostile_session
    assert procedure[5].value == f"{h.FORMULA} QP-08 rev C {h.SCRIPT}"
    assert procedure[6].value == "=1+1, PO-1001" and procedure[6].quotePrefix
    assert procedure[7].value == "Omar"
    assert answers["pur_reeval"][5].value.startswith("changed my mind\t")
    header = {r[0].value: r[1].value for r in book["Audit header"].iter_rows(min_row=2)}
    assert header["Lead auditor"] == "@lead Ana Núñez"
    assert header["Diverging opinions"] == f"Auditee disagrees with M-002 {h.EMOJI}"
    assert header["Copy for"] == "Audit team only" and header["Report"].startswith("Final, revision 1")
    assert h.CYRILLIC in header["Title"]


def test_markdown_escapes_markup_and_keeps_scripts(service, hostile_session, hostile, tmp_path):
    h = hostile
    text = export_session(service, hostile_session, "md", tmp_path / "f.md").read_text(encoding="utf-8")
    assert "<script>" not in text
    assert r"\<script\>alert('x')\</script\>" in text
    assert f"### F-01: -Re-evaluation overdue {h.CHINESE} {h.EMOJI}" in text
    assert h.ARABIC in text and h.CYRILLIC in text
    assert "- **Cited, API Q1 10th:** 5.5.1 (not confirmed) " in text
    assert "- **Related (crosswalk, not cited):** API Q1 9th 5.6.1 " in text
    assert "- **Due date:** 2025-04-30" in text
    assert "M-003" not in text and "manual" not in text, "nothing for the team only in the auditee's list"
    # Every table row has as many cells as its head: no user pipe broke a table.
    for line in text.splitlines():
        if line.startswith(f"| {hostile_session} |"):
            assert line.replace("\\|", "").count("|") == 8


def test_response_pack_lists_confirmed_nonconformities_only(service, hostile_session, hostile, tmp_path):
    h = hostile
    import docx
    import openpyxl

    book = openpyxl.load_workbook(export_session(service, hostile_session, "response-xlsx", tmp_path / "r.xlsx"))
    sheet = book["Response"]
    head = [c.value for c in sheet[1]]
    assert {"Correction", "Root cause", "Corrective action", "Evidence of completion", "Requirement"} <= set(head)
    ids = [r[1].value for r in sheet.iter_rows(min_row=2)]
    assert ids == ["F-01"]  # the observation and the dismissed finding are not answered
    row = next(sheet.iter_rows(min_row=2))
    assert row[0].value == hostile_session
    assert row[head.index("Root cause")].value == f"No schedule {h.CYRILLIC}"
    assert row[head.index("Correction")].value.startswith("=cmd") and row[head.index("Correction")].quotePrefix

    document = docx.Document(export_session(service, hostile_session, "response-docx", tmp_path / "r.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert f"F-01: -Re-evaluation overdue {h.CHINESE} {h.EMOJI}" in headings
    assert not any(title.startswith("F-02") for title in headings)
    cells = {t.cell(i, 0).text: t.cell(i, 1).text for t in document.tables if len(t.columns) == 2 for i in range(len(t.rows))}
    assert cells["Corrective action"] == "Add re-evaluation dates to the ERP"
    assert cells["Report"].startswith("Final, revision 1, issued ")


def test_cell_and_file_name_safety(hostile):
    h = hostile
    assert neutralise_cell("=1+1") == "'=1+1"
    assert neutralise_cell("\tx") == "'\tx"
    assert neutralise_cell("plain = text") == "plain = text"
    assert safe_filename(f"../../etc/passwd {h.SCRIPT}") == "etc-passwd-script-alert-x-script"
    assert safe_filename("CON") == "audit-CON"
    assert safe_filename(f"{h.CHINESE}{h.EMOJI}") == "audit"
    assert safe_filename("Ärger über Lieferant") == "Arger-uber-Lieferant"
