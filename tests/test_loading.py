"""Strict loading: each malformed or hostile input class gives one clear finding, bounded in
time and memory, never an exception."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO
from toolkit.check.json_positions import scan
from toolkit.check.strict_json import MAX_DEPTH, fast_parse, load_json

CASES = [
    # (name, bytes, code, line, column)
    ("bom", b'\xef\xbb\xbf{"a": 1}', "encoding-bom", 1, 1),
    ("utf16", '{"a": 1}'.encode("utf-16"), "encoding-invalid", 1, 1),
    ("invalid-utf8", b'{\n  "a": "\xc3\x28"}', "encoding-invalid", 2, 9),
    ("nul-byte", b'{"a": "x\x00y"}', "json-syntax", 1, 9),
    ("empty", b"", "json-syntax", 1, 1),
    ("whitespace-only", b"  \n ", "json-syntax", 2, 2),
    ("truncated", b'{"a": [1, 2', "json-syntax", 1, 12),
    ("trailing-data", b'{"a": 1}\n{"b": 2}', "json-trailing-data", 2, 1),
    ("duplicate-key", b'{"a": 1,\n "a": 2}', "json-duplicate-key", 2, 2),
    ("duplicate-key-compact", b'{"b":{"a":1,"a":2}}', "json-duplicate-key", 1, 13),
    (
        "duplicate-key-spaced-colon",
        b'{"a" : 1, "b": [{"c" :1, "c": 2}]}',
        "json-duplicate-key",
        1,
        26,
    ),
    (
        "below-64-bits-in-list",
        b'{"a": [[1, -9223372036854775809]]}',
        "json-number-out-of-range",
        1,
        12,
    ),
    ("overflow-in-list", b'{"a": ["x", [2.5, -1e999]]}', "json-nonfinite-number", 1, 19),
    (
        "deep-nesting-in-object",
        b'{"a":' * 70 + b"1" + b"}" * 70,
        "json-too-deep",
        1,
        5 * MAX_DEPTH + 1,
    ),
    ("nan", b'{"a": NaN}', "json-nonfinite-number", 1, 7),
    ("infinity", b'{"a": -Infinity}', "json-nonfinite-number", 1, 7),
    ("float-overflow", b'{"a": 1e400}', "json-nonfinite-number", 1, 7),
    ("beyond-64-bits", b'{"a": 18446744073709551616}', "json-number-out-of-range", 1, 7),
    ("past-4300-digits", b'{"a": ' + b"9" * 5000 + b"}", "json-number-out-of-range", 1, 7),
    (
        "negative-past-4300-digits-in-list",
        b'{"a": [-' + b"1" * 100_000 + b"]}",
        "json-number-out-of-range",
        1,
        8,
    ),
    ("lone-surrogate", b'{"a": "\\udc00"}', "json-lone-surrogate", 1, 7),
    ("lone-surrogate-in-key", b'{"x": 1,\n "\\ud800": 2}', "json-lone-surrogate", 2, 2),
    (
        "duplicate-key-once-escaped",
        '{"\\ud83d\\ude00": 1, "😀": 2}'.encode(),
        "json-duplicate-key",
        1,
        21,
    ),
    ("array-document", b"[1, 2]", "document-not-object", 1, 1),
    ("scalar-document", b'"text"', "document-not-object", 1, 1),
    ("null-document", b"null", "document-not-object", 1, 1),
    ("deep-nesting", b"[" * 10_000 + b"]" * 10_000, "json-too-deep", 1, MAX_DEPTH + 1),
    ("single-quotes", b"{'a': 1}", "json-syntax", 1, 2),
    ("comment", b'{"a": 1 // no\n}', "json-syntax", 1, 9),
]


@pytest.mark.parametrize(
    ("name", "data", "code", "line", "column"), CASES, ids=[c[0] for c in CASES]
)
def test_hostile_input_gives_one_located_finding(
    tmp_path: Path, name: str, data: bytes, code: str, line: int, column: int
) -> None:
    path = tmp_path / f"{name}.json"
    path.write_bytes(data)
    loaded = load_json(path, path.name)
    assert [(f.code, f.line, f.column) for f in loaded.findings] == [(code, line, column)]
    assert loaded.findings[0].message and loaded.findings[0].hint


def test_crlf_and_lone_cr_files_load_with_correct_lines(tmp_path: Path) -> None:
    path = tmp_path / "crlf.json"
    path.write_bytes(b'{\r\n  "a": 1,\r\n  "a": 2\r\n}')
    [finding] = load_json(path, "crlf.json").findings
    assert (finding.code, finding.line, finding.column) == ("json-duplicate-key", 3, 3)


def test_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with open(path, "wb") as f:
        f.truncate(100 * 1024 * 1024)  # a sparse 100 MB file
    [finding] = load_json(path, "big.json").findings
    assert finding.code == "file-too-large"


def test_a_one_megabyte_string_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "long.json"
    path.write_text('{"notes": "' + "x" * 1_000_000 + '"}')
    loaded = load_json(path, "long.json")
    assert loaded.ok and not loaded.findings


def test_a_huge_number_is_shown_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_bytes(b'{"a": -' + b"1" * 100_000 + b"}")
    [finding] = load_json(path, "huge.json").findings
    assert finding.message == (
        "-11111111111111111111111111111… (100001 characters) does not fit in 64 bits"
    )


def test_a_long_duplicate_key_is_shown_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    path.write_text('{"' + "k" * 500 + '": 1, "' + "k" * 500 + '": 2}')
    [finding] = load_json(path, "key.json").findings
    assert finding.message == (
        f"key {'k' * 80!r}… (500 characters) appears more than once in this object"
    )


def test_integral_floats_are_read_as_the_integers_json_schema_takes_them_for(
    tmp_path: Path,
) -> None:
    path = tmp_path / "floats.json"
    path.write_text('{"a": 1.0, "b": 1e2, "c": 2.5, "d": 1e-400, "e": -0.0, "f": 1e19}')
    loaded = load_json(path, "floats.json")
    assert not loaded.findings
    assert [(k, type(v).__name__, v) for k, v in loaded.document.items()] == [
        ("a", "int", 1),
        ("b", "int", 100),
        ("c", "float", 2.5),
        ("d", "int", 0),
        ("e", "int", 0),
        ("f", "float", 1e19),
    ]


def test_positions_point_at_every_value() -> None:
    text = '{\n  "a": [1, {"b": "x\\"y"}],\n  "c/d": null\n}'
    pm = scan(text)
    assert pm.locate("/a/1/b") == (2, 18)
    assert pm.locate("/c~1d") == (3, 10)
    assert pm.locate("/a/1/missing") == (2, 12)  # the nearest existing ancestor


# The fast parse (orjson) and the careful parse (json) must read every document alike: the
# same values of the same types, or the fast parse gives way (None) to the careful one.
_NUMBERS = st.from_regex(r"\A-?(0|[1-9][0-9]{0,24})(\.[0-9]{1,20})?([eE][+-]?[0-9]{1,4})?\Z")
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


def _typed(value: Any) -> Any:
    """*value* with the type of every scalar beside it (1 == 1.0 == True in Python)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def _fast_agrees(text: str) -> bool:
    """True when the fast parse of *text* gives way or gives exactly what ``json.loads`` gives."""
    doc = fast_parse(text.encode("utf-8", "surrogatepass"), text, MAX_DEPTH)
    return doc is None or _typed(doc) == _typed(json.loads(text))


