"""The compiled (jsonschema-rs) fast path against python-jsonschema: it may only say "valid"
when python-jsonschema finds no error, and turning it off changes no finding."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, REPO, copy_dataset
from toolkit.check.run import validate_dataset
from toolkit.registry import SchemaRegistry

#: Values put in place of every leaf: wrong types, empty, impossible dates, ids with a
#: trailing newline, strings of characters Python and ECMA-262 disagree are spaces.
REPLACEMENTS: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    1.5,
    "",
    " ",
    "x",
    "2023-02-30",
    "2023-13-01",
    "act-china\n",
    "\x1c",
    "\x85",
    "\ufeff",
    "\u3000",
    [],
    {},
)


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, (*path, i))
    yield path


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(doc)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def _delete(doc: Any, path: tuple[Any, ...]) -> Any:
    out = copy.deepcopy(doc)
    node = out
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return out


def _mutants(doc: Any) -> Iterator[tuple[str, Any]]:
    for path in _leaves(doc):
        if not path:
            continue
        for value in REPLACEMENTS:
            yield f"{path} := {value!r}", _replace(doc, path, value)
        yield f"del {path}", _delete(doc, path)
    yield "extra key", {**doc, "unexpected": 1}


def _documents() -> list[tuple[str, str, Any]]:
    out = [
        ("annotation", p.name, json.loads(p.read_text("utf-8")))
        for p in sorted((DATA / "small" / "seeds" / "annotations").glob("*.json"))
    ]
    out.append(
        (
            "actor_registry",
            "actors.json",
            json.loads((DATA / "small/seeds/actors.json").read_text()),
        )
    )
    return out


@pytest.mark.parametrize(
    "name,file,doc", _documents(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_the_compiled_and_python_validators_agree_on_every_mutant(
    registry: SchemaRegistry, name: str, file: str, doc: Any
) -> None:
    version = doc["schema_version"]
    fast, slow = registry.fast_validator(name, version), registry.validator(name, version)
    assert fast is not None
    assert fast.is_valid(doc) and not list(slow.iter_errors(doc))
    compared = 0
    for label, mutant in _mutants(doc):
        slow_ok = not any(True for _ in slow.iter_errors(mutant))
        fast_ok = fast.is_valid(mutant)
        compared += 1
        assert fast_ok == slow_ok, f"the two validators disagree on {label}"
    assert compared > 400


@pytest.mark.parametrize(
    "path",
    [
        ("agreements", 0, "agreement_id"),
        ("dates", 0, "date_id"),
        ("actors", 0, "actor_id"),
        ("source", "article_id"),
        ("source", "sha256"),
        ("agreements", 0, "parties", 0, "actor_id"),
    ],
    ids=lambda p: "/".join(map(str, p)),
)
def test_both_validators_refuse_an_id_with_a_final_newline(
    registry: SchemaRegistry, path: tuple[Any, ...]
) -> None:
    doc = json.loads((REPO / "seeds" / "annotations" / "004_10177aab37503ad3.json").read_bytes())
    node = doc
    for key in path[:-1]:
        node = node[key]
    mutant = _replace(doc, path, node[path[-1]] + "\n")
    errors = list(registry.validator("annotation").iter_errors(mutant))
    assert [tuple(e.absolute_path) for e in errors] == [path]
    assert "does not match" in errors[0].message
    assert not registry.fast_validator("annotation").is_valid(mutant)


def test_the_seed_annotations_pass_both_validators(registry: SchemaRegistry) -> None:
    for path in sorted((REPO / "seeds" / "annotations").glob("*.json")):
        doc = json.loads(path.read_text("utf-8"))
        assert registry.fast_validator("annotation").is_valid(doc), path.name
        assert not list(registry.validator("annotation").iter_errors(doc)), path.name


CASES = sorted(p for p in (DATA / "invalid").iterdir() if p.is_dir())


def test_findings_are_the_same_with_and_without_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roots = [REPO, DATA / "small"]
    for case in CASES:
        roots.append(copy_dataset(DATA / "small", tmp_path / case.name, overlay=case))

    def report(root: Path) -> list[tuple[Any, ...]]:
        return sorted(validate_dataset(root).report.flatten(("file", "line", "pointer", "code")))

    with_fast = {str(r): report(r) for r in roots}
    monkeypatch.setattr(SchemaRegistry, "fast_validator", lambda self, *a, **k: None)
    without = {str(r): report(r) for r in roots}
    assert with_fast == without
