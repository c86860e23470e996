"""The per-file half of validation: each annotation file loaded strictly, checked against its
schema version and its article, and flattened into its table rows, on its own.

Nothing here looks at another annotation file, so files are checked in batches, in worker
processes when the dataset is large (:func:`check_files`), and the batches' rows are merged
in file order: the result is the same whichever way it ran. The whole-dataset half (keys,
references) runs on the merged tables in :mod:`toolkit.validation`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from toolkit.dataset import Dataset
from toolkit.findings import Finding
from toolkit.loading import MAX_BYTES, Loaded
from toolkit.registry import SchemaRegistry
from toolkit.tables import Tables, document_rows

#: Files per batch handed to a worker process.
BATCH_FILES = 64
#: Below this many files the start-up of worker processes costs more than it saves.
PARALLEL_MIN_FILES = 400


@dataclass
class FileResult:
    """What checking one annotation file found: its findings, whether the document could be
    used as a whole, the ids of records set aside for schema errors, its article id and the
    SHA-256 of the bytes checked."""

    file: str
    findings: list[Finding] = field(default_factory=list)
    ok: bool = False
    dropped_ids: list[str] = field(default_factory=list)
    article_id: str | None = None
    sha256: str | None = None
    #: other files the checks read (the article): path -> SHA-256, None when absent
    read_also: dict[str, str | None] = field(default_factory=dict)


class DocumentBuilder(Protocol):
    """Something more a client builds from each batch of checked files in the per-file pass,
    in the worker that checked them (the export's published rows): it must be picklable, and
    what :meth:`build` returns too. The checks know nothing of what it builds."""

    def build(self, documents: Sequence[Loaded]) -> Any:
        """What to build from *documents*, one batch of files as checked, in order (those
        that could not be used have no ``document``)."""


@dataclass
class Batch:
    """Results of consecutive files, in order, the rows of those that were usable as polars
    frames of the checked columns (Arrow buffers rather than millions of Python objects
    across process boundaries), and what the job's builder built from them."""

    results: list[FileResult]
    frames: dict[str, Any] = field(default_factory=dict)
    built: Any = None


@dataclass(frozen=True)
class Job:
    """What a worker needs to check files: where the dataset is, the schemas, which table
    columns the dataset-wide checks read, and a client's builder (None: nothing more)."""

    root: Path
    schema_root: Path
    schemas: dict[str, dict[str, dict[str, Any]]]
    max_bytes: int = MAX_BYTES
    columns: dict[str, set[str]] = field(default_factory=dict)
    build: DocumentBuilder | None = None

    @classmethod
    def of(
        cls,
        dataset: Dataset,
        registry: SchemaRegistry,
        max_bytes: int = MAX_BYTES,
        columns: dict[str, set[str]] | None = None,
        build: DocumentBuilder | None = None,
    ) -> Job:
        return cls(dataset.root, registry.root, registry.schemas, max_bytes, columns or {}, build)


def check_batch(
    dataset: Dataset, registry: SchemaRegistry, names: Sequence[str], job: Job
) -> Batch:
    """Check the files *names* (relative to the root) in order, gather the rows of the usable
    documents and hand the batch to the job's builder."""
    from toolkit.table_checks import frames_of
    from toolkit.validation import load_annotation

    tables = Tables()
    results = []
    documents = []
    root = dataset.root
    for name in names:
        loaded = load_annotation(dataset, root / name, registry, job.max_bytes)
        results.append(_result(loaded))
        if loaded.ok:
            document_rows(tables, loaded.file, loaded.document, evidence=loaded.evidence)
        if job.build is not None:
            documents.append(loaded)
    built = job.build.build(documents) if job.build is not None else None
    return Batch(results, frames_of(tables, job.columns), built)


def _result(loaded: Loaded) -> FileResult:
    doc = loaded.document
    article_id = doc["source"]["article_id"] if loaded.ok else None
    return FileResult(
        loaded.file,
        loaded.findings,
        loaded.ok,
        sorted(loaded.dropped_ids),
        article_id,
        loaded.sha256,
        loaded.read_also,
    )


def check_files(
    dataset: Dataset,
    registry: SchemaRegistry,
    names: Sequence[str],
    job: Job,
    *,
    jobs: int | None = None,
) -> Iterator[Batch]:
    """Check every file of *names* (relative to the root), yielding batches in file order.

    :param jobs: worker processes; None uses every core when there are enough files to pay
        for starting them, 1 checks in this process.
    """
    batches = [names[i : i + BATCH_FILES] for i in range(0, len(names), BATCH_FILES)]
    workers = _workers(jobs, len(names))
    if workers <= 1:
        for batch in batches:
            yield check_batch(dataset, registry, batch, job)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["toolkit.file_checks", "toolkit.validation"])
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_start_worker, initargs=(job,)
    ) as pool:
        yield from pool.map(_worker_batch, batches)


def _workers(jobs: int | None, files: int) -> int:
    if jobs is not None:
        return max(1, min(jobs, -(-files // BATCH_FILES)))
    if files < PARALLEL_MIN_FILES:
        return 1
    return min(os.cpu_count() or 1, max(1, files // BATCH_FILES))


_WORKER: dict[str, Any] = {}


def _start_worker(job: Job) -> None:
    import gc

    gc.disable()  # as in the parent: the documents hold no cycles
    _WORKER["job"] = job
    _WORKER["dataset"] = Dataset(job.root)
    _WORKER["registry"] = SchemaRegistry(root=job.schema_root, schemas=job.schemas)


def _worker_batch(names: Sequence[str]) -> Batch:
    return check_batch(_WORKER["dataset"], _WORKER["registry"], names, _WORKER["job"])
