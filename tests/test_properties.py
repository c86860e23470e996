"""Property-based tests: schema-generated records never crash validation; arbitrary text
survives export and read-back; random mutations of real annotation files always give findings,
never a traceback."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from conftest import DATA, REPO, copy_dataset
from toolkit.check.run import validate_dataset
from toolkit.evolve.migrate import migrate_to_latest
from toolkit.publish.export import export_dataset
from toolkit.registry import SchemaRegistry

A1 = "seeds/annotations/900_00000000000000a1.json"
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _inline(registry: SchemaRegistry, name: str) -> dict[str, Any]:
    """The schema of *name* with every $ref replaced by its target (for hypothesis-jsonschema)."""
    schema = registry.schema(name)
    resolver = registry.referencing.resolver(base_uri=schema["$id"])

    def walk(node: Any, resolver: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                resolved = resolver.lookup(node["$ref"])
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return walk({**resolved.contents, **rest}, resolved.resolver)
            return {
                k: walk(v, resolver)
                for k, v in node.items()
                if k not in ("$id", "$schema", "$defs")
            }
        if isinstance(node, list):
            return [walk(v, resolver) for v in node]
        return node

    return walk(schema, resolver)  # type: ignore[no-any-return]


REGISTRY = SchemaRegistry.load()
BASE = DATA / "small"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("props")


def _run_with_doc(root: Path, doc: Any, raw: bytes | None = None) -> Any:
    path = root / A1
    path.write_bytes(raw if raw is not None else json.dumps(doc, ensure_ascii=False).encode())
    return validate_dataset(root).report


def _fresh(workdir: Path, name: str) -> Path:
    root = workdir / name
    if root.exists():
        shutil.rmtree(root)
    return copy_dataset(BASE, root)


@SETTINGS
@given(record=from_schema(_inline(REGISTRY, "date")))
def test_schema_generated_dates_never_crash_validation(workdir: Path, record: Any) -> None:
    root = _fresh(workdir, "dates")
    doc = json.loads((BASE / A1).read_text("utf-8"))
    doc["dates"].append(record)
    report = _run_with_doc(root, doc)
    assert all(f.line >= 1 and f.column >= 1 and f.hint for f in report.findings)


@SETTINGS
@given(record=from_schema(_inline(REGISTRY, "agreement")))
def test_schema_generated_agreements_never_crash_validation(workdir: Path, record: Any) -> None:
    root = _fresh(workdir, "agreements")
    doc = json.loads((BASE / A1).read_text("utf-8"))
    doc["agreements"].append(record)
    report = _run_with_doc(root, doc)
    assert all(f.line >= 1 and f.column >= 1 and f.hint for f in report.findings)


TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40
).filter(lambda s: s.strip() != "")


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(title=TEXT, notes=st.text(max_size=60), names=st.lists(TEXT, max_size=3, unique=True))
def test_arbitrary_text_survives_export_and_read_back(
    workdir: Path, title: str, notes: str, names: list[str]
) -> None:
    root = _fresh(workdir, "export")
    doc = json.loads((BASE / A1).read_text("utf-8"))
    doc["agreements"][0]["title_as_reported"] = title
    doc["agreements"][0]["notes"] = notes
    registry = json.loads((BASE / "seeds/actors.json").read_text("utf-8"))
    registry["actors"][0]["other_names"] = names
    (root / "seeds/actors.json").write_text(json.dumps(registry), encoding="utf-8")
    (root / A1).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = export_dataset(root)
    assert result.written, result.report.findings
    agreements = pq.read_table(root / "exports/parquet/agreements").to_pylist()
    row = next(r for r in agreements if r["agreement_id"] == doc["agreements"][0]["agreement_id"])
    assert (row["title_as_reported"], row["notes"]) == (title, notes)
    actors = pq.read_table(root / "exports/parquet/actors").to_pylist()
    assert next(a for a in actors if a["actor_id"] == "act-china")["other_names"] == names
    annotations = json.loads((root / "exports/json/annotations.json").read_text("utf-8"))
    # the export publishes every document as the latest version has it
    assert migrate_to_latest(doc, SchemaRegistry.load()) in annotations["annotations"]


def _real_documents() -> list[Path]:
    real = sorted((REPO / "seeds" / "annotations").glob("*.json"))
    return real or [BASE / A1]


def _mutate(doc: dict[str, Any], kind: str, data: st.DataObject) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    sections = {"agreements": "agreement", "dates": "date", "actors": "actor_mention"}
    records = [(r, sections[s]) for s in sections for r in doc[s]]
    record, record_type = data.draw(st.sampled_from(records))
    if kind == "shift-offset":
        evidence = record["evidence"][0]
        delta = data.draw(st.integers(1, 50))
        evidence["start"] += delta
        evidence["end"] += delta
    elif kind == "delete-required-key":
        required = REGISTRY.schema(record_type)["required"]
        del record[data.draw(st.sampled_from(sorted(required)))]
    elif kind == "wrong-type":
        key = data.draw(st.sampled_from(sorted(record)))
        record[key] = data.draw(st.sampled_from([None, 12345, {"x": 1}, True]))
        if record[key] is None and key == "notes":
            record[key] = 7
    elif kind == "swap-ids":
        ids = [d["date_id"] for d in doc["dates"]] or ["dat-x"]
        agreements = doc["agreements"]
        target = data.draw(st.sampled_from(agreements))
        target["agreement_id"] = (
            doc["agreements"][0]["agreement_id"]
            if len(agreements) > 1 and target is not agreements[0]
            else "agr-" + "x" * 3
        )
        target.setdefault("dates", []).append(
            {"date_id": ids[0] + "-missing", "relation": "signed"}
        )
    return doc


@pytest.mark.parametrize("kind", ["shift-offset", "delete-required-key", "wrong-type", "swap-ids"])
@SETTINGS
@given(data=st.data())
def test_structural_mutations_of_real_files_always_give_findings(
    workdir: Path, kind: str, data: st.DataObject
) -> None:
    path = data.draw(st.sampled_from(_real_documents()))
    root = REPO if path.is_relative_to(REPO / "seeds") else BASE
    target = workdir / f"mut-{kind}"
    if target.exists():
        shutil.rmtree(target)
    copy_dataset(root, target)
    doc = json.loads(path.read_text("utf-8"))
    mutated = _mutate(doc, kind, data)
    rel = path.relative_to(root).as_posix()
    (target / rel).write_text(json.dumps(mutated, ensure_ascii=False), encoding="utf-8")
    report = validate_dataset(target).report
    assert not report.valid
    assert all(f.line >= 1 for f in report.findings)


@SETTINGS
@given(data=st.data())
def test_byte_level_mutations_never_crash(workdir: Path, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(_real_documents()))
    root = REPO if path.is_relative_to(REPO / "seeds") else BASE
    target = workdir / "bytes"
    if target.exists():
        shutil.rmtree(target)
    copy_dataset(root, target)
    raw = bytearray(path.read_bytes())
    kind = data.draw(st.sampled_from(["flip", "truncate", "duplicate-key"]))
    if kind == "flip":
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] ^= data.draw(st.integers(1, 255))
    elif kind == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw) - 2))]
    else:
        raw = bytearray(
            bytes(raw).replace(
                b'"schema_version"', b'"schema_version": "1.0.0", "schema_version"', 1
            )
        )
    (target / path.relative_to(root)).write_bytes(bytes(raw))
    report = validate_dataset(target).report
    assert all(f.line >= 1 and f.hint for f in report.findings)
    if kind != "flip":
        assert not report.valid
