"""The per-file half of validation: each annotation file loaded strictly, checked against its
schema version and its article, and flattened into its table rows, on its own.

Nothing here looks at another annotation file, so files are checked in batches, in worker
processes when the dataset is large (:func:`check_files`), and the batches' rows are merged
in file order: the result is the same whichever way it ran. The whole-dataset half (keys,
references) runs on the merged tables in :mod:`toolkit.validation`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from toolkit.dataset import Dataset
from toolkit.findings import Finding, Severity
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


@dataclass
class Batch:
    """Results of consecutive files, in order, and the rows of those that were usable: polars
    frames of the checked columns and, for the export, Arrow tables of the published columns.
    Both cross process boundaries as Arrow buffers rather than millions of Python objects."""

    results: list[FileResult]
    frames: dict[str, Any] = field(default_factory=dict)
    #: table -> Arrow table of its published columns (only when the job asks for them)
    published: dict[str, Any] = field(default_factory=dict)
    #: file -> (scratch file, offset, length) of its document as compact JSON (ditto)
    compact: dict[str, tuple[str, int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    """What a worker needs to check files: where the dataset is, the schemas, which table
    columns the dataset-wide checks read, and the Arrow schemas of the published tables to
    build as well (None: none, as validation alone needs)."""

    root: Path
    schema_root: Path
    schemas: dict[str, dict[str, dict[str, Any]]]
    max_bytes: int = MAX_BYTES
    columns: dict[str, set[str]] = field(default_factory=dict)
    published: dict[str, Any] | None = None
    #: with *published*: the folder where each usable document is written as compact JSON
    scratch: Path | None = None

    @classmethod
    def of(
        cls,
        dataset: Dataset,
        registry: SchemaRegistry,
        max_bytes: int = MAX_BYTES,
        columns: dict[str, set[str]] | None = None,
        published: dict[str, Any] | None = None,
        scratch: Path | None = None,
    ) -> Job:
        return cls(
            dataset.root,
            registry.root,
            registry.schemas,
            max_bytes,
            columns or {},
            published,
            scratch,
        )


def check_batch(
    dataset: Dataset, registry: SchemaRegistry, names: Sequence[str], job: Job
) -> Batch:
    """Check the files *names* (relative to the root) in order and gather the rows of the
    usable documents."""
    from toolkit.table_checks import frames_of
    from toolkit.validation import load_annotation

    tables = Tables()
    results = []
    full = job.published is not None
    documents: list[tuple[str, bytes]] = []
    publishable = True  # no error in the batch: an export with errors is refused anyway
    root = dataset.root
    for name in names:
        loaded = load_annotation(dataset, root / name, registry, job.max_bytes)
        results.append(_result(loaded))
        if full and publishable:
            publishable = not any(f.severity == Severity.ERROR.value for f in loaded.findings)
        if loaded.ok:
            document_rows(tables, loaded.file, loaded.document, full=full, evidence=loaded.evidence)
            if full and publishable and job.scratch is not None:
                documents.append((loaded.file, compact_json(loaded.document)))
    frames = frames_of(tables, job.columns)
    if not full or not publishable:
        # a document with errors may hold what neither Arrow nor UTF-8 takes (a lone
        # surrogate): only the checked columns, which the schema constrains, are built
        return Batch(results, frames)
    compact = _write_scratch(job.scratch, documents) if job.scratch is not None else {}
    return Batch(results, frames, published_tables(tables, job.published or {}), compact)


def compact_json(obj: Any) -> bytes:
    """*obj* as UTF-8 JSON with keys sorted and no insignificant space (as
    ``annotations.json`` holds each document): the bytes ``json.dumps(obj,
    ensure_ascii=False, sort_keys=True, separators=(",", ":"))`` gives, written by orjson
    five times faster. (They differ only for floats, which no schema lets in but as integral
    values: orjson writes ``1e16`` where Python writes ``1e+16``.)"""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def _write_scratch(
    folder: Path, documents: list[tuple[str, bytes]]
) -> dict[str, tuple[str, int, int]]:
    """Write *documents* one after another into a new file of *folder*; returns where each
    one lies."""
    if not documents:
        return {}
    path = folder / f"{uuid.uuid4().hex}.json"
    where = {}
    offset = 0
    with open(path, "wb") as f:
        for file, data in documents:
            f.write(data)
            where[file] = (str(path), offset, len(data))
            offset += len(data)
    return where


def published_tables(tables: Tables, schemas: dict[str, Any]) -> dict[str, Any]:
    """An Arrow table of the published columns of each table of *schemas* that has rows."""
    return {
        table: arrow_table(tables, table, schema)
        for table, schema in schemas.items()
        if tables.count(table)
    }


def arrow_table(tables: Tables, table: str, schema: Any) -> Any:
    """The rows of *table* as an Arrow table of *schema* (a column the rows lack is null)."""
    import pyarrow as pa

    have = tables.columns(table)
    count = tables.count(table)
    data = {n: have[n] if n in have else [None] * count for n in schema.names}
    return pa.Table.from_pydict(data, schema=schema)


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
