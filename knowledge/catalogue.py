"""The clause catalogue of API Spec Q1 (10th, 9th) and ISO 9001:2015, loaded from reviewed YAML files.

Clause numbers and titles are facts taken from verified references; summaries, keywords and evidence
are our own words. The standards' text is never stored here: users import their licensed copy.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Literal, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from knowledge.crosswalk import Crosswalk, CrosswalkLink, EditionMap, EditionMove
from knowledge.yaml_files import Problem, load_yaml_model

DATA_DIR = Path(__file__).parent / "data"

Q1 = "API Q1"
ISO = "ISO 9001"
StandardName = Literal["API Q1", "ISO 9001"]
DateText = Annotated[str, BeforeValidator(str)]
"""A date as written (YAML would otherwise turn 2024-09-18 into a date and 2023-09 into text)."""
DEFAULT_EDITION = {Q1: "10th", ISO: "2015"}
UNCONFIRMED_MARK = "(number not confirmed)"
"""Appended to every shown title or citation of an API Q1 10th clause number no public source confirms."""


class Confidence(StrEnum):
    """How well a clause number and title are established (see shared reference notes)."""

    verified = "verified"
    likely = "likely"
    unverified = "unverified"


class ClauseKey(NamedTuple):
    standard: str
    edition: str
    id: str

    def __str__(self) -> str:
        return f"{self.standard}:{self.edition}:{self.id}"


class ClauseEntry(BaseModel):
    """One clause as written in a catalogue YAML file."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^(\d+(\.\d+)*|Annex [A-Z])$")
    title: str = Field(min_length=1)
    """The clause title as established; where it is not, a bracketed description and a non-verified confidence."""
    parent: str | None = None
    confidence: Confidence
    summary: str = Field(min_length=20)
    """What the clause is about, 2-4 sentences in our own words, never the standard's text."""
    keywords: list[str] = Field(default_factory=list)
    """Words people use on site for this topic (MTR, cal sticker, NCR ...)."""
    evidence: list[str] = Field(default_factory=list)
    """Objective evidence an auditor asks to see."""
    documented_procedure: bool = False
    """The clause asks for a documented procedure."""
    records: bool = False
    """The clause asks for records to be kept."""
    note: str | None = None
    """Why a title or position is uncertain, or what changed between editions."""
    source: str | None = None


class Amendment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    published: DateText
    note: str


class StandardFile(BaseModel):
    """A catalogue YAML file: one edition of one standard."""

    model_config = ConfigDict(extra="forbid")

    standard: StandardName
    edition: str
    full_title: str
    published: DateText
    effective: DateText | None = None
    structure_known: bool = True
    """False where the edition's clause structure is only partly established."""
    structure_note: str | None = None
    amendments: list[Amendment] = Field(default_factory=list)
    clauses: list[ClauseEntry] = Field(min_length=1)


class Clause(ClauseEntry):
    """A catalogue clause together with the standard and edition it belongs to."""

    model_config = ConfigDict(frozen=True)

    standard: StandardName
    edition: str

    @property
    def key(self) -> ClauseKey:
        return ClauseKey(self.standard, self.edition, self.id)

    @property
    def label(self) -> str:
        """How people write it: `API Q1 10th 5.5.1.2` or `ISO 9001 8.4.1`."""
        edition = f" {self.edition}" if self.standard == Q1 else ""
        return f"{self.standard}{edition} {self.id}"

    @property
    def verified(self) -> bool:
        return self.confidence == Confidence.verified

    @property
    def confirmed(self) -> bool:
        """Whether the number is established: every API Q1 10th clause that is not verified is not."""
        return self.verified or not (self.standard == Q1 and self.edition == "10th")

    @property
    def marked_title(self) -> str:
        """The title as shown wherever the clause is cited: an unconfirmed 10th number says so."""
        return self.title if self.confirmed else f"{self.title} {UNCONFIRMED_MARK}"


