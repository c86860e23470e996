"""Running the per-file checks over many files: in batches, in worker processes when the
dataset is large, the batches' results yielded in file order whichever way they ran.

Worker processes never outlive the process that started them: each watches it and ends when
it ends, however it ended (SIGKILL included), and an exception in that process while the
batches are being checked (Ctrl-C included) ends them at once, so no process is left holding
the caller's standard output and error.
"""

from __future__ import annotations

import os
import select
import signal
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, wait
from typing import Any, NoReturn

from toolkit.check.per_file import Batch, Job, check_batch
from toolkit.dataset import Dataset
from toolkit.errors import DatasetLayoutError
from toolkit.registry import SchemaRegistry

#: Files per batch handed to a worker process.
BATCH_FILES = 64
#: Below this many files the start-up of worker processes costs more than it saves.
PARALLEL_MIN_FILES = 400
#: Seconds between two looks at the starting process where it cannot be watched (no pidfd).
WATCH_INTERVAL = 0.5
#: Longest wait for a batch in one go: a signal (Ctrl-C) is often taken by another thread of
#: the process (the pool's, polars'), and Python acts on it only when the main thread runs.
WAKE_INTERVAL = 0.1


def check_files(
    dataset: Dataset,
    registry: SchemaRegistry,
    names: Sequence[str],
    job: Job,
    *,
    jobs: int | None = None,
    executor: Executor | None = None,
) -> Iterator[Batch]:
    """Check every file of *names* (relative to the root), yielding batches in file order.

    :param jobs: worker processes; None uses every core when there are enough files to pay
        for starting them, 1 checks in this process (as does a dataset whose store lives in
        this process's memory, ``memory://``: the pool's processes would not see it).
    :param executor: an executor of the caller's (a cluster's: :mod:`toolkit.check.cluster`)
        that checks every batch instead; *jobs* is then not used.
    """
    batches = [names[i : i + BATCH_FILES] for i in range(0, len(names), BATCH_FILES)]
    if executor is not None:
        yield from _on_executor(executor, job, batches)
        return
    workers = 1 if dataset.storage.in_process else _workers(jobs, len(names))
    if workers <= 1:
        for batch in batches:
            yield check_batch(dataset, registry, batch, job)
        return
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["toolkit.check.workers"])
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(job, os.getpid()),
    )
    try:
        pending = [pool.submit(_worker_batch, batch) for batch in batches]
        pending.reverse()  # popped from the end, each result let go once yielded
        while pending:
            future = pending.pop()
            while not future.done():
                wait([future], timeout=WAKE_INTERVAL)
            yield future.result()
    except BaseException:  # Ctrl-C, a failed batch, or the caller closing the iterator
        _stop(pool)
        raise
    pool.shutdown()


# --- the executor seam: any concurrent.futures executor (a Dask cluster's) -------------------


def _on_executor(executor: Executor, job: Job, batches: list[Sequence[str]]) -> Iterator[Batch]:
    """The batches checked on *executor*, in file order; those not yet done are cancelled
    when the caller stops early or a batch fails. The job goes with each batch (an executor
    keeps no state in its workers); a worker builds the dataset and the schemas once per run
    (:func:`_executor_batch`)."""
    token = uuid.uuid4().hex
    pending = [executor.submit(_executor_batch, token, job, batch) for batch in batches]
    pending.reverse()
    try:
        while pending:
            future = pending.pop()
            while not future.done():
                wait([future], timeout=WAKE_INTERVAL)
            yield future.result()
    except BaseException:
        for future in pending:
            future.cancel()
        raise


_RUNS: dict[str, tuple[Dataset, SchemaRegistry]] = {}


def _executor_batch(token: str, job: Job, names: Sequence[str]) -> Batch:
    """Check one batch in an executor's worker, with the dataset and schemas of the run
    *token* built the first time this worker sees it.

    :raises toolkit.errors.DatasetLayoutError: when this worker does not find the dataset
        where the client does (another machine's path, a ``memory://`` store of another
        process), rather than reporting every file as absent.
    """
    if token not in _RUNS:
        _RUNS.clear()
        registry = SchemaRegistry(root=job.schema_root, schemas=job.schemas, lexicons=job.lexicons)
        try:
            dataset = Dataset.at(job.root)
        except DatasetLayoutError as exc:
            raise DatasetLayoutError(
                f"a worker of the cluster cannot read the dataset: {exc}"
            ) from None
        _RUNS[token] = (dataset, registry)
    dataset, registry = _RUNS[token]
    return check_batch(dataset, registry, names, job)


