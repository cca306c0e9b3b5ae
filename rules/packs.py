"""Rule packs: reviewed YAML rules (id, grade, clauses, condition, statement template, fixtures), checked at load."""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from string import Template
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from knowledge.catalogue import Catalogue
from knowledge.errors import DataFileError, Q1AuditError
from knowledge.yaml_files import Problem, locate, read_yaml, validation_message
from rules.answers import coerce_value
from rules.checklist import CONTEXT_TYPES, Checklist, ClauseRefs
from rules.expressions import Condition, ExpressionError, compile_condition
from rules.grading import Basis, Impact, ProposedGrade, policy_grade
from rules.models import AnswerValue, AuditContext, ClauseCitation

PACK_DIR = Path(__file__).parent / "packs"
EditionName = Literal["API Q1:9th", "API Q1:10th"]
FIXTURE_AUDIT_DATE = date(2025, 6, 30)
"""The audit date a fixture uses unless it sets `audit_date` itself."""


class StatementTemplate(BaseModel):
    """Finding text with `$question_id`, `$question_id_note`, `$question_id_records` and `$audit_date` slots.

    `string.Template` is used on purpose: it only substitutes names, so a template can run no code.
    Without `evidence`, the evidence lists each question that fired the rule with its answer.
    """

    model_config = ConfigDict(extra="forbid")

    requirement: str = Field(min_length=10)
    evidence: str | None = None
    nonconformity: str = Field(min_length=10)


class Fixtures(BaseModel):
    """Answer sets on which the rule must fire, and on which it must stay quiet.

    Each set maps question ids to an answer as typed on site ("no - 3 of 5", "2024-01-10") or to
    {value, note, records}; `audit_date` and `audit_type` set the audit context.
    """

    model_config = ConfigDict(extra="forbid")

    fires: list[dict[str, Any]] = Field(min_length=1)
    quiet: list[dict[str, Any]] = Field(min_length=1)


class RuleEntry(BaseModel):
    """One rule as written in a pack file."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Z]{2,4}-\d{3}$")
    """Stable and never reused; a rule that is no longer wanted is marked retired, not deleted."""
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)+$")
    title: str = Field(min_length=10)
    status: Literal["active", "retired"] = "active"
    grade: ProposedGrade
    """The grade a certification body would give; the audit type's scheme maps it."""
    basis: Basis
    """Why that grade, in rules/GRADING.md's terms; `grade` must be what the policy gives basis and impact."""
    impact: Impact | None = None
    """Product impact the condition establishes (shipped, monogram, contained, corrected); it moves the grade."""
    editions: list[EditionName] = Field(default_factory=list)
    """The Q1 editions the requirement exists in; empty means every edition."""
    suppresses: list[str] = Field(default_factory=list)
    """Rule ids whose finding this rule's finding replaces when both fire (one event, one finding)."""
    clauses: ClauseRefs
    when: str | None = None
    statement: StatementTemplate | None = None
    fixtures: Fixtures | None = None

    @model_validator(mode="after")
    def _complete(self) -> RuleEntry:
        if self.status == "active" and (self.when is None or self.statement is None or self.fixtures is None):
            raise ValueError("an active rule needs when, statement and fixtures")
        if self.impact == "corrected" and self.basis != "lapse":
            raise ValueError("impact 'corrected' is only for a `lapse`: a missing procedure, a breakdown or an "
                             "absent process is not a slip the organization can put right by itself (rules/GRADING.md)")
        expected = policy_grade(self.basis, self.impact)
        if self.grade != expected:
            impact = f" and impact {self.impact!r}" if self.impact else ""
            raise ValueError(
                f"grade {self.grade!r} disagrees with the grading policy: basis {self.basis!r}{impact} "
                f"gives {expected!r} (rules/GRADING.md)"
            )
        return self

    def applies_to(self, criteria: Iterable[str]) -> bool:
        """Whether the rule applies under the session's criteria ("API Q1:9th" ...)."""
        q1 = [c for c in criteria if c.startswith("API Q1:")]
        return not self.editions or not q1 or any(c in self.editions for c in q1)


