"""Bulk answers files (YAML or JSON): read the mapping of question id to answer, with the line of each entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from assistant.sessions.errors import AnswerFileError, AttachmentError

RecordIds = list[Annotated[str, BeforeValidator(str)]]
"""Record ids as text even where YAML reads them as numbers (a PO number like 4711)."""


class AnswerEntry(BaseModel):
    """One entry of a bulk answers file written as an object rather than a bare value."""

    model_config = ConfigDict(extra="forbid")

    value: Any
    note: str = ""
    records: RecordIds = Field(default_factory=list)
    interviewee: str | None = None
    role: str | None = None
    attachments: list[str] = Field(default_factory=list)
    """Paths relative to the answers file's folder, and inside it."""


def attachment_path(folder: Path, name: str) -> Path:
    """An attachment named in an answers file: relative to the file's folder and inside it, links resolved."""
    path = Path(name)
    if path.is_absolute() or not (folder / path).resolve().is_relative_to(folder.resolve()):
        raise AttachmentError(f"attachment {name!r} must be a path inside the answers file's folder")
    return folder / path


def _yaml_mapping(path: Path, text: str) -> tuple[object, dict[str, int]]:
    """Parse YAML with dates left as text, so an impossible one (2025-02-30) is reported against its question."""
    import yaml

    class TextDates(yaml.SafeLoader):
        pass

    TextDates.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    try:
        node = yaml.compose(text, Loader=TextDates)
        data = yaml.load(text, Loader=TextDates)  # a SafeLoader: builds no arbitrary objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise AnswerFileError([f"{path}{line}: YAML syntax error: {exc.problem or exc}"]) from None
    except yaml.YAMLError as exc:
        raise AnswerFileError([f"{path}: YAML error: {exc}"]) from None
    lines = {str(key.value): key.start_mark.line + 1 for key, _ in node.value} if isinstance(node, yaml.MappingNode) else {}
    return data, lines


def read_answers_file(path: Path) -> tuple[dict, dict[str, int]]:
    """The mapping in a YAML or JSON answers file and the line of each question id (YAML only)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AnswerFileError([f"{path}: cannot read ({exc})"]) from None
    if path.suffix.lower() == ".json":
        try:
            data, lines = json.loads(text), {}
        except json.JSONDecodeError as exc:
            raise AnswerFileError([f"{path}:{exc.lineno}: JSON syntax error: {exc.msg}"]) from None
    else:
        data, lines = _yaml_mapping(path, text)
    if not isinstance(data, dict) or not data:
        raise AnswerFileError([f"{path}: expected a mapping of question id to answer (value or {{value, note, records}})"])
    return data, lines
