"""`toolkit export`: typed, deterministic, atomic, documented; read back by real readers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA, REPO, copy_dataset, folder_bytes
from toolkit.publish.export import export_dataset
from toolkit.publish.published_rows import compact_json
from toolkit.publish.read_back import load_dataset
from toolkit.publish.table_files import write_jsonl
from toolkit.publish.table_specs import TABLE_SPECS

GOLDEN = Path(__file__).resolve().parent / "golden" / "small"


def _jsonl(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSON Lines file, or of every part of a table's folder, in order."""
    paths = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    return [json.loads(line) for p in paths for line in p.read_text("utf-8").splitlines()]


def _plain(value: Any) -> Any:
    """Parquet values as JSON would hold them (dates as ISO strings)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@pytest.fixture
def exported(small: Path) -> Path:
    result = export_dataset(small)
    assert result.written and result.report.valid
    return small / "exports"


def test_export_writes_every_table_twice_and_the_metadata(exported: Path) -> None:
    names = set(folder_bytes(exported))
    for spec in TABLE_SPECS:
        assert f"parquet/{spec.name}/part-00000.parquet" in names
        assert f"json/{spec.name}/part-00000.jsonl" in names
    assert {
        "json/annotations.json",
        "datapackage.json",
        "croissant.json",
        "README.md",
        "LICENSE.md",
        "SHA256SUMS",
    } <= names
    assert not [n for n in names if n.count("/") == 1 and n.endswith((".parquet", ".jsonl"))]


AWKWARD = [
    'quote " backslash \\ slash /',
    "newline \n tab \t return \r feed \f back \b",
    "controls \x00 \x01 \x1f and delete \x7f",
    "non-ASCII: Hà Nội, 中国, emoji \U0001f600, separators \u2028 \u2029, BOM \ufeff",
    "",
]


def test_jsonl_bytes_are_json_dumps_of_each_row(tmp_path: Path) -> None:
    """The JSONL writer (polars) gives exactly ``json.dumps(row, ensure_ascii=False,
    separators=(",", ":"))`` per row, for awkward strings, nulls, dates, lists and structs."""
    schema = pa.schema(
        [
            ("s", pa.string()),
            ("d", pa.dictionary(pa.int32(), pa.string())),
            ("n", pa.int64()),
            ("b", pa.bool_()),
            ("day", pa.date32()),
            ("names", pa.list_(pa.string())),
            ("spans", pa.list_(pa.struct([("quote", pa.string()), ("start", pa.int64())]))),
        ]
    )
    rows = [
        {
            "s": text,
            "d": text or None,
            "n": [0, -1, 2**62, None, 7][i],
            "b": [True, False, None, True, False][i],
            "day": [dt.date(2023, 12, 12), None, dt.date(1, 1, 1), dt.date(9999, 12, 31), None][i],
            "names": [text, None] if i % 2 else [],
            "spans": [{"quote": text, "start": i}] if i != 3 else None,
        }
        for i, text in enumerate(AWKWARD)
    ]
    path = tmp_path / "t.jsonl"
    write_jsonl(path, pa.Table.from_pylist(rows, schema=schema))
    expected = "".join(
        json.dumps(r, ensure_ascii=False, separators=(",", ":"), default=str) + "\n" for r in rows
    )
    assert path.read_text("utf-8") == expected


def test_parquet_round_trips_to_the_json_rows(exported: Path) -> None:
    for spec in TABLE_SPECS:
        table = pq.read_table(exported / "parquet" / spec.name)
        rows = [_plain(r) for r in table.to_pylist()]
        assert rows == _jsonl(exported / "json" / spec.name), spec.name
        assert table.column_names == [c.name for c in spec.columns]


def test_nulls_and_empty_lists_stay_apart(exported: Path) -> None:
    agreements = pq.read_table(exported / "parquet" / "agreements").to_pylist()
    rail = next(a for a in agreements if a["agreement_id"] == "agr-900-rail-pact")
    assert rail["counts"] == [] and rail["flags"] == [] and rail["notes"] is None
    assert (
        pq.read_table(exported / "parquet" / "agreements").schema.field("counts").nullable is False
    )


def test_parquet_schema_is_explicit_and_documented(exported: Path) -> None:
    table = pq.read_table(exported / "parquet" / "dates")
    schema = table.schema
    assert schema.field("earliest").type == pa.date32()
    assert schema.field("date").type == pa.date32() and schema.field("date").nullable
    assert schema.field("precision").type == pa.dictionary(pa.int32(), pa.string())
    assert schema.field("date_id").nullable is False
    assert schema.field("flags").type == pa.list_(
        pa.field("item", pa.struct([("kind", pa.string()), ("note", pa.string())]), nullable=False)
    )
    assert b"First day" in schema.field("earliest").metadata[b"description"]
    meta = schema.metadata
    assert meta[b"schema_version"] == b"1.1.0" and len(meta[b"input_sha256"]) == 64
    parquet = pq.ParquetFile(exported / "parquet" / "dates" / "part-00000.parquet")
    assert parquet.metadata.row_group(0).column(0).compression == "ZSTD"
    coarse = [r for r in table.to_pylist() if r["precision"] != "day"]
    assert all(r["date"] is None for r in coarse)


def test_same_inputs_give_byte_identical_exports(small: Path, tmp_path: Path) -> None:
    export_dataset(small)
    first = folder_bytes(small / "exports")
    other = copy_dataset(DATA / "small", tmp_path / "again")
    export_dataset(other)
    assert folder_bytes(other / "exports") == first
    sums = (small / "exports" / "SHA256SUMS").read_text().splitlines()
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256(first[name]).hexdigest() == digest


def test_invalid_data_is_refused_and_exports_untouched(exported: Path) -> None:
    before = folder_bytes(exported)
    doc_path = exported.parent / "seeds" / "annotations" / "900_00000000000000a1.json"
    doc = json.loads(doc_path.read_text("utf-8"))
    doc["agreements"][0]["evidence"][0]["start"] += 1
    doc_path.write_text(json.dumps(doc), encoding="utf-8")
    result = export_dataset(exported.parent)
    assert not result.written and not result.report.valid
    assert [f.code for f in result.report.findings] == ["evidence-quote-mismatch"]
    assert folder_bytes(exported) == before


def test_export_interrupted_midway_leaves_previous_exports(exported: Path) -> None:
    before = folder_bytes(exported)
    (exported.parent / "seeds" / "dataset.json").write_text('{"version": "9.9.9"}')

    def boom(table: str) -> None:
        if table == TABLE_SPECS[0].name:
            raise RuntimeError("interrupted after the first table")

    with pytest.raises(RuntimeError):
        export_dataset(exported.parent, hook=boom)
    assert folder_bytes(exported) == before
    assert sorted(p.name for p in exported.parent.iterdir()) == ["exports", "exports.lock", "seeds"]


def test_check_mode_names_the_files_that_differ(exported: Path) -> None:
    assert export_dataset(exported.parent, check=True).differences == []
    (exported / "json" / "dates" / "part-00000.jsonl").write_text("stale\n")
    (exported / "stray.txt").write_text("x")
    diffs = export_dataset(exported.parent, check=True).differences
    assert diffs == [
        "exports/json/dates/part-00000.jsonl: differs from a fresh build",
        "exports/stray.txt: published but no longer built",
    ]


def test_tables_load_in_pandas_polars_and_duckdb(exported: Path) -> None:
    import duckdb
    import polars as pl

    path = exported / "parquet" / "agreements" / "part-00000.parquet"
    frame = pd_frame = pq.read_table(path).to_pandas()
    assert str(pd_frame["status"].dtype) == "category"
    assert set(frame["status"]) == {"signed", "not_reached", "expected"}
    polars = pl.read_parquet(path)
    assert polars.schema["sectors"] == pl.List(pl.String)
    dates = pl.read_parquet(exported / "parquet" / "dates")
    assert dates.schema["earliest"] == pl.Date
    rows = duckdb.sql(f"select status, count(*) from '{path}' group by 1 order by 1").fetchall()
    assert rows == [("expected", 1), ("not_reached", 1), ("signed", 1)]
    typed = duckdb.sql(f"select typeof(earliest) from '{exported}/parquet/dates/*.parquet' limit 1")
    assert typed.fetchall() == [("DATE",)]


def test_canonical_agreements_gather_every_report(exported: Path) -> None:
    rows = {
        r["canonical_key"]: r
        for r in pq.read_table(exported / "parquet" / "agreements_canonical").to_pylist()
    }
    rail = rows["cn-vn-2023-rail-link-pacts"]
    assert rail["agreement_ids"] == ["agr-900-rail-pact", "agr-900-b2-rail-pact"]
    assert rail["statuses"] == ["expected", "signed"] and rail["status_conflict"] is True
    assert {e["article_id"] for e in rail["evidence"]} == {
        "900_00000000000000a1",
        "900_00000000000000b2",
    }


def test_frictionless_accepts_the_data_package(exported: Path) -> None:
    from frictionless import validate

    report = validate(str(exported / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])


def test_frictionless_catches_a_broken_foreign_key(exported: Path) -> None:
    from frictionless import validate

    path = exported / "json" / "agreement_parties" / "part-00000.jsonl"
    rows = _jsonl(path)
    rows[0]["actor_id"] = "act-nobody"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = validate(str(exported / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {e.type for t in report.tasks for e in t.errors}


def test_load_dataset_returns_every_table(exported: Path) -> None:
    tables = load_dataset(exported)
    assert set(tables) == {t.name for t in TABLE_SPECS}
    assert tables["agreements"].num_rows == 3


def test_golden_exports_of_the_small_fixture(exported: Path, update_golden: bool) -> None:
    if update_golden:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(exported, GOLDEN)
    for name, data in folder_bytes(exported).items():
        golden = GOLDEN / name
        if name.endswith(".parquet"):
            ours, theirs = pq.read_table(exported / name), pq.read_table(golden)
            assert ours.schema.equals(theirs.schema, check_metadata=True), name
            assert ours.equals(theirs), name
        else:
            assert data == golden.read_bytes(), name
    assert set(folder_bytes(exported)) == set(folder_bytes(GOLDEN))


def test_committed_exports_match_a_fresh_build() -> None:
    if not (REPO / "exports" / "SHA256SUMS").is_file():
        pytest.fail("exports/ has not been built: run `make export`")
    assert export_dataset(REPO, check=True).differences == []


# What a schema-valid document may hold: no floats but integral ones, any text.
_DOCUMENT_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.integers(min_value=-(2**53), max_value=2**53).map(float)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(value=_DOCUMENT_VALUES)
def test_compact_json_writes_what_json_dumps_writes(value: Any) -> None:
    expected = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert compact_json(value) == expected.encode("utf-8")


def test_compact_json_writes_the_seed_documents_as_json_dumps_does() -> None:
    seeds = REPO / "seeds"
    for path in [*sorted((seeds / "annotations").glob("*.json")), seeds / "actors.json"]:
        doc = json.loads(path.read_bytes())
        expected = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert compact_json(doc) == expected.encode("utf-8"), path.name


def test_the_row_builder_builds_every_column_of_every_spec(tmp_path: Path) -> None:
    """The published rows of the seeds have exactly the columns of their table's spec: one
    list of columns drives the builder, the Arrow schema and every metadata writer."""
    from toolkit.check.run import validate_dataset
    from toolkit.publish.arrow_schemas import published_schemas
    from toolkit.publish.published_rows import PublishedRows
    from toolkit.publish.writers import Publication
    from toolkit.registry import SchemaRegistry

    registry = SchemaRegistry.load()
    schemas = published_schemas(registry)
    builder = PublishedRows(schemas, tmp_path, "1.1.0")
    publication = Publication.of(validate_dataset(REPO, build=builder), "1.1.0")
    built = set(publication.tables)
    assert built == {s.name for s in TABLE_SPECS} - {"actors", "agreements_canonical"}
    for spec in TABLE_SPECS:
        if spec.name in built:
            assert publication.tables[spec.name].column_names == [c.name for c in spec.columns]
    assert publication.mentions()


def test_a_column_the_row_builder_leaves_out_is_an_error() -> None:
    """No silent column of nulls: rows without a column of their schema are refused."""
    import pyarrow as pa

    from toolkit.check.rows import Rows
    from toolkit.publish.published_rows import arrow_table

    rows = Rows()
    rows.add("dates", {"date_id": "d-1"})
    schema = pa.schema([("date_id", pa.string()), ("value", pa.string())])
    with pytest.raises(ValueError, match=r"lack \['value'\]"):
        arrow_table(rows, "dates", schema)
    assert arrow_table(Rows(), "dates", schema).num_rows == 0


def test_the_citation_and_the_terms_come_with_the_exports() -> None:
    """`CITATION.cff` gives the card's citation and Croissant's; `LICENSE.md` states the
    annotations' licence and, apart, that the third-party texts are not licensed."""
    import yaml

    cff = yaml.safe_load((REPO / "CITATION.cff").read_text("utf-8"))
    meta = json.loads((REPO / "seeds" / "dataset.json").read_text("utf-8"))
    assert (str(cff["version"]), str(cff["date-released"])) == (
        meta["version"],
        meta["date_published"],
    )
    card = (REPO / "exports" / "README.md").read_text("utf-8")
    croissant = json.loads((REPO / "exports" / "croissant.json").read_text("utf-8"))
    assert croissant["citeAs"] in card and cff["title"] in croissant["citeAs"]
    assert croissant["creator"] == [
        {"@type": "sc:Organization", "name": cff["authors"][0]["name"], "url": cff["url"]}
    ]
    terms = (REPO / "exports" / "LICENSE.md").read_text("utf-8")
    assert "CC-BY-4.0" in terms and "claims and grants no" in terms and "removed" in terms


