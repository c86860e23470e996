"""Schema-violation messages point the right way: a value failing an anyOf/oneOf gets the
message of the branch it was meant for, a `then` that held only because its `if`'s property
is absent gives no second finding, and every hint says what to write. Both released
versions: the seeds are 1.1.0 documents, tests/data/small's are 1.0.0."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, REPO, copy_dataset
from toolkit.check.run import validate_dataset
from toolkit.findings import RULE_CODES
from toolkit.registry import SchemaRegistry

SMALL_DOC = "seeds/annotations/900_00000000000000a1.json"  # schema 1.0.0
SEED_DOC = "seeds/annotations/003_ca5597f59c992008.json"  # schema 1.1.0
ACTORS = "seeds/actors.json"


def _edit(root: Path, rel: str, change: Callable[[Any], None]) -> None:
    path = root / rel
    doc = json.loads(path.read_text("utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _schema_findings(root: Path) -> list[Any]:
    return [f for f in validate_dataset(root).report.findings if f.code == "schema-violation"]


def _publication_earliest(doc: Any) -> None:
    doc["source"]["publication"]["earliest"] = "2023-02-30"


def _date_earliest(doc: Any) -> None:
    doc["dates"][0]["earliest"] = "2023-02-30"


@pytest.mark.parametrize(
    ("fixture", "rel", "change", "pointer"),
    [
        ("small", SMALL_DOC, _publication_earliest, "/source/publication/earliest"),  # oneOf
        ("small", SMALL_DOC, _date_earliest, "/dates/0/earliest"),
        ("seeds", SEED_DOC, _date_earliest, "/dates/0/earliest"),  # type: [string, null]
    ],
    ids=["1.0.0-oneOf-null", "1.0.0-date", "1.1.0-date"],
)
def test_an_impossible_date_says_it_is_not_a_valid_date(
    tmp_path: Path, fixture: str, rel: str, change: Callable[[Any], None], pointer: str
) -> None:
    root = copy_dataset(DATA / "small" if fixture == "small" else REPO, tmp_path / "ds")
    _edit(root, rel, change)
    [finding] = _schema_findings(root)
    assert finding.pointer == pointer
    assert finding.message.startswith("'2023-02-30' is not a valid date")
    assert "null" not in finding.message
    assert "YYYY-MM-DD" in finding.hint


@pytest.mark.parametrize("version", ["1.0.0", "1.1.0"])
def test_a_country_failing_its_union_gets_the_string_branch_message(
    tmp_path: Path, version: str
) -> None:
    root = copy_dataset(DATA / "small" if version == "1.0.0" else REPO, tmp_path / "ds")
    _edit(root, ACTORS, lambda d: d["actors"][0].update(country="vn"))
    [finding] = _schema_findings(root)
    assert finding.file == ACTORS and finding.pointer == "/actors/0/country"
    assert "does not match" in finding.message and "null" not in finding.message


@pytest.mark.parametrize(
    ("fixture", "rel"), [("small", SMALL_DOC), ("seeds", SEED_DOC)], ids=["1.0.0", "1.1.0"]
)
def test_a_missing_status_is_one_finding_the_required_one(
    tmp_path: Path, fixture: str, rel: str
) -> None:
    root = copy_dataset(DATA / "small" if fixture == "small" else REPO, tmp_path / "ds")
    _edit(root, rel, lambda d: d["agreements"][0].pop("status"))
    [finding] = _schema_findings(root)
    assert finding.pointer == "/agreements/0"
    assert finding.message == "'status' is a required property"
    assert finding.hint == "Add 'status' to this object."


def test_a_then_that_holds_by_its_own_if_still_reports(tmp_path: Path) -> None:
    root = copy_dataset(DATA / "small", tmp_path / "ds")
    _edit(root, SMALL_DOC, lambda d: d["agreements"][0].update(status="not_reached"))
    [finding] = _schema_findings(root)
    assert finding.pointer == "/agreements/0/factuality"
    assert finding.hint == 'Write "negated" here.'


def test_every_if_of_the_latest_version_carries_the_required_it_relies_on(
    registry: SchemaRegistry,
) -> None:
    def ifs(node: Any) -> Any:
        if isinstance(node, dict):
            if isinstance(node.get("if"), dict):
                yield node["if"]
            for value in node.values():
                yield from ifs(value)
        elif isinstance(node, list):
            for value in node:
                yield from ifs(value)

    seen = 0
    for schema in registry.schemas[registry.latest].values():
        for condition in ifs(schema):
            seen += 1
            assert set(condition.get("properties", {})) <= set(condition.get("required", []))
    assert seen >= 3


@pytest.mark.parametrize(
    ("change", "hint"),
    [
        (lambda d: d["agreements"][0].update(status="sealed"), "Write one of: "),
        (lambda d: d["agreements"][0].update(sectors="trade"), "Write an array here."),
        (lambda d: d["agreements"][0].update(colour="red"), "Remove the property"),
        (lambda d: d["agreements"][0].update(title_as_reported=""), "at least 1 character"),
        (lambda d: d["dates"][0].update(value="Dec 2023"), "Write a value matching ^"),
    ],
    ids=["enum", "type", "additional", "minLength", "pattern"],
)
def test_each_schema_violation_hint_says_what_to_write(
    tmp_path: Path, change: Callable[[Any], None], hint: str
) -> None:
    root = copy_dataset(REPO, tmp_path / "ds")
    _edit(root, SEED_DOC, change)
    findings = _schema_findings(root)
    assert any(hint in finding.hint for finding in findings), findings
    for finding in findings:
        assert finding.hint != RULE_CODES["schema-violation"].hint, finding
