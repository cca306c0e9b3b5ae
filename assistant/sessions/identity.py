"""Session identity: a uid unique across laptops, the short number people say aloud (`2026-003`), and
who is at the keyboard."""

from __future__ import annotations

import getpass
import re
import uuid

from sqlite_utils import Database

NUMBER = re.compile(r"(\d{4})-(\d{3,6})")
"""The human number: the year and a running number. It names the session's attachment folder, so
nothing else may come in from a file."""


def new_uid() -> str:
    """A random UUID4: two laptops never draw the same one, so no registry or server is needed."""
    return str(uuid.uuid4())


def next_number(db: Database, year: int) -> tuple[str, int]:
    """The next free human number of `year` in this data directory, and its running part."""
    prefix = f"{year}-"
    seq = db.execute("select coalesce(max(seq), 0) + 1 from sessions where id like ?", (prefix + "%",)).fetchone()[0]
    return f"{prefix}{seq:03d}", seq


def current_user() -> str | None:
    """The login name, recorded as who acted when nobody says otherwise; None where the OS has none."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None