class PackFile(BaseModel):
    """One rule pack file: the rules of one process (each validated on its own as a RuleEntry)."""

    model_config = ConfigDict(extra="forbid")

    process: str
    rules: list[dict[str, Any]] = Field(min_length=1)


class Fixture(BaseModel):
    """A fixture answer set, typed."""

    answers: dict[str, AnswerValue]
    context: AuditContext


@dataclass(frozen=True)
class Rule:
    """A loaded rule: its entry, process, compiled condition and typed fixtures."""

    entry: RuleEntry
    process: str
    source: str
    """`file:line` where the rule starts, for messages."""
    condition: Condition | None
    citations: tuple[ClauseCitation, ...] = ()
    """The clauses it cites, each marked confirmed or not from the catalogue."""
    fires: tuple[Fixture, ...] = ()
    quiet: tuple[Fixture, ...] = ()

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def active(self) -> bool:
        return self.entry.status == "active"

    @property
    def question_ids(self) -> tuple[str, ...]:
        """The questions the condition reads (it is evaluated only when all of them are answered)."""
        if self.condition is None:
            return ()
        return tuple(s for s in self.condition.symbols if s not in CONTEXT_TYPES)


def template_slot(name: str, known: Container[str]) -> tuple[str, str] | None:
    """Split a template name into (question id, "value" | "note" | "records"); None if it names no question."""
    for suffix in ("note", "records"):
        if name.endswith(f"_{suffix}") and name[: -len(suffix) - 1] in known:
            return name[: -len(suffix) - 1], suffix
    return (name, "value") if name in known else None


def _fixture(checklist: Checklist, raw: dict[str, Any]) -> Fixture:
    """Type a fixture's answers; raises AnswerParseError, UnknownQuestionError or ValueError."""
    context = AuditContext(
        audit_date=raw.get("audit_date", FIXTURE_AUDIT_DATE),
        audit_type=raw.get("audit_type", "internal"),
        criteria=raw.get("criteria", []),
    )
    answers: dict[str, AnswerValue] = {}
    for question_id, given in raw.items():
        if question_id in CONTEXT_TYPES or question_id == "criteria":
            continue
        question = checklist.get(question_id)
        fields = given if isinstance(given, dict) else {"value": given}
        value = coerce_value(question, fields.get("value"))
        answers[question_id] = AnswerValue(
            question_id=question_id,
            value=value,
            note=str(fields.get("note", "")),
            records=[str(r) for r in fields.get("records", [])],
        )
    return Fixture(answers=answers, context=context)


