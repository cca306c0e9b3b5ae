"""Conditions in rule-engine syntax, compiled once against a typed context and checked before any audit.

Why these limits: conditions are data written by quality staff, so they must not be able to hang or
surprise the app. Regex operators are refused (no catastrophic backtracking) and so are comprehensions
(nested ones multiply: six levels over ten items each is a million steps), so evaluation is linear in the
capped length of the text. Only pure built-ins are allowed (`$now`, `$today` and `$random` would make
findings depend on when they were computed). Python's eval is never involved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

import rule_engine
import rule_engine.ast as ast
from rule_engine.types import DataType

from knowledge.errors import Q1AuditError

MAX_LENGTH = 400
ALLOWED_BUILTINS = frozenset({"abs", "min", "max", "sum", "all", "any"})
TYPE_WORDS = {"STRING": "text", "FLOAT": "a number", "DATETIME": "a date", "ARRAY": "a list", "BOOLEAN": "true/false"}


class ExpressionError(ValueError):
    """A condition that cannot be compiled; the message is one line and says where and why."""


class ConditionEvaluationError(Q1AuditError):
    """A compiled condition failed on some answers (a division by zero, an index past the end)."""

    title = "Rule could not be evaluated"


# String literals are blanked before looking for operators, so `"~"` inside quotes is still allowed.
_STRING_LITERAL = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
# rule-engine folds constant sub-expressions while parsing, so a regex match or a comprehension on
# literals would run inside Rule(): they are refused from the text, before it is parsed.
_REFUSED = [
    (re.compile(r"[=!]~"), "regular-expression operators (=~, !~) are not allowed in conditions"),
    (re.compile(r"\bfor\b"), "comprehensions ([... for x in ...]) are not allowed in conditions"),
]


@dataclass(frozen=True)
class Condition:
    """A compiled condition and the symbols it reads, in order of first use."""

    text: str
    rule: rule_engine.Rule
    symbols: tuple[str, ...]

    def holds(self, values: Mapping[str, object]) -> bool:
        try:
            return bool(self.rule.evaluate(values))
        except rule_engine.errors.EngineError as exc:
            reason = getattr(exc, "message", "") or type(exc).__name__
            raise ConditionEvaluationError(f"condition {self.text!r} failed on these answers: {reason}") from None


def _nodes(node: ast.ASTNodeBase) -> Iterator[ast.ASTNodeBase]:
    """Every node below `node`. rule-engine has no public walker, so follow public node attributes."""
    yield node
    for name in dir(node):
        if name.startswith("_"):
            continue
        try:
            value = getattr(node, name)
        except Exception:  # noqa: BLE001 - some attributes are computed and may refuse; they hold no nodes
            continue
        for child in value if isinstance(value, list | tuple) else (value,):
            if isinstance(child, ast.ASTNodeBase) and child is not node:
                yield from _nodes(child)


def _type_word(data_type: object) -> str:
    return TYPE_WORDS.get(getattr(data_type, "name", ""), str(data_type))


def _literals(node: ast.ASTNodeBase) -> list[str] | None:
    if isinstance(node, ast.StringExpression):
        return [node.value]
    if isinstance(node, ast.ArrayExpression) and all(isinstance(m, ast.StringExpression) for m in node.value):
        return [m.value for m in node.value]
    return None


def _check_nodes(statement: ast.Statement, allowed_values: Mapping[str, tuple[str, ...]]) -> None:
    for node in _nodes(statement):
        if isinstance(node, ast.SymbolExpression) and node.scope == "built-in" and node.name not in ALLOWED_BUILTINS:
            allowed = ", ".join(f"${name}" for name in sorted(ALLOWED_BUILTINS))
            raise ExpressionError(f"${node.name} is not allowed in conditions (allowed: {allowed}; use audit_date for today)")
        if isinstance(node, ast.ComparisonExpression | ast.ContainsExpression):
            _check_comparison(node, allowed_values)


def _check_comparison(node: ast.ASTNodeBase, allowed_values: Mapping[str, tuple[str, ...]]) -> None:
    if isinstance(node, ast.ContainsExpression):
        # `member in container`: ContainsExpression keeps them as `member` and `container`.
        sides = (node.member, node.container)
    else:
        sides = (node.left, node.right)
    left_type, right_type = (side.result_type for side in sides)
    if isinstance(node, ast.ComparisonExpression) and not (
        DataType.is_compatible(left_type, right_type) or DataType.NULL in (left_type, right_type)
    ):
        raise ExpressionError(f"compares {_type_word(left_type)} with {_type_word(right_type)}")
    for symbol, other in (sides, sides[::-1]):
        if isinstance(symbol, ast.SymbolExpression) and symbol.name in allowed_values:
            values = _literals(other)
            for value in values or ():
                if value not in allowed_values[symbol.name]:
                    choices = ", ".join(repr(v) for v in allowed_values[symbol.name])
                    raise ExpressionError(f"{symbol.name} is never {value!r} (its answers are {choices})")


def compile_condition(
    text: str,
    types: Mapping[str, DataType],
    allowed_values: Mapping[str, tuple[str, ...]] | None = None,
) -> Condition:
    """Compile `text` against symbols of known types; raise ExpressionError with a one-line reason.

    `allowed_values` lists the only strings a symbol can hold (yes/no answers, choices), so a
    comparison with a misspelt literal such as `x == "No"` is caught here rather than never firing.
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"condition is {len(text)} characters long; the limit is {MAX_LENGTH}")
    code = _STRING_LITERAL.sub('""', text)
    for pattern, message in _REFUSED:
        if pattern.search(code):
            raise ExpressionError(message)
    used: list[str] = []
    base = rule_engine.type_resolver_from_dict(dict(types))

    def resolve(name: str) -> DataType:
        resolved = base(name)
        if name not in used:
            used.append(name)
        return resolved

    context = rule_engine.Context(type_resolver=resolve, default_timezone=UTC)
    try:
        rule = rule_engine.Rule(text, context=context)
    except rule_engine.RuleSyntaxError as exc:
        if exc.token is None:
            raise ExpressionError("syntax error: the condition ends too early") from None
        column = exc.token.lexpos + 1
        raise ExpressionError(f"syntax error at column {column} near {exc.token.value!r}") from None
    except rule_engine.SymbolResolutionError as exc:
        hint = f" (did you mean {exc.suggestion!r}?)" if exc.suggestion else ""
        raise ExpressionError(f"unknown question id {exc.symbol_name!r}{hint}") from None
    except rule_engine.errors.SyntaxError as exc:
        raise ExpressionError(f"bad literal: {exc.message}") from None
    except rule_engine.EvaluationError as exc:
        typed = ", ".join(f"{name} is {_type_word(types[name])}" for name in used)
        raise ExpressionError(f"type error: {exc.message} ({typed})") from None
    except (ArithmeticError, ValueError) as exc:  # literals are folded while parsing: t"P99999999999D"
        raise ExpressionError(f"a literal is out of range ({exc})") from None
    _check_nodes(rule.statement, allowed_values or {})
    return Condition(text=text, rule=rule, symbols=tuple(used))


def as_engine_value(value: object) -> object:
    """Dates become UTC datetimes so they compare with date literals and `audit_date`."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, list):
        return tuple(value)
    return value
