"""A large table is several files in its folder, cut at article boundaries, and every reader
pointed at the folder reads the same rows as from one file. Tested on a generated corpus
with a low threshold of rows per file."""

from __future__ import annotations

import itertools
import json
import shutil
import sys
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, folder_bytes
from toolkit.publish.export import export_dataset
from toolkit.publish.layout import plan, split
from toolkit.publish.table_specs import TABLE_SPECS

try:
    from bench.generate import generate
except ModuleNotFoundError:
    sys.path.insert(0, str(REPO))
    from bench.generate import generate

ROWS_PER_FILE = 400


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The exports of one generated corpus with one file per table, and with parts of at
    most ROWS_PER_FILE rows."""
    base = tmp_path_factory.mktemp("partitions")
    generate(3000, 11, base / "whole")
    shutil.copytree(base / "whole" / "seeds", base / "parts" / "seeds")
    assert export_dataset(base / "whole").written
    assert export_dataset(base / "parts", rows_per_file=ROWS_PER_FILE).written
    return base / "whole" / "exports", base / "parts" / "exports"


def _parts(exports: Path, table: str, ext: str = ".parquet") -> list[Path]:
    fmt = "parquet" if ext == ".parquet" else "json"
    return sorted((exports / fmt / table).glob(f"*{ext}"))


def _sorted(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    spec = next(s for s in TABLE_SPECS if s.name == table)
    return frame.sort(list(spec.primary_key))


def test_large_tables_are_cut_at_article_boundaries(exports: tuple[Path, Path]) -> None:
    whole, parts = exports
    cut = 0
    for spec in TABLE_SPECS:
        files = _parts(parts, spec.name)
        rows = [pq.read_metadata(f).num_rows for f in files]
        assert sum(rows) == pq.read_metadata(_parts(whole, spec.name)[0]).num_rows
        assert len(_parts(whole, spec.name)) == 1
        if sum(rows) <= ROWS_PER_FILE:
            assert len(files) == 1, spec.name
            continue
        cut += 1
        assert len(files) > 1 and [f.name for f in files][:2] == [
            "part-00000.parquet",
            "part-00001.parquet",
        ]
        if "article_id" not in spec.primary_key and "article_id" not in [
            c.name for c in spec.columns
        ]:
            assert max(rows) == ROWS_PER_FILE, spec.name
            continue
        ranges = [_article_range(f) for f in files]
        assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges)), spec.name
        articles = [pq.read_table(f, columns=["article_id"]).column(0) for f in files]
        for table, n in zip(articles, rows, strict=True):  # a larger part is one article
            assert n <= ROWS_PER_FILE or len(set(table.to_pylist())) == 1
        for f in files:  # each part in primary-key order
            frame = pl.read_parquet(f)
            assert frame.equals(_sorted(frame, spec.name)), f
    assert cut >= 4  # the evidence, agreements, actor mentions, dates, parties at least


def _article_range(path: Path) -> tuple[str, str]:
    """The article ids a part's Parquet statistics give: what engines prune files by."""
    meta = pq.read_metadata(path)
    column = meta.schema.to_arrow_schema().get_field_index("article_id")
    stats = [meta.row_group(g).column(column).statistics for g in range(meta.num_row_groups)]
    return min(s.min for s in stats), max(s.max for s in stats)


@pytest.mark.parametrize("table", ["evidence", "agreements", "actor_mentions", "actors"])
def test_readers_of_the_folder_get_the_rows_of_one_file(
    exports: tuple[Path, Path], table: str
) -> None:
    whole, parts = exports
    one = pl.read_parquet(whole / "parquet" / table)
    for frame in (
        pl.read_parquet(parts / "parquet" / table),
        pl.scan_parquet(f"{parts}/parquet/{table}/*.parquet").collect(),
        pl.from_arrow(duckdb.sql(f"select * from '{parts}/parquet/{table}/*.parquet'").arrow()),
        pl.from_arrow(pq.read_table(parts / "parquet" / table)),
    ):
        assert isinstance(frame, pl.DataFrame)
        frame = frame.with_columns(
            pl.col(c).cast(one.schema[c]) for c in frame.columns if one.schema[c] != frame.schema[c]
        )
        assert _sorted(frame, table).equals(_sorted(one, table)), table
    key = next(s for s in TABLE_SPECS if s.name == table).primary_key[0]
    jsonl = [
        json.loads(line)[key]
        for part in _parts(parts, table, ".jsonl")
        for line in part.read_text("utf-8").splitlines()
    ]  # the JSON Lines parts hold the rows of the Parquet parts, in order
    assert jsonl == [v for f in _parts(parts, table) for v in pq.read_table(f)[key].to_pylist()]


