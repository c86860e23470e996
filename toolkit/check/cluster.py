"""The per-file pass on a Dask cluster: a scheduler address checked and connected to, and the
``concurrent.futures`` executor that :func:`toolkit.check.workers.check_files` hands the
batches to instead of its own process pool.

The address comes from the command line or the environment, so it is untrusted: only
``tcp://HOST:PORT``, ``tls://HOST:PORT`` and ``inproc://`` addresses are taken, and a
scheduler that does not answer within a bounded time is an error naming the address (exit
status 2), as is a run the cluster could not finish (workers lost more often than the engine
retries a batch). The client is closed when the run ends, however it ends; a cluster started
here (:func:`local_cluster`, for tests and the benchmark) is closed with it.

Distributed is an optional dependency (``pip install 'cnvn-toolkit[cluster]'``): nothing here
imports it until an address is given.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Executor, Future, InvalidStateError
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from typing import Any

from toolkit.errors import ToolkitError

#: The environment variable read when no ``--scheduler`` is given.
SCHEDULER_ENV = "TOOLKIT_SCHEDULER"
#: Seconds to wait for the scheduler to answer (``TOOLKIT_SCHEDULER_TIMEOUT`` overrides).
CONNECT_TIMEOUT = 5.0
TIMEOUT_ENV = "TOOLKIT_SCHEDULER_TIMEOUT"
#: Times the engine runs a batch again after the worker running it was lost.
RETRIES = 2
_HOST = r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])"
_NETWORK = re.compile(rf"^(tcp|tls)://({_HOST}):([0-9]{{1,5}})$")
_INPROC = re.compile(r"^inproc://[A-Za-z0-9.:\[\]-]{1,64}/[0-9]{1,10}/[0-9]{1,10}$")


class SchedulerUnreachable(ToolkitError):
    """The scheduler address is malformed, or no Dask scheduler answers there in time."""


class ClusterRunFailed(ToolkitError):
    """The cluster could not finish the per-file pass (workers lost past the retries)."""


def parse_address(text: str) -> str:
    """*text* as a scheduler address, stripped of surrounding space.

    :raises SchedulerUnreachable: when it is not ``tcp://HOST:PORT``, ``tls://HOST:PORT``
        (port 1-65535) or an ``inproc://`` address.

    >>> parse_address(" tcp://127.0.0.1:8786 ")
    'tcp://127.0.0.1:8786'
    """
    address = text.strip()
    shown = repr(address[:80]) + ("..." if len(address) > 80 else "")
    match = _NETWORK.match(address)
    if match is not None and 1 <= int(match.group(3)) <= 65535:
        return address
    if _INPROC.match(address):
        return address
    raise SchedulerUnreachable(
        f"{shown} is not a scheduler address: give tcp://HOST:PORT or tls://HOST:PORT "
        "(port 1-65535), as `dask scheduler` prints it"
    )


def connect_timeout() -> float:
    """The seconds to wait for a scheduler: ``TOOLKIT_SCHEDULER_TIMEOUT`` or the default."""
    raw = os.environ.get(TIMEOUT_ENV, "")
    try:
        value = float(raw) if raw.strip() else CONNECT_TIMEOUT
    except ValueError:
        raise SchedulerUnreachable(
            f"{TIMEOUT_ENV}={raw[:40]!r} is not a number of seconds"
        ) from None
    if not 0 < value <= 3600:
        raise SchedulerUnreachable(f"{TIMEOUT_ENV} must be between 0 and 3600 seconds")
    return value


def executor_for(address: str | None) -> AbstractContextManager[Executor | None]:
    """The executor of the cluster at *address* for the length of a ``with`` block, or None
    (the local process pool) when *address* is None or empty."""
    if not address:
        return nullcontext()
    return cluster_executor(address)


@contextmanager
def cluster_executor(address: str, *, timeout: float | None = None) -> Iterator[Executor]:
    """Connect to the Dask scheduler at *address* and yield an executor whose batches are
    retried :data:`RETRIES` times on a lost worker; the client is closed on leaving.

    :raises SchedulerUnreachable: when the address is malformed or nothing answers in time.
    :raises ClusterRunFailed: when the block fails because the cluster lost its workers.
    """
    address = parse_address(address)
    timeout = connect_timeout() if timeout is None else timeout
    try:
        import distributed
    except ImportError:
        raise SchedulerUnreachable(
            "--scheduler needs Dask distributed: pip install 'cnvn-toolkit[cluster]'"
        ) from None
    try:
        client: Any = _untyped(distributed).Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerUnreachable(
            f"no Dask scheduler answers at {address} within {timeout:g} s "
            f"({type(exc).__name__}); start one with `dask scheduler`, or check --scheduler "
            f"and {SCHEDULER_ENV}"
        ) from None
    executor = _Watched(client.get_executor(retries=RETRIES, pure=False), client, timeout)
    try:
        yield executor
    except Exception as exc:
        if _lost_cluster(exc, client):
            raise ClusterRunFailed(
                f"the cluster at {address} could not finish the run ({type(exc).__name__}: "
                f"{str(exc)[:200]}); nothing was published"
            ) from None
        raise
    finally:
        executor.stop()
        client.close(timeout=timeout)


class _Watched(Executor):
    """The engine's executor, watched: once the client has been without its scheduler for
    *timeout* seconds, every batch not yet done fails with :class:`ConnectionError`, so a
    run on a cluster that went away ends (the engine's client may otherwise wait for the
    scheduler to come back, and its batches with it, for ever)."""

    def __init__(self, inner: Executor, client: Any, timeout: float) -> None:
        self._inner, self._client, self._timeout = inner, client, timeout
        self._futures: list[Future[Any]] = []
        self._stopped = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="cluster-watch", daemon=True)
        self._watcher.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = self._inner.submit(fn, *args, **kwargs)
        self._futures.append(future)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.stop()
        self._inner.shutdown(wait=wait, cancel_futures=cancel_futures)

    def stop(self) -> None:
        self._stopped.set()

    def _watch(self) -> None:
        lost_since: float | None = None
        while not self._stopped.wait(0.2):
            if self._client.status == "running":
                lost_since = None
                continue
            lost_since = lost_since if lost_since is not None else time.monotonic()
            if time.monotonic() - lost_since < self._timeout:
                continue
            lost = ConnectionError(f"the client lost its scheduler ({self._client.status})")
            for future in list(self._futures):
                if not future.done():
                    with suppress(InvalidStateError):  # it finished meanwhile
                        future.set_exception(lost)
            return


def _lost_cluster(exc: BaseException, client: Any) -> bool:
    """Whether *exc* is the engine's way of saying the cluster failed, not the toolkit's: a
    batch given up after its workers died, a closed connection, a cancelled batch, or any
    error once the client has lost its scheduler (the engine's executor then fails in ways
    of its own)."""
    from distributed.client import FutureCancelledError
    from distributed.comm.core import CommClosedError
    from distributed.scheduler import KilledWorker

    lost = (
        KilledWorker,
        CommClosedError,
        CancelledError,
        FutureCancelledError,
        TimeoutError,
        ConnectionError,
    )
    return isinstance(exc, lost) or client.status != "running"


@contextmanager
def local_cluster(workers: int = 2) -> Iterator[str]:
    """Start a Dask cluster of *workers* processes of one thread each on 127.0.0.1 (no
    dashboard) and yield its scheduler's address; it is closed on leaving."""
    import distributed

    cluster: Any = _untyped(distributed).LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=40,
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def _untyped(module: Any) -> Any:
    """*module* as Any: distributed's classes are not typed throughout."""
    return module