def test_an_export_into_another_folder_publishes_what_exports_gets(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """``out`` publishes the files ``exports/`` would get, leaves the dataset as it was, and
    replaces an earlier export there; ``check`` compares with that folder."""
    out = tmp_path / "published" / "v1"
    assert export_dataset(seeds_copy, out=out).written
    assert not (seeds_copy / "exports").exists()
    assert export_dataset(seeds_copy).written
    assert folder_bytes(out) == folder_bytes(seeds_copy / "exports")
    (out / "json" / "annotations.json").write_bytes(b"{}")
    assert export_dataset(seeds_copy, out=out, check=True).differences == [
        "exports/json/annotations.json: differs from a fresh build"
    ]
    assert export_dataset(seeds_copy, out=out).written  # an earlier export: replaced
    assert folder_bytes(out) == folder_bytes(seeds_copy / "exports")
    assert sorted(p.name for p in out.parent.iterdir()) == ["v1", "v1.lock"]


@pytest.mark.parametrize(
    "where", ["root", "parent", "seeds", "articles/new", "full", "file", "checksummed"]
)
def test_an_export_never_replaces_a_folder_that_is_not_one(seeds_copy: Path, where: str) -> None:
    """An export replaces its whole folder: a folder with other files in it (a copy of
    schemas/ too, though it has a SHA256SUMS: not one listing exactly its files, an
    export's among them), the dataset, a folder holding it or one inside its seeds are
    refused, and nothing is touched."""
    from toolkit.errors import ExportTargetRefused

    (seeds_copy / "full").mkdir()
    (seeds_copy / "full" / "notes.txt").write_text("mine", "utf-8")
    (seeds_copy / "file").write_text("mine", "utf-8")
    shutil.copytree(REPO / "schemas", seeds_copy / "checksummed")
    out = {
        "root": seeds_copy,
        "parent": seeds_copy.parent,
        "seeds": seeds_copy / "seeds",
        "articles/new": seeds_copy / "seeds" / "articles" / "new",
        "full": seeds_copy / "full",
        "file": seeds_copy / "file",
        "checksummed": seeds_copy / "checksummed",
    }[where]
    before = folder_bytes(seeds_copy)
    with pytest.raises(ExportTargetRefused, match="--out"):
        export_dataset(seeds_copy, out=out)
    assert folder_bytes(seeds_copy) == before


def test_folders_beside_the_export_that_are_not_its_own_are_left_alone(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """A killed export's leftovers are cleaned up beside its folder (``NAME.tmp-PID``,
    ``NAME.old-PID``), and nothing else named like them."""
    outs = tmp_path / "outs"
    out = outs / "pub"
    assert export_dataset(seeds_copy, out=out).written
    theirs = [outs / "pub.old-2023", outs / "pub.tmp-notes", outs / "pub.tmp-123"]
    for folder in theirs:
        folder.mkdir()
        (folder / "thesis.tex").write_text("mine", "utf-8")
    left = outs / "pub.tmp-456"  # an export killed while it wrote
    shutil.copytree(out / "parquet", left / "parquet")
    aside = outs / "pub.old-789"  # an export killed during its swap: a whole export
    shutil.copytree(out, aside)
    assert export_dataset(seeds_copy, out=out).written
    assert sorted(p.name for p in outs.iterdir()) == sorted(
        ["pub", "pub.lock", *(f.name for f in theirs)]
    )
    for folder in theirs:
        assert (folder / "thesis.tex").read_text("utf-8") == "mine"


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("CITATION.cff", b"title: x\n" + b"#" * (17 << 20), "cannot be read"),
        ("seeds/dataset.json", b'{"name": "\xff"}', "is not UTF-8 text"),
        ("seeds/dataset.json", b"{name: 1}", "is not JSON"),
        ("seeds/dataset.json", b"[1, 2]", "is not a JSON object"),
    ],
)
def test_unreadable_metadata_is_a_one_line_error_naming_the_file(
    seeds_copy: Path, name: str, data: bytes, said: str, run_cli: Any
) -> None:
    (seeds_copy / name).write_bytes(data)
    done = run_cli("export", "--root", str(seeds_copy))
    assert done.exit_code == 2 and done.output.count("\n") == 1, done.output
    assert done.output.startswith(f"error: {seeds_copy / name}") and said in done.output
    assert not (seeds_copy / "exports").exists()


def test_a_folder_that_cannot_be_written_is_an_error_at_once(
    seeds_copy: Path, run_cli: Any
) -> None:
    done = run_cli("export", "--root", str(seeds_copy), "--out", "/proc/toolkit-exports")
    assert done.exit_code == 2 and "writing the exports failed" in done.output, done.output
    assert "waiting" not in done.output
