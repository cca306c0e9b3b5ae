"""`q1audit kb matrix`: the draft conformity matrix points clauses to procedures and marks gaps."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from assistant.cli import main

CONTINGENCY = """---
doc_id: TP-05
title: Contingency Planning
revision: A
---
# Contingency Planning

## 1 Purpose

How the plant keeps deliveries going when a utility, machine or sole source fails.

## 2 References

- API Q1 10th 5.3.3

## 3 Contingency plans

Each plan names the outage, the backup arrangement and who switches to it (API Q1 5.3.3).
"""

AUDITS = """---
doc_id: TP-17
title: Internal Audit
revision: B
---
# Internal Audit

## 1 Purpose

Auditors check every QMS process at least once a year against a schedule.

## 2 References

- API Q1 10th 6.2.2

## 3 Audit programme

The lead auditor issues checklists, interviews auditees and logs findings.
"""


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    # Lexical matching: deterministic and model-free; citations decide the rows checked here.
    monkeypatch.setenv("Q1AUDIT_EMBEDDER", "none")
    procedures = tmp_path / "procedures"
    procedures.mkdir()
    (procedures / "TP-05_contingency.md").write_text(CONTINGENCY, encoding="utf-8")
    (procedures / "TP-17_internal_audit.md").write_text(AUDITS, encoding="utf-8")
    result = CliRunner().invoke(main, ["kb", "import", str(procedures)])
    assert result.exit_code == 0, result.output
    return tmp_path


def rows_of(markdown: str) -> dict[str, list[str]]:
    rows = {}
    for line in markdown.splitlines():
        if line.startswith("| ") and not line.startswith(("| Clause", "| ---")):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            rows[cells[0]] = cells
    return rows


def matrix(out, *extra: str):
    result = CliRunner().invoke(main, ["kb", "matrix", "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result


def test_matrix_points_to_the_citing_procedure_and_marks_a_gap_once_it_is_removed(data_dir):
    out = data_dir / "matrix.md"
    matrix(out)
    rows = rows_of(out.read_text(encoding="utf-8"))
    contingency = rows["5.3.3"]
    assert contingency[3:6] == ["addressed", "TP-05", "Contingency Planning"]
    assert contingency[7] == "3 Contingency plans"  # the body section, not the references list
    assert contingency[9:11] == ["cites", "high"]
    # TP-17 names 6.2.2 only in its references list: a lead to check, not coverage.
    assert rows["6.2.2"][3:5] == ["to check", "TP-17"]

    removed = CliRunner().invoke(main, ["kb", "remove", "TP-05"])
    assert removed.exit_code == 0, removed.output
    result = matrix(out, "--force")
    rows = rows_of(out.read_text(encoding="utf-8"))
    assert rows["5.3.3"][3] == "**GAP**"
    assert "5.3.3" in result.output  # the gaps are named on the terminal too
    assert rows["6.2.2"][3:5] == ["to check", "TP-17"]


def test_documented_procedure_clauses_come_first(data_dir):
    out = data_dir / "matrix.md"
    matrix(out)
    flags = [cells[2] for cells in rows_of(out.read_text(encoding="utf-8")).values()]
    first_plain = flags.index("")
    assert first_plain > 0 and set(flags[:first_plain]) == {"yes"} and "yes" not in flags[first_plain:]


def test_matrix_xlsx_is_formatted_and_highlights_gaps(data_dir):
    from openpyxl import load_workbook

    out = data_dir / "matrix.xlsx"
    matrix(out)
    sheet = load_workbook(out)["Matrix"]
    header = [cell.value for cell in sheet[2]]
    assert header[:5] == ["Clause", "Title", "Procedure required", "Status", "Document"]
    assert sheet.freeze_panes == "C3"
    assert sheet.auto_filter.ref.startswith("A2:")
    by_clause = {row[0].value: row for row in sheet.iter_rows(min_row=3)}
    assert by_clause["5.3.3"][4].value == "TP-05"
    gap = next(row for row in by_clause.values() if row[3].value == "GAP")
    assert gap[0].fill.fgColor.rgb.endswith("F8CBAD")
    assert by_clause["5.3.3"][0].fill.fgColor.rgb != gap[0].fill.fgColor.rgb
    assert by_clause["5.3.3"][1].alignment.wrap_text


def test_matrix_refuses_to_overwrite_and_other_formats(data_dir):
    out = data_dir / "matrix.md"
    matrix(out)
    again = CliRunner().invoke(main, ["kb", "matrix", "-o", str(out)])
    assert again.exit_code == 1 and "already exists; use --force" in again.output
    csv = CliRunner().invoke(main, ["kb", "matrix", "-o", str(data_dir / "m.csv")])
    assert csv.exit_code == 1 and "written as .xlsx or .md" in csv.output


def test_a_clause_only_matched_by_text_is_to_check_not_addressed(data_dir):
    out = data_dir / "matrix.md"
    result = matrix(out)
    text = out.read_text(encoding="utf-8")
    to_check = [cells for cells in rows_of(text).values() if cells[3] == "to check"]
    assert to_check, "the two procedures' words match more clauses than they cite"
    assert all(cells[9] in ("matches", "cites in references only") and cells[10] == "low" for cells in to_check)
    assert all(cells[0] != "5.3.3" for cells in to_check)
    assert f"{len(to_check)} to check" in result.output


LISTED_ONLY = """---
doc_id: TP-07
title: Purchasing
revision: C
---
# Purchasing

## 1 Purpose

How buyers place orders with approved suppliers.

## 2 References

- API Q1 10th 5.5.1

## 3 Orders

Buyers raise orders in the ERP and attach the drawing.
"""


def test_a_clause_listed_only_under_references_is_to_check_and_sections_1_to_3_are_never_gaps(data_dir):
    procedures = data_dir / "more"
    procedures.mkdir()
    (procedures / "TP-07_purchasing.md").write_text(LISTED_ONLY, encoding="utf-8")
    assert CliRunner().invoke(main, ["kb", "import", str(procedures)]).exit_code == 0
    out = data_dir / "matrix.md"
    result = matrix(out)
    rows = rows_of(out.read_text(encoding="utf-8"))
    assert rows["5.5.1"][3:5] == ["to check", "TP-07"]
    assert rows["5.5.1"][9:11] == ["cites in references only", "low"]
    assert rows["5.3.3"][3] == "addressed", "cited in the body as well: addressed"
    informative = {clause: cells[3] for clause, cells in rows.items() if clause.split(".")[0] in ("1", "2", "3")}
    assert informative and set(informative.values()) == {"not a requirement"}
    assert "loading the knowledge base" in result.output and "matching" in result.output


def test_matrix_xlsx_is_byte_stable(data_dir):
    first, second = data_dir / "a.xlsx", data_dir / "b.xlsx"
    matrix(first)
    matrix(second)
    assert first.read_bytes() == second.read_bytes()
