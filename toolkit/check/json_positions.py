"""Line and column of every value in a JSON text, by RFC 6901 pointer.

Python's ``json`` keeps no positions, so this scanner walks the text once more. It runs only
for files that have findings, so valid files pay nothing for it. It also reports duplicate keys
with their positions, which ``json`` silently collapses. The caller has already checked that the
text is valid JSON no deeper than the nesting limit, so the recursion is bounded.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field

from toolkit.findings import pointer_join

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|NaN|-?Infinity")


def _unescape(raw: str) -> str:
    """The value of the JSON string literal *raw* (quotes included), decoded as ``json``
    decodes it: an escaped surrogate pair is one character, a lone surrogate stays one."""
    if "\\" not in raw:
        return raw[1:-1]
    return str(json.loads(raw))


@dataclass
class PositionMap:
    """Offsets of values and keys in one JSON text, and the duplicate keys found on the way."""

    text: str
    values: dict[str, int] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    _line_starts: list[int] = field(default_factory=list, repr=False)

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in code points) of *offset*."""
        if not self._line_starts:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def locate(self, pointer: str) -> tuple[int, int]:
        """Position of the value at *pointer*, or of its nearest ancestor that exists."""
        while pointer not in self.values:
            if not pointer:
                return (1, 1)
            pointer = pointer[: pointer.rfind("/")]
        return self.line_col(self.values[pointer])

    def locate_key(self, pointer: str) -> tuple[int, int]:
        """Position of the key that holds *pointer* (falls back to the value's position)."""
        if pointer in self.keys:
            return self.line_col(self.keys[pointer])
        return self.locate(pointer)


def scan(text: str) -> PositionMap:
    """Record the offset of every value and key of *text* (valid JSON)."""
    pm = PositionMap(text)
    _value(text, _skip(text, 0), "", pm)
    return pm


def _skip(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()  # type: ignore[union-attr]


def _value(text: str, pos: int, pointer: str, pm: PositionMap) -> int:
    pm.values[pointer] = pos
    ch = text[pos]
    if ch == "{":
        return _object(text, pos, pointer, pm)
    if ch == "[":
        return _array(text, pos, pointer, pm)
    m = (_STRING if ch == '"' else _SCALAR).match(text, pos)
    if m is None:
        raise ValueError(f"unexpected character at offset {pos}")
    return m.end()


def _object(text: str, pos: int, pointer: str, pm: PositionMap) -> int:
    seen: set[str] = set()
    pos = _skip(text, pos + 1)
    if text[pos] == "}":
        return pos + 1
    while True:
        m = _STRING.match(text, pos)
        if m is None:
            raise ValueError(f"expected a key at offset {pos}")
        key = _unescape(m.group(0))
        child = pointer + pointer_join(key)
        if key in seen:
            pm.duplicates.append((child, pos))
        seen.add(key)
        pm.keys[child] = pos
        pos = _skip(text, _skip(text, m.end()) + 1)  # past the colon
        pos = _skip(text, _value(text, pos, child, pm))
        if text[pos] == "}":
            return pos + 1
        pos = _skip(text, pos + 1)  # past the comma


def _array(text: str, pos: int, pointer: str, pm: PositionMap) -> int:
    pos = _skip(text, pos + 1)
    if text[pos] == "]":
        return pos + 1
    index = 0
    while True:
        pos = _skip(text, _value(text, pos, f"{pointer}/{index}", pm))
        if text[pos] == "]":
            return pos + 1
        pos = _skip(text, pos + 1)
        index += 1