class _PackReader:
    """Reads pack files one after another, collecting every problem as one `file:line: field: message` line."""

    def __init__(self, checklist: Checklist, catalogue: Catalogue):
        self.checklist = checklist
        self.catalogue = catalogue
        self.rules: list[Rule] = []
        self.errors: list[str] = []
        self._ids: set[str] = set()
        self._slugs: set[str] = set()

    def read(self, path: Path) -> None:
        try:
            data, node = read_yaml(path)
        except DataFileError as exc:
            self.errors.append(str(exc))
            return
        if data is None:
            self.errors.append(f"{path}: file is empty")
            return
        try:
            pack = PackFile.model_validate(data)
        except ValidationError as exc:
            self.errors.append(validation_message(path, exc, data, node))
            return
        if pack.process not in self.checklist.processes():
            self.errors.append(f"{locate(path, data, node, ('process',))}: no checklist process {pack.process!r}")
            return
        # Rules are validated one by one so that `rules check` reports every broken rule, not just the first.
        for i, raw in enumerate(pack.rules):
            try:
                entry = RuleEntry.model_validate(raw)
            except ValidationError as exc:
                first = exc.errors()[0]
                more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
                self.errors.append(f"{locate(path, data, node, ('rules', i, *first['loc']))}: {first['msg']}{more}")
                continue
            problems: list[Problem] = []
            rule = self._rule(entry, pack.process, ("rules", i), problems)
            for loc, message in problems:
                self.errors.append(f"{locate(path, data, node, loc)}: {message}")
            if not problems:
                source = locate(path, data, node, ("rules", i)).split(": ")[0]
                self.rules.append(Rule(source=source, **rule))

    def _rule(self, entry: RuleEntry, process: str, at: tuple, problems: list[Problem]) -> dict:
        if entry.id in self._ids:
            problems.append(((*at, "id"), f"rule id {entry.id} is used twice; ids are never reused"))
        if entry.slug in self._slugs:
            problems.append(((*at, "slug"), f"slug {entry.slug!r} is used twice"))
        self._ids.add(entry.id)
        self._slugs.add(entry.slug)
        problems.extend(entry.clauses.problems(self.catalogue, at))
        built: dict = {
            "entry": entry, "process": process, "condition": None,
            "citations": tuple(entry.clauses.citations(self.catalogue)),
        }
        if entry.status != "active":
            return built
        try:
            condition = compile_condition(
                entry.when or "", self.checklist.symbol_types(), self.checklist.allowed_values()
            )
        except ExpressionError as exc:
            problems.append(((*at, "when"), str(exc)))
            return built
        built["condition"] = condition
        questions = [s for s in condition.symbols if s not in CONTEXT_TYPES]
        if not questions:
            problems.append(((*at, "when"), "the condition reads no question"))
        problems.extend(self._template_problems(entry, at))
        for kind in ("fires", "quiet"):
            typed: list[Fixture] = []
            for j, raw in enumerate(getattr(entry.fixtures, kind)):
                try:
                    typed.append(_fixture(self.checklist, raw))
                except Q1AuditError as exc:
                    problems.append(((*at, "fixtures", kind, j), str(exc)))
                except ValueError as exc:  # a bad audit_date or audit_type in the fixture
                    problems.append(((*at, "fixtures", kind, j), f"bad audit context: {exc}".splitlines()[0]))
            built[kind] = tuple(typed)
        return built

    def _template_problems(self, entry: RuleEntry, at: tuple) -> Iterator[Problem]:
        question_ids = {q.id for q in self.checklist.questions()}
        for part in ("requirement", "evidence", "nonconformity"):
            text = getattr(entry.statement, part)
            if text is None:
                continue
            template = Template(text)
            if not template.is_valid():
                yield (*at, "statement", part), "bad $ placeholder (write $$ for a dollar sign)"
                continue
            for name in template.get_identifiers():
                if name not in CONTEXT_TYPES and template_slot(name, question_ids) is None:
                    yield (*at, "statement", part), f"${name} names no checklist question (or its _note, _records)"


def read_packs(paths: Iterable[Path], checklist: Checklist, catalogue: Catalogue) -> tuple[list[Rule], list[str]]:
    """Load pack files in the given order; return the rules that loaded and one line per problem."""
    reader = _PackReader(checklist, catalogue)
    for path in paths:
        reader.read(path)
    known = {r.id for r in reader.rules}
    for rule in reader.rules:
        for other in rule.entry.suppresses:
            if other not in known or other == rule.id:
                reader.errors.append(f"{rule.source}: rule {rule.id}: suppresses {other!r}, which is no other loaded rule")
    return reader.rules, reader.errors


def pack_files(target: Path) -> list[Path]:
    """A pack file, or every `*.yaml` in a directory in file-name order."""
    if target.is_dir():
        return sorted(target.glob("*.yaml"))
    if not target.exists():
        raise DataFileError(f"{target}: no such file or directory")
    return [target]


def load_packs(target: Path, checklist: Checklist, catalogue: Catalogue) -> list[Rule]:
    """Load rule packs, raising the first problem as a DataFileError."""
    rules, errors = read_packs(pack_files(target), checklist, catalogue)
    if errors:
        more = f" (and {len(errors) - 1} more; run `q1audit rules check`)" if len(errors) > 1 else ""
        raise DataFileError(errors[0] + more)
    return rules
