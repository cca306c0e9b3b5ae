"""Interview checklists: questions grouped by process, loaded from reviewed YAML under `rules/checklists/`."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from rule_engine.types import DataType

from knowledge.catalogue import ISO, Q1, Catalogue
from knowledge.errors import Q1AuditError
from knowledge.yaml_files import Problem, load_yaml_model
from rules.answers import typed_values
from rules.expressions import Condition, ExpressionError, as_engine_value, compile_condition
from rules.models import YESNO_VALUES, AnswerType, AnswerValue, ClauseCitation

CHECKLIST_DIR = Path(__file__).parent / "checklists"
CONTEXT_TYPES = {"audit_date": DataType.DATETIME, "audit_type": DataType.STRING}
AUDIT_TYPES = ("internal", "supplier", "pre-certification", "api")
ENGINE_TYPES = {
    AnswerType.yesno: DataType.STRING,
    AnswerType.number: DataType.FLOAT,
    AnswerType.date: DataType.DATETIME,
    AnswerType.text: DataType.STRING,
    AnswerType.choice: DataType.STRING,
    AnswerType.records: DataType.ARRAY(DataType.STRING),
}
# Statement templates read `<id>_note` and `<id>_records`, so question ids may not end that way.
RESERVED_SUFFIXES = ("_note", "_records")
GATE_OPEN = ("yes", "partial")
GATE_CLOSED = ("no", "na")


class UnknownQuestionError(Q1AuditError):
    title = "Unknown question"


def _quoted_clause_id(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError(f'clause ids must be quoted, e.g. "5.10" (YAML read {value!r} as a number)')
    return value


ClauseId = Annotated[str, BeforeValidator(_quoted_clause_id)]


class ClauseRefs(BaseModel):
    """The short clause form of checklists and rule packs: ids per standard and edition."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    q1_10th: list[ClauseId] = Field(default_factory=list)
    """Empty where the requirement's 10th-edition home is not established."""
    q1_9th: list[ClauseId] = Field(default_factory=list)
    iso: list[ClauseId] = Field(default_factory=list)

    def keyed(self) -> Iterator[tuple[str, str, str, str]]:
        """(field, standard, edition, id) in citation order: Q1 10th, Q1 9th, ISO."""
        for field, standard, edition in (("q1_10th", Q1, "10th"), ("q1_9th", Q1, "9th"), ("iso", ISO, "2015")):
            for clause_id in getattr(self, field):
                yield field, standard, edition, clause_id

    def citations(self, catalogue: Catalogue | None = None) -> list[ClauseCitation]:
        """The citations; with the catalogue, each says whether its number is confirmed."""
        return [cite(catalogue, s, e, i) for _, s, e, i in self.keyed()]

    def problems(self, catalogue: Catalogue, at: tuple) -> Iterator[Problem]:
        fields = ("q1_10th", "q1_9th", "iso")
        counters = dict.fromkeys(fields, 0)
        for field, standard, edition, clause_id in self.keyed():
            j = counters[field]
            counters[field] += 1
            if catalogue.get(standard, edition, clause_id) is None:
                label = f"{standard} {edition}" if standard == Q1 else standard
                yield (*at, "clauses", field, j), f"no {label} clause {clause_id!r} in the catalogue"
        if not any(getattr(self, f) for f in fields):
            yield (*at, "clauses"), "cite at least one clause"


def cite(catalogue: Catalogue | None, standard: str, edition: str, clause_id: str) -> ClauseCitation:
    """A citation that knows whether its number is confirmed: an API Q1 10th clause is confirmed only
    when the catalogue rates it verified (the 10th edition's structure is only partly established)."""
    confirmed = True
    if catalogue is not None and standard == Q1 and edition == "10th":
        clause = catalogue.get(standard, edition, clause_id)
        confirmed = clause is not None and clause.confirmed
    return ClauseCitation(standard=standard, edition=edition, id=clause_id, confirmed=confirmed)


