"""Text from files and other people made safe to store and print: no control characters, no terminal escapes.

A note or a document title holding ESC sequences can retitle a terminal, clear it, plant a hyperlink
that shows one address and opens another, or write the clipboard (OSC 52). NUL characters break CSV
readers and C strings. Tabs and newlines are kept; every other C0 and C1 control character and DEL
goes, and so does each whole escape sequence they start, so no fragment like `]0;title` is left.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_ESCAPE_SEQUENCE = re.compile(
    r"""
      \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?     # OSC: title, hyperlink, clipboard ...
    | \x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?          # DCS, SOS, PM, APC strings
    | \x1b\[[0-?]*[ -/]*[@-~]?                          # CSI: colours, cursor moves, screen clears
    | \x9b[0-?]*[ -/]*[@-~]?                            # CSI as one C1 character
    | \x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?       # OSC as one C1 character
    | \x1b[ -/]*[0-~]?                                  # any other escape
    """,
    re.VERBOSE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SGR = re.compile(r"\x1b\[[0-9;:]*m")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` without escape sequences, control characters (except tab and newline) or lone surrogates."""
    if not _CONTROL.search(text) and not _LONE_SURROGATE.search(text):
        return text
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _CONTROL.sub("", text)
    return _LONE_SURROGATE.sub("\ufffd", text)


def clean_terminal_output(text: str) -> str:
    """What q1audit writes to a terminal: its own colour codes (SGR) kept, every other escape removed.

    A colour code that came from data can at worst colour the rest of a line; it cannot move the cursor,
    retitle the window, link or touch the clipboard.
    """
    if "\x1b" not in text and not _CONTROL.search(text) and not _LONE_SURROGATE.search(text):
        return text
    parts = _SGR.split(text)
    codes = _SGR.findall(text)
    out = [clean_text(parts[0])]
    for code, part in zip(codes, parts[1:], strict=True):
        out += [code, clean_text(part)]
    return "".join(out)


def clean_strings(data: object, clean: Callable[[str], str] = clean_text) -> object:
    """The same nested lists and mappings with every string (keys too) cleaned; walked without recursion."""
    root: list[object] = [data]
    pending: list[tuple[list | dict, object]] = [(root, 0)]
    while pending:
        holder, key = pending.pop()
        value = holder[key]
        if isinstance(value, str):
            holder[key] = clean(value)
        elif isinstance(value, list):
            copy = list(value)
            holder[key] = copy
            pending.extend((copy, i) for i in range(len(copy)))
        elif isinstance(value, dict):
            copy = {clean(k) if isinstance(k, str) else k: v for k, v in value.items()}
            holder[key] = copy
            pending.extend((copy, k) for k in copy)
    return root[0]
