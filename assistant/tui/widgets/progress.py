"""Interview progress: answered and asked questions per process, the current one marked."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.widgets import Static

BAR = 8


@dataclass(frozen=True)
class ProcessProgress:
    process: str
    title: str
    answered: int
    total: int
    """Questions asked in this process given the answers so far (follow-ups count once shown)."""


def progress_content(rows: list[ProcessProgress], current: str | None) -> Content:
    parts: list[str | tuple[str, str]] = []
    for row in rows:
        filled = round(BAR * row.answered / row.total) if row.total else BAR
        style = "bold $accent" if row.process == current else ""
        done = row.total and row.answered == row.total
        parts += [
            ("▶ " if row.process == current else "✓ " if done else "  ", style),
            (f"{row.title}\n", style),
            ("  " + "█" * filled + "░" * (BAR - filled), "$success" if done else "$accent"),
            (f" {row.answered}/{row.total}\n", "dim"),
        ]
    return Content.assemble(*parts)


class ProgressPanel(Static):
    """Progress per process in the audit's scope."""

    def show(self, rows: list[ProcessProgress], current: str | None) -> None:
        self.update(progress_content(rows, current))
