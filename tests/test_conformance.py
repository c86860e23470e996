"""Both validator paths against the official JSON-Schema-Test-Suite (draft 2020-12: every
required file and the optional ECMA-262 regex file, vendored in
``tests/data/json-schema-test-suite/`` at the commit its ``PINNED`` names), configured as the
toolkit configures them: formats asserted, ``$ref`` resolved only in the vendored remotes.

Every case either passes or is listed, with its reason, in :data:`KNOWN_DIFFERENCES`; a listed
case that starts passing fails too, so the list stays exact. Beside the suite: the classes
ECMA-262 defines (``\\d \\w \\s`` and their negations, ``.``) checked at every code point in
both paths, and a text of only U+FEFF refused as non-empty text by both.
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA
from toolkit import validate_dataset
from toolkit.registry import (
    SchemaRegistry,
    compiled_registry,
    compiled_validator,
    python_registry,
    python_validator,
)

SUITE = DATA / "json-schema-test-suite"
#: Where the suite serves ``remotes/`` from: its tests ``$ref`` documents by these URIs.
REMOTES_URI = "http://localhost:1234/"
SUITE_FILES = [
    *sorted((SUITE / "tests" / "draft2020-12").glob("*.json")),
    SUITE / "tests" / "draft2020-12" / "optional" / "ecmascript-regex.json",
]
#: The two validator paths of the toolkit: python-jsonschema with ECMA-262 patterns
#: (:func:`toolkit.registry.python_validator`) and jsonschema-rs
#: (:func:`toolkit.registry.compiled_validator`).
PATHS = ("python", "compiled")

_FORMAT_ASSERTED = (
    "the toolkit asserts format (an opt-in Draft 2020-12 allows); the required suite tests "
    "the default, where format is only an annotation"
)
_NO_VOCABULARIES = (
    "python-jsonschema does not implement $vocabulary: the keywords of a vocabulary the "
    "metaschema leaves out are applied all the same"
)


def _annotation_only(name: str) -> str:
    """The id of format.json's case of an invalid *name* string, valid by default."""
    return f"format.json::{name} format::invalid {name} string is only an annotation by default"


#: Every case a path fails, by path and case id, with the reason.
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {
    ("python", _annotation_only("date")): _FORMAT_ASSERTED,
    ("python", _annotation_only("email")): _FORMAT_ASSERTED,
    ("python", _annotation_only("idn-email")): _FORMAT_ASSERTED,
    ("python", _annotation_only("idn-hostname")): _FORMAT_ASSERTED,
    ("python", _annotation_only("ipv4")): _FORMAT_ASSERTED,
    ("python", _annotation_only("ipv6")): _FORMAT_ASSERTED,
    ("python", _annotation_only("regex")): _FORMAT_ASSERTED,
    ("python", _annotation_only("uuid")): _FORMAT_ASSERTED,
    (
        "python",
        "vocabulary.json::schema that uses custom metaschema with with no validation "
        "vocabulary::no validation: invalid number, but it still validates",
    ): _NO_VOCABULARIES,
    ("compiled", _annotation_only("date")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("date-time")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("duration")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("email")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("hostname")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("idn-email")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("idn-hostname")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("ipv4")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("ipv6")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("iri")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("iri-reference")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("json-pointer")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("regex")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("relative-json-pointer")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("time")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("uri")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("uri-reference")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("uri-template")): _FORMAT_ASSERTED,
    ("compiled", _annotation_only("uuid")): _FORMAT_ASSERTED,
}


@dataclass(frozen=True)
class Case:
    """One test of the suite: *data* against *schema* must give *valid*."""

    id: str
    schema: Any
    data: Any
    valid: bool


def _cases() -> list[Case]:
    """Every test of :data:`SUITE_FILES`, its id ``file::schema description::description``
    (``#n`` added to a repeated one)."""
    out: list[Case] = []
    seen: set[str] = set()
    for path in SUITE_FILES:
        name = path.relative_to(SUITE / "tests" / "draft2020-12").as_posix()
        for group in json.loads(path.read_text("utf-8")):
            for test in group["tests"]:
                case_id = base = f"{name}::{group['description']}::{test['description']}"
                n = 1
                while case_id in seen:
                    n += 1
                    case_id = f"{base}#{n}"
                seen.add(case_id)
                out.append(Case(case_id, group["schema"], test["data"], test["valid"]))
    return out


CASES = _cases()


