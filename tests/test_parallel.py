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


def test_export_columns_are_the_same_whichever_way_they_were_built(planted: Path) -> None:
    _, serial_rows = _findings(planted, jobs=1, all_columns=True)
    _, parallel_rows = _findings(planted, jobs=2, all_columns=True)
    assert parallel_rows == serial_rows
    assert "quote" in serial_rows["evidence"]


def test_validation_keeps_only_the_columns_its_checks_read(planted: Path) -> None:
    _, checked = _findings(planted, jobs=1)
    _, everything = _findings(planted, jobs=1, all_columns=True)
    assert "quote" not in checked["evidence"] and "notes" not in checked["agreements"]
    compared = 0
    for table, columns in checked.items():
        if table in everything:  # actors come from the registry, *_refs are not published
            shared = [k for k in columns if k in everything[table]]
            assert {k: columns[k] for k in shared} == {k: everything[table][k] for k in shared}
            compared += len(shared)
    assert compared > 20
