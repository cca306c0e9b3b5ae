"""The audit programme as an Excel workbook: audits, findings over time, repeat findings, processes due."""

from __future__ import annotations

import os
from pathlib import Path

from assistant.exports.errors import ExportError
from assistant.exports.safety import clean_text, neutralise_cell
from assistant.programme import Programme


def _text(value: object) -> str:
    return neutralise_cell(clean_text("" if value is None else str(value)))


def _sheet(book, name: str, columns: list[str], rows: list[list[object]]) -> None:
    sheet = book.add_worksheet(name)
    head = book.add_format({"bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF", "border": 1})
    for col, title in enumerate(columns):
        sheet.write_string(0, col, title, head)
        sheet.set_column(col, col, max(12, len(title) + 2))
    for r, cells in enumerate(rows, start=1):
        for col, value in enumerate(cells):
            if isinstance(value, int):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, _text(value))
    sheet.freeze_panes(1, 0)
    if rows:
        sheet.autofilter(0, 0, len(rows), len(columns) - 1)


def _over_time(programme: Programme) -> tuple[list[str], list[list[object]]]:
    """Clause and process down, one column per year: the sheet a chart is drawn from."""
    years = sorted({t.year for t in programme.trends})
    counts: dict[tuple[str, str], dict[int, int]] = {}
    for t in programme.trends:
        counts.setdefault((t.clause, t.process or ""), {})[t.year] = t.count
    rows = [[clause, process, *(by_year.get(y, 0) for y in years)] for (clause, process), by_year in sorted(counts.items())]
    return ["Clause", "Process", *map(str, years)], rows


def _chart(book, sheet: str, columns: list[str], count: int) -> None:
    """A stacked bar per clause and process, one colour per year, beside the table it is drawn from."""
    chart = book.add_chart({"type": "bar", "subtype": "stacked"})
    for col in range(2, len(columns)):
        chart.add_series({
            "name": [sheet, 0, col],
            "categories": [sheet, 1, 0, count, 1],
            "values": [sheet, 1, col, count, col],
        })
    chart.set_title({"name": "Findings by clause and process, per year"})
    chart.set_size({"width": 720, "height": max(300, 22 * count)})
    book.get_worksheet_by_name(sheet).insert_chart(1, len(columns) + 1, chart)


def write_programme_xlsx(programme: Programme, path: Path, force: bool = False) -> Path:
    """Write the workbook; an existing file is replaced only with `force`, and never left half-written."""
    import xlsxwriter

    target = Path(path).expanduser()
    if target.suffix.lower() != ".xlsx":
        raise ExportError(f"{target.name}: the programme is written as .xlsx")
    if target.exists() and not force:
        raise ExportError(f"{target} already exists; use --force to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        book = xlsxwriter.Workbook(
            str(partial), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        )
        _sheet(book, "Audits", ["Audit", "Date", "Title", "Type", "Status", "Processes", "Criteria", "Result", "Uid"], [
            [a.number, a.date.isoformat(), a.title, a.audit_type, a.status.value, ", ".join(a.processes),
             ", ".join(a.criteria), ", ".join(f"{n} {g}" for g, n in a.result.items()) or "no findings", a.uid]
            for a in programme.audits
        ])
        _sheet(book, "Findings", ["Audit", "Date", "Finding", "Grade", "Status", "Clause", "Process", "Title",
                                  "Action closed", "Repeat"], [
            [f.audit, f.audit_date.isoformat(), f.id, f.grade, f.status, f.clause, f.process, f.title,
             f.action_closed.isoformat() if f.action_closed else "", f.repeat_of.describe() if f.repeat_of else ""]
            for f in programme.findings
        ])
        columns, rows = _over_time(programme)
        _sheet(book, "Findings over time", columns, rows)
        if rows:
            _chart(book, "Findings over time", columns, len(rows))
        _sheet(book, "Not audited", ["Process", "Last audited", "Last audit"], [
            [p.process, p.last_audited.isoformat() if p.last_audited else "never", p.last_audit or ""]
            for p in programme.not_audited
        ])
        book.close()
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target
