"""The published exports read by the engines analysts use, offline, each pointed at a table's
folder: Hugging Face `datasets` (through the card's configs), DuckDB, polars and, in a slow
test, Spark local. Every engine reads every table with the same rows and the types the table
specs promise; every quote is its article's text at its offsets."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

from conftest import REPO
from toolkit.publish.arrow_schemas import vocabulary
from toolkit.publish.datacard import DEFAULT_CONFIG
from toolkit.publish.table_specs import CONTEXT_CODE_POINTS, STRUCTS, TABLE_SPECS, TableSpec

EXPORTS = REPO / "exports"
SPARK = REPO / ".venv" / "spark"

#: Column kind -> the type each engine reads it as (structs: a list of structs).
DUCKDB = {"string": "VARCHAR", "enum": "VARCHAR", "int": "BIGINT", "bool": "BOOLEAN",
          "date": "DATE", "list": "VARCHAR[]"}  # fmt: skip
POLARS = {"string": pl.String, "int": pl.Int64, "bool": pl.Boolean, "date": pl.Date,
          "list": pl.List(pl.String)}  # fmt: skip
HF = {"string": "string", "enum": "string", "int": "int64", "bool": "bool", "date": "date32"}
SPARK_TYPES = {"string": "string", "enum": "string", "int": "bigint", "bool": "boolean",
               "date": "date", "list": "array<string>"}  # fmt: skip


def _folder(table: str) -> Path:
    return EXPORTS / "parquet" / table


def _rows(table: str) -> int:
    return sum(pq.read_metadata(p).num_rows for p in _folder(table).glob("*.parquet"))


def _struct(kind: str, types: dict[str, str], pattern: str, pair: str, sep: str) -> str:
    """How an engine names the type of a list of structs: *pattern* around each field's
    *pair* (name, type), joined by *sep*."""
    fields = STRUCTS[kind.split(":", 1)[1]]
    return pattern.format(sep.join(pair.format(n, types[k]) for n, k in fields))


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """`datasets`, offline, with its cache in a folder of the test session."""
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("HF_HOME", str(tmp_path_factory.mktemp("hf-home")))
    import datasets

    datasets.disable_progress_bars()
    return datasets


@pytest.mark.parametrize("spec", TABLE_SPECS, ids=lambda s: s.name)
def test_datasets_loads_every_config_from_the_card(
    hub: Any, spec: TableSpec, tmp_path: Path
) -> None:
    loaded = hub.load_dataset(str(EXPORTS), spec.name, split="train", cache_dir=str(tmp_path))
    assert loaded.num_rows == _rows(spec.name)
    assert list(loaded.features) == [c.name for c in spec.columns]
    for column in spec.columns:
        feature = loaded.features[column.name]
        if column.kind in HF:
            assert feature.dtype == HF[column.kind], column.name
        elif column.kind == "list":
            assert feature.feature.dtype == "string", column.name
        else:  # a list of structs
            fields = dict(STRUCTS[column.kind.split(":", 1)[1]])
            assert {k: v.dtype for k, v in feature.feature.items()} == {
                k: HF.get(kind, kind) for k, kind in fields.items()
            }, column.name
    if spec.name == "evidence":
        assert loaded[0]["quote"] == pq.read_table(_folder("evidence")).column("quote")[0].as_py()


def test_datasets_loads_the_agreements_by_default(hub: Any, tmp_path: Path) -> None:
    loaded = hub.load_dataset(str(EXPORTS), split="train", cache_dir=str(tmp_path))
    assert DEFAULT_CONFIG == "agreements" and loaded.num_rows == _rows("agreements")
    assert "status" in loaded.features


def test_the_card_front_matter_is_what_the_hub_reads() -> None:
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(EXPORTS / "README.md")
    data = card.data.to_dict()
    assert [c["config_name"] for c in data["configs"]] == [s.name for s in TABLE_SPECS]
    assert [c["config_name"] for c in data["configs"] if c.get("default")] == ["agreements"]
    for config in data["configs"]:
        (files,) = config["data_files"]
        assert files == {"split": "train", "path": f"parquet/{config['config_name']}/*.parquet"}
    assert data["license"] == "other" and data["license_link"] == "LICENSE.md"
    assert (EXPORTS / "LICENSE.md").is_file()
    assert data["language"] == ["en"] and data["size_categories"] == ["n<1K"]
    assert data["pretty_name"].startswith("China–Vietnam state visit")
    assert set(data["task_categories"]) == {"token-classification", "text-classification"}
    sections = [line for line in card.text.splitlines() if line.startswith("## ")]
    for heading in (
        "## Terms",
        "## Dataset structure",
        "## Dataset creation",
        "## Bias, risks and limitations",
        "## Citation",
    ):
        assert heading in sections
    for heading in ("Curation rationale", "Source data", "Annotations", "Personal and sensitive"):
        assert f"### {heading}" in card.text


@pytest.mark.parametrize("spec", TABLE_SPECS, ids=lambda s: s.name)
def test_duckdb_reads_each_table_folder_with_its_types(spec: TableSpec) -> None:
    relation = duckdb.sql(f"select * from '{_folder(spec.name)}/*.parquet'")
    assert relation.columns == [c.name for c in spec.columns]
    expected = [
        DUCKDB.get(c.kind) or _struct(c.kind, DUCKDB, "STRUCT({})[]", "{} {}", ", ")
        for c in spec.columns
    ]
    # DuckDB quotes the struct fields named like keywords ("end")
    assert [str(t).replace('"', "") for t in relation.types] == expected
    assert relation.count("*").fetchall() == [(_rows(spec.name),)]


@pytest.mark.parametrize("spec", TABLE_SPECS, ids=lambda s: s.name)
def test_polars_reads_each_table_folder_and_glob_with_enums(spec: TableSpec) -> None:
    by_folder = pl.read_parquet(_folder(spec.name))
    by_glob = pl.scan_parquet(f"{_folder(spec.name)}/*.parquet").collect()
    assert by_folder.equals(by_glob) and by_folder.height == _rows(spec.name)
    schema = pq.read_schema(next(_folder(spec.name).glob("*.parquet")))
    for column in spec.columns:
        dtype = by_folder.schema[column.name]
        if column.kind == "enum":
            values = vocabulary(schema.field(column.name))
            assert dtype == pl.Enum(values), column.name
            plain = by_folder[column.name].cast(pl.String)
            assert plain.cast(pl.Enum(values)).equals(by_folder[column.name])
        elif column.kind in POLARS:
            assert dtype == POLARS[column.kind], column.name
        else:
            assert isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct)


def test_enum_dictionaries_hold_the_codebook_vocabulary_in_its_order(registry: Any) -> None:
    """Every enum column's dictionary is the JSON Schema's enum in schema order, whether the
    values occur or not (`under_negotiation` and `ratified`-like values included)."""
    from toolkit.publish.table_specs import resolve

    for spec in TABLE_SPECS:
        table = pq.read_table(_folder(spec.name))
        for rc in resolve(spec, registry, registry.latest):
            if rc.enum:
                dictionary = table.column(rc.column.name).chunk(0).dictionary.to_pylist()
                assert dictionary == list(rc.enum), (spec.name, rc.column.name)
                assert vocabulary(table.schema.field(rc.column.name)) == list(rc.enum)
    status = pq.read_table(_folder("agreements")).column("status").chunk(0).dictionary
    assert "under_negotiation" in status.to_pylist()


def test_duckdb_makes_enums_from_the_field_metadata() -> None:
    """DuckDB reads the dictionaries as VARCHAR; an ENUM made from each field's vocabulary
    takes every value."""
    con = duckdb.connect()
    for spec in TABLE_SPECS:
        schema = pq.read_schema(next(_folder(spec.name).glob("*.parquet")))
        for column in (c for c in spec.columns if c.kind == "enum"):
            name = f"{spec.name}_{column.name}"
            values = ", ".join(f"'{v}'" for v in vocabulary(schema.field(column.name)))
            con.execute(f"create type {name} as enum ({values})")
            cast = con.sql(
                f"select count({column.name}::{name}), count({column.name}) "
                f"from '{_folder(spec.name)}/*.parquet'"
            ).fetchall()
            assert cast[0][0] == cast[0][1], name


def test_the_old_glob_over_every_table_matches_nothing() -> None:
    """`parquet/*.parquet` once matched the files of every table and mixed their rows."""
    with pytest.raises(duckdb.IOException, match="No files found"):
        duckdb.sql(f"select count(*) from '{EXPORTS}/parquet/*.parquet'").fetchall()


def test_every_quote_is_its_article_text_sliced_in_duckdb() -> None:
    evidence, articles = _folder("evidence"), _folder("articles")
    differ, total, context = duckdb.sql(
        f"""select count(*) filter (where e.quote <> substring(a.text, e.start + 1,
                                                            e."end" - e.start)),
                   count(*),
                   count(*) filter (where e.prefix <> substring(a.text,
                       greatest(e.start - {CONTEXT_CODE_POINTS}, 0) + 1,
                       e.start - greatest(e.start - {CONTEXT_CODE_POINTS}, 0))
                     or e.suffix <> substring(a.text, e."end" + 1, {CONTEXT_CODE_POINTS}))
            from '{evidence}/*.parquet' e join '{articles}/*.parquet' a using (article_id)"""
    ).fetchall()[0]
    assert (differ, total, context) == (0, _rows("evidence"), 0)


def test_the_card_query_slices_every_quote() -> None:
    """The DuckDB query the card shows, run as written from the repository root."""
    card = (EXPORTS / "README.md").read_text("utf-8")
    query = card.split("```sql\n", 1)[1].split("```", 1)[0]
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        assert duckdb.sql(query).fetchall() == [(0,)]
    finally:
        os.chdir(cwd)


def test_the_articles_are_the_seed_files_byte_for_byte() -> None:
    import hashlib

    articles = pq.read_table(_folder("articles")).to_pylist()
    seeds = sorted((REPO / "seeds" / "articles").glob("*.txt"))
    assert [a["article_id"] for a in articles] == [p.stem for p in seeds]
    for article, path in zip(articles, seeds, strict=True):
        data = path.read_bytes()
        assert article["text"].encode("utf-8") == data
        assert article["sha256"] == hashlib.sha256(data).hexdigest()
        assert article["length"] == len(data.decode("utf-8"))
    publishers = {a["article_id"]: a["publisher"] for a in articles}
    assert publishers["004_10177aab37503ad3"] == "Occasional Digest"
    assert sum(p is not None for p in publishers.values()) == 1  # only where the text names one


SPARK_READ = """
import json, sys
from pyspark.sql import SparkSession

