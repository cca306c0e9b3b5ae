"""Limits on every file a user or a colleague can hand us: size, nesting depth, alias expansion and time.

YAML aliases let a 500-byte file stand for a billion strings ("billion laughs"): the parser keeps them
shared, but whatever walks the result afterwards (validation, coercion) pays for every copy. So a YAML
text is first read as a stream of parser events, one at a time and without recursion, counting the
nodes it stands for with every alias expanded; only a text inside the limits is then built. JSON has
no aliases; it is size-capped (its C parser is linear, so the size bounds the time), and its depth and
node count are checked without recursion.
Every refusal is one line naming the file and the limit.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from knowledge.errors import DataFileError


class InputLimitError(DataFileError):
    """A file is over one of the limits of its kind (size, depth, alias expansion, time)."""

    title = "File refused"


@dataclass(frozen=True)
class InputLimits:
    """What one kind of input may be at most."""

    kind: str
    """Named in the error, e.g. "answers file"."""
    max_bytes: int
    max_depth: int
    max_nodes: int
    """Values (scalars, lists and mappings) the file stands for, with every YAML alias expanded."""
    max_seconds: float


ANSWERS_FILE = InputLimits("answers file", max_bytes=20 << 20, max_depth=20, max_nodes=200_000, max_seconds=20)
SESSION_EXPORT = InputLimits("session export", max_bytes=200 << 20, max_depth=40, max_nodes=5_000_000, max_seconds=120)
DATA_FILE = InputLimits("data file", max_bytes=10 << 20, max_depth=40, max_nodes=1_000_000, max_seconds=30)
"""Catalogue, crosswalk, checklists, rule packs, grading, evaluation sets."""
FRONT_MATTER = InputLimits("front matter", max_bytes=64 << 10, max_depth=10, max_nodes=2_000, max_seconds=2)
BACKUP_MANIFEST = InputLimits("backup manifest", max_bytes=64 << 20, max_depth=10, max_nodes=2_000_000, max_seconds=60)

_CHECK_CLOCK_EVERY = 1024


def read_limited_text(path: Path, limits: InputLimits) -> str:
    """The file's UTF-8 text, refused before reading when it is over the size limit."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise InputLimitError(f"{path}: is {_mb(size)}, over the {_mb(limits.max_bytes)} limit for {_a(limits.kind)}")
        with path.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise InputLimitError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limits.max_bytes:  # grew while we looked, or a special file
        raise InputLimitError(f"{path}: is over the {_mb(limits.max_bytes)} limit for {_a(limits.kind)}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputLimitError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def check_text_size(text: str, path: Path | str, limits: InputLimits) -> None:
    """Refuse a text already in memory that is over the size limit."""
    if len(text) > limits.max_bytes:
        raise InputLimitError(f"{path}: is over the {_mb(limits.max_bytes)} limit for {_a(limits.kind)}")


def check_yaml(text: str, path: Path | str, limits: InputLimits, loader_class: type) -> None:
    """Walk the YAML parser's events once and refuse the text if it is too deep, expands to too many
    values through aliases, or takes too long. Syntax errors are left to the real load that follows."""
    import yaml

    check_text_size(text, path, limits)
    started = time.monotonic()
    try:
        loader = loader_class(text)  # its reader refuses NUL and other unprintable characters at once
    except yaml.YAMLError:
        return  # the load that follows reports it in one line
    sizes: dict[str, int] = {}
    stack: list[list] = [[0, None]]  # per open collection: [values it stands for so far, its anchor]
    total = 0
    events = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            events += 1
            if events % _CHECK_CLOCK_EVERY == 0 and time.monotonic() - started > limits.max_seconds:
                raise InputLimitError(f"{path}: takes over {limits.max_seconds:g} s to read; refused")
            if isinstance(event, yaml.AliasEvent):
                if event.anchor not in sizes:
                    raise InputLimitError(f"{path}: alias *{event.anchor} refers to itself or to nothing; refused")
                added = sizes[event.anchor]
            elif isinstance(event, yaml.ScalarEvent):
                added = 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.CollectionStartEvent):
                stack.append([1, event.anchor])
                if len(stack) - 1 > limits.max_depth:
                    raise InputLimitError(
                        f"{path}: nested deeper than {limits.max_depth} levels, the limit for {_a(limits.kind)}"
                    )
                continue
            elif isinstance(event, yaml.CollectionEndEvent):
                count, anchor = stack.pop()
                if anchor is not None:
                    sizes[anchor] = count
                added = count
            else:
                continue
            stack[-1][0] += added
            total += added
            if stack[-1][0] > limits.max_nodes or total > limits.max_nodes:
                raise InputLimitError(
                    f"{path}: stands for over {limits.max_nodes:,} values (aliases expanded), "
                    f"the limit for {_a(limits.kind)}; refused"
                )
    except yaml.YAMLError:
        return  # the load that follows reports the syntax error with its line
    finally:
        loader.dispose()


def load_json(text: str, path: Path | str, limits: InputLimits) -> object:
    """Parse JSON inside the limits; `json.JSONDecodeError` is left to the caller (it has a line number)."""
    check_text_size(text, path, limits)
    try:
        data = json.loads(text)
    except RecursionError:
        raise InputLimitError(
            f"{path}: nested deeper than {limits.max_depth} levels, the limit for {_a(limits.kind)}"
        ) from None
    check_shape(data, path, limits)
    return data


def check_shape(data: object, path: Path | str, limits: InputLimits) -> None:
    """Depth and value count of parsed data, walked without recursion."""
    pending: list[tuple[object, int]] = [(data, 0)]
    count = 0
    while pending:
        value, depth = pending.pop()
        count += 1
        if count > limits.max_nodes:
            raise InputLimitError(f"{path}: holds over {limits.max_nodes:,} values, the limit for {_a(limits.kind)}")
        if isinstance(value, dict | list):
            if depth + 1 > limits.max_depth:
                raise InputLimitError(
                    f"{path}: nested deeper than {limits.max_depth} levels, the limit for {_a(limits.kind)}"
                )
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _mb(size: int) -> str:
    return f"{size / (1 << 20):.1f} MB" if size >= 1 << 20 else f"{size / 1024:.0f} KB"
