"""Running the per-file checks over many files: in batches, in worker processes when the
dataset is large, the batches' results yielded in file order whichever way they ran."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from toolkit.check.per_file import Batch, Job, check_batch
from toolkit.dataset import Dataset
from toolkit.registry import SchemaRegistry

#: Files per batch handed to a worker process.
BATCH_FILES = 64
#: Below this many files the start-up of worker processes costs more than it saves.
PARALLEL_MIN_FILES = 400


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
    context.set_forkserver_preload(["toolkit.check.workers"])
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
