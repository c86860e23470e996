"""Strict loading of JSON documents: UTF-8 only, RFC 8259 only, bounded, with positions.

Python's ``json`` accepts NaN and Infinity, lets a duplicate key silently win, and keeps no
positions; here each of those is a finding, and every value's line and column can be looked up
(lazily, only for files that have findings).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from toolkit.check.json_positions import _SCALAR, PositionMap, scan
from toolkit.findings import Finding, RuleCode, declare, pointer_join, pointer_split
from toolkit.regular_file import FileTooLarge, NotRegularFile, read_regular
from toolkit.text import line_column

#: The codes of the file and JSON layers: what loading a file can find (a file name that
#: is not UTF-8 is found when the files are listed).
LOAD_CODES = declare(
    RuleCode(
        "file-unreadable",
        "file",
        "The file cannot be read",
        "Check that the path is a regular file inside the dataset (no symlink leaving it).",
    ),
    RuleCode(
        "file-name-invalid",
        "file",
        "The file name is not valid UTF-8",
        "Rename the file (the name shown escapes the bad bytes); the file is not read until then.",
    ),
    RuleCode(
        "file-too-large",
        "file",
        "The file is larger than the size limit",
        "Split the annotation; documents over the limit are not parsed.",
    ),
    RuleCode(
        "encoding-bom",
        "file",
        "The file starts with a byte-order mark",
        "Save the file as UTF-8 without BOM.",
    ),
    RuleCode(
        "encoding-invalid",
        "file",
        "The file is not valid UTF-8",
        "Save the file as UTF-8; the position shows the first bad byte.",
    ),
    RuleCode(
        "json-syntax",
        "json",
        "The file is not valid JSON (RFC 8259)",
        "Fix the syntax at the position shown (a truncated file ends too early).",
    ),
    RuleCode(
        "json-trailing-data",
        "json",
        "There is data after the JSON document",
        "Remove everything after the document's closing brace.",
    ),
    RuleCode(
        "json-duplicate-key",
        "json",
        "An object has the same key twice",
        "Keep one of the two keys; JSON parsers disagree on which one wins.",
    ),
    RuleCode(
        "json-nonfinite-number",
        "json",
        "NaN or Infinity is not JSON",
        "Use a finite number or null.",
    ),
    RuleCode(
        "json-number-out-of-range",
        "json",
        "A number does not fit in 64 bits",
        "Use an integer between -2^63 and 2^63-1 (offsets and counts are far smaller).",
    ),
    RuleCode(
        "json-too-deep",
        "json",
        "The document is nested deeper than the limit",
        "Annotation documents are a few levels deep; flatten the structure.",
    ),
    RuleCode(
        "json-lone-surrogate",
        "json",
        "A string has an unpaired UTF-16 surrogate escape",
        "Write the character itself, or a complete \\uD8xx\\uDCxx pair.",
    ),
    RuleCode(
        "document-not-object",
        "json",
        "The document is not a JSON object",
        "An annotation document is one object with schema_version, source and records.",
    ),
)

#: Largest annotation file parsed (bytes).
MAX_BYTES = 16 * 1024 * 1024
#: Deepest nesting of objects and arrays accepted (annotation documents need about 8).
MAX_DEPTH = 64
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
#: Longest integer literal that may lie inside 64 bits: a minus and 19 digits (JSON writes
#: no leading zeros).
_INT_DIGITS = 20
#: How much of a long number literal a message shows.
_SHOWN_DIGITS = 30
#: How much of a long key a message shows.
_SHOWN_CHARACTERS = 80
#: Integral floats below this size are typed as integers (see :func:`_float`).
_FLOAT_FROM_BIG_INT = float(2**63)

_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_TYPES = {list: "array", str: "string", bool: "boolean", type(None): "null"}
_BOMS = {
    b"\xef\xbb\xbf": "a UTF-8 byte-order mark",
    b"\xff\xfe": "a UTF-16 (little-endian) byte-order mark",
    b"\xfe\xff": "a UTF-16 (big-endian) byte-order mark",
}


@dataclass
class Loaded:
    """A loaded file: its text, the parsed document (None when it could not be parsed),
    the load findings, and a lazy map from JSON pointers to line and column."""

    file: str
    text: str | None = None
    document: Any = None
    findings: list[Finding] = field(default_factory=list)
    #: ids of records set aside because they broke their schema
    dropped_ids: set[str] = field(default_factory=set)
    #: the same ids -> the pointer of the record set aside
    dropped_at: dict[str, str] = field(default_factory=dict)
    #: SHA-256 of the bytes read (None when the file could not be read)
    sha256: str | None = None
    #: other files the checks read, by dataset-relative path: their SHA-256, None if absent
    read_also: dict[str, str | None] = field(default_factory=dict)
    #: (pointer, evidence object) of the document, once its rules listed them
    evidence: list[tuple[str, dict[str, Any]]] | None = field(default=None, repr=False)
    #: the text of the article the document annotates, as its rules read and hashed it
    #: (None before they ran, or when there is no readable UTF-8 article)
    article_text: str | None = field(default=None, repr=False)
    _positions: PositionMap | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.document is not None

    @property
    def positions(self) -> PositionMap:
        if self._positions is None:
            self._positions = scan(self.text or "null")
        return self._positions

    def locate(self, pointer: str) -> tuple[int, int]:
        if self.text is None:
            return (1, 1)
        return self.positions.locate(pointer)

    def finding(self, code: str, message: str, pointer: str = "", **kw: Any) -> Finding:
        line, column = self.locate(pointer)
        return Finding.make(
            code, message, file=self.file, pointer=pointer, line=line, column=column, **kw
        )


def load_json(
    path: Path | None,
    file: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    data: bytes | None = None,
    read: Callable[[int], bytes] | None = None,
) -> Loaded:
    """Read and parse *path* strictly; *file* is the name findings carry.

    :param data: the file's bytes when they are given (standard input), not read from *path*.
    :param read: how the file is read instead of from *path*, given the size limit (a
        dataset's :meth:`~toolkit.dataset.Dataset.read_bytes`); it raises as
        :func:`~toolkit.regular_file.read_regular` does.
    :returns: a :class:`Loaded` whose ``findings`` list every load problem; ``document`` is
        None when the file could not be parsed at all.
    """
    out = Loaded(file)
    try:
        if data is None and read is not None:
            data = read(max_bytes)
        elif data is None:
            if path is None:
                raise ValueError("load_json needs a path, data or read")
            data = read_regular(path, max_bytes)
        elif len(data) > max_bytes:
            raise FileTooLarge(max_bytes, len(data))
    except FileTooLarge as exc:
        out.findings.append(Finding.make("file-too-large", str(exc), file=file))
        return out
    except NotRegularFile as exc:
        out.findings.append(Finding.make("file-unreadable", str(exc), file=file))
        return out
    except OSError as exc:
        out.findings.append(Finding.make("file-unreadable", exc.strerror or str(exc), file=file))
        return out
    out.sha256 = hashlib.sha256(data).hexdigest()
    for bom, what in _BOMS.items():
        if data.startswith(bom):
            code = "encoding-bom" if bom == b"\xef\xbb\xbf" else "encoding-invalid"
            out.findings.append(
                Finding.make(code, f"the file starts with {what}", file=file, line=1, column=1)
            )
            return out
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = byte_position(data, exc.start)
        out.findings.append(
            Finding.make(
                "encoding-invalid",
                f"byte 0x{data[exc.start]:02x} at byte offset {exc.start} is not valid UTF-8",
                file=file,
                line=line,
                column=column,
            )
        )
        return out
    out.text = text
    doc = fast_parse(data, text, max_depth)
    if doc is not None:  # orjson refuses lone surrogates: none to look for
        out.document = doc
        return out
    depth, offset = _max_depth(text, max_depth)
    if depth > max_depth:
        line, col = line_column(text, offset)
        out.findings.append(
            Finding.make(
                "json-too-deep",
                f"nesting deeper than {max_depth} levels",
                file=file,
                line=line,
                column=col,
            )
        )
        return out
    problems: dict[str, bool] = {}
    try:
        doc = json.loads(
            text,
            object_pairs_hook=lambda pairs: _object(pairs, problems),
            parse_constant=lambda _c: _flag(problems, "nonfinite", math.nan),
            parse_int=lambda s: _int(s, problems),
            parse_float=lambda s: _float(s, problems),
        )
    except json.JSONDecodeError as exc:
        code = "json-trailing-data" if exc.msg == "Extra data" else "json-syntax"
        msg = exc.msg if text.strip() else "the file is empty"
        if code == "json-syntax" and text.strip() and exc.pos >= len(text.rstrip()):
            msg += " (the file ends too early: truncated?)"
        out.findings.append(Finding.make(code, msg, file=file, line=exc.lineno, column=exc.colno))
        return out
    except RecursionError:
        out.findings.append(Finding.make("json-too-deep", "nesting too deep to parse", file=file))
        return out
    out.findings.extend(_value_findings(out, problems))
    if _SURROGATE_ESCAPE.search(text):
        doc = _without_lone_surrogates(out, doc, "")
    if not isinstance(doc, dict):
        kind = _JSON_TYPES.get(type(doc), "number")
        out.findings.append(out.finding("document-not-object", f"the document is a JSON {kind}"))
        return out
    out.document = doc
    return out


def byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte *offset* of *data*, whose bytes before
    it are UTF-8."""
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, len(data[start:offset].decode("utf-8", "replace")) + 1


def _max_depth(text: str, limit: int) -> tuple[int, int]:
    """Deepest nesting of *text* (strings ignored) and the offset where the limit is passed."""
    if text.count("[") + text.count("{") <= limit:
        return 0, 0
    depth = deepest = 0
    bare = _STRINGS.sub(lambda m: " " * len(m.group(0)), text)
    for m in re.finditer(r"[\[\]{}]", bare):
        depth += 1 if m.group(0) in "[{" else -1
        if depth > limit:
            return depth, m.start()
        deepest = max(deepest, depth)
    return deepest, 0


#: A string followed by a colon: every object key, plus (rarely) look-alikes inside strings.
_KEY_COLON = re.compile(r'"\s*:')
_SPACED_COLON = re.compile(r'"\s+:')


def fast_parse(data: bytes, text: str, max_depth: int) -> dict[str, Any] | None:
    """The document when *data* (whose text is *text*) is plain, clean JSON, parsed by orjson;
    None when anything needs the careful parse: a syntax error, NaN or Infinity, a number that
    overflows a float, a lone surrogate (orjson refuses all of these), nesting over
    *max_depth*, an integer beyond 64 bits, any float (orjson turns integers past 2**64 into
    floats, and the careful parse types integral floats as integers), a duplicate key (fewer
    keys parsed than written) or a document that is not an object. What orjson accepts, it
    parses to the values ``json.loads`` gives (a test compares them)."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if type(doc) is not dict:
        return None
    keys = _clean_key_count(doc, max_depth)
    if keys is None or keys != _keys_written(text):
        return None
    return doc


def _keys_written(text: str) -> int:
    """How many object keys *text* writes, counting look-alikes inside strings too (a
    mismatch only sends the file to the careful parse)."""
    if _SPACED_COLON.search(text) is None:
        return text.count('":')  # the usual layout, counted at C speed
    return len(_KEY_COLON.findall(text))


def _clean_key_count(doc: dict[str, Any], max_depth: int) -> int | None:
    """Number of keys in *doc*, or None if it nests too deep or holds a number the careful
    parse would report. (Exact type tests, most frequent first: this walk visits every value
    of every file.)"""
    count = 0
    stack: list[tuple[Any, int]] = [(doc, 1)]
    push, pop = stack.append, stack.pop
    while stack:
        node, depth = pop()
        if depth > max_depth:
            return None
        if type(node) is dict:
            count += len(node)
            values: Any = node.values()
        else:
            values = node
        for v in values:
            kind = type(v)
            if kind is str:
                continue
            if kind is dict or kind is list:
                push((v, depth + 1))
            elif kind is int:
                if not INT_MIN <= v <= INT_MAX:
                    return None
            elif kind is float:
                return None  # the careful parse types it (see _float)
    return count


def _flag(problems: dict[str, bool], name: str, value: Any) -> Any:
    problems[name] = True
    return value


def _object(pairs: list[tuple[str, Any]], problems: dict[str, bool]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        problems["duplicate"] = True
    return obj


def _int(s: str, problems: dict[str, bool]) -> int:
    """The integer literal *s*; one beyond 64 bits is flagged and kept as the nearest value
    beyond the range (``INT_MAX + 1`` or ``INT_MIN - 1``), so no later step handles a number
    of unbounded size (Python refuses to convert literals of over 4,300 digits at all)."""
    if len(s) <= _INT_DIGITS:
        value = int(s)
        if INT_MIN <= value <= INT_MAX:
            return value
    problems["range"] = True
    return INT_MIN - 1 if s[0] == "-" else INT_MAX + 1


def _int_out_of_range(token: str) -> bool:
    """True when the integer literal *token* (digits, perhaps after a minus) lies outside
    64 bits; literals of any length are decided without converting them whole."""
    return len(token) > _INT_DIGITS or not INT_MIN <= int(token) <= INT_MAX


def _float(s: str, problems: dict[str, bool]) -> float | int:
    """The number literal *s* written with a fraction or an exponent. Its float is what JSON
    Schema judges, and JSON Schema takes an integral one (``1.0``, ``1e2``, ``1e-400``) for
    an integer; such a float within 64 bits is returned as that ``int``, so a document the
    schemas accept holds integers wherever they ask for one. An infinity is flagged."""
    value = float(s)
    if math.isinf(value):
        problems["nonfinite"] = True
    elif value.is_integer() and -_FLOAT_FROM_BIG_INT < value < _FLOAT_FROM_BIG_INT:
        return int(value)
    return value


def _value_findings(out: Loaded, problems: dict[str, bool]) -> list[Finding]:
    if not problems:
        return []
    pm = out.positions
    found: list[Finding] = []
    for pointer, pos in pm.duplicates:
        line, col = pm.line_col(pos)
        key = pointer_split(pointer)[-1]
        found.append(
            Finding.make(
                "json-duplicate-key",
                f"key {_quoted(key)} appears more than once in this object",
                file=out.file,
                pointer=pointer,
                line=line,
                column=col,
            )
        )
    text = out.text or ""
    for pointer, pos in pm.values.items():
        m = _SCALAR.match(text, pos)
        if m is None or text[pos] in 'tfn"':
            continue
        token = m.group(0)
        if token in ("NaN", "Infinity", "-Infinity") or (
            problems.get("nonfinite")
            and not token.lstrip("-").isdigit()
            and math.isinf(float(token))
        ):
            code = "json-nonfinite-number"
            msg = (
                f"{token} is not a JSON number"
                if token[-1] in "Ny"
                else f"{_shown(token)} overflows a 64-bit float to infinity"
            )
        elif token.lstrip("-").isdigit() and _int_out_of_range(token):
            code, msg = "json-number-out-of-range", f"{_shown(token)} does not fit in 64 bits"
        else:
            continue
        line, col = pm.line_col(pos)
        found.append(Finding.make(code, msg, file=out.file, pointer=pointer, line=line, column=col))
    return found


def _has_lone_surrogate(s: str) -> bool:
    """True when *s* holds a surrogate code point (JSON decodes a complete pair to one
    character, so any left is unpaired)."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _quoted(s: str) -> str:
    """*s* as a message quotes it: its repr, a long one cut short."""
    if len(s) <= _SHOWN_CHARACTERS:
        return repr(s)
    return f"{s[:_SHOWN_CHARACTERS]!r}… ({len(s)} characters)"


def _shown(token: str) -> str:
    """A number literal as a message shows it: a long one cut short, with its length."""
    if len(token) <= _SHOWN_DIGITS:
        return token
    return f"{token[:_SHOWN_DIGITS]}… ({len(token)} characters)"


def _without_lone_surrogates(out: Loaded, value: Any, pointer: str) -> Any:
    """*value* (found at *pointer*) with each unpaired surrogate of its strings, object keys
    included, replaced by U+FFFD, after a finding for each string that held one (a key's
    finding is at the key). The checks then go on with the rest of the document, and no
    string without a UTF-8 form reaches the table rows, Arrow or a report."""
    if isinstance(value, str):
        if not _has_lone_surrogate(value):
            return value
        out.findings.append(
            out.finding(
                "json-lone-surrogate", "the string holds an unpaired surrogate escape", pointer
            )
        )
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        kept: dict[str, Any] = {}
        for k, v in value.items():
            child = pointer + pointer_join(k)
            if _has_lone_surrogate(k):
                line, column = out.positions.locate_key(child)
                out.findings.append(
                    Finding.make(
                        "json-lone-surrogate",
                        "the key holds an unpaired surrogate escape",
                        file=out.file,
                        pointer=child,
                        line=line,
                        column=column,
                    )
                )
                k = _SURROGATE.sub("\ufffd", k)
            kept[k] = _without_lone_surrogates(out, v, child)
        return kept
    if isinstance(value, list):
        return [_without_lone_surrogates(out, v, f"{pointer}/{i}") for i, v in enumerate(value)]
    return value
