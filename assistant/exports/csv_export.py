"""The finding list as CSV: one row per finding, UTF-8 with a byte-order mark so Excel reads the accents."""

from __future__ import annotations

import csv
from pathlib import Path

from assistant.exports.content import ReportContent
from assistant.exports.safety import neutralise_cell


def write_csv(content: ReportContent, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(content.finding_columns())
        for cells in content.finding_table():
            writer.writerow([neutralise_cell(cell) for cell in cells])
