"""`q1audit serve`: the same app in a browser (a tablet on the site walk) through textual-serve.

Bound to this machine by default. Bound to any other address, every request must carry a random
access token, given once in the URL printed at start (a cookie then carries it for the page's
websocket); without it the server answers 403.
"""

from __future__ import annotations

import hmac
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.errors import Q1AuditError

if TYPE_CHECKING:
    from aiohttp import web

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
TOKEN_COOKIE = "q1audit_token"


class ServeError(Q1AuditError):
    """The browser server cannot start as asked."""

    title = "Serve"


def needs_token(host: str) -> bool:
    """Anything but this machine's own loopback name can be reached by others on the network."""
    return host not in LOCAL_HOSTS


def serve_command(data_dir: Path, by: str | None = None) -> str:
    """The shell command textual-serve runs for each browser: this app on this data directory."""
    acting = ["--by", by] if by else []
    return shlex.join([sys.executable, "-m", "assistant", "--data-dir", str(data_dir), "tui", *acting])


def make_server(data_dir: Path, host: str, port: int, token: str | None, by: str | None = None):
    """A textual-serve Server that refuses requests without `token` (None: no token asked)."""
    try:
        from aiohttp import web
        from textual_serve.server import Server
    except ImportError as exc:  # pragma: no cover - an install without the optional web server
        raise ServeError(f"serve needs textual-serve installed ({exc.name} is missing)") from None

    class GuardedServer(Server):
        @web.middleware
        async def _guard(self, request: web.Request, handler):
            if request.path.startswith("/static/"):
                return await handler(request)  # textual-serve's own scripts and fonts: nothing of ours
            given = request.query.get("token") or request.cookies.get(TOKEN_COOKIE) or ""
            if token is not None and not hmac.compare_digest(given.encode(), token.encode()):
                return web.Response(status=403, text="q1audit: this address needs the access token printed "
                                                     "when the server started (…/?token=…).\n")
            if request.path == "/":
                # The page builds its websocket address from this: the name the browser used to reach us.
                self.public_url = f"{request.scheme}://{request.host}"
            response = await handler(request)
            if token is not None and request.path == "/":
                response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict")
            return response

        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(self._guard)
            return app

        async def on_startup(self, app: web.Application) -> None:
            url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
            if token is None:
                self.console.print(f"q1audit in the browser at {url} (this machine only). Ctrl+C stops it.")
            else:
                self.console.print(f"q1audit in the browser at {url}?token={token}\n"
                                   "Bound to an address others can reach: requests without this token are "
                                   "refused. Ctrl+C stops it.")

    return GuardedServer(serve_command(data_dir, by), host=host, port=port, title="q1audit")
