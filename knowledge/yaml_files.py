"""Load YAML data files into pydantic models, reporting errors as `file:line: field: message`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.errors import DataFileError
from knowledge.input_limits import DATA_FILE, InputLimits, check_yaml, read_limited_text

M = TypeVar("M", bound=BaseModel)
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _node_line(node: yaml.Node | None, loc: tuple) -> int | None:
    """Walk the composed YAML tree along a pydantic error location; return the deepest line found."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
            if child is None:
                child = next((k for k, _ in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        else:
            child = None
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def _field_path(loc: tuple, data: object) -> str:
    """Name the field like `clauses[12] (id 5.6.1).summary` so staff can find it."""
    parts: list[str] = []
    cursor = data
    for part in loc:
        if isinstance(part, int):
            label = f"[{part}]"
            if isinstance(cursor, list) and part < len(cursor):
                cursor = cursor[part]
                if isinstance(cursor, dict) and "id" in cursor:
                    label += f" (id {cursor['id']})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(part))
            cursor = cursor.get(part) if isinstance(cursor, dict) else None
    return "".join(parts) or "(top level)"


def duplicate_key(node: yaml.Node | None) -> yaml.Node | None:
    """The first mapping key written twice: YAML keeps only the last, so the first is silently lost."""
    stack = [node] if node is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    if key.value in seen:
                        return key
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None


def read_yaml(path: Path, limits: InputLimits = DATA_FILE) -> tuple[object, yaml.Node | None]:
    """Parse a YAML file safely and inside `limits`; syntax errors become a DataFileError with the line."""
    text = read_limited_text(path, limits)
    check_yaml(text, path, limits, _SafeLoader)
    # One pass: compose the node tree (for line numbers) and build the data from it. libyaml's loader,
    # where installed, is many times faster than the pure-Python one on the catalogue and rule packs.
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        duplicate = duplicate_key(node)
        if duplicate is not None:
            raise DataFileError(
                f"{path}:{duplicate.start_mark.line + 1}: {duplicate.value!r} is given twice in the same entry "
                "(only the last would count): keep one"
            )
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise DataFileError(f"{path}{line}: YAML syntax error: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path}: YAML error: {exc}") from None
    except (ValueError, OverflowError, RecursionError) as exc:
        # Raised while building values, e.g. an impossible date such as 2025-02-30.
        raise DataFileError(f"{path}: a value cannot be read ({exc}); quote it if it is meant as text") from None
    finally:
        loader.dispose()
    return data, node


def validation_message(path: Path, exc: ValidationError, data: object, node: yaml.Node | None) -> str:
    """One line for the first error of a pydantic ValidationError, located in the file."""
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    line = _node_line(node, loc)
    where = f"{path}:{line}" if line else str(path)
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {_field_path(loc, data)}: {err['msg']}{more}"


Problem = tuple[tuple, str]
"""A cross-field problem found after validation: (location as in pydantic's `loc`, message)."""


def load_yaml_model(
    path: Path, model: type[M], check: Callable[[M], Iterable[Problem]] | None = None
) -> M:
    """Read `path` and validate it as `model`, then run `check` for cross-field rules.

    Any problem raises one DataFileError line naming file, line and field.
    """
    data, node = read_yaml(path)
    if data is None:
        raise DataFileError(f"{path}: file is empty")
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        raise DataFileError(validation_message(path, exc, data, node)) from None
    for loc, message in check(parsed) if check else ():
        raise DataFileError(f"{locate(path, data, node, loc)}: {message}")
    return parsed


def locate(path: Path, data: object, node: yaml.Node | None, loc: tuple) -> str:
    """`file:line: field` for a location (as in pydantic's `loc`) inside a file read with `read_yaml`."""
    line = _node_line(node, loc)
    where = f"{path}:{line}" if line else str(path)
    return f"{where}: {_field_path(loc, data)}"