@settings(max_examples=400, deadline=None)
@given(number=_NUMBERS)
def test_the_fast_parse_reads_every_number_as_json_does(number: str) -> None:
    assert _fast_agrees(f'{{"n": {number}, "l": [{number}]}}')


@settings(max_examples=300, deadline=None)
@given(value=_JSON, ascii_only=st.booleans(), indent=st.sampled_from([None, 2]))
def test_the_fast_parse_reads_every_document_as_json_does(
    value: Any, ascii_only: bool, indent: int | None
) -> None:
    assert _fast_agrees(json.dumps({"v": value}, ensure_ascii=ascii_only, indent=indent))


@pytest.mark.parametrize(
    "text",
    [
        '{"n": 18446744073709551616}',  # past 2**64: a float to orjson, an int to json
        '{"n": -9223372036854775809}',
        '{"n": 9223372036854775808}',
        '{"n": 1e400}',
        '{"n": 1.5e19}',
        '{"s": "\\ud83d\\ude00"}',  # a surrogate pair, escaped
        '{"s": "\\udc00"}',
        '{"a": 1, "a": 2}',
        '{"a" :1, "b": {"c": 1, "c" : 2}}',
    ],
)
def test_the_fast_parse_gives_way_on_every_doubtful_document(text: str) -> None:
    doc = fast_parse(text.encode("utf-8", "surrogatepass"), text, MAX_DEPTH)
    if doc is not None:  # only the escaped pair is plain JSON
        assert text == '{"s": "\\ud83d\\ude00"}' and doc == json.loads(text)


def test_the_fast_parse_reads_the_seed_annotations_as_json_does() -> None:
    for path in sorted((REPO / "seeds" / "annotations").glob("*.json")):
        text = path.read_text("utf-8")
        doc = fast_parse(path.read_bytes(), text, MAX_DEPTH)
        assert doc is not None and _typed(doc) == _typed(json.loads(text))
