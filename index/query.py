"""Query understanding before search: clause numbers read across editions and site words expanded (thesaurus)."""

from __future__ import annotations

from pydantic import BaseModel

from knowledge.catalogue import Catalogue, ClauseKey
from knowledge.clause_refs import ClauseReading, read_clause_numbers
from knowledge.thesaurus import Thesaurus


class QueryPlan(BaseModel):
    """What search makes of a question before ranking anything."""

    text: str
    readings: list[ClauseReading] = []
    """Clauses the question names by number, most wanted first."""
    terms: list[str] = []
    """Thesaurus terms found in the question."""
    expanded: list[str] = []
    """The quality-system words those terms stand for, added to the lexical query."""
    hinted: dict[ClauseKey, float] = {}
    """Clauses the thesaurus terms point at, with a weight (1 for a term's first clause per edition)."""

    @property
    def lexical_text(self) -> str:
        return " ".join([self.text, *self.expanded])

    @property
    def texts_to_embed(self) -> list[str]:
        """The expanded question (what is searched), then, when expansion added words, the user's own words
        (whether a question is on topic at all is judged on those, not on our expansion)."""
        return [self.lexical_text, self.text] if self.expanded else [self.lexical_text]

    def exact(self, editions: set[tuple[str, str]], filtered: bool) -> list[ClauseKey]:
        """The clauses to put first, in order; a typed number passes the default edition filter."""
        return [
            r.key for r in self.readings
            if (r.key.standard, r.key.edition) in editions or (r.role == "number" and not filtered)
        ]

    def label(self, key: ClauseKey) -> str | None:
        """Why a clause was offered, when it came from a clause number."""
        return next((r.label for r in self.readings if r.key == key), None)


def understand(text: str, catalogue: Catalogue, thesaurus: Thesaurus, q1_edition: str | None = None) -> QueryPlan:
    """Read the clause numbers in a question and the site words it uses."""
    entries = thesaurus.matches(text)
    hinted: dict[ClauseKey, float] = {}
    for entry in entries:
        for key in entry.clauses.clause_keys():
            hinted[key] = max(hinted.get(key, 0.0), 1.0)
    return QueryPlan(
        text=text,
        readings=read_clause_numbers(text, catalogue, q1_edition),
        terms=[e.term for e in entries],
        expanded=list(dict.fromkeys(e.means for e in entries)),
        hinted=hinted,
    )
