"""Everything known about one clause in one model: tree position, crosswalk links and edition moves."""

from __future__ import annotations

from pydantic import BaseModel, Field

from knowledge.catalogue import ISO, Q1, Catalogue, Clause, ClauseKey
from knowledge.crosswalk import CrosswalkLink, EditionMove


class ClauseRef(BaseModel):
    """A pointer to a clause with its title (None where the catalogue lacks the clause)."""

    standard: str
    edition: str
    id: str
    title: str | None = None

    @classmethod
    def of(cls, key: ClauseKey, catalogue: Catalogue) -> ClauseRef:
        clause = catalogue.get(*key)
        return cls(
            standard=key.standard, edition=key.edition, id=key.id, title=clause.title if clause else None
        )


class LinkView(BaseModel):
    """One crosswalk link seen from the clause being shown: one entry per counterpart clause."""

    counterpart: ClauseRef | None
    """None for a Q1-only requirement; then `nearest_iso` lists the ISO clauses that come closest."""
    relation: str
    relation_plain: str
    theme: str
    rationale: str
    beyond_iso: str
    nearest_iso: list[ClauseRef] = Field(default_factory=list)
    confidence: str


class ClauseDetail(BaseModel):
    """A clause with its parents, children, crosswalk links and 9th <-> 10th moves (`q1audit clause --json`)."""

    standard: str
    edition: str
    id: str
    title: str
    label: str
    parent: str | None
    confidence: str
    verified: bool
    summary: str
    keywords: list[str]
    evidence: list[str]
    documented_procedure: bool
    records: bool
    note: str | None
    parents: list[ClauseRef]
    children: list[ClauseRef]
    links: list[LinkView]
    edition_moves: list[EditionMove]


def _link_views(clause: Clause, link: CrosswalkLink, catalogue: Catalogue) -> list[LinkView]:
    if clause.standard == Q1:
        others = [ClauseKey(ISO, "2015", i) for i in link.iso]
    else:
        others = [ClauseKey(Q1, edition, i) for edition, i in link.q1_ids().items()]
    common = {
        "relation": link.relation.value,
        "relation_plain": link.relation.plain,
        "theme": link.theme.value,
        "rationale": link.rationale,
        "beyond_iso": link.beyond_iso,
        "nearest_iso": [ClauseRef.of(ClauseKey(ISO, "2015", i), catalogue) for i in link.iso_closest],
        "confidence": link.confidence,
    }
    if not others:
        return [LinkView(counterpart=None, **common)]
    return [LinkView(counterpart=ClauseRef.of(key, catalogue), **common) for key in others]


def clause_detail(clause: Clause, catalogue: Catalogue) -> ClauseDetail:
    """Gather what the catalogue, crosswalk and edition map say about `clause`."""

    def ref(other: Clause) -> ClauseRef:
        return ClauseRef(standard=other.standard, edition=other.edition, id=other.id, title=other.title)

    return ClauseDetail(
        **clause.model_dump(include=set(ClauseDetail.model_fields)),
        label=clause.label,
        verified=clause.verified,
        parents=[ref(c) for c in catalogue.ancestors(clause)],
        children=[ref(c) for c in catalogue.children(clause)],
        links=[view for link in catalogue.links_for(clause) for view in _link_views(clause, link, catalogue)],
        edition_moves=catalogue.edition_moves(clause),
    )
