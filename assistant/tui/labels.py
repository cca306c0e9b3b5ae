"""Words the app shows instead of stored ids and command-line advice: statuses, processes, messages."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rules.checklist import Checklist

SESSION_STATUS = {
    "planned": "planned",
    "in_progress": "in progress",
    "in_review": "in review",
    "closed": "closed",
}
GRADE_NAMES = {"ofi": "opportunity for improvement"}
"""Grades whose stored id is not a word; the others (major, minor, nonconformity, observation) are."""
# Advice written for the shell, and what it means in the app.
_CLI_HINTS = [
    (re.compile(r"\s*\(q1audit finding decide[^)]*\)"), " in the findings panel (F5)"),
    (re.compile(r"\s*\((?:see )?`?q1audit [^)]*`?\)"), ""),
    (re.compile(r";?\s*run `q1audit [^`]*`"), ""),
    (re.compile(r";\s*use --force to overwrite it"), ": tick “Overwrite an existing file” to replace it"),
    (re.compile(r",? or --all$"), ", or ask how Q1 differs from ISO"),
    (re.compile(r"\s*give a file name with -o"), " give a file name"),
    (re.compile(r"--(edition|standard|format): "), r"\1: "),
    (re.compile(r"whatever --for says"), "whoever it is for"),
]


def session_status(status: str) -> str:
    """`in_review` -> `in review`."""
    return SESSION_STATUS.get(status, status.replace("_", " "))


def grade_label(grade: str, short: bool = True) -> str:
    """`ofi` -> `OFI` in a table column, `opportunity for improvement` in full text."""
    if short and grade == "ofi":
        return "OFI"
    return GRADE_NAMES.get(grade, grade)


def process_title(checklist: Checklist, process: str | None) -> str:
    """`record_retention` -> `Record retention` (the checklist's title); unknown ids in words."""
    if not process:
        return ""
    try:
        return checklist.title(process)
    except KeyError:  # a process retired from the checklist since: its id in words is the best we have
        return process.replace("_", " ")


def for_the_app(message: str) -> str:
    """A service message without the command-line advice it carries for the shell."""
    for pattern, replacement in _CLI_HINTS:
        message = pattern.sub(replacement, message)
    return message
