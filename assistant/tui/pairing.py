"""Clause search results paired across the crosswalk, so the chat shows Q1 and ISO side by side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from knowledge.catalogue import ISO, Q1, Catalogue, Clause, ClauseKey

if TYPE_CHECKING:
    from index.search import AskResponse

MAX_ROWS = 4


@dataclass(frozen=True)
class CardView:
    """One clause as a card shows it."""

    key: ClauseKey
    label: str
    title: str
    summary: str
    score: float | None
    """None when the clause was not a result itself but is shown as the crosswalk partner of one."""
    verified: bool
    licensed: str = ""
    """An excerpt of the user's imported copy of the standard, where it matched."""
    sure: float | None = None
    """The calibrated chance that the clause is right (shown as "58% sure"); None without the model."""


@dataclass(frozen=True)
class ClausePair:
    """A row of the answer: the Q1 clause, its ISO counterpart and how they relate (either side may be empty)."""

    q1: CardView | None
    iso: CardView | None
    relation: str


def card_view(
    clause: Clause,
    scores: dict[ClauseKey, float] | None = None,
    licensed: dict[ClauseKey, str] | None = None,
    sure: dict[ClauseKey, float] | None = None,
) -> CardView:
    scores, licensed, sure = scores or {}, licensed or {}, sure or {}
    return CardView(
        key=clause.key,
        label=clause.label,
        title=clause.title,
        summary=clause.summary,
        score=scores.get(clause.key),
        verified=clause.verified,
        licensed=licensed.get(clause.key, ""),
        sure=sure.get(clause.key),
    )


def _partner(
    clause: Clause, scores: dict[ClauseKey, float], placed: set[ClauseKey], catalogue: Catalogue
) -> tuple[Clause | None, str]:
    """The counterpart to show next to `clause`: one not shown yet and a result itself if any, else the first."""
    links = catalogue.links_for(clause)
    if not links:
        return None, "no crosswalk link"
    options: list[tuple[Clause, str]] = []
    for link in links:
        if clause.standard == Q1:
            keys = [ClauseKey(ISO, "2015", i) for i in link.iso]
        else:
            ids = link.q1_ids()
            keys = [ClauseKey(Q1, ed, ids[ed]) for ed in ("10th", "9th") if ed in ids][:1]
        for key in keys:
            other = catalogue.get(*key)
            if other is not None:
                options.append((other, link.relation.plain))
    if not options:
        nearest = [catalogue.get(ISO, "2015", i) for link in links for i in link.iso_closest]
        named = ", ".join(f"{c.id} {c.title}" for c in nearest if c is not None)
        return None, links[0].relation.plain + (f"; nearest ISO 9001 {named}" if named else "")
    options.sort(key=lambda option: (option[0].key in placed, -scores.get(option[0].key, -1.0)))
    return options[0]


def pair_results(response: AskResponse, catalogue: Catalogue, limit: int = MAX_ROWS) -> list[ClausePair]:
    """Rows in result order; each result appears once, beside its crosswalk partner."""
    scores: dict[ClauseKey, float] = {}
    licensed: dict[ClauseKey, str] = {}
    sure: dict[ClauseKey, float] = {}
    for result in response.results:
        if result.key is None:
            continue
        if result.kind == "clause":
            scores.setdefault(result.key, result.score)
            if result.confidence is not None:
                sure.setdefault(result.key, result.confidence)
        elif result.kind == "licensed-text":
            licensed.setdefault(result.key, result.text)
    rows: list[ClausePair] = []
    placed: set[ClauseKey] = set()
    for key in scores:
        clause = catalogue.get(*key)
        if clause is None or key in placed:
            continue
        partner, relation = _partner(clause, scores, placed, catalogue)
        placed.add(key)
        if partner is not None:
            placed.add(partner.key)
        cards = [card_view(c, scores, licensed, sure) for c in (clause, partner) if c is not None]
        q1 = next((c for c in cards if c.key.standard == Q1), None)
        iso = next((c for c in cards if c.key.standard == ISO), None)
        rows.append(ClausePair(q1=q1, iso=iso, relation=relation))
        if len(rows) == limit:
            break
    return rows