def _remotes() -> Iterator[tuple[str, Any]]:
    """The vendored remotes, each under the URI the suite serves it at."""
    root = SUITE / "remotes"
    for path in sorted(root.rglob("*.json")):
        yield REMOTES_URI + path.relative_to(root).as_posix(), json.loads(path.read_text("utf-8"))


@cache
def _validator(path: str, schema_json: str) -> Any:
    """The validator of path *path* for the schema serialized as *schema_json*."""
    schema = json.loads(schema_json)
    if path == "python":
        return python_validator(schema, _python_remotes())
    return compiled_validator(schema, _compiled_remotes())


@cache
def _python_remotes() -> Any:
    return python_registry(_remotes())


@cache
def _compiled_remotes() -> Any:
    return compiled_registry(_remotes())


def _verdict(path: str, case: Case) -> bool | Exception:
    """What path *path* says of *case*'s data: valid or not, or the exception it raised."""
    try:
        return bool(_validator(path, json.dumps(case.schema)).is_valid(case.data))
    except Exception as error:
        return error


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_suite_case(path: str, case: Case) -> None:
    verdict = _verdict(path, case)
    passes = verdict is case.valid
    if (path, case.id) not in KNOWN_DIFFERENCES:
        assert passes, f"the {path} path says {verdict!r}: fix it or list it with its reason"
    else:
        assert not passes, f"{case.id!r} passes the {path} path now: take it off the list"


def test_the_known_differences_name_cases_of_the_suite() -> None:
    ids = {c.id for c in CASES}
    assert [key for key in KNOWN_DIFFERENCES if key[1] not in ids or key[0] not in PATHS] == []


def test_the_suite_is_the_pinned_one() -> None:
    pinned = (SUITE / "PINNED").read_text("utf-8").split()
    assert pinned[:2] == [
        "https://github.com/json-schema-org/JSON-Schema-Test-Suite",
        "44401e0c046704b476ec9d2e2fccdaee618f259d",
    ]
    assert len(CASES) == 1373
    assert (SUITE / "LICENSE").is_file()


#: Each spelling of a class ECMA-262 defines: the class (:func:`_ecma_class`), and whether the
#: spelling matches the code points outside it instead.
CLASS_SPELLINGS: list[tuple[str, str, bool]] = [
    spelling
    for letter in "dws"
    for spelling in (
        (f"\\{letter}", letter, False),
        (f"\\{letter.upper()}", letter, True),
        (f"[\\{letter}]", letter, False),
        (f"[\\{letter.upper()}]", letter, True),
        (f"[^\\{letter}]", letter, True),
        (f"[^\\{letter.upper()}]", letter, False),
    )
] + [(".", "line terminators", True)]


@cache
def _every_code_point() -> tuple[int, ...]:
    """Every code point but the lone surrogates (no text jsonschema-rs can take)."""
    return tuple(cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF)


@cache
def _ecma_class(name: str) -> frozenset[int]:
    """The code points of ECMA-262's ``\\d``, ``\\w``, ``\\s`` or LineTerminator, from its
    definitions (``\\s``: WhiteSpace, that is tab, vertical tab, form feed, space, no-break
    space, U+FEFF and the category Zs, and LineTerminator)."""
    terminators = {0x0A, 0x0D, 0x2028, 0x2029}
    if name == "d":
        return frozenset(map(ord, string.digits))
    if name == "w":
        return frozenset(map(ord, string.ascii_letters + string.digits + "_"))
    if name == "s":
        spaces = {cp for cp in _every_code_point() if unicodedata.category(chr(cp)) == "Zs"}
        return frozenset({0x09, 0x0B, 0x0C, 0x20, 0xA0, 0xFEFF} | terminators | spaces)
    return frozenset(terminators)


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("atom", "name", "outside"), CLASS_SPELLINGS, ids=[a for a, *_ in CLASS_SPELLINGS]
)
def test_a_class_matches_what_ecma_262_defines_at_every_code_point(
    path: str, atom: str, name: str, outside: bool
) -> None:
    members = _ecma_class(name)
    inside = "".join(chr(cp) for cp in _every_code_point() if (cp in members) is not outside)
    others = "".join(chr(cp) for cp in _every_code_point() if (cp in members) is outside)
    assert _validator(path, json.dumps({"pattern": f"^{atom}*$"})).is_valid(inside)
    assert not _validator(path, json.dumps({"pattern": atom})).is_valid(others)