def _check_tree(doc: StandardFile) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, entry in enumerate(doc.clauses):
        if entry.id in seen:
            yield ("clauses", i, "id"), f"duplicate clause id {entry.id!r}"
        seen.add(entry.id)
    for i, entry in enumerate(doc.clauses):
        if entry.parent is not None and entry.parent not in seen:
            yield ("clauses", i, "parent"), f"parent {entry.parent!r} is not a clause of this file"


class Catalogue:
    """All editions of both standards, with the crosswalk and the 9th-to-10th edition map."""

    def __init__(self, files: list[StandardFile], crosswalk: Crosswalk, edition_map: EditionMap):
        self.files = {(f.standard, f.edition): f for f in files}
        self.crosswalk = crosswalk
        self.edition_map = edition_map
        self._clauses: dict[ClauseKey, Clause] = {}
        self._children: dict[ClauseKey, list[Clause]] = {}
        self._stand_ins: tuple[dict[ClauseKey, list[Clause]], dict[ClauseKey, list[Clause]]] | None = None
        for f in files:
            for entry in f.clauses:
                clause = Clause(standard=f.standard, edition=f.edition, **entry.model_dump())
                self._clauses[clause.key] = clause
                if clause.parent is not None:
                    parent_key = ClauseKey(f.standard, f.edition, clause.parent)
                    self._children.setdefault(parent_key, []).append(clause)

    def editions(self) -> list[tuple[str, str]]:
        return list(self.files)

    def get(self, standard: str, edition: str, clause_id: str) -> Clause | None:
        return self._clauses.get(ClauseKey(standard, edition, clause_id))

    def clauses(self, standard: str | None = None, edition: str | None = None) -> list[Clause]:
        """Clauses in catalogue order, optionally of one standard and edition."""
        return [
            c
            for c in self._clauses.values()
            if (standard is None or c.standard == standard) and (edition is None or c.edition == edition)
        ]

    def children(self, clause: Clause) -> list[Clause]:
        return list(self._children.get(clause.key, []))

    def parent(self, clause: Clause) -> Clause | None:
        if clause.parent is None:
            return None
        return self.get(clause.standard, clause.edition, clause.parent)

    def ancestors(self, clause: Clause) -> list[Clause]:
        """Parents from the top-level section down to the direct parent."""
        chain: list[Clause] = []
        node = self.parent(clause)
        while node is not None:
            chain.append(node)
            node = self.parent(node)
        return chain[::-1]

    def links_for(self, clause: Clause) -> list[CrosswalkLink]:
        """Crosswalk links that involve this clause (as a Q1 clause of its edition, or as an ISO clause)."""
        return self.crosswalk.links_for(clause.standard, clause.edition, clause.id)

    def counterparts(self, clause: Clause) -> list[Clause]:
        """The clauses of the other standard that the crosswalk links to this one, in link order."""
        found: list[Clause] = []
        for link in self.links_for(clause):
            if clause.standard == Q1:
                keys = [ClauseKey(ISO, "2015", i) for i in link.iso]
            else:
                keys = [ClauseKey(Q1, ed, i) for ed, i in link.q1_ids().items()]
            for key in keys:
                other = self._clauses.get(key)
                if other is not None and other not in found:
                    found.append(other)
        return found

    def other_edition_home(self, clause: Clause) -> tuple[Clause, bool] | None:
        """The same Q1 clause in the other edition, from the edition map; where the map does not know the
        clause's own home, the home of its nearest ancestor that has one (9th 5.7.1.5 -> under 10th 5.6).
        The flag says whether the home is the clause's own."""
        if clause.standard != Q1:
            return None
        other = "10th" if clause.edition == "9th" else "9th"
        for source in [clause, *reversed(self.ancestors(clause))]:
            for move in self.edition_map.moves_for(clause.edition, source.id):
                home = self.get(Q1, other, move.q1_10th if other == "10th" else move.q1_9th)
                if home is not None:
                    return home, source is clause
        return None

    def stand_ins(self, clause: Clause) -> list[Clause]:
        """Where a reader of the other standard or edition looks for this clause when its own counterpart there
        is not established: the nearest ISO clause of a Q1-only requirement (first of `iso_closest`; contingency
        planning -> ISO 6.1), and the other edition's home of its nearest mapped ancestor (9th 5.7.1.5 process
        validation -> 10th 5.6)."""
        return self._stand_in_map()[0].get(clause.key, [])

    def stood_in_for(self, clause: Clause) -> list[Clause]:
        """The clauses this one is a stand-in for (see `stand_ins`), in catalogue order."""
        return self._stand_in_map()[1].get(clause.key, [])

    def _stand_in_map(self) -> tuple[dict[ClauseKey, list[Clause]], dict[ClauseKey, list[Clause]]]:
        """Both directions for every clause, worked out once (search asks for them per site question)."""
        if self._stand_ins is None:
            stand_ins: dict[ClauseKey, list[Clause]] = {}
            stood_in_for: dict[ClauseKey, list[Clause]] = {}
            for clause in self._clauses.values():
                found = [self.get(ISO, DEFAULT_EDITION[ISO], link.iso_closest[0])
                         for link in (self.links_for(clause) if clause.standard == Q1 else [])
                         if link.q1_only and link.iso_closest]
                home = self.other_edition_home(clause)
                if home is not None and not home[1]:
                    found.append(home[0])
                stand_ins[clause.key] = [c for c in found if c is not None]
                for stand_in in stand_ins[clause.key]:
                    stood_in_for.setdefault(stand_in.key, []).append(clause)
            self._stand_ins = stand_ins, stood_in_for
        return self._stand_ins

    def edition_moves(self, clause: Clause) -> list[EditionMove]:
        """9th <-> 10th edition map entries for a Q1 clause."""
        if clause.standard != Q1:
            return []
        return self.edition_map.moves_for(clause.edition, clause.id)


