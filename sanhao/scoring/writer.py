"""A scheme document written back as the engine's TOML file.

`dumps_scheme(data)` writes a document as `loads_scheme` reads it (docs/scheme.md), keys in
the document's order: `loads_scheme(dumps_scheme(data))` has the same source hash as
`parse_scheme(data)`, so an unchanged document written again is the same scheme. Numbers
are written as TOML numbers when a TOML reader gives back exactly the same decimal, else as
numeric text (which the scheme's number fields accept); a number written as text stays text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
INLINE_WIDTH = 60  # a small table of numbers (the weights) stays on one line

__all__ = ["dumps_scheme"]


def _key(key: str) -> str:
    return key if BARE_KEY.match(key) else _string(key)


def _string(value: str) -> str:
    # JSON's escapes are a subset of TOML's basic strings; TOML also wants DEL escaped.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _decimal(value: Decimal) -> str:
    if not value.is_finite():
        return _string(str(value))
    if value == value.to_integral_value() and abs(value) < 10**15:
        return str(int(value))
    text = format(value.normalize(), "f")
    return text if Decimal(repr(float(text))) == Decimal(text) else _string(text)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(str(k))} = {_scalar(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"not a scheme value: {type(value).__name__}")


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _inline(value: Mapping[str, Any]) -> bool:
    """A small table of plain values, written on one line (`weights = { K = 0.4, … }`)."""
    if not value or any(isinstance(v, Mapping | list | tuple) for v in value.values()):
        return False
    return len(_scalar(value)) <= INLINE_WIDTH


def _table(path: list[str], table: Mapping[str, Any], lines: list[str], *,
           entry: bool = False) -> None:  # fmt: skip
    """The plain keys of a table first, then its tables and arrays of tables, in order.

    A table's header is written only when it has plain keys (or nothing at all): `[a.b]`
    implies `[a]`. An entry of an array of tables always has its `[[…]]` header."""
    plain: list[str] = []
    nested: list[tuple[str, Any]] = []
    for key, value in table.items():
        if (isinstance(value, Mapping) and not _inline(value)) or _is_table_list(value):
            nested.append((key, value))
        else:
            plain.append(f"{_key(str(key))} = {_scalar(value)}")
    name = ".".join(path)
    if entry:
        lines += ["", f"[[{name}]]"]
    elif path and (plain or not table):
        lines += ["", f"[{name}]"]
    lines += plain
    for key, value in nested:
        inner = [*path, _key(str(key))]
        if isinstance(value, Mapping):
            _table(inner, value, lines)
        else:
            for item in value:
                _table(inner, item, lines, entry=True)


def dumps_scheme(data: Mapping[str, Any], *, comment: str = "") -> str:
    """The document as a TOML file, with `comment` (one line or more) at its head."""
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    _table([], data, lines)
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines) + "\n"
