"""Files checked in worker processes give exactly what checking them in one process gives:
the same findings, in the same order, with the same positions, and the same table rows."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import REPO
from toolkit.file_checks import BATCH_FILES
from toolkit.validation import validate_dataset

try:
    from bench.generate import generate
except ModuleNotFoundError:
    sys.path.insert(0, str(REPO))
    from bench.generate import generate


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated dataset of several batches of files, a third of them with planted errors
    of every rule code."""
    root = tmp_path_factory.mktemp("parallel")
    summary = generate(BATCH_FILES * 3 * 30, 7, root, invalid_fraction=0.3)
    assert summary["articles"] > 2 * BATCH_FILES
    return root


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated dataset of several batches of files with no error: the export builds the
    published rows of every file (of a batch with errors it builds only the checked ones)."""
    root = tmp_path_factory.mktemp("parallel-clean")
    generate(BATCH_FILES * 3 * 30, 5, root)
    return root


def _findings(root: Path, jobs: int, all_columns: bool = False) -> tuple[list[dict], dict]:
    """The findings, and every table's rows as Python columns (the checked columns, or with
    *all_columns* the published ones)."""
    validated = validate_dataset(root, jobs=jobs, all_columns=all_columns)
    if all_columns:
        rows = {t: a.to_pydict() for t, a in validated.published.items()}
    else:
        rows = {t: f.to_dict(as_series=False) for t, f in validated.frames.items()}
    return [f.to_dict() for f in validated.report.findings], rows


def test_workers_report_what_one_process_reports(planted: Path) -> None:
    serial, serial_rows = _findings(planted, jobs=1)
    parallel, parallel_rows = _findings(planted, jobs=2)
    codes = {f["code"] for f in serial}
    assert {"id-duplicate", "reference-unresolved", "evidence-quote-mismatch"} <= codes
    assert any(f["line"] > 1 for f in serial)  # dataset-wide findings are located too
    assert parallel == serial
    assert parallel_rows == serial_rows


def test_export_columns_are_the_same_whichever_way_they_were_built(clean: Path) -> None:
    _, serial_rows = _findings(clean, jobs=1, all_columns=True)
    _, parallel_rows = _findings(clean, jobs=2, all_columns=True)
    assert parallel_rows == serial_rows
    assert "quote" in serial_rows["evidence"]


def test_validation_keeps_only_the_columns_its_checks_read(clean: Path) -> None:
    _, checked = _findings(clean, jobs=1)
    _, everything = _findings(clean, jobs=1, all_columns=True)
    assert "quote" not in checked["evidence"] and "notes" not in checked["agreements"]
    compared = 0
    for table, columns in checked.items():
        if table in everything:  # actors come from the registry, *_refs are not published
            shared = [k for k in columns if k in everything[table]]
            assert {k: columns[k] for k in shared} == {k: everything[table][k] for k in shared}
            compared += len(shared)
    assert compared > 20


def test_rows_built_for_validation_alone_hold_what_the_checks_read(planted: Path) -> None:
    """Validation builds only the checked columns; they hold exactly what the full rows,
    built for the export, hold in those columns, table by table, for every usable document
    of a corpus with errors of every kind planted."""
    from toolkit.dataset import Dataset
    from toolkit.registry import SchemaRegistry
    from toolkit.table_checks import columns_checked, frames_of
    from toolkit.tables import Tables, document_rows
    from toolkit.validation import load_annotation

    dataset, registry = Dataset.at(planted), SchemaRegistry.load()
    checked = columns_checked()
    lean, full = Tables(), Tables()
    usable = 0
    for name in dataset.annotation_names():
        loaded = load_annotation(dataset, dataset.root / name, registry)
        if loaded.ok:
            usable += 1
            document_rows(lean, loaded.file, loaded.document, full=False)
            document_rows(full, loaded.file, loaded.document, full=True)
    assert usable > 100 and lean.names == full.names
    lean_frames, full_frames = frames_of(lean, checked), frames_of(full, checked)
    for table in lean.names:
        left, right = lean_frames[table], full_frames[table]
        assert set(left.columns) == set(right.columns), table
        assert left.equals(right.select(left.columns)), table
    for table in ("sources", "actor_mentions", "agreements", "dates", "evidence"):
        assert set(lean.columns(table)) == set(lean_frames[table].columns), table  # no more