def _check_references(catalogue: Catalogue) -> Iterator[Problem]:
    def exists(standard: str, edition: str, clause_id: str) -> bool:
        return catalogue.get(standard, edition, clause_id) is not None

    for i, link in enumerate(catalogue.crosswalk.links):
        for edition, clause_id in link.q1_ids().items():
            if not exists(Q1, edition, clause_id):
                yield ("links", i, f"q1_{edition}"), f"no API Q1 {edition} clause {clause_id!r} in the catalogue"
        for field in ("iso", "iso_closest"):
            for j, clause_id in enumerate(getattr(link, field)):
                if not exists(ISO, "2015", clause_id):
                    yield ("links", i, field, j), f"no ISO 9001 clause {clause_id!r} in the catalogue"


def _check_moves(catalogue: Catalogue) -> Iterator[Problem]:
    for i, move in enumerate(catalogue.edition_map.moves):
        for edition, clause_id in (("9th", move.q1_9th), ("10th", move.q1_10th)):
            if clause_id is not None and catalogue.get(Q1, edition, clause_id) is None:
                yield ("moves", i, f"q1_{edition}"), f"no API Q1 {edition} clause {clause_id!r} in the catalogue"


def load_catalogue_from(data_dir: Path) -> Catalogue:
    """Load and cross-check every catalogue file below `data_dir`."""
    files = [
        load_yaml_model(path, StandardFile, _check_tree)
        for path in sorted((data_dir / "catalogue").glob("*.yaml"))
    ]
    crosswalk_path = data_dir / "crosswalk.yaml"
    map_path = data_dir / "edition_map.yaml"
    crosswalk = load_yaml_model(crosswalk_path, Crosswalk)
    edition_map = load_yaml_model(map_path, EditionMap)
    catalogue = Catalogue(files, crosswalk, edition_map)
    # Cross-file checks are reported against the file that holds the bad reference.
    load_yaml_model(crosswalk_path, Crosswalk, lambda _: _check_references(catalogue))
    load_yaml_model(map_path, EditionMap, lambda _: _check_moves(catalogue))
    return catalogue


@cache
def load_catalogue() -> Catalogue:
    """The bundled catalogue, loaded once per process."""
    return load_catalogue_from(DATA_DIR)
