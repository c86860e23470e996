"""Files checked in worker processes give exactly what checking them in one process gives:
the same findings, in the same order, with the same positions, and the same table rows."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import REPO
from toolkit.check.run import validate_dataset
from toolkit.check.workers import BATCH_FILES
from toolkit.publish.arrow_schemas import published_schemas
from toolkit.publish.published_rows import PublishedRows
from toolkit.publish.writers import Publication
from toolkit.registry import SchemaRegistry

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


def _findings(root: Path, jobs: int) -> tuple[list[dict], dict]:
    """The findings, and every table's checked rows as Python columns."""
    validated = validate_dataset(root, jobs=jobs)
    rows = {t: f.to_dict(as_series=False) for t, f in validated.frames.items()}
    return [f.to_dict() for f in validated.report.findings], rows


def _published(root: Path, jobs: int, scratch: Path) -> dict[str, dict[str, list]]:
    """Every published table built in the per-file pass, as Python columns."""
    registry = SchemaRegistry.load()
    builder = PublishedRows(published_schemas(registry), scratch, registry.latest)
    validated = validate_dataset(root, jobs=jobs, build=builder)
    assert validated.report.valid
    return {t: a.to_pydict() for t, a in Publication.of(validated, "1.1.0").tables.items()}


def test_workers_report_what_one_process_reports(planted: Path) -> None:
    serial, serial_rows = _findings(planted, jobs=1)
    parallel, parallel_rows = _findings(planted, jobs=2)
    codes = {f["code"] for f in serial}
    assert {"id-duplicate", "reference-unresolved", "evidence-quote-mismatch"} <= codes
    assert any(f["line"] > 1 for f in serial)  # dataset-wide findings are located too
    assert parallel == serial
    assert parallel_rows == serial_rows


def test_export_columns_are_the_same_whichever_way_they_were_built(
    clean: Path, tmp_path: Path
) -> None:
    serial_rows = _published(clean, 1, tmp_path)
    parallel_rows = _published(clean, 2, tmp_path)
    assert parallel_rows == serial_rows
    assert "quote" in serial_rows["evidence"]


def test_validation_keeps_only_the_columns_its_checks_read(clean: Path, tmp_path: Path) -> None:
    """The checked rows hold only what the checks read, and there the values the published
    rows hold."""
    _, checked = _findings(clean, jobs=1)
    published = _published(clean, 1, tmp_path)
    assert "quote" not in checked["evidence"] and "notes" not in checked["agreements"]
    compared = 0
    for table, columns in checked.items():
        if table in published and table != "evidence":  # *_refs are not published
            shared = [k for k in columns if k in published[table]]
            order = sorted(
                range(len(columns[shared[0]])), key=lambda i: [columns[k][i] for k in shared]
            )
            other = sorted(
                range(len(published[table][shared[0]])),
                key=lambda i: [published[table][k][i] for k in shared],
            )
            assert [[columns[k][i] for k in shared] for i in order] == [
                [published[table][k][i] for k in shared] for i in other
            ], table
            compared += len(shared)
    assert compared > 15
