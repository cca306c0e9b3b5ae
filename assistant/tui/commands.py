"""Command palette providers: jump to any clause by number or words; start, resume and export sessions."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from assistant.tui.labels import session_status

if TYPE_CHECKING:
    from assistant.tui.app import Q1AuditApp

MAX_CLAUSE_HITS = 40


class ClauseCommands(Provider):
    """`5.6.1`, `ISO 8.4`, `calibration`: every catalogue clause of every edition."""

    @property
    def q1app(self) -> Q1AuditApp:
        return self.app  # type: ignore[return-value]

    async def search(self, query: str) -> Hits:
        app = self.q1app
        if not app.knowledge_ready or not query.strip():
            return
        matcher = self.matcher(query)
        words = query.lower().split()
        hits = []
        for clause in app.backend.catalogue.clauses():
            text = f"{clause.label}  {clause.title}"
            score = matcher.match(text)
            about = " ".join([clause.title, *clause.keywords, clause.summary]).lower()
            if not score and all(w in about for w in words):
                score = 0.3  # the words are in its keywords or summary, not in the title
            if clause.id == query.strip() or text.lower().startswith(query.strip().lower()):
                score = 1.0
            if score:
                hits.append((score, text, clause))
        hits.sort(key=lambda hit: -hit[0])
        for score, text, clause in hits[:MAX_CLAUSE_HITS]:
            yield Hit(
                score,
                matcher.highlight(text),
                partial(app.open_clause, clause.key),
                text=text,
                help=clause.summary.split(". ")[0],
            )


class AuditCommands(Provider):
    """Start or resume a session, see its findings, export it, rebuild the index."""

    @property
    def q1app(self) -> Q1AuditApp:
        return self.app  # type: ignore[return-value]

    def _commands(self) -> list[tuple[str, object, str]]:
        from assistant.tui.screens.sessions import SessionsScreen

        app = self.q1app

        def new_session() -> None:
            app.switch_mode("audit")
            screen = next(s for s in app.screen_stack if isinstance(s, SessionsScreen))
            screen.action_new()

        commands: list[tuple[str, object, str]] = [
            ("Audit: new session", new_session, "Fill in the audit header and start the interview"),
            ("Audit: findings of the open session", app.action_findings, "Confirm, dismiss or regrade findings"),
            ("Audit: export the open session", app.action_export, "CSV, Excel, Markdown, JSON, reports"),
            ("Audit: programme", self._programme, "Every audit, findings over time, repeat findings, processes due"),
            ("Audit: merge conflicts of the open session", self._conflicts, "Settle answers two people gave differently"),
            ("Audit: answers of the open session", app.action_answers, "Every answer, filter, answer again"),
            ("Index: rebuild the search index", app.action_rebuild_index, "Embed new or changed passages"),
            ("Help: keys and chat commands", app.action_help, "Everything the app understands"),
        ]
        if app.sessions_ready:
            for session in app.backend.sessions.list():
                label = f"Audit: resume {session.id} {session.header.title}"
                commands.append((label, partial(self._resume, session.id), session_status(session.status.value)))
        return commands

    def _resume(self, session_id: str) -> None:
        from assistant.tui.screens.sessions import SessionsScreen

        app = self.q1app
        app.switch_mode("audit")
        screen = next(s for s in app.screen_stack if isinstance(s, SessionsScreen))
        screen.open_session(session_id)

    def _programme(self) -> None:
        from assistant.tui.screens.team import ProgrammeScreen

        self.q1app.push_screen(ProgrammeScreen())

    def _conflicts(self) -> None:
        from assistant.tui.screens.team import ConflictsScreen

        app = self.q1app
        if app.current_session is None:
            app.notify("Start or resume an audit session first (F4).", title="No session open")
            return
        app.push_screen(ConflictsScreen(app.current_session))

    async def discover(self) -> Hits:
        for text, command, help_text in self._commands():
            yield DiscoveryHit(text, command, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in self._commands():
            score = matcher.match(text)
            if score:
                yield Hit(score, matcher.highlight(text), command, text=text, help=help_text)  # type: ignore[arg-type]
