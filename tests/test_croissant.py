"""`exports/croissant.json`: accepted by mlcroissant, and its record sets load the real rows."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from toolkit.publish.export import export_dataset
from toolkit.publish.table_specs import TABLE_SPECS

mlc = pytest.importorskip("mlcroissant")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import DATA, copy_dataset

    root = copy_dataset(DATA / "small", tmp_path_factory.mktemp("croissant") / "small")
    assert export_dataset(root).written
    return root / "exports"


def test_mlcroissant_accepts_the_metadata(exported: Path) -> None:
    dataset = mlc.Dataset(jsonld=exported / "croissant.json")
    assert {rs.name for rs in dataset.metadata.record_sets} == {t.name for t in TABLE_SPECS}


def test_every_file_object_carries_the_real_sha256(exported: Path) -> None:
    doc = json.loads((exported / "croissant.json").read_text("utf-8"))
    objects = {d["contentUrl"]: d for d in doc["distribution"]}
    for spec in TABLE_SPECS:
        assert f"parquet/{spec.name}.parquet" in objects
        assert f"json/{spec.name}.jsonl" in objects
    for url, obj in objects.items():
        data = (exported / url).read_bytes()
        assert obj["sha256"] == hashlib.sha256(data).hexdigest(), url
        assert obj["contentSize"] == f"{len(data)} B"


def test_record_sets_load_every_row_and_column(exported: Path) -> None:
    dataset = mlc.Dataset(jsonld=exported / "croissant.json")
    for spec in TABLE_SPECS:
        table = pq.read_table(exported / "parquet" / f"{spec.name}.parquet")
        records = list(dataset.records(record_set=spec.name))
        assert len(records) == table.num_rows, spec.name
        key = spec.primary_key[0]
        loaded = sorted(_text(r[f"{spec.name}/{key}"]) for r in records)
        assert loaded == sorted(str(v) for v in table.column(key).to_pylist()), spec.name
        if records:
            assert set(records[0]) == {f"{spec.name}/{c.name}" for c in spec.columns}


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def test_a_tampered_file_object_is_rejected(exported: Path, tmp_path: Path) -> None:
    doc = json.loads((exported / "croissant.json").read_text("utf-8"))
    doc["recordSet"][0]["field"][0]["source"]["fileObject"]["@id"] = "parquet/missing.parquet"
    bad = tmp_path / "croissant.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(mlc.ValidationError):
        mlc.Dataset(jsonld=bad)
