"""The per-file pass on a Dask cluster gives what the local process pool gives: the same
findings byte for byte in JSON on a corpus with every planted error, the same exported files;
a worker killed mid-run is retried by the engine with the same result; a scheduler that is
malformed or does not answer is a usage error naming it (exit 2), and nothing is published.

The cluster is a real ``LocalCluster`` of two worker processes on 127.0.0.1; the slow test
starts one the documented way (``dask scheduler``, ``dask worker``) as subprocesses."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from conftest import REPO
from toolkit.check.cluster import (
    ClusterRunFailed,
    SchedulerUnreachable,
    cluster_executor,
    local_cluster,
    parse_address,
)
from toolkit.check.run import validate_dataset
from toolkit.check.workers import BATCH_FILES

pytest.importorskip("distributed")

try:
    from bench.generate import generate
except ModuleNotFoundError:
    sys.path.insert(0, str(REPO))
    from bench.generate import generate

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """The address of a LocalCluster of two single-threaded worker processes."""
    with local_cluster(2) as address:
        yield address


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Several batches of generated files, a third of them with planted errors of every code."""
    root = tmp_path_factory.mktemp("cluster-planted")
    generate(BATCH_FILES * 3 * 30, 7, root, invalid_fraction=0.3)
    return root


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cluster-clean")
    generate(BATCH_FILES * 2 * 30, 5, root)
    return root


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_cluster_reports_what_the_local_pool_reports_byte_for_byte(
    planted: Path, cluster: str, run_cli: Callable[..., Result]
) -> None:
    local = run_cli("validate", "--root", str(planted), "--no-cache", "--format", "json")
    remote = run_cli(
        "validate", "--root", str(planted), "--no-cache", "--format", "json", "--scheduler", cluster
    )
    assert local.exit_code == remote.exit_code == 1
    assert remote.stdout == local.stdout
    codes = {f["code"] for f in json.loads(local.stdout)["findings"]}
    assert {"id-duplicate", "reference-unresolved", "evidence-quote-mismatch"} <= codes


@pytest.mark.slow
def test_a_larger_corpus_gives_the_same_findings_on_the_cluster(
    tmp_path: Path, cluster: str, run_cli: Callable[..., Result]
) -> None:
    """About 77,000 records in 40 batches, a fifth of the files with planted errors."""
    root = tmp_path / "larger"
    generate(BATCH_FILES * 40 * 30, 13, root, invalid_fraction=0.2)
    args = ("validate", "--root", str(root), "--no-cache", "--format", "json")
    local = run_cli(*args)
    remote = run_cli(*args, "--scheduler", cluster)
    assert local.exit_code == remote.exit_code == 1
    assert remote.stdout == local.stdout


def test_the_checked_rows_are_the_same_on_the_cluster(planted: Path, cluster: str) -> None:
    local = validate_dataset(planted, jobs=2)
    with cluster_executor(cluster) as executor:
        remote = validate_dataset(planted, executor=executor)
    assert remote.frames.keys() == local.frames.keys()
    for table, frame in local.frames.items():
        assert remote.frames[table].equals(frame), table