#: Patterns beyond the suite's, with a string and whether ECMA-262 finds the pattern in it;
#: the paths that must agree (jsonschema-rs refuses a named backreference and an escaped
#: surrogate pair as no "regex").
ECMA_CASES: list[tuple[str, str, bool, tuple[str, ...]]] = [
    ("^a.c$", "a\rc", False, PATHS),
    ("^a.c$", "a\u2028c", False, PATHS),
    ("^a.c$", "a\x85c", True, PATHS),
    ("^.$", "\U0001f600", True, PATHS),
    ("^\\u{1F600}$", "\U0001f600", True, PATHS),
    ("^\\ud83d\\ude00$", "\U0001f600", True, ("python",)),
    ("^[\\cA-\\cZ]+$", "\x01\x1a", True, PATHS),
    ("^\\p{gc=Lu}\\P{L}$", "\u00c91", True, PATHS),
    ("^\\p{General_Category=Lu}$", "\u00e9", False, PATHS),
    ("^[\\p{Nd}\\s]+$", "\u09ea\ufeff", True, PATHS),
    ("^(?<x>a)b$", "ab", True, PATHS),
    ("^(?<x>a)\\k<x>$", "aa", True, ("python",)),
    ("^\\S+$", "\x1c\x85", True, PATHS),
    ("^\\S$", "\ufeff", False, PATHS),
]


@pytest.mark.parametrize(
    ("pattern", "text", "found", "paths"), ECMA_CASES, ids=[f"{p}~{t!r}" for p, t, *_ in ECMA_CASES]
)
def test_patterns_beyond_the_suite_read_as_ecma_262(
    pattern: str, text: str, found: bool, paths: tuple[str, ...]
) -> None:
    for path in paths:
        assert _validator(path, json.dumps({"pattern": pattern})).is_valid(text) is found, path


def test_a_property_python_does_not_know_is_an_error_not_a_verdict() -> None:
    with pytest.raises(re.error, match="Script"):
        python_validator({"pattern": "\\p{Script=Greek}"}, _python_remotes()).is_valid("a")


def test_our_schemas_use_no_syntax_the_python_path_leaves_to_python(
    registry: SchemaRegistry,
) -> None:
    """The released schemas use none of the syntax where the dialects disagree and that
    the python path leaves to Python (see ``toolkit.registry._ecma_regex``)."""
    patterns = sorted(set(_patterns(registry.schemas)))
    assert patterns
    for pattern in patterns:
        assert not any(s in pattern for s in ("\\b", "\\B", "[]", "[^]", "(?", "\\A", "\\Z"))


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            elif key == "patternProperties" and isinstance(value, dict):
                yield from value
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


# A non-empty text field made of U+FEFF only, through the real schemas and the whole check.
_ANNOTATION = "900_00000000000000a1.json"
_POINTER = ("agreements", 0, "title_as_reported")


def _with_title(doc: dict[str, Any], title: str) -> dict[str, Any]:
    out = json.loads(json.dumps(doc))
    out["agreements"][0]["title_as_reported"] = title
    return out


@pytest.mark.parametrize("text", ["\ufeff", "\ufeff\ufeff", "\ufeff\u3000\u2028"])
def test_a_text_of_only_u_feff_is_refused_by_both_validators(
    registry: SchemaRegistry, text: str
) -> None:
    path = DATA / "small" / "seeds" / "annotations" / _ANNOTATION
    doc = _with_title(json.loads(path.read_text("utf-8")), text)
    version = doc["schema_version"]
    errors = list(registry.validator("annotation", version).iter_errors(doc))
    assert [tuple(e.absolute_path) for e in errors] == [_POINTER]
    assert "does not match" in errors[0].message
    assert not registry.fast_validator("annotation", version).is_valid(doc)
    assert registry.fast_validator("annotation", version).is_valid(_with_title(doc, "\ufeffx"))


@pytest.mark.parametrize("fast", [True, False], ids=["with-fast-path", "python-only"])
def test_the_check_refuses_a_text_of_only_u_feff(
    small: Path, fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not fast:
        monkeypatch.setattr(SchemaRegistry, "fast_validator", lambda self, *a, **k: None)
    path = small / "seeds" / "annotations" / _ANNOTATION
    path.write_text(
        json.dumps(_with_title(json.loads(path.read_text("utf-8")), "\ufeff"), indent=2),
        encoding="utf-8",
    )
    report = validate_dataset(small).report
    assert not report.valid
    found = report.flatten(("file", "pointer", "message"))
    assert [(Path(f).name, p) for f, p, m in found if "does not match" in m] == [
        (_ANNOTATION, "/agreements/0/title_as_reported")
    ]
