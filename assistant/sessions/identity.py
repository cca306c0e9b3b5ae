"""Session identity: a uid unique across laptops and the short number people say aloud (`2026-003`)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from sqlite_utils import Database

from assistant.sessions.errors import SessionError

NUMBER = re.compile(r"(\d{4})-(\d{3,6})")
"""The human number: the year and a running number. It names the session's attachment folder, so
nothing else may come in from a file."""


def new_uid() -> str:
    """A random UUID4: two laptops never draw the same one, so no registry or server is needed."""
    return str(uuid.uuid4())


BEFORE_UIDS = uuid.uuid5(uuid.NAMESPACE_URL, "q1audit:session")


def uid_before_uids(number: str, created_at: datetime) -> str:
    """The uid of a session made before sessions had uids (a UUID5 of its number and creation time).

    The data directory's migration and an import of an old export of the same session derive the same
    one, so a colleague who upgrades later exports a session the lead already has, not a new one.
    """
    return str(uuid.uuid5(BEFORE_UIDS, f"{number}@{created_at.isoformat()}"))


MAX_SEQUENCE = 999_999
"""Session numbers are `year-NNN` to `year-NNNNNN` (what `session import` accepts)."""
FIRST_FREE_SEQUENCE = """
    select min(c) from (select 1 as c union all select seq + 1 from sessions where id like ?1)
    where c <= 999999 and not exists (select 1 from sessions t where t.id like ?1 and t.seq = c)
"""


def next_number(db: Database, year: int) -> tuple[str, int]:
    """The next free human number of `year` in this data directory, and its running part."""
    prefix = f"{year}-"
    seq = db.execute("select coalesce(max(seq), 0) + 1 from sessions where id like ?", (prefix + "%",)).fetchone()[0]
    if seq > MAX_SEQUENCE:  # an imported 2026-999999 must not push numbers past what import accepts
        seq = db.execute(FIRST_FREE_SEQUENCE, (prefix + "%",)).fetchone()[0]
        if seq is None:
            raise SessionError(f"every session number of {year} is taken; archive and remove some")
    return f"{prefix}{seq:03d}", seq


