"""Messages the loading and index workers send to the app."""

from __future__ import annotations

from textual.message import Message

from assistant.tui.backend import IndexState


class KnowledgeLoaded(Message):
    """The catalogue and keyword search are ready."""


class SessionsLoaded(Message):
    """Sessions, the checklist and the rule packs are ready."""


class IndexStateChanged(Message):
    """Search changed state (model loaded, index stale, build progress ...)."""

    def __init__(self, state: IndexState):
        super().__init__()
        self.state = state

    def can_replace(self, message: Message) -> bool:
        # Build progress arrives faster than the screen redraws: only the newest counts.
        return isinstance(message, IndexStateChanged)
