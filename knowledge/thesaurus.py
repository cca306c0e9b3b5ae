"""The site-language thesaurus: shop-floor words, their quality-system meaning and the clauses they point at."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache, cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from knowledge.catalogue import DATA_DIR, DEFAULT_EDITION, ISO, Q1, Catalogue, ClauseKey
from knowledge.yaml_files import Problem, load_yaml_model

THESAURUS_FILE = DATA_DIR / "thesaurus.yaml"
_FIELDS = (("q1_10th", Q1, "10th"), ("q1_9th", Q1, "9th"), ("iso", ISO, DEFAULT_EDITION[ISO]))


class TermClauses(BaseModel):
    """Clause ids per standard and edition, in the checklists' short form."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    q1_10th: list[str] = Field(default_factory=list)
    q1_9th: list[str] = Field(default_factory=list)
    iso: list[str] = Field(default_factory=list)

    def clause_keys(self) -> list[ClauseKey]:
        return [ClauseKey(s, e, i) for field, s, e in _FIELDS for i in getattr(self, field)]


class ThesaurusEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    term: str = Field(min_length=2)
    variants: list[str] = Field(default_factory=list)
    means: str = Field(min_length=5)
    """The quality-system words added to a question that uses the term."""
    clauses: TermClauses

    def pattern(self) -> re.Pattern[str]:
        """Any of the term's spellings as whole words, an English plural allowed, case ignored."""
        spellings = sorted({self.term, *self.variants}, key=len, reverse=True)
        words = "|".join(r"\s+".join(map(re.escape, s.split())) for s in spellings)
        return re.compile(rf"(?<![\w-])(?:{words})(?:e?s)?(?![\w-])", re.I)


class Thesaurus(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str
    entries: list[ThesaurusEntry] = Field(min_length=1)

    @cached_property
    def _patterns(self) -> list[tuple[ThesaurusEntry, re.Pattern[str]]]:
        return [(entry, entry.pattern()) for entry in self.entries]

    def matches(self, text: str) -> list[ThesaurusEntry]:
        """The entries whose term or a variant occurs in `text`, in file order. Where spellings of two entries
        overlap, the longer wins: "backup plan" is contingency planning, not the "backup" of records."""
        spans = [(m.start(), m.end(), i) for i, (_, pattern) in enumerate(self._patterns)
                 for m in pattern.finditer(text)]
        kept = {i for start, end, i in spans
                if not any(s <= start and end <= e and e - s > end - start and j != i for s, e, j in spans)}
        return [entry for i, (entry, _) in enumerate(self._patterns) if i in kept]


def _check(catalogue: Catalogue) -> Callable[[Thesaurus], Iterable[Problem]]:
    def check(thesaurus: Thesaurus) -> Iterable[Problem]:
        seen: dict[str, int] = {}
        for i, entry in enumerate(thesaurus.entries):
            if entry.term.lower() in seen:
                yield ("entries", i, "term"), f"term {entry.term!r} is already entry {seen[entry.term.lower()]}"
            seen[entry.term.lower()] = i
            if not entry.clauses.clause_keys():
                yield ("entries", i, "clauses"), "point at least one clause"
            for field, standard, edition in _FIELDS:
                for j, clause_id in enumerate(getattr(entry.clauses, field)):
                    if catalogue.get(standard, edition, clause_id) is None:
                        yield ("entries", i, "clauses", field, j), f"no {standard} {edition} clause {clause_id!r}"

    return check


def load_thesaurus_from(path: Path, catalogue: Catalogue) -> Thesaurus:
    """Load and check a thesaurus file: unique terms, every clause in the catalogue."""
    return load_yaml_model(path, Thesaurus, _check(catalogue))


@cache
def load_thesaurus() -> Thesaurus:
    """The bundled thesaurus, loaded once per process."""
    from knowledge.catalogue import load_catalogue

    return load_thesaurus_from(THESAURUS_FILE, load_catalogue())
