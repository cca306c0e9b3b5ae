"""The index status line: loading, semantic ready, keyword only, stale (rebuild offered) or building."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from assistant.tui.backend import IndexState

ICONS = {"loading": "◌", "semantic": "●", "lexical": "○", "stale": "▲", "building": "⟳"}


def status_content(state: IndexState) -> Content:
    parts: list[str | tuple[str, str]] = [(f" {ICONS[state.phase]} ", "bold"), state.detail]
    if state.phase == "building" and state.total:
        parts.append((f"  {state.done}/{state.total}", "bold"))
    if state.phase == "stale":
        parts.append(("  ctrl+r rebuilds", "bold"))
    return Content.assemble(*parts)


class IndexStatusBar(Static):
    """Follows `app.index_state`, so every screen shows the same line."""

    def on_mount(self) -> None:
        self.watch(self.app, "index_state", self._show)

    def _show(self, state: IndexState) -> None:
        self.update(status_content(state))
        for phase in ICONS:
            self.set_class(phase == state.phase, f"-{phase}")
