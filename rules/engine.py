"""The rule engine: answers in, proposed findings out, the same every time for the same answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template

from knowledge.catalogue import Catalogue, load_catalogue
from knowledge.hashing import file_sha256
from rules.answers import format_answer, typed_values
from rules.checklist import CHECKLIST_DIR, Checklist, load_checklist_from
from rules.expressions import ConditionEvaluationError, as_engine_value
from rules.grading import GRADING_FILE, Grading, load_grading
from rules.models import (
    AnswerType,
    AnswerValue,
    AuditContext,
    ClauseCitation,
    EscalationHint,
    Grade,
    ProposedFinding,
    Statement,
)
from rules.packs import PACK_DIR, Rule, load_packs, template_slot

RULES_DIR = Path(__file__).parent


@dataclass(frozen=True)
class FixtureResult:
    """One fixture of one rule, run: did the rule do what the fixture says?"""

    rule_id: str
    kind: str
    """Either "fires" or "quiet"."""
    index: int
    passed: bool
    source: str


class RuleEngine:
    """Checklist, rule packs and grading, loaded and validated once; evaluation is pure."""

    def __init__(self, checklist: Checklist, rules: list[Rule], grading: Grading, files: list[Path]):
        self.checklist = checklist
        self.rules = rules
        self.grading = grading
        self._files = files
        self._order = {q.id: i for i, q in enumerate(checklist.questions())}

    @classmethod
    def load(cls, packs: Path | None = None, checklists: Path | None = None) -> RuleEngine:
        """The bundled checklist and packs (validated once per process), or others for checking and tests."""
        if packs is None and checklists is None:
            return _bundled()
        return cls._load(packs or PACK_DIR, checklists or CHECKLIST_DIR, load_catalogue())

    @classmethod
    def _load(cls, packs: Path, checklists: Path, catalogue: Catalogue) -> RuleEngine:
        checklist = load_checklist_from(checklists, catalogue)
        rules = load_packs(packs, checklist, catalogue)
        files = sorted(checklists.glob("*.yaml")) + (sorted(packs.glob("*.yaml")) if packs.is_dir() else [packs])
        return cls(checklist, rules, load_grading(), [*files, GRADING_FILE])

    def active_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.active]

    def fingerprint(self) -> dict[str, str]:
        """File name -> sha256 of every checklist, pack and grading file, to record what a session used."""
        def name(path: Path) -> str:
            return path.relative_to(RULES_DIR).as_posix() if path.is_relative_to(RULES_DIR) else path.name

        return {name(p): file_sha256(p) for p in self._files}

    def _prepare(
        self, answers: Mapping[str, AnswerValue], ctx: AuditContext
    ) -> tuple[dict[str, object], dict[str, object]]:
        """Typed values of the asked questions, and the same as rule-engine values with the context."""
        context = {"audit_date": ctx.audit_date, "audit_type": ctx.audit_type}
        kept = self.checklist.effective(typed_values(self.checklist, answers), context)
        engine_values = {k: as_engine_value(v) for k, v in (kept | context).items()}
        return kept, engine_values

    def evaluate(self, answers: Mapping[str, AnswerValue], ctx: AuditContext) -> list[ProposedFinding]:
        """Proposed findings in rule order (pack file order, then order in the file).

        A rule is evaluated only when every question its condition reads is answered and asked
        (follow-ups whose condition no longer holds count as unanswered); otherwise it stays quiet.
        Answers to questions no longer in the checklist, or no longer readable as its type, are ignored,
        and so are answers to gated questions whose gate says no or n/a. A rule that states editions is
        skipped when the session's criteria name only other Q1 editions. When two rules fire on one event,
        the pack says which finding stands (`suppresses`).
        """
        kept, engine_values = self._prepare(answers, ctx)
        fired = [r for r in self.active_rules() if self._fires(r, kept, engine_values, ctx)]
        # One event, one finding: a rule's finding replaces those of the rules it suppresses.
        suppressed = {other for r in fired for other in r.entry.suppresses}
        return [self._finding(r, kept, answers, ctx) for r in fired if r.id not in suppressed]

    @staticmethod
    def _fires(rule: Rule, kept: Mapping[str, object], engine_values: Mapping[str, object], ctx: AuditContext) -> bool:
        if rule.condition is None or any(q not in kept for q in rule.question_ids):
            return False
        if not rule.entry.applies_to(ctx.criteria):
            return False
        try:
            return rule.condition.holds(engine_values)
        except ConditionEvaluationError as exc:
            raise ConditionEvaluationError(f"{rule.source}: rule {rule.id}: {exc}") from None

    def fires(self, rule: Rule, answers: Mapping[str, AnswerValue], ctx: AuditContext) -> bool:
        kept, engine_values = self._prepare(answers, ctx)
        return self._fires(rule, kept, engine_values, ctx)

    def _finding(
        self, rule: Rule, kept: Mapping[str, object], answers: Mapping[str, AnswerValue], ctx: AuditContext
    ) -> ProposedFinding:
        fired_by = sorted(rule.question_ids, key=self._order.__getitem__)
        template = rule.entry.statement
        context = {"audit_date": ctx.audit_date.isoformat(), "audit_type": ctx.audit_type}

        def fill(text: str) -> str:
            slots = dict(context)
            for name in Template(text).get_identifiers():
                slot = template_slot(name, self._order)
                if slot is not None:
                    slots[name] = self._slot_text(*slot, kept, answers)
            return " ".join(Template(text).safe_substitute(slots).split())

        evidence = fill(template.evidence) if template.evidence else self._evidence(fired_by, kept, answers)
        return ProposedFinding(
            id=rule.id,
            rule_id=rule.id,
            slug=rule.entry.slug,
            title=rule.entry.title,
            process=rule.process,
            grade=self.grading.grade(rule.entry.grade, ctx.audit_type),
            clauses=list(rule.citations),
            statement=Statement(
                requirement=fill(template.requirement), evidence=evidence, nonconformity=fill(template.nonconformity)
            ),
            fired_by=fired_by,
        )

    def _records(self, question_id: str, kept: Mapping[str, object], answers: Mapping[str, AnswerValue]) -> list[str]:
        if answers[question_id].records:
            return list(answers[question_id].records)
        if self.checklist.get(question_id).type == AnswerType.records:
            return list(kept[question_id])
        return []

    def _slot_text(
        self, question_id: str, kind: str, kept: Mapping[str, object], answers: Mapping[str, AnswerValue]
    ) -> str:
        if question_id not in kept:
            return "(not answered)"
        if kind == "note":
            return answers[question_id].note
        if kind == "records":
            return ", ".join(self._records(question_id, kept, answers)) or "none"
        return format_answer(self.checklist.get(question_id), kept[question_id])

    def _evidence(self, fired_by: list[str], kept: Mapping[str, object], answers: Mapping[str, AnswerValue]) -> str:
        """Each question that fired the rule, with its answer, note and records."""
        lines = []
        for qid in fired_by:
            question = self.checklist.get(qid)
            line = f"{question.text} Answer: {format_answer(question, kept[qid])}."
            if answers[qid].note:
                line += f" Note: {answers[qid].note}."
            records = self._records(qid, kept, answers)
            if records and question.type != AnswerType.records:
                line += f" Records: {', '.join(records)}."
            lines.append(line)
        return " ".join(" ".join(lines).split())

    def escalation_hints(self, findings: list[ProposedFinding]) -> list[EscalationHint]:
        """Minor findings that pile up on one clause (their first citation) or one process."""
        minors = [f for f in findings if f.grade == Grade.minor]
        limits = self.grading.escalation
        by_clause: dict[ClauseCitation, list[str]] = {}
        by_process: dict[str, list[str]] = {}
        for finding in minors:
            if finding.clauses:
                by_clause.setdefault(finding.clauses[0], []).append(finding.id)
            by_process.setdefault(finding.process, []).append(finding.id)
        hints = [
            EscalationHint(
                clause=clause,
                finding_ids=ids,
                message=f"{len(ids)} minor findings against {clause} ({', '.join(ids)}): consider whether "
                "together they show a systemic failure and so a major nonconformity.",
            )
            for clause, ids in by_clause.items()
            if len(ids) >= limits.minors_per_clause
        ]
        covered = {tuple(h.finding_ids) for h in hints}
        hints += [
            EscalationHint(
                process=process,
                finding_ids=ids,
                message=f"{len(ids)} minor findings in {self.checklist.title(process)} ({', '.join(ids)}): "
                "consider whether the process has broken down, which would be a major nonconformity.",
            )
            for process, ids in by_process.items()
            if len(ids) >= limits.minors_per_process and tuple(ids) not in covered
        ]
        return hints

    def run_fixtures(self) -> list[FixtureResult]:
        """Run every fixture of every active rule."""
        results = []
        for rule in self.active_rules():
            for kind, fixtures in (("fires", rule.fires), ("quiet", rule.quiet)):
                for i, fixture in enumerate(fixtures):
                    fired = self.fires(rule, fixture.answers, fixture.context)
                    results.append(FixtureResult(rule.id, kind, i, fired == (kind == "fires"), rule.source))
        return results


@cache
def _bundled() -> RuleEngine:
    return RuleEngine._load(PACK_DIR, CHECKLIST_DIR, load_catalogue())
