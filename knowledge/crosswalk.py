"""The Q1 <-> ISO 9001 crosswalk and the Q1 9th <-> 10th edition map, as reviewed YAML data."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Relation(StrEnum):
    """How a Q1 requirement relates to its ISO 9001 counterpart, read from the Q1 side."""

    equal = "equal"
    """Same requirement in substance."""
    superset = "superset"
    """Q1 asks for everything the ISO clause asks, and more (Q1 stricter)."""
    subset = "subset"
    """The ISO clause covers more ground than the Q1 clause (ISO broader)."""
    intersect = "intersect"
    """They overlap; each asks for something the other does not (partial)."""
    none = "none"
    """Q1 requirement with no ISO counterpart."""

    @property
    def plain(self) -> str:
        """The words the differences view uses."""
        return {
            "equal": "equal",
            "superset": "Q1 stricter",
            "subset": "ISO broader",
            "intersect": "partial",
            "none": "none (Q1 only)",
        }[self.value]


class Theme(StrEnum):
    """The themes people use when they ask how Q1 differs from ISO 9001."""

    scope = "scope"
    """Industry focus and scope."""
    risk = "risk"
    """Risk management and contingency."""
    documentation = "documentation"
    """Documented procedures and records."""
    product = "product"
    """Product and service specificity, servicing and product-related activities."""
    suppliers = "suppliers"
    """Supplier management: critical and noncritical purchases, sub-tier suppliers."""
    certification = "certification"
    """Compliance and certification: API Monogram, APIQR registration, audit responses."""
    management = "management"
    """Management system basics where Q1 and ISO mostly agree."""

    @property
    def label(self) -> str:
        return {
            "scope": "Industry focus and scope",
            "risk": "Risk management and contingency",
            "documentation": "Documentation: procedures and records",
            "product": "Product and service specificity",
            "suppliers": "Supplier management",
            "certification": "Compliance and certification",
            "management": "Management system",
        }[self.value]


class CrosswalkLink(BaseModel):
    """One Q1 requirement (in both editions where known) and its ISO 9001:2015 counterpart."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    q1_10th: str | None
    """The clause in the 10th edition; null where its 10th-edition home is not established."""
    q1_9th: str | None
    """The clause in the 9th edition; null for requirements new in the 10th."""
    iso: list[str] = Field(default_factory=list)
    """ISO 9001:2015 counterparts (empty when relation is none)."""
    iso_closest: list[str] = Field(default_factory=list)
    """For Q1-only requirements: the nearest ISO clauses, which do not cover them."""
    relation: Relation
    theme: Theme
    rationale: str = Field(min_length=10)
    """One line, our words: why the link has this type."""
    beyond_iso: str = ""
    """One or two sentences, our words: what Q1 asks beyond ISO ("" when equal or ISO broader)."""
    confidence: str = "likely"

    @model_validator(mode="after")
    def _consistent(self) -> CrosswalkLink:
        if self.q1_10th is None and self.q1_9th is None:
            raise ValueError("a link needs q1_10th or q1_9th")
        if self.relation == Relation.none and self.iso:
            raise ValueError("a Q1-only link (relation none) lists its nearest ISO clauses in iso_closest, not iso")
        if self.relation != Relation.none and not self.iso:
            raise ValueError(f"relation {self.relation.value} needs at least one ISO clause in iso")
        if self.relation in (Relation.superset, Relation.intersect, Relation.none) and not self.beyond_iso:
            raise ValueError(f"relation {self.relation.value} needs beyond_iso: what Q1 asks beyond ISO")
        return self

    @property
    def q1_only(self) -> bool:
        return self.relation == Relation.none

    def q1_ids(self) -> dict[str, str]:
        """{edition: clause id} for the Q1 editions this link names."""
        ids = {"10th": self.q1_10th, "9th": self.q1_9th}
        return {edition: clause_id for edition, clause_id in ids.items() if clause_id is not None}


class Crosswalk(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str
    links: list[CrosswalkLink] = Field(min_length=1)

    def links_for(self, standard: str, edition: str, clause_id: str) -> list[CrosswalkLink]:
        if standard == "API Q1":
            return [link for link in self.links if link.q1_ids().get(edition) == clause_id]
        return [link for link in self.links if clause_id in link.iso]

    def q1_only(self) -> list[CrosswalkLink]:
        return [link for link in self.links if link.q1_only]


class Change(StrEnum):
    unchanged = "unchanged"
    renumbered = "renumbered"
    renamed = "renamed"
    renumbered_renamed = "renumbered and renamed"
    restructured = "restructured"
    """Same number and title, but the requirement changed (split into subclauses, a new minimum)."""
    new = "new"
    dropped = "dropped"
    unknown = "unknown"
    """The 10th-edition home of a 9th-edition clause is not established."""


class EditionMove(BaseModel):
    """Where a 9th-edition Q1 clause sits in the 10th edition, and what changed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    q1_9th: str | None
    q1_10th: str | None
    change: Change
    note: str = ""
    confidence: str = "likely"

    @model_validator(mode="after")
    def _consistent(self) -> EditionMove:
        if self.change == Change.new and (self.q1_9th is not None or self.q1_10th is None):
            raise ValueError("a new clause has q1_10th and no q1_9th")
        if self.change in (Change.dropped, Change.unknown) and self.q1_10th is not None:
            raise ValueError(f"change {self.change.value} has no q1_10th")
        if self.change not in (Change.new,) and self.q1_9th is None:
            raise ValueError(f"change {self.change.value} needs q1_9th")
        return self


class EditionMap(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str
    moves: list[EditionMove] = Field(min_length=1)

    def moves_for(self, edition: str, clause_id: str) -> list[EditionMove]:
        field = "q1_9th" if edition == "9th" else "q1_10th"
        return [m for m in self.moves if getattr(m, field) == clause_id]