class QuestionEntry(BaseModel):
    """A question as written in a checklist file."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
    """snake_case with a process prefix, e.g. `pur_critical_supplier_list`; it is also the condition symbol."""
    text: str = Field(min_length=10)
    """How an auditor asks it on site, in our own words."""
    help: str = Field(min_length=10)
    """What evidence to look for."""
    type: AnswerType
    choices: list[str] = Field(default_factory=list)
    clauses: ClauseRefs
    show_if: str | None = None
    """A condition over earlier answers; the question is asked only when it holds."""
    gate: str | None = None
    """An earlier yes/no applicability question ("Do you outsource special processes?"): this question is
    asked only after a yes (or partial); after no or n/a it does not apply and no rule reads it."""
    info: str | None = None
    """Why no rule reads this question (it only gathers evidence, a sample size or record ids)."""

    @model_validator(mode="after")
    def _consistent(self) -> QuestionEntry:
        if self.id.endswith(RESERVED_SUFFIXES):
            raise ValueError(f"question ids may not end in {' or '.join(RESERVED_SUFFIXES)}")
        if (self.type == AnswerType.choice) != bool(self.choices):
            raise ValueError("choices are given exactly when type is choice")
        if len({c.lower() for c in self.choices}) != len(self.choices):
            raise ValueError("choices must differ (case is ignored)")
        return self

    @property
    def allowed_values(self) -> tuple[str, ...] | None:
        """The only values a yes/no or choice answer can take."""
        if self.type == AnswerType.yesno:
            return YESNO_VALUES
        if self.type == AnswerType.choice:
            return tuple(self.choices)
        return None


class Question(QuestionEntry):
    """A checklist question with the process it belongs to."""

    model_config = ConfigDict(frozen=True)

    process: str


class ProcessFile(BaseModel):
    """One checklist file: the questions of one process."""

    model_config = ConfigDict(extra="forbid")

    process: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    q1_only: bool = False
    """The process audits requirements that API Q1 adds to ISO 9001 (listed first)."""
    questions: list[QuestionEntry] = Field(min_length=1)


class Checklist:
    """Every question in interview order, with compiled follow-up conditions."""

    def __init__(self, files: list[ProcessFile], conditions: dict[str, Condition]):
        self.files = files
        self._titles = {f.process: f.title for f in files}
        self._questions = {
            q.id: Question(process=f.process, **q.model_dump()) for f in files for q in f.questions
        }
        self._conditions = conditions
        self._types = symbol_types(self._questions.values())
        self._allowed = allowed_values(self._questions.values())

    def processes(self) -> list[str]:
        return [f.process for f in self.files]

    def title(self, process: str) -> str:
        return self._titles[process]

    def questions(self, process: str | None = None) -> list[Question]:
        if process is not None and process not in self._titles:
            raise UnknownQuestionError(f"no process {process!r}; processes are: {', '.join(self.processes())}")
        return [q for q in self._questions.values() if process is None or q.process == process]

    def get(self, question_id: str) -> Question:
        try:
            return self._questions[question_id]
        except KeyError:
            close = difflib.get_close_matches(question_id, self._questions, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UnknownQuestionError(f"no checklist question {question_id!r}{hint}") from None

    def symbol_types(self) -> dict[str, DataType]:
        """The typed context conditions are compiled against."""
        return self._types

    def allowed_values(self) -> dict[str, tuple[str, ...]]:
        return self._allowed

    def effective(self, values: Mapping[str, object], context: Mapping[str, object]) -> dict[str, object]:
        """Typed answer values of the questions that are asked, in checklist order.

        `values` holds typed values of answered questions. An answer to a follow-up whose condition no
        longer holds (the auditor changed the earlier answer) is left out, so it cannot fire rules; so is
        an answer to a gated question whose gate says no or n/a. An answer given while its gate is still
        unanswered is kept: the auditor who answered it found the question applicable.
        """
        kept: dict[str, object] = {}
        for question in self._questions.values():
            if question.id not in values or not self._gate_allows(question, values):
                continue
            condition = self._conditions.get(question.id)
            if condition is None or _holds(condition, kept, context):
                kept[question.id] = values[question.id]
        return kept

    def visible(self, question: Question, answers: Mapping[str, AnswerValue]) -> bool:
        """Whether `question` is asked, given the answers so far (follow-ups appear only when needed).

        A gated question is asked only once its gate was answered yes (or partial)."""
        condition = self._conditions.get(question.id)
        if condition is None and question.gate is None:
            return True
        kept = self.effective(typed_values(self, answers), {})
        if question.gate is not None and kept.get(question.gate) not in GATE_OPEN:
            return False
        return condition is None or _holds(condition, kept, {})

    def applicable(self, question_id: str, answers: Mapping[str, AnswerValue]) -> bool:
        """False when the question's gate (or its gate's gate) was answered no or n/a: the thing it asks
        about does not exist or did not happen, so the question counts as not applicable."""
        return self._gate_allows(self.get(question_id), typed_values(self, answers))

    def _gate_allows(self, question: Question, values: Mapping[str, object]) -> bool:
        while question.gate is not None:
            if values.get(question.gate) in GATE_CLOSED:
                return False
            question = self._questions[question.gate]
        return True


    def asked_ids(self, kept: Mapping[str, object]) -> set[str]:
        """Ids of every question asked given `effective` answers: `visible` for the whole checklist at once."""
        return {
            q.id for q in self._questions.values()
            if (condition := self._conditions.get(q.id)) is None or _holds(condition, kept, {})
        }


def symbol_types(questions: Iterable[QuestionEntry]) -> dict[str, DataType]:
    return {q.id: ENGINE_TYPES[q.type] for q in questions} | CONTEXT_TYPES


def allowed_values(questions: Iterable[QuestionEntry]) -> dict[str, tuple[str, ...]]:
    allowed = {q.id: q.allowed_values for q in questions if q.allowed_values}
    return allowed | {"audit_type": AUDIT_TYPES}


def _holds(condition: Condition, answered: Mapping[str, object], context: Mapping[str, object]) -> bool:
    """A condition holds only when every question it reads has been answered (and is asked)."""
    values: dict[str, object] = {}
    for symbol in condition.symbols:
        if symbol in answered:
            values[symbol] = as_engine_value(answered[symbol])
        elif symbol in context:
            values[symbol] = as_engine_value(context[symbol])
        else:
            return False
    return condition.holds(values)


def load_checklist_from(directory: Path, catalogue: Catalogue) -> Checklist:
    """Load every `*.yaml` below `directory` in file-name order, checking ids, clauses and conditions."""
    files: list[ProcessFile] = []
    conditions: dict[str, Condition] = {}
    earlier: dict[str, QuestionEntry] = {}

    def check(doc: ProcessFile) -> Iterator[Problem]:
        if doc.process in {f.process for f in files}:
            yield ("process",), f"process {doc.process!r} is already defined in another checklist file"
        for i, question in enumerate(doc.questions):
            if question.id in earlier:
                yield ("questions", i, "id"), f"duplicate question id {question.id!r}"
            yield from question.clauses.problems(catalogue, ("questions", i))
            if question.gate is not None:
                gate = earlier.get(question.gate)
                if gate is None or gate.type != AnswerType.yesno:
                    yield ("questions", i, "gate"), f"gate {question.gate!r} is not an earlier yes/no question"
            if question.show_if is not None:
                asked_before = earlier.values()
                try:
                    conditions[question.id] = compile_condition(
                        question.show_if, symbol_types(asked_before), allowed_values(asked_before)
                    )
                except ExpressionError as exc:
                    yield ("questions", i, "show_if"), str(exc)
            earlier[question.id] = question

    for path in sorted(directory.glob("*.yaml")):
        files.append(load_yaml_model(path, ProcessFile, check))
    return Checklist(files, conditions)

