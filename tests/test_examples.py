"""The example analyses run, in DuckDB SQL and in polars, and agree with each other and with
counts taken straight from the JSONL exports."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from conftest import REPO
from toolkit.publish.export import export_dataset

EXAMPLES = REPO / "examples"
DUCKDB_CLI = str(Path(sys.executable).with_name("duckdb"))


def _polars_examples() -> ModuleType:
    spec = importlib.util.spec_from_file_location("analyses", EXAMPLES / "analyses.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sql(root: Path, name: str) -> list[tuple[object, ...]]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return duckdb.sql((EXAMPLES / name).read_text()).fetchall()
    finally:
        os.chdir(cwd)


@pytest.fixture
def exported(small: Path) -> Path:
    assert export_dataset(small).written
    return small


def _jsonl(root: Path, table: str) -> list[dict[str, object]]:
    path = root / "exports" / "json" / table / "part-00000.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_agreements_by_sector_and_status(exported: Path) -> None:
    expected = Counter(
        (s, a["status"]) for a in _jsonl(exported, "agreements") for s in a["sectors"]
    )  # type: ignore[attr-defined]
    sql = _sql(exported, "agreements_by_sector_and_status.sql")
    assert {(s, st): n for s, st, n in sql} == dict(expected)
    frame = _polars_examples().agreements_by_sector_and_status(exported / "exports" / "parquet")
    assert [tuple(r) for r in frame.iter_rows()] == sql


def test_actors_by_agreements(exported: Path) -> None:
    parties = _jsonl(exported, "agreement_parties")
    expected = Counter(
        p["actor_id"] for p in {(p["actor_id"], p["agreement_id"]): p for p in parties}.values()
    )
    sql = _sql(exported, "actors_by_agreements.sql")
    assert {row[0]: row[3] for row in sql} == dict(expected)
    frame = _polars_examples().actors_by_agreements(exported / "exports" / "parquet")
    assert [tuple(r) for r in frame.iter_rows()] == sql


def test_timeline_is_ordered_and_complete(exported: Path) -> None:
    sql = _sql(exported, "timeline.sql")
    order = sorted(sql, key=lambda r: (r[1] or r[2], r[2], r[0]))  # no first day: at its last
    assert [r[0] for r in sql] == [r[0] for r in order]
    assert sql[0][0] != "dat-004-1945-typo"  # the typo's corrected year, 2045, is used
    assert {r[0] for r in sql} == {d["date_id"] for d in _jsonl(exported, "dates")}
    frame = _polars_examples().timeline(exported / "exports" / "parquet")
    assert frame["date_id"].to_list() == [r[0] for r in sql]


def test_the_first_query_runs_in_the_duckdb_cli_on_the_published_exports() -> None:
    """The one-line DuckDB query the README shows first, run as written by the DuckDB CLI."""
    match = re.search(r'^duckdb -c "(.+)"$', (REPO / "README.md").read_text("utf-8"), re.M)
    assert match, "the README shows no duckdb one-liner"
    out = subprocess.run(
        [DUCKDB_CLI, "-csv", "-c", match.group(1)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out[0] == "status,count_star()"
    agreements = [
        json.loads(x)
        for x in (REPO / "exports/json/agreements/part-00000.jsonl").read_text("utf-8").splitlines()
    ]
    expected = sorted(Counter(a["status"] for a in agreements).items())
    assert sorted(tuple(line.split(",")) for line in out[1:]) == [(s, str(n)) for s, n in expected]


def test_polars_script_runs_on_the_published_exports() -> None:
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "analyses.py")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "## agreements_by_sector_and_status" in out and "## timeline" in out