def test_a_cluster_export_publishes_the_files_a_local_export_publishes(
    clean: Path, cluster: str, tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    here, there = tmp_path / "local", tmp_path / "cluster"
    shutil.copytree(clean / "seeds", here / "seeds")
    shutil.copytree(clean / "seeds", there / "seeds")
    assert run_cli("export", "--root", str(here)).exit_code == 0
    done = run_cli("export", "--root", str(there), "--scheduler", cluster)
    assert done.exit_code == 0, done.output
    assert _tree(there / "exports") == _tree(here / "exports")
    checked = run_cli("export", "--root", str(here), "--check", "--scheduler", cluster)
    assert checked.exit_code == 0, checked.output


class _Recording(Executor):
    """A cluster's executor that notes the name of every function submitted to it."""

    def __init__(self, inner: Executor) -> None:
        self.inner, self.calls = inner, []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.calls.append((fn.__name__, args))
        return self.inner.submit(fn, *args, **kwargs)


def test_a_cluster_export_writes_each_table_from_the_workers(
    clean: Path, cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers write each batch's published rows as Parquet part files in the scratch
    folder, then every published file of those tables, cut as a local export cuts them
    (here into several parts each); the files are a local export's, byte for byte."""
    import tempfile

    import pyarrow.dataset as ds

    from toolkit.publish.export import export_dataset

    here, there = tmp_path / "local", tmp_path / "cluster"
    shutil.copytree(clean / "seeds", here / "seeds")
    shutil.copytree(clean / "seeds", there / "seeds")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    parts: dict[str, tuple[int, int]] = {}

    def look(table: str) -> None:
        for folder in scratch.glob("*/parts/*"):
            files = len(list(folder.glob("part-*.parquet")))
            parts[folder.name] = (files, ds.dataset(folder, format="parquet").count_rows())

    assert export_dataset(here, rows_per_file=500).written
    with cluster_executor(cluster) as executor:
        recording = _Recording(executor)
        assert export_dataset(there, executor=recording, hook=look, rows_per_file=500).written
    assert _tree(there / "exports") == _tree(here / "exports")
    assert {"agreements", "dates", "evidence", "sources"} <= set(parts)
    published = there / "exports" / "parquet"
    for table, (files, rows) in parts.items():
        assert files >= 2, table  # one per batch: the corpus has two
        assert rows == ds.dataset(published / table, format="parquet").count_rows()
    written = sorted(
        f"{task.table}/part-{task.index:05d}.parquet"
        for name, (task, *_) in recording.calls
        if name == "write_part_task"
    )
    on_workers = sorted(
        p.relative_to(published).as_posix()
        for table in parts
        for p in (published / table).glob("*.parquet")
    )
    assert written == on_workers
    assert len(list((published / "evidence").glob("*.parquet"))) > 2
    for folder in published.iterdir():  # the parent writes only the tables built from the
        if folder.name not in parts:  # registry and across articles, and the empty ones
            rows = ds.dataset(folder, format="parquet").count_rows()
            assert folder.name in {"actors", "agreements_canonical"} or rows == 0, folder


def test_a_worker_killed_while_the_tables_are_written_changes_nothing(
    clean: Path, tmp_path: Path
) -> None:
    """A worker killed while the workers write the tables' parts: its parts are written
    again by the engine, and the files published are a local export's, byte for byte."""
    from distributed import Client

    from toolkit.publish.export import export_dataset

    here, there = tmp_path / "local", tmp_path / "cluster"
    shutil.copytree(clean / "seeds", here / "seeds")
    shutil.copytree(clean / "seeds", there / "seeds")
    assert export_dataset(here, rows_per_file=40).written
    killed: list[str] = []
    written: list[int] = []
    with local_cluster(2) as address:
        client = Client(address, set_as_default=False)
        pids = sorted(client.run(os.getpid).values())

        def kill_one(table: str) -> None:
            if not killed:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(table)
                written.append(len(list(there.glob("exports.tmp-*/parquet/*/*.parquet"))))

        with cluster_executor(address) as executor:
            assert export_dataset(there, executor=executor, hook=kill_one, rows_per_file=40).written
        client.close()
    parts = len(list((there / "exports" / "parquet").glob("*/*.parquet")))
    assert killed == ["sources"] and written[0] < parts / 2  # most parts still to write
    assert _tree(there / "exports") == _tree(here / "exports")


class _Unshared(Executor):
    """A cluster's executor whose workers' part files this process cannot see: each batch's
    files are taken away as it ends, as if written on another machine's disk."""

    def __init__(self, inner: Executor, scratch: Path) -> None:
        self.inner, self.scratch = inner, scratch

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = self.inner.submit(fn, *args, **kwargs)
        future.add_done_callback(lambda _: self.hide())
        return future

    def hide(self) -> None:
        for parts in self.scratch.glob("*/parts"):
            shutil.rmtree(parts, ignore_errors=True)


def test_part_files_the_client_cannot_read_are_a_clear_error(
    clean: Path, cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from toolkit.errors import ExportFailed
    from toolkit.publish.export import export_dataset

    root = tmp_path / "unshared"
    shutil.copytree(clean / "seeds", root / "seeds")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with cluster_executor(cluster) as executor, pytest.raises(ExportFailed) as failed:
        export_dataset(root, executor=_Unshared(executor, scratch))
    assert "a folder they and this process share" in str(failed.value)
    assert sorted(p.name for p in root.iterdir()) == ["seeds"]


def test_a_cluster_export_stopped_while_the_workers_write_leaves_nothing(
    clean: Path, cluster: str, tmp_path: Path
) -> None:
    """An export that fails while the workers write its tables publishes nothing: once it
    has returned, no part of it is written anywhere, even by a task the engine could not
    stop, and an export run at once after it in the same process (the same temporary
    folder's name) publishes what a local export does."""
    from distributed import Client

    from toolkit.publish.export import export_dataset

    here, root = tmp_path / "local", tmp_path / "stopped"
    shutil.copytree(clean / "seeds", here / "seeds")
    shutil.copytree(clean / "seeds", root / "seeds")
    assert export_dataset(here, rows_per_file=40).written

    def stop(table: str) -> None:
        if table == "sources":
            raise KeyboardInterrupt

    with cluster_executor(cluster) as executor:
        with pytest.raises(KeyboardInterrupt):
            export_dataset(root, executor=executor, hook=stop, rows_per_file=40)
        assert sorted(p.name for p in root.iterdir()) == ["exports.lock", "seeds"]
        assert export_dataset(root, executor=executor, rows_per_file=40).written
    client = Client(cluster, set_as_default=False)
    deadline = time.monotonic() + 60
    while any(client.processing().values()) and time.monotonic() < deadline:
        time.sleep(0.1)  # the stopped run's tasks still running, if any, end
    client.close()
    assert sorted(p.name for p in root.iterdir()) == ["exports", "exports.lock", "seeds"]
    assert _tree(root / "exports") == _tree(here / "exports")


def test_a_worker_killed_mid_run_is_retried_and_the_findings_are_the_same(
    tmp_path: Path,
) -> None:
    from distributed import Client

    root = tmp_path / "big"
    generate(BATCH_FILES * 24 * 30, 11, root, invalid_fraction=0.2)
    local = validate_dataset(root, jobs=2)
    killed: list[int] = []
    with local_cluster(2) as address:
        client = Client(address, set_as_default=False)
        pids = sorted(client.run(os.getpid).values())

        def kill_one(done: int, total: int) -> None:
            if not killed:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(done)

        with cluster_executor(address) as executor:
            remote = validate_dataset(root, executor=executor, progress=kill_one)
        client.wait_for_workers(2, timeout=30)
        after = sorted(client.run(os.getpid).values())
        client.close()
    files = remote.report.stats["files"]
    assert killed and killed[0] < files / 2  # killed with most of the batches still to run
    assert pids[0] not in after  # the nanny started another worker in its place
    assert json.dumps(remote.report.to_dict()) == json.dumps(local.report.to_dict())


def _cluster_to_lose() -> Any:
    """A LocalCluster of two worker processes that a test closes mid-run, its logs quiet."""
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=50,
    )


def test_a_cluster_that_goes_away_mid_run_fails_clearly_and_publishes_nothing(
    tmp_path: Path,
) -> None:
    root = tmp_path / "lost"
    generate(BATCH_FILES * 16 * 30, 3, root)
    lost = _cluster_to_lose()

    def close(done: int, total: int) -> None:
        lost.close(timeout=5)

    with (
        pytest.raises(ClusterRunFailed, match="could not finish"),
        cluster_executor(lost.scheduler_address, timeout=2) as executor,
    ):
        validate_dataset(root, executor=executor, progress=close)
    assert not (root / "exports").exists()


def test_an_export_whose_cluster_goes_away_publishes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cluster is closed once the export's workers have written their first documents
    to the scratch folder: the export fails with ClusterRunFailed and the previous exports
    are left as they were."""
    import tempfile
    import threading

    from toolkit.publish.export import export_dataset

    root = tmp_path / "lost-export"
    generate(BATCH_FILES * 24 * 30, 17, root)
    export_dataset(root)
    before = _tree(root / "exports")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    lost = _cluster_to_lose()
    failed: list[BaseException] = []

    def run() -> None:
        try:
            with cluster_executor(lost.scheduler_address, timeout=2) as executor:
                export_dataset(root, executor=executor)
        except BaseException as exc:
            failed.append(exc)

    export = threading.Thread(target=run)
    export.start()
    deadline = time.monotonic() + 60
    while not any(scratch.glob("*/*.json")) and time.monotonic() < deadline:
        time.sleep(0.02)
    lost.close(timeout=5)
    export.join(timeout=60)
    assert not export.is_alive()
    assert len(failed) == 1 and isinstance(failed[0], ClusterRunFailed), failed
    assert _tree(root / "exports") == before
    assert not list(root.glob("exports.tmp-*"))


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:8786",
        "tcp://127.0.0.1",
        "tcp://127.0.0.1:0",
        "tcp://127.0.0.1:99999",
        "tcp://bad host:8786",
        "--help",
        "tcp://127.0.0.1:8786/x",
        "file:///etc/passwd",
    ],
)
def test_a_malformed_address_is_a_usage_error(address: str) -> None:
    with pytest.raises(SchedulerUnreachable, match="not a scheduler address"):
        parse_address(address)


def test_an_unreachable_scheduler_is_a_usage_error_naming_it(
    small: Path, run_cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    monkeypatch.setenv("TOOLKIT_SCHEDULER_TIMEOUT", "1")
    for command in ("validate", "export"):
        start = time.monotonic()
        result = run_cli(command, "--root", str(small), "--scheduler", address)
        assert result.exit_code == 2
        assert address in result.stderr and "no Dask scheduler answers" in result.stderr
        assert "Traceback" not in result.output
        assert time.monotonic() - start < 15
    assert not (small / "exports").exists()
    monkeypatch.setenv("TOOLKIT_SCHEDULER", "tcp://nowhere")
    result = run_cli("validate", "--root", str(small))
    assert result.exit_code == 2 and "'tcp://nowhere' is not a scheduler address" in result.stderr


@pytest.mark.slow
def test_a_cluster_started_the_documented_way_validates_and_exports(
    planted: Path, clean: Path, tmp_path: Path
) -> None:
    """``dask scheduler --host 127.0.0.1 --port P`` and ``dask worker tcp://127.0.0.1:P``,
    then ``toolkit validate`` and ``toolkit export`` with ``--scheduler``."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(BIN / "dask")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]
    worker = ["worker", address, "--nworkers", "2", "--nthreads", "1", "--host", "127.0.0.1"]
    started = [subprocess.Popen([dask, *scheduler], **quiet)]  # type: ignore[call-overload]
    try:
        started.append(subprocess.Popen([dask, *worker, "--no-dashboard"], **quiet))  # type: ignore[call-overload]
        _wait_for_workers(address, 2, deadline=60)
        toolkit = str(BIN / "toolkit")
        env = {**os.environ, "TOOLKIT_SCHEDULER": address}
        args = ["validate", "--no-cache", "--format", "json", "--root", str(planted)]
        local = subprocess.run([toolkit, *args], capture_output=True, timeout=120, check=False)
        remote = subprocess.run(
            [toolkit, *args], capture_output=True, timeout=120, env=env, check=False
        )
        assert local.returncode == remote.returncode == 1
        assert remote.stdout == local.stdout
        here, there = tmp_path / "local", tmp_path / "cluster"
        shutil.copytree(clean / "seeds", here / "seeds")
        shutil.copytree(clean / "seeds", there / "seeds")
        for root, environment in ((here, None), (there, env)):
            done = subprocess.run(
                [toolkit, "export", "--root", str(root)],
                capture_output=True,
                timeout=120,
                env=environment,
                check=False,
            )
            assert done.returncode == 0, done.stderr
        assert _tree(there / "exports") == _tree(here / "exports")
    finally:
        for process in reversed(started):
            process.terminate()
        for process in reversed(started):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_workers(address: str, count: int, deadline: float) -> None:
    from distributed import Client

    client = Client(address, timeout=deadline, set_as_default=False)
    try:
        client.wait_for_workers(count, timeout=deadline)
    finally:
        client.close()
