"""What people say on site that a clause answers: stories, complaints and questions in shop-floor words.

Search matches a question against these as well as against the clause's summary (index/facets.py): a
question told as a story ("the relief valve on the test pump was never serviced") reads much more like
another story about the same clause than like the clause's own wording. Our own words, reviewed data,
one file per catalogue file under `data/site_questions/`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from knowledge.catalogue import DATA_DIR, Catalogue, ClauseKey, StandardName
from knowledge.yaml_files import Problem, load_yaml_model

SITE_QUESTIONS_DIR = DATA_DIR / "site_questions"

SiteQuestion = Annotated[str, StringConstraints(strip_whitespace=True, min_length=15, max_length=300)]


class SiteQuestionFile(BaseModel):
    """One edition of one standard: clause id -> what is heard on site that the clause answers."""

    model_config = ConfigDict(extra="forbid")

    standard: StandardName
    edition: str
    clauses: dict[str, list[SiteQuestion]] = Field(min_length=1)


def _check(catalogue: Catalogue) -> Callable[[SiteQuestionFile], Iterable[Problem]]:
    def check(data: SiteQuestionFile) -> Iterable[Problem]:
        if (data.standard, data.edition) not in catalogue.editions():
            yield ("edition",), f"no {data.standard} edition {data.edition!r} in the catalogue"
            return
        seen: dict[str, str] = {}
        for clause_id, questions in data.clauses.items():
            if catalogue.get(data.standard, data.edition, clause_id) is None:
                yield ("clauses", clause_id), f"no {data.standard} {data.edition} clause {clause_id!r}"
            for i, text in enumerate(questions):
                folded = " ".join(text.lower().split())
                if folded in seen:
                    yield ("clauses", clause_id, i), f"already written under clause {seen[folded]}"
                seen[folded] = clause_id

    return check


def load_site_questions_from(directory: Path, catalogue: Catalogue) -> list[tuple[ClauseKey, str]]:
    """(clause, text) for every site question in the directory's files, checked against the catalogue."""
    out: list[tuple[ClauseKey, str]] = []
    for path in sorted(directory.glob("*.yaml")):
        data = load_yaml_model(path, SiteQuestionFile, _check(catalogue))
        out += [
            (ClauseKey(data.standard, data.edition, clause_id), text)
            for clause_id, questions in data.clauses.items()
            for text in questions
        ]
    return out


@cache
def load_site_questions() -> tuple[tuple[ClauseKey, str], ...]:
    """The bundled site questions, loaded once per process."""
    from knowledge.catalogue import load_catalogue

    return tuple(load_site_questions_from(SITE_QUESTIONS_DIR, load_catalogue()))
