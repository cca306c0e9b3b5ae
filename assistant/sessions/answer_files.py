"""Bulk answers files (YAML or JSON): read the mapping of question id to answer, with the line of each entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from assistant.sessions.errors import AnswerFileError, AttachmentError
from knowledge.input_limits import ANSWERS_FILE, check_yaml, load_json, read_limited_text
from knowledge.text_safety import clean_strings
from knowledge.yaml_files import duplicate_key

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
    # Aliases are never needed in an answers file, but a hostile one can expand to billions of values.
    check_yaml(text, path, ANSWERS_FILE, TextDates)
    try:
        loader = TextDates(text)  # a SafeLoader: builds no arbitrary objects
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise AnswerFileError([f"{path}{line}: YAML syntax error: {exc.problem or exc}"]) from None
    except yaml.YAMLError as exc:
        raise AnswerFileError([f"{path}: YAML error: {exc}"]) from None
    except (ValueError, OverflowError) as exc:
        raise AnswerFileError([f"{path}: a value cannot be read ({exc}); quote it if it is meant as text"]) from None
    duplicate = duplicate_key(node)
    if duplicate is not None:
        raise AnswerFileError([
            f"{path}:{duplicate.start_mark.line + 1}: {duplicate.value!r} is given twice (only the last would count): "
            "keep one"
        ])
    lines = {str(key.value): key.start_mark.line + 1 for key, _ in node.value} if isinstance(node, yaml.MappingNode) else {}
    return data, lines


def read_answers_file(path: Path) -> tuple[dict, dict[str, int]]:
    """The mapping in a YAML or JSON answers file and the line of each question id (YAML only).

    The file is read inside `ANSWERS_FILE`'s limits, and control characters (NUL, terminal escapes) are
    taken out of every text in it: the file comes from someone else.
    """
    text = read_limited_text(path, ANSWERS_FILE)
    if path.suffix.lower() == ".json":
        try:
            data, lines = load_json(text, path, ANSWERS_FILE), {}
        except json.JSONDecodeError as exc:
            raise AnswerFileError([f"{path}:{exc.lineno}: JSON syntax error: {exc.msg}"]) from None
    else:
        data, lines = _yaml_mapping(path, text)
    if not isinstance(data, dict) or not data:
        raise AnswerFileError([f"{path}: expected a mapping of question id to answer (value or {{value, note, records}})"])
    return clean_strings(data), lines
