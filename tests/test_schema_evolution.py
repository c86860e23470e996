"""Schema 1.1.0, the first schema change: migration from 1.0.0, datasets of mixed versions, a
published schema that only adds, and the trigger lexicon the new rules read."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import polars.selectors as cs
import pyarrow.parquet as pq
import pytest
from click.testing import Result

from conftest import DATA, REPO, copy_dataset
from toolkit.canonical_json import canonical_bytes
from toolkit.check.run import validate_dataset
from toolkit.dataset import Dataset
from toolkit.evolve.migrate import MigrationRefused, migrate_document, migrate_files
from toolkit.lexicon import TriggerLexicon
from toolkit.publish.export import export_dataset
from toolkit.publish.table_specs import TABLE_SPECS
from toolkit.registry import SchemaRegistry

#: The release of schema 1.0.0 as it was published: the seed annotations and their exports.
RELEASE = DATA / "release-1.0.0"


@pytest.fixture
def seeds_1_0_0(tmp_path: Path) -> Path:
    """A dataset of the five seed articles annotated as released at schema 1.0.0."""
    root = tmp_path / "v1"
    shutil.copytree(REPO / "seeds" / "articles", root / "seeds" / "articles")
    shutil.copytree(RELEASE / "seeds", root / "seeds", dirs_exist_ok=True)
    return root


def _versions(root: Path) -> set[str]:
    return {
        json.loads(p.read_text("utf-8"))["schema_version"]
        for p in (root / "seeds" / "annotations").glob("*.json")
    }


def test_the_release_copy_is_at_1_0_0_and_still_valid(seeds_1_0_0: Path) -> None:
    """Contributors with 1.0.0 documents are not broken by the release of 1.1.0."""
    assert _versions(seeds_1_0_0) == {"1.0.0"}
    report = validate_dataset(seeds_1_0_0, cache=False).report
    assert report.valid, [f for f in report.findings if f.severity == "error"]
    assert not [f for f in report.findings if f.code.startswith("trigger")]


def test_migration_rewrites_every_document_and_says_what_is_left(
    seeds_1_0_0: Path, run_cli: Callable[..., Result]
) -> None:
    before = {p.name: p.read_bytes() for p in (seeds_1_0_0 / "seeds" / "annotations").iterdir()}
    checked = run_cli("migrate", "--root", str(seeds_1_0_0), "--check")
    assert checked.exit_code == 1
    assert "would migrate 1.0.0 -> 1.1.0" in checked.output
    assert before == {
        p.name: p.read_bytes() for p in (seeds_1_0_0 / "seeds" / "annotations").iterdir()
    }

    done = run_cli("migrate", "--root", str(seeds_1_0_0))
    assert done.exit_code == 0, done.output
    assert _versions(seeds_1_0_0) == {"1.1.0"}
    registry_doc = json.loads((seeds_1_0_0 / "seeds" / "actors.json").read_text("utf-8"))
    assert registry_doc["schema_version"] == "1.1.0"
    for path in (seeds_1_0_0 / "seeds" / "annotations").glob("*.json"):
        doc = json.loads(path.read_text("utf-8"))
        assert path.read_bytes() == canonical_bytes(doc)  # the canonical layout
        assert doc["$schema"] == "../../schemas/1.1.0/annotation.schema.json"
        untriggered = [a["agreement_id"] for a in doc["agreements"]]
        assert f"{len(untriggered)} agreement(s) need a trigger" in done.output
        assert all(i in done.output for i in untriggered)
    assert "qualifier of the approximate count 24" in done.output  # "dozens": left to decide

    report = validate_dataset(seeds_1_0_0, cache=False).report
    assert report.valid
    warned = [f for f in report.findings if f.code == "trigger-missing"]
    assert len(warned) == report.stats["agreements"] == 75
    assert {f.code for f in report.findings} == {"trigger-missing"}

    again = run_cli("migrate", "--root", str(seeds_1_0_0), "--check")
    assert again.exit_code == 0 and "already at 1.1.0" in again.output


def test_migration_is_pure_deterministic_and_idempotent(seeds_1_0_0: Path) -> None:
    path = seeds_1_0_0 / "seeds" / "annotations" / "004_10177aab37503ad3.json"
    doc = json.loads(path.read_text("utf-8"))
    frozen = json.dumps(doc)
    first = migrate_document(doc, "annotation", "1.1.0")
    second = migrate_document(doc, "annotation", "1.1.0")
    assert json.dumps(doc) == frozen  # the input is untouched
    assert canonical_bytes(first.document) == canonical_bytes(second.document)
    assert migrate_document(first.document, "annotation", "1.1.0").document is first.document
    by_2045 = next(d for d in first.document["dates"] if d["date_id"] == "dat-004-2045-target")
    assert (by_2045["mod"], by_2045["earliest"], by_2045["latest"]) == (
        "ON_OR_BEFORE",
        None,
        "2045-12-31",
    )
    counts = [c for a in first.document["agreements"] for c in a.get("counts", [])]
    assert {c.get("qualifier") for c in counts if not c.get("approximate")} == {"exact"}
    with pytest.raises(MigrationRefused, match="newer"):
        migrate_document(first.document, "annotation", "1.0.0")


def test_migration_writes_nothing_when_a_file_is_broken(
    seeds_1_0_0: Path, run_cli: Callable[..., Result]
) -> None:
    broken = seeds_1_0_0 / "seeds" / "annotations" / "002_b73b0a0bcbca2c9e.json"
    broken.write_bytes(broken.read_bytes()[:500])
    before = {p: p.read_bytes() for p in (seeds_1_0_0 / "seeds").rglob("*.json")}
    result = run_cli("migrate", "--root", str(seeds_1_0_0))
    assert result.exit_code == 1
    assert "002_b73b0a0bcbca2c9e.json:" in result.output and "json-syntax" in result.output
    assert before == {p: p.read_bytes() for p in (seeds_1_0_0 / "seeds").rglob("*.json")}
    unknown = run_cli("migrate", "--root", str(seeds_1_0_0), "--to", "9.9.9")
    assert unknown.exit_code == 2 and "9.9.9" in unknown.output


def test_migration_rewrites_nothing_outside_the_dataset(
    seeds_1_0_0: Path, tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    outside = tmp_path / "elsewhere.json"
    outside.write_bytes(
        (RELEASE / "seeds" / "annotations" / "000_c9643dd3023e532a.json").read_bytes()
    )
    before = outside.read_bytes()
    refused = run_cli("migrate", "--root", str(seeds_1_0_0), str(outside))
    assert refused.exit_code == 2 and "is not an annotation document" in refused.output
    assert outside.read_bytes() == before
    missing = run_cli("migrate", "--root", str(seeds_1_0_0), str(tmp_path / "nowhere.json"))
    assert missing.exit_code == 2 and "does not exist" in missing.output
    one = seeds_1_0_0 / "seeds" / "annotations" / "001_96df6b17180d74ab.json"
    done = run_cli("migrate", "--root", str(seeds_1_0_0), str(one))
    assert done.exit_code == 0 and _versions(seeds_1_0_0) == {"1.0.0", "1.1.0"}


def _tables(root: Path) -> dict[str, pl.DataFrame]:
    return {spec.name: pl.read_parquet(_folder(root, spec.name)) for spec in TABLE_SPECS}


def _folder(root: Path, table: str) -> Path:
    """The folder of *table*'s Parquet files in the exports of *root* (one folder per table
    since the 1.0.0 release, which had one file per table: ``parquet/<table>.parquet``)."""
    return root / "exports" / "parquet" / table


def test_a_1_0_0_dataset_and_its_migration_publish_the_same_facts(
    seeds_1_0_0: Path, tmp_path: Path
) -> None:
    migrated = copy_dataset(seeds_1_0_0, tmp_path / "migrated")
    migrate_files(Dataset.at(migrated), SchemaRegistry.load())
    assert export_dataset(seeds_1_0_0).written and export_dataset(migrated).written
    old, new = _tables(seeds_1_0_0), _tables(migrated)
    assert old["sources"]["schema_version"].unique().to_list() == ["1.0.0"]  # as declared
    assert new["sources"]["schema_version"].unique().to_list() == ["1.1.0"]
    for name in old:
        left, right = old[name], new[name]
        if name == "sources":
            left, right = left.drop("schema_version"), right.drop("schema_version")
        assert left.equals(right), name
    a = json.loads((seeds_1_0_0 / "exports" / "json" / "annotations.json").read_text("utf-8"))
    b = json.loads((migrated / "exports" / "json" / "annotations.json").read_text("utf-8"))
    assert a == b  # every document is published as the latest version has it


def test_the_facts_of_the_1_0_0_release_are_published_as_before(seeds_1_0_0: Path) -> None:
    """Against the exports as released at 1.0.0: every column they had holds the same values,
    but for the bounds of dates whose modifier opens an end ("by 2045" now has no first
    day), which 1.1.0 reads as TIMEX3 does, and the evidence's prefix and suffix, null in
    1.0.0 and now the text around each quote."""
    assert export_dataset(seeds_1_0_0).written
    for spec in TABLE_SPECS:
        released = RELEASE / "exports" / "parquet" / f"{spec.name}.parquet"
        if not released.exists():
            continue
        before = pl.read_parquet(released)
        after = pl.read_parquet(_folder(seeds_1_0_0, spec.name))
        assert set(before.columns) <= set(after.columns), spec.name
        after = after.select(before.columns)
        if spec.name == "dates":
            opened = pl.col("mod").cast(pl.String).is_in(["BEFORE", "ON_OR_BEFORE"])
            changed = after.filter(opened)
            assert changed["earliest"].null_count() == changed.height > 0
            before, after = before.filter(~opened), after.filter(~opened)
        if spec.name == "evidence":
            context = ["prefix", "suffix"]
            assert before.select(context).null_count().row(0) == (before.height,) * 2
            assert after.select(context).null_count().row(0) == (0, 0)
            before, after = before.drop(context), after.drop(context)
        assert _as_before(after.to_dicts(), before.to_dicts()) == before.to_dicts(), spec.name


def _as_before(rows: Any, like: Any) -> Any:
    """*rows* with the struct fields that *like* (the rows they are compared with, item by
    item) lacks left out: a struct column may gain fields (a count's qualifier)."""
    if isinstance(rows, list) and isinstance(like, list) and len(rows) == len(like):
        return [_as_before(r, other) for r, other in zip(rows, like, strict=True)]
    if isinstance(rows, dict) and isinstance(like, dict):
        return {k: _as_before(v, like[k]) for k, v in rows.items() if k in like}
    return rows


def test_a_dataset_of_mixed_versions_validates_each_by_its_own(
    seeds_1_0_0: Path, run_cli: Callable[..., Result]
) -> None:
    migrated = [seeds_1_0_0 / "seeds" / "annotations" / "000_c9643dd3023e532a.json"]
    migrate_files(Dataset.at(seeds_1_0_0), SchemaRegistry.load(), migrated)
    assert _versions(seeds_1_0_0) == {"1.0.0", "1.1.0"}
    report = validate_dataset(seeds_1_0_0, cache=False).report
    assert report.valid
    assert {f.file for f in report.findings if f.code == "trigger-missing"} == {
        "seeds/annotations/000_c9643dd3023e532a.json"
    }
    # a 1.0.0 document is held to 1.0.0: the trigger 1.1.0 allows is no field of it
    old = seeds_1_0_0 / "seeds" / "annotations" / "001_96df6b17180d74ab.json"
    doc = json.loads(old.read_text("utf-8"))
    doc["agreements"][0]["trigger"] = dict(doc["agreements"][0]["evidence"][0])
    old.write_bytes(canonical_bytes(doc))
    result = run_cli("validate", "--root", str(seeds_1_0_0), "--no-cache")
    assert result.exit_code == 1
    assert "schema-violation" in result.output and "'trigger' was unexpected" in result.output

    old.write_bytes((RELEASE / "seeds" / "annotations" / old.name).read_bytes())
    assert export_dataset(seeds_1_0_0).written
    sources = pl.read_parquet(_folder(seeds_1_0_0, "sources"))
    assert sorted(sources["schema_version"].unique().to_list()) == ["1.0.0", "1.1.0"]
    file_meta = pq.read_schema(_folder(seeds_1_0_0, "agreements") / "part-00000.parquet")
    assert file_meta.metadata[b"schema_version"] == b"1.1.0"  # one published shape


def test_the_published_schema_only_adds_nullable_columns(tmp_path: Path) -> None:
    """The 1.1.0 exports beside the 1.0.0 release, read together by column name: the release's
    one file per table beside the files of the table's folder now."""
    root = copy_dataset(REPO, tmp_path / "now")
    assert export_dataset(root).written
    for spec in TABLE_SPECS:
        released = RELEASE / "exports" / "parquet" / f"{spec.name}.parquet"
        (current,) = sorted(_folder(root, spec.name).glob("*.parquet"))
        if not released.exists():
            continue
        old, new = pq.read_schema(released), pq.read_schema(current)
        for field in old:
            now = new.field(field.name)  # no column removed
            assert _value_type(now.type) == _value_type(field.type), (spec.name, field.name)
        added = [f for f in new if f.name not in old.names]
        assert all(f.nullable for f in added), (spec.name, [f.name for f in added])
        both = duckdb.sql(
            f"select * from read_parquet(['{released}', '{current}'], union_by_name = true)"
        )
        assert set(both.columns) == set(new.names)
        rows = both.count("*").fetchall()[0]
        assert rows[0] == pq.read_metadata(released).num_rows + pq.read_metadata(current).num_rows
        frames = [pl.read_parquet(released), pl.read_parquet(current)]
        together = pl.concat(  # the release's enums read as Categorical, today's as Enum
            [f.with_columns((cs.categorical() | cs.enum()).cast(pl.String)) for f in frames],
            how="diagonal_relaxed",
        )
        assert together.height == rows[0] and set(together.columns) == set(new.names)


def _value_type(kind: Any) -> str:
    """An Arrow type as readers see its values (a dictionary column as its value type, a
    struct by the fields it had then: fields may only be added)."""
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        return str(kind.value_type)
    if pa.types.is_list(kind) and pa.types.is_struct(kind.value_type):
        return "list<struct>"
    return str(kind)


def test_the_trigger_lexicon_is_valid_unambiguous_and_matches_longest_first() -> None:
    registry = SchemaRegistry.load()
    stored = registry.lexicon("1.1.0")
    assert stored is not None and registry.lexicon("1.0.0") is None
    errors = list(registry.validator("trigger_lexicon", "1.1.0").iter_errors(stored))
    assert errors == []
    lexicon = TriggerLexicon.of(stored)
    statuses = registry.schema("defs", "1.1.0")["$defs"]["status"]["enum"]
    assert {s for cue in lexicon.cues for s in cue.statuses} <= set(statuses)
    cases = {
        "are expected to sign": "expected",
        "signed dozens of co-operation pacts": "signed",
        "emphasized the need to": "proposed",
        "there were discussions about": "under_negotiation",
        "no agreement was reached on rare earths": "not_reached",
        "have been put on hold": "shelved",
        "alludes to": "mentioned",
        "has  been highlighted": "mentioned",
        "Xi’s call for broader cooperation": "proposed",
    }
    assert {q: getattr(lexicon.cue_of(q), "cue", None) for q in cases} == cases
    assert lexicon.cue_of("a designed pact") is None  # word boundaries: no "sign" in "designed"
    doubled = {"cues": [*stored["cues"], {**stored["cues"][0], "cue": "again"}]}
    with pytest.raises(ValueError, match="belongs to"):
        TriggerLexicon.of(doubled)


def test_the_published_seeds_have_a_trigger_on_every_agreement() -> None:
    documents = [
        json.loads(p.read_text("utf-8")) for p in (REPO / "seeds" / "annotations").glob("*.json")
    ]
    assert {d["schema_version"] for d in documents} == {SchemaRegistry.load().latest}
    assert all("trigger" in a for d in documents for a in d["agreements"])
    report = validate_dataset(REPO, cache=False).report
    assert not [f for f in report.findings if f.code.startswith(("trigger", "status-exceeds"))]


def test_schema_diff_prints_the_verdict_and_check_enforces_semver(
    tmp_path: Path, run_cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = run_cli("schema", "diff", "1.0.0", "1.1.0")
    assert shown.exit_code == 0
    assert shown.output.rstrip().endswith("overall: backward")
    assert "/properties/trigger: property-added (backward yes, forward no)" in shown.output
    data = json.loads(run_cli("schema", "diff", "1.0.0", "1.1.0", "--format", "json").output)
    assert data["compatibility"] == "backward" and data["record_types"]["agreement"] == "backward"
    assert run_cli("schema", "check").exit_code == 0

    schemas = tmp_path / "schemas"
    shutil.copytree(REPO / "schemas", schemas)
    draft = schemas / "1.2.0"
    shutil.copytree(schemas / "1.1.0", draft)
    agreement = json.loads((draft / "agreement.schema.json").read_text("utf-8"))
    del agreement["properties"]["notes"]  # a field removed: breaking for a minor release
    for path in draft.glob("*.json"):
        path.write_text(path.read_text("utf-8").replace("/1.1.0/", "/1.2.0/"), "utf-8")
    stamped = json.loads(json.dumps(agreement).replace("/1.1.0/", "/1.2.0/"))
    (draft / "agreement.schema.json").write_text(json.dumps(stamped), "utf-8")
    defs = json.loads((draft / "defs.schema.json").read_text("utf-8"))
    defs["$defs"]["schema_version"]["const"] = "1.2.0"
    (draft / "defs.schema.json").write_text(json.dumps(defs), "utf-8")
    judged = run_cli("schema", "diff", "1.1.0", str(draft))
    assert "/properties/notes: property-removed" in judged.output
    monkeypatch.setenv("TOOLKIT_SCHEMAS", str(schemas))
    refused = run_cli("schema", "check")
    assert refused.exit_code == 1 and "1.1.0" in refused.output and "1.2.0" in refused.output
    (schemas / "2.0.0").mkdir()
    draft.rename(schemas / "2.0.0" / "x")
    for path in (schemas / "2.0.0" / "x").iterdir():
        path.write_text(path.read_text("utf-8").replace("1.2.0", "2.0.0"), "utf-8")
        path.rename(schemas / "2.0.0" / path.name)
    (schemas / "2.0.0" / "x").rmdir()
    assert run_cli("schema", "check").exit_code == 0  # a major release may break
