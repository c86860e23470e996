"""`exports/croissant.json`: accepted by mlcroissant, and its record sets load the real rows."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from toolkit.publish.export import export_dataset
from toolkit.publish.table_specs import TABLE_SPECS
from toolkit.registry import SchemaRegistry

mlc = pytest.importorskip("mlcroissant")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import DATA, copy_dataset

    root = copy_dataset(DATA / "small", tmp_path_factory.mktemp("croissant") / "small")
    assert export_dataset(root).written
    return root / "exports"


def test_mlcroissant_accepts_the_metadata(exported: Path) -> None:
    dataset = mlc.Dataset(jsonld=exported / "croissant.json")
    tables = {rs.name for rs in dataset.metadata.record_sets if not rs.data}
    assert tables == {t.name for t in TABLE_SPECS}
    meta = dataset.metadata
    assert meta.cite_as.startswith("@misc{") and "author = " in meta.cite_as
    assert meta.creators and meta.license == ["https://creativecommons.org/licenses/by/4.0/"]


def test_every_file_object_carries_the_real_sha256(exported: Path) -> None:
    doc = json.loads((exported / "croissant.json").read_text("utf-8"))
    objects = {d["@id"]: d for d in doc["distribution"]}
    for spec in TABLE_SPECS:
        assert f"parquet/{spec.name}/part-00000.parquet" in objects
        assert f"json/{spec.name}/part-00000.jsonl" in objects
        assert objects[f"parquet/{spec.name}"]["includes"] == f"parquet/{spec.name}/*.parquet"
    for obj in objects.values():
        if obj["@type"] == "cr:FileSet":
            continue
        url = obj["contentUrl"]
        data = (exported / url).read_bytes()
        assert obj["sha256"] == hashlib.sha256(data).hexdigest(), url
        assert obj["contentSize"] == f"{len(data)} B"


def test_record_sets_load_every_row_and_column(exported: Path) -> None:
    dataset = mlc.Dataset(jsonld=exported / "croissant.json")
    for spec in TABLE_SPECS:
        table = pq.read_table(exported / "parquet" / spec.name)
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
    doc["recordSet"][0]["field"][0]["source"]["fileSet"]["@id"] = "parquet/missing"
    bad = tmp_path / "croissant.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(mlc.ValidationError):
        mlc.Dataset(jsonld=bad)


def test_vocabularies_and_foreign_keys_are_linked(exported: Path) -> None:
    """Each enum column references its vocabulary (a record set of the codebook's values, in
    order, that mlcroissant loads), and foreign keys reference their targets."""
    doc = json.loads((exported / "croissant.json").read_text("utf-8"))
    sets = {rs["@id"]: rs for rs in doc["recordSet"]}
    fields = {f["@id"]: f for rs in doc["recordSet"] for f in rs["field"]}
    statuses = SchemaRegistry.load().schema("defs", "1.1.0")["$defs"]["status"]["enum"]
    vocabulary = sets["agreements_status_values"]
    assert vocabulary["dataType"] == "sc:Enumeration"
    assert [d["agreements_status_values/value"] for d in vocabulary["data"]] == statuses
    dataset = mlc.Dataset(jsonld=exported / "croissant.json")
    loaded = [_text(r["agreements_status_values/value"]) for r in dataset.records(
        record_set="agreements_status_values")]  # fmt: skip
    assert loaded == statuses
    refs = {i: f["references"]["field"]["@id"] for i, f in fields.items() if "references" in f}
    assert refs["agreement_parties/actor_id"] == "actors/actor_id"
    assert refs["agreement_parties/agreement_id"] == "agreements/agreement_id"
    assert refs["agreement_parties/role"] == "agreement_parties_role_values/value"
    assert refs["evidence/article_id"] == "articles/article_id"
    assert refs["agreement_relations/related_key"] == "agreements_canonical/canonical_key"
    referenced = {target.split("/")[0] for target in refs.values()}
    assert not [i for i in refs if i.split("/")[0] in referenced]  # what mlcroissant joins
    assert doc["creator"] and doc["citeAs"].startswith("@misc{cnvn-state-visit-2023,")
