"""A one-line input that submits exactly what was typed before enter, so type-ahead never merges entries."""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class EntryLine(Input):
    """Enter submits the text typed so far and clears the line at once, in the order the keys came.

    A plain Input submits through a binding that runs only after the enter key has bubbled up to the
    app; keys typed in the same burst (a fast typist, a barcode scanner, a busy app) are inserted first,
    so "mill cert⏎red tag⏎" arrives as "mill certred tag", twice. Handlers of `Submitted` must not clear
    the line: it holds what was typed after the enter.
    """

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            value = self.value
            self.value = ""
            self.post_message(self.Submitted(self, value))
            return
        await super()._on_key(event)
