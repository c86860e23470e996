"""Strict loading: each malformed or hostile input class gives one clear finding, bounded in
time and memory, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.loading import MAX_DEPTH, load_json
from toolkit.positions import scan

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
    ("lone-surrogate", b'{"a": "\\udc00"}', "json-lone-surrogate", 1, 7),
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


def test_positions_point_at_every_value() -> None:
    text = '{\n  "a": [1, {"b": "x\\"y"}],\n  "c/d": null\n}'
    pm = scan(text)
    assert pm.locate("/a/1/b") == (2, 18)
    assert pm.locate("/c~1d") == (3, 10)
    assert pm.locate("/a/1/missing") == (2, 12)  # the nearest existing ancestor
