"""Grading schemes per audit type and the thresholds for suggesting that minors add up to a major."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from knowledge.yaml_files import load_yaml_model
from rules.models import AuditType, Grade

GRADING_FILE = Path(__file__).parent / "grading.yaml"
ProposedGrade = Literal["major", "minor", "observation", "ofi"]
Basis = Literal["absence", "breakdown", "procedure", "lapse", "weakness", "improvement"]
"""What a rule's finding is, in the words of rules/GRADING.md."""
Impact = Literal["shipped", "monogram", "contained", "corrected"]
"""What happened to product: nonconforming product released or shipped; the API Monogram on nonconforming
product that left the site; a nonconformity caught by the organization's own controls before release; an
isolated slip the organization's own process had already caught and put right before the audit."""
POLICY_BASIS: dict[str, ProposedGrade] = {
    "absence": "major",
    "breakdown": "major",
    "procedure": "minor",
    "lapse": "minor",
    "weakness": "observation",
    "improvement": "ofi",
}


def policy_grade(basis: Basis, impact: Impact | None = None) -> ProposedGrade:
    """The grade rules/GRADING.md gives a finding of this basis and product impact.

    Product shipped or Monogrammed nonconforming product raises any nonconformity to major; a
    nonconformity contained before release lowers a major to minor (it never raises a weakness); an
    isolated lapse the organization had already corrected itself is an observation.
    """
    grade = POLICY_BASIS[basis]
    if impact in ("shipped", "monogram") and grade in ("major", "minor"):
        return "major"
    if impact == "contained" and grade == "major":
        return "minor"
    if impact == "corrected" and basis == "lapse":
        return "observation"
    return grade


class Escalation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    minors_per_clause: int = Field(ge=2)
    minors_per_process: int = Field(ge=2)


class Grading(BaseModel):
    """The grading file: schemes (proposed grade -> recorded grade) and which audit type uses which."""

    model_config = ConfigDict(extra="forbid")

    schemes: dict[str, dict[ProposedGrade, Grade]]
    audit_types: dict[AuditType, str]
    escalation: Escalation

    @model_validator(mode="after")
    def _complete(self) -> Grading:
        for name, scheme in self.schemes.items():
            missing = set(ProposedGrade.__args__) - set(scheme)
            if missing:
                raise ValueError(f"scheme {name!r} does not map {', '.join(sorted(missing))}")
        for audit_type, scheme in self.audit_types.items():
            if scheme not in self.schemes:
                raise ValueError(f"audit type {audit_type!r} uses unknown scheme {scheme!r}")
        missing_types = set(AuditType.__args__) - set(self.audit_types)
        if missing_types:
            raise ValueError(f"no scheme for audit type {', '.join(sorted(missing_types))}")
        return self

    def grade(self, proposed: str, audit_type: str) -> Grade:
        return self.schemes[self.audit_types[audit_type]][proposed]


def load_grading(path: Path = GRADING_FILE) -> Grading:
    return load_yaml_model(path, Grading)
