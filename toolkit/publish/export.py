"""Publish the dataset: validate it with the published rows built in the same pass, write
every export file into a new folder beside ``exports/``, and swap it in only when every file
is complete. Nothing is written when the dataset is invalid.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.check.per_file import DocumentBuilder
from toolkit.check.run import validate_dataset
from toolkit.dataset import Dataset
from toolkit.errors import ExportFailed, ExportLocked, ExportTargetRefused
from toolkit.publish.arrow_schemas import published_schemas
from toolkit.publish.layout import ROWS_PER_FILE
from toolkit.publish.partitions import PARTS, PartitionedRows
from toolkit.publish.published_rows import PublishedRows
from toolkit.publish.swap import (
    EXPORTS,
    beside,
    compare,
    is_export,
    recover,
    scratch_failed,
    scratch_folder,
    swap_in,
)
from toolkit.publish.writers import Hook, Publication, write_exports
from toolkit.registry import SchemaRegistry
from toolkit.report import Report


@dataclass
class ExportResult:
    """What an export did: the validation report, whether ``exports/`` was replaced, every
    file built with its SHA-256, and (in check mode) the files that differ."""

    report: Report
    written: bool = False
    files: dict[str, str] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)


class Terminated(Exception):
    """SIGTERM arrived during an export."""


def export_dataset(
    root: Path | str = ".",
    *,
    out: Path | str | None = None,
    check: bool = False,
    registry: SchemaRegistry | None = None,
    hook: Hook | None = None,
    on_wait: Callable[[str], None] | None = None,
    executor: Executor | None = None,
    rows_per_file: int = ROWS_PER_FILE,
) -> ExportResult:
    """Validate the dataset under *root* and publish it to ``<root>/exports``, or *out*.

    :param root: the dataset's folder, or its fsspec URL (:mod:`toolkit.storage`; its
        exports then go to *out*).
    :param out: the folder to publish (or, with *check*, to compare) instead of
        ``<root>/exports``: a new folder, an empty one or an earlier export
        (:func:`exports_target`); needed for a URL root.
    :param check: build in the temporary folder and compare with ``exports/`` instead of
        replacing it (nothing is written in the dataset); ``differences`` names every file
        that differs.
    :param hook: called with each table's name once it is written.
    :param on_wait: told when another export holds the lock.
    :param executor: run the per-file pass on it (a Dask cluster's), and write the tables'
        files there (:mod:`toolkit.publish.partitions`); its workers must read the dataset
        and write the scratch and exports folders at the same paths (``TMPDIR`` and the
        dataset on shared storage). The files published are the same.
    :param rows_per_file: a table of more rows is written as several files in its folder
        (:mod:`toolkit.publish.layout`).
    :returns: an :class:`ExportResult`; nothing is written when the report is invalid.
    :raises ExportLocked: when another export holds the lock for longer than ten minutes.
    :raises ExportFailed: when a file cannot be written (read-only, full disk).

    >>> export_dataset(".", check=True).differences
    []
    """
    dataset = Dataset.at(root)
    target = exports_target(dataset, out)
    registry = registry or SchemaRegistry.load()
    with scratch_folder() as scratch:
        builder = PublishedRows(
            published_schemas(registry),
            scratch,
            registry.latest,
            registry.trigger_lexicon(registry.latest),
        )
        build: DocumentBuilder = builder
        if executor is not None:  # rows written by the workers, not sent back
            build = PartitionedRows(builder, scratch / PARTS)
        try:
            validated = validate_dataset(
                dataset.root if dataset.is_local else dataset.address,
                registry=registry,
                build=build,
                executor=executor,
            )
        except OSError as exc:  # the files checked give findings: this is the scratch folder
            _reraise_cluster(exc)
            raise ExportFailed(scratch_failed(scratch, exc)) from exc
        if not validated.report.valid:
            return ExportResult(validated.report)
        report = validated.report
        try:
            publication = Publication.of(validated, registry.latest)
        except OSError as exc:  # the part files the workers wrote
            raise ExportFailed(
                scratch_failed(scratch, exc)
                + (
                    "; the cluster's workers write their part files there, so it must be "
                    "a folder they and this process share (docs/scale.md)"
                    if executor is not None
                    else ""
                )
            ) from exc
        del validated  # the checked frames are not published: free them before writing
        if check:
            built = scratch / EXPORTS
            return _check(
                publication, registry, built, target, report, hook, rows_per_file, executor
            )
        return _publish(
            publication, registry, target, report, hook, on_wait, rows_per_file, executor
        )


def _check(
    publication: Publication,
    registry: SchemaRegistry,
    built: Path,
    target: Path,
    report: Report,
    hook: Hook | None,
    rows_per_file: int,
    executor: Executor | None,
) -> ExportResult:
    try:
        files = write_exports(
            publication, registry, built, hook=hook, rows_per_file=rows_per_file, executor=executor
        )
    except OSError as exc:
        _reraise_cluster(exc)
        raise ExportFailed(scratch_failed(built.parent, exc)) from exc
    return ExportResult(report, False, files, compare(built, target))


def _publish(
    publication: Publication,
    registry: SchemaRegistry,
    target: Path,
    report: Report,
    hook: Hook | None,
    on_wait: Callable[[str], None] | None,
    rows_per_file: int,
    executor: Executor | None,
) -> ExportResult:
    from filelock import FileLock, Timeout

    lock = FileLock(str(beside(target, "lock")))
    try:  # a lock file that cannot be made is no export holding it: say so at once
        target.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(lock.lock_file, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o644))
    except OSError as exc:
        raise ExportFailed(_unwritable(target.parent, exc)) from exc
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait:
            on_wait(f"another export holds {lock.lock_file}; waiting for it to finish")
        try:
            lock.acquire(timeout=600)
        except Timeout:
            raise ExportLocked(f"another export still holds {lock.lock_file}") from None
    except OSError as exc:
        raise ExportFailed(_unwritable(target.parent, exc)) from exc
    previous = _terminate_cleanly()
    try:
        recover(target)
        tmp = beside(target, "tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            files = write_exports(
                publication,
                registry,
                tmp,
                hook=hook,
                rows_per_file=rows_per_file,
                executor=executor,
            )
            swap_in(tmp, target)
            return ExportResult(report, True, files)
        except OSError as exc:
            _reraise_cluster(exc)
            raise ExportFailed(_unwritable(target.parent, exc)) from exc
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        lock.release()


def exports_target(dataset: Dataset, out: Path | str | None) -> Path:
    """The folder an export of *dataset* publishes: *out*, or ``exports/`` under the root.

    An export replaces the whole folder, so *out* must be a new folder, an empty one, or an
    earlier export (:func:`~toolkit.publish.swap.is_export`), and neither the dataset's
    root, a folder holding it, nor a folder inside its ``seeds/``.

    :raises ExportTargetRefused: when it is none of these.
    """
    if out is None:
        if not dataset.is_local:
            raise ExportTargetRefused(
                f"{dataset.url}: a dataset at a URL is published into a folder of this "
                "machine (or shared storage): give --out DIRECTORY"
            )
        return dataset.exports_dir
    target = Path(os.path.abspath(out))
    real = Path(os.path.realpath(target))
    shown = str(out)[:200]
    root = Path(os.path.realpath(dataset.root)) if dataset.is_local else None
    if root is not None and (
        real == root or real in root.parents or (root / "seeds") in (real, *real.parents)
    ):
        raise ExportTargetRefused(
            f"--out {shown} would replace the dataset or lie inside its seeds/: give a "
            "folder of its own"
        )
    if os.path.lexists(target):
        if target.is_symlink() or not target.is_dir():
            raise ExportTargetRefused(f"--out {shown} exists and is not a folder")
        if any(target.iterdir()) and not is_export(target):
            raise ExportTargetRefused(
                f"--out {shown} holds files that are not an export (its SHA256SUMS does not "
                "list exactly them); an export replaces the whole folder, so give a new or "
                "empty one"
            )
    return target


def _reraise_cluster(exc: OSError) -> None:
    """Raise *exc* as it is when it is a cluster's failure rather than a file's: a closed
    connection to the scheduler or a worker (``ConnectionError``, the engine's comm errors),
    which :func:`toolkit.check.cluster.cluster_executor` reports as a cluster that could not
    finish."""
    if isinstance(exc, ConnectionError) or type(exc).__module__.startswith("distributed."):
        raise exc


def _unwritable(root: Path, exc: OSError) -> str:
    where = f" {exc.filename}" if exc.filename else f" in {root}"
    return (
        f"writing the exports failed ({exc.strerror or exc}:{where}); "
        "the previous exports are untouched"
    )


def _terminate_cleanly() -> Any:
    """Turn SIGTERM into an exception while exporting, so the temporary folder is removed and
    the lock released; returns the previous handler (None off the main thread)."""

    def handler(signum: int, frame: Any) -> None:
        raise Terminated("export terminated by SIGTERM; the previous exports are untouched")

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, handler)