spark = (
    SparkSession.builder.master("local[2]")
    .config("spark.driver.bindAddress", "127.0.0.1")
    .config("spark.driver.host", "127.0.0.1")
    .config("spark.ui.enabled", "false")
    .config("spark.sql.shuffle.partitions", "2")
    .config("spark.sql.session.timeZone", "UTC")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
out = {}
for table in sys.argv[2:]:
    frame = spark.read.parquet(f"{sys.argv[1]}/{table}")
    out[table] = {
        "rows": frame.count(),
        "types": [[f.name, f.dataType.simpleString()] for f in frame.schema.fields],
    }
quotes = spark.read.parquet(f"{sys.argv[1]}/evidence").join(
    spark.read.parquet(f"{sys.argv[1]}/articles"), "article_id"
)
out["differ"] = quotes.filter("quote <> substring(text, start + 1, `end` - start)").count()
spark.stop()
print(json.dumps(out))
"""


@pytest.mark.slow
def test_spark_local_reads_each_table_folder(tmp_path: Path) -> None:
    """Spark local (``make spark``: pyspark kept apart from .venv; Java 17) on each folder."""
    if not (SPARK / "pyspark").is_dir() or shutil.which("java") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Spark is not installed (make spark) or Java is missing")
        pytest.skip("Spark is not installed (make spark) or Java is missing")
    env = {
        **os.environ,
        "PYTHONPATH": str(SPARK),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_PYTHON": sys.executable,
        "SPARK_LOCAL_DIRS": str(tmp_path),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SPARK_READ,
            str(EXPORTS / "parquet"),
            *(s.name for s in TABLE_SPECS),
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    read = json.loads(done.stdout.strip().splitlines()[-1])
    assert read.pop("differ") == 0
    for spec in TABLE_SPECS:
        assert read[spec.name]["rows"] == _rows(spec.name), spec.name
        expected = [
            [
                c.name,
                SPARK_TYPES.get(c.kind)
                or _struct(c.kind, SPARK_TYPES, "array<struct<{}>>", "{}:{}", ","),
            ]
            for c in spec.columns
        ]
        assert read[spec.name]["types"] == expected, spec.name


def test_frictionless_validates_both_kinds_of_resources() -> None:
    """Every table as JSON Lines and as Parquet, keys and foreign keys checked (with the
    `json` and `parquet` extras the card names)."""
    from frictionless import validate

    report = validate(str(EXPORTS / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])
    tasks = {task.name: task.stats["rows"] for task in report.tasks}
    for spec in TABLE_SPECS:
        assert tasks[spec.name] == tasks[f"{spec.name}-parquet"] == _rows(spec.name), spec.name


def test_mlcroissant_loads_every_record_set() -> None:
    import mlcroissant as mlc

    dataset = mlc.Dataset(jsonld=EXPORTS / "croissant.json")
    sets = {rs.name: rs for rs in dataset.metadata.record_sets}
    for spec in TABLE_SPECS:
        records = list(dataset.records(record_set=spec.name))
        assert len(records) == _rows(spec.name), spec.name
    vocabularies = [name for name, rs in sets.items() if rs.data]
    assert "agreements_status_values" in vocabularies
    for name in vocabularies:
        assert len(list(dataset.records(record_set=name))) == len(sets[name].data)