# --- the local process pool ------------------------------------------------------------------


def _stop(pool: ProcessPoolExecutor) -> None:
    """End *pool* now rather than after the batches it has started or queued: cancel the
    batches not started, terminate the workers mid-batch and wait for them to end (the
    batches are cancelled by the pool's manager thread, which then forgets them, and not here:
    it would set its "broken pool" error on a batch cancelled behind its back, and fail).

    The pool's own copy of the write end of its results pipe is closed once the workers are
    gone, so that a result cut short by the end of its worker reads as the end of the pipe
    rather than leaving the pool's manager thread (which the interpreter waits for on exit)
    waiting for the rest of it."""
    processes = list((pool._processes or {}).values())
    results = pool._result_queue
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()
    writer = getattr(results, "_writer", None)
    if writer is not None:
        writer.close()
    pool.shutdown(wait=True)


def _workers(jobs: int | None, files: int) -> int:
    if jobs is not None:
        return max(1, min(jobs, -(-files // BATCH_FILES)))
    if files < PARALLEL_MIN_FILES:
        return 1
    return min(os.cpu_count() or 1, max(1, files // BATCH_FILES))


_WORKER: dict[str, Any] = {}


def _start_worker(job: Job, parent: int) -> None:
    """Set up a worker process for *job*. It ends when the process *parent* ends (the one that
    started the pool, not the forkserver that forked this worker), and it leaves Ctrl-C to
    that process, which then ends the workers itself."""
    import gc

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watcher = threading.Thread(target=_exit_with, args=(parent,), name="parent-watch")
    watcher.daemon = True
    watcher.start()
    gc.disable()  # as in the parent: the documents hold no cycles
    _WORKER["job"] = job
    _WORKER["dataset"] = Dataset(job.root)
    _WORKER["registry"] = SchemaRegistry(
        root=job.schema_root, schemas=job.schemas, lexicons=job.lexicons
    )


def _worker_batch(names: Sequence[str]) -> Batch:
    return check_batch(_WORKER["dataset"], _WORKER["registry"], names, _WORKER["job"])


def _exit_with(pid: int) -> NoReturn:
    """Wait for the process *pid* to end, then end this one at once (exit status 1): through
    a pidfd where the kernel gives them (Linux 5.3 and later, unless a seccomp filter
    refuses), else by looking every :data:`WATCH_INTERVAL` seconds (:func:`_wait_gone`)."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):
        _wait_gone(pid)
        os._exit(1)
    watch = select.poll()
    watch.register(pidfd, select.POLLIN)
    while not watch.poll():
        pass
    os._exit(1)


def _wait_gone(pid: int) -> None:
    """Return once the process *pid* has ended, looking every :data:`WATCH_INTERVAL` seconds.

    Where there is a ``/proc``, a process that has ended but is not yet reaped (a zombie: the
    usual state of a killed command whose caller waits for the end of its output before
    reaping it) counts as ended, and so does a later process given the same pid (another
    start time). Elsewhere ``kill(pid, 0)`` tells, and counts a zombie as running."""
    if os.path.exists("/proc/self/stat"):
        started = _start_time(pid)
        while started is not None and _start_time(pid) == started:
            time.sleep(WATCH_INTERVAL)
        return
    while _exists(pid):
        time.sleep(WATCH_INTERVAL)


def _start_time(pid: int) -> bytes | None:
    """The start time of the running process *pid* as ``/proc/PID/stat`` gives it (clock ticks
    since boot), None when there is no such process or it has ended (a zombie)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read()
    except OSError:
        return None
    fields = text[text.rindex(b")") + 2 :].split()  # after the command name, which may hold ")"
    return None if fields[0] in (b"Z", b"X") else fields[19]


def _exists(pid: int) -> bool:
    """Whether there is a process *pid* (one ended but not yet reaped included)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