def test_a_filter_on_an_article_reads_its_rows_only(exports: tuple[Path, Path]) -> None:
    _, parts = exports
    folder = parts / "parquet" / "evidence"
    article = pq.read_table(_parts(parts, "evidence")[1], columns=["article_id"])[0][0].as_py()
    found = pl.scan_parquet(f"{folder}/*.parquet").filter(pl.col("article_id") == article)
    rows = found.collect()
    assert rows.height > 0 and set(rows["article_id"]) == {article}
    holding = [f for f in _parts(parts, "evidence") if _article_range(f)[0] <= article
               <= _article_range(f)[1]]  # fmt: skip
    assert len(holding) == 1  # every other file's statistics exclude it


def test_the_metadata_name_every_part(exports: tuple[Path, Path]) -> None:
    _, parts = exports
    package = json.loads((parts / "datapackage.json").read_text("utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    evidence = [p.relative_to(parts).as_posix() for p in _parts(parts, "evidence", ".jsonl")]
    assert resources["evidence"]["path"] == evidence and len(evidence) > 1
    assert "evidence-parquet" not in resources  # a multipart Parquet resource is no table
    assert "sources-parquet" in resources
    croissant = json.loads((parts / "croissant.json").read_text("utf-8"))
    objects = {d["@id"]: d for d in croissant["distribution"]}
    for part in _parts(parts, "evidence"):
        assert part.relative_to(parts).as_posix() in objects
    card = (parts / "README.md").read_text("utf-8")
    rows = sum(pq.read_metadata(p).num_rows for p in _parts(parts, "evidence"))
    assert f"| `evidence` | {rows} | {len(evidence)} |" in card


def test_partitioned_exports_are_byte_for_byte_reproducible(
    exports: tuple[Path, Path], tmp_path: Path
) -> None:
    _, parts = exports
    shutil.copytree(parts.parent / "seeds", tmp_path / "seeds")
    assert export_dataset(tmp_path, rows_per_file=ROWS_PER_FILE).written
    assert folder_bytes(tmp_path / "exports") == folder_bytes(parts)


def test_split_keeps_primary_key_order_inside_each_article_run() -> None:
    table = pa.table(
        {"key": [f"k{i}" for i in range(7)], "article_id": ["b", "a", "a", "c", "b", "a", "c"]}
    )
    parts = [p.to_pydict() for p in split(table, 3)]
    assert parts == [
        {"key": ["k1", "k2", "k5"], "article_id": ["a", "a", "a"]},
        {"key": ["k0", "k4"], "article_id": ["b", "b"]},
        {"key": ["k3", "k6"], "article_id": ["c", "c"]},
    ]
    assert [p.num_rows for p in split(pa.table({"key": list(range(5))}), 2)] == [2, 2, 1]
    assert split(table, 7) == [table]


@settings(max_examples=200, deadline=None)
@given(
    counts=st.dictionaries(
        st.text("abcdef", min_size=1, max_size=3), st.integers(1, 9), max_size=12
    ),
    rows_per_file=st.integers(1, 20),
)
def test_the_plan_from_row_counts_is_the_split_of_the_table(
    counts: dict[str, int], rows_per_file: int
) -> None:
    """A cluster's export cuts each table by its rows per article (:func:`plan`) where a
    local export cuts the whole table (:func:`split`): the parts hold the same articles."""
    articles = [a for a, n in sorted(counts.items(), reverse=True) for _ in range(n)]
    table = pa.table({"key": [f"{i:04d}" for i in range(len(articles))], "article_id": articles})
    planned = plan(counts, rows_per_file)
    parts = split(table, rows_per_file) if articles else []
    assert len(planned) == len(parts)
    for (first, last), part in zip(planned, parts, strict=True):
        held = sorted(set(part.column("article_id").to_pylist()))
        assert held == [a for a in sorted(counts) if first <= a <= last]
