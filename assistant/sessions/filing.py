"""Which checklist process a manual finding belongs to: the one whose questions cite its clauses."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rules.models import ClauseCitation

if TYPE_CHECKING:
    from rules.checklist import Checklist


def _parents(clause_id: str) -> list[str]:
    """The clause and the clauses above it: 5.10.2, 5.10, 5."""
    parts = clause_id.split(".")
    return [".".join(parts[:n]) for n in range(len(parts), 0, -1)]


def _votes(checklist: Checklist, keys: Sequence[ClauseCitation]) -> Counter[str]:
    """Processes whose questions cite the clauses, at the most specific level any question cites."""
    citing: dict[tuple[str, str, str], list[str]] = {}
    for question in checklist.questions():
        for _, standard, edition, clause_id in question.clauses.keyed():
            citing.setdefault((standard, edition, clause_id), []).append(question.process)
    votes: Counter[str] = Counter()
    for key in keys:
        for clause_id in _parents(key.id):
            found = citing.get((key.standard, key.edition, clause_id))
            if found:
                votes.update(found)
                break
    return votes


def process_for_clauses(
    checklist: Checklist, cited: Sequence[ClauseCitation], related: Sequence[ClauseCitation], near: str | None
) -> str | None:
    """The process whose checklist questions cite `cited` most (then the crosswalk's `related` clauses).

    `near` (the process of the question on screen) only breaks a tie; None when no question cites them.
    """
    for keys in (cited, related):
        votes = _votes(checklist, keys)
        if not votes:
            continue
        best = max(votes.values())
        tied = [p for p in checklist.processes() if votes.get(p) == best]
        return near if near in tied else tied[0]
    return near
