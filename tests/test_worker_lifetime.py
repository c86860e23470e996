"""Worker processes die with the command that started them: killed by SIGTERM, SIGINT or
SIGKILL in the middle of a run with workers, it leaves no process behind (workers,
forkserver, resource tracker), and the pipes it was given as standard output and error reach
their end within seconds, so a CI step waiting for them does not hang."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest

from conftest import REPO
from toolkit.check.workers import BATCH_FILES, WATCH_INTERVAL

#: The command under test: the installed CLI of the interpreter running the tests.
TOOLKIT = Path(sys.executable).with_name("toolkit")
#: Seconds the killed command's processes and pipes get to go away.
GRACE = 10.0
#: Copies of the largest seed annotation's records in each file: about 0.1 s per file to
#: check, several seconds per batch.
RECORD_COPIES = 8


@pytest.fixture(scope="module")
def slow_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed dataset with four batches of one large annotation file under other names:
    with two workers, checking it takes tens of seconds, so a run killed once its workers
    have started is killed mid-batch."""
    root = tmp_path_factory.mktemp("lifetime")
    shutil.copytree(REPO / "seeds", root / "seeds")
    annotations = root / "seeds" / "annotations"
    largest = max(annotations.glob("*.json"), key=lambda p: p.stat().st_size)
    document = json.loads(largest.read_text(encoding="utf-8"))
    for key in ("actors", "agreements", "dates"):
        document[key] = document[key] * RECORD_COPIES
    large = annotations / f"{largest.stem}_large.json"
    large.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    for i in range(4 * BATCH_FILES):
        os.link(large, annotations / f"{largest.stem}_{i:03}.json")
    return root


def _stat(pid: str) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name (state first), or None when
    the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def _session(sid: int) -> dict[int, int]:
    """The live (not zombie) processes of session *sid*: pid -> parent pid."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(entry)
            if fields is not None and int(fields[3]) == sid and fields[0] != "Z":
                found[int(entry)] = int(fields[1])
    return found


def _drain(stream: IO[bytes], done: threading.Event) -> None:
    """Read *stream* to its end, then set *done*."""
    while stream.read(65536):
        pass
    done.set()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(
    "sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=lambda s: s.name
)
def test_killing_the_command_leaves_no_process_and_closes_its_pipes(
    slow_dataset: Path, sig: signal.Signals
) -> None:
    command = [TOOLKIT, "validate", "--no-cache", "--jobs", "2", "--root", slow_dataset]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    closed = [threading.Event(), threading.Event()]
    for stream, done in zip((proc.stdout, proc.stderr), closed, strict=True):
        threading.Thread(target=_drain, args=(stream, done), daemon=True).start()
    try:
        # the workers: processes whose parent is neither the command nor a child of the test
        deadline = time.monotonic() + 30
        while True:
            session = _session(proc.pid)
            workers = [
                p for p, parent in session.items() if parent in session and parent != proc.pid
            ]
            if len(workers) >= 2:
                break
            assert proc.poll() is None, "the command ended before its workers started"
            assert time.monotonic() < deadline, f"no workers after 30 s: {session}"
            time.sleep(0.05)
        time.sleep(0.5)  # into the first batches
        assert proc.poll() is None
        proc.send_signal(sig)
        killed = time.monotonic()
        deadline = killed + GRACE
        while _session(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _session(proc.pid) == {}, f"processes left {GRACE} s after {sig.name}"
        left = deadline - time.monotonic()
        assert all(done.wait(max(left, 0.1)) for done in closed), "the pipes are still open"
        assert proc.wait(1) in (-sig, 128 + sig)  # by the signal, or exited as by it
    finally:
        for pid in _session(proc.pid):
            os.kill(pid, signal.SIGKILL)
        proc.kill()
        proc.wait()


#: A worker's watch of the process that started it, alone in a process: "watching" on its
#: output, then the watch; through a pidfd, or (argument "poll") as where none can be opened.
WATCHER = """
import errno, os, sys
from toolkit.check import workers
if sys.argv[2] == "poll":
    def refused(pid: int, flags: int = 0) -> int:
        raise OSError(errno.ENOSYS, "pidfd_open refused")
    workers.os.pidfd_open = refused
print("watching", flush=True)
workers._exit_with(int(sys.argv[1]))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pidfd and /proc")
@pytest.mark.parametrize("way", ["pidfd", "poll"])
def test_a_worker_ends_when_the_process_it_watches_ends_unreaped(way: str) -> None:
    """The process killed and left unreaped (a zombie, as a command is while its caller
    waits for the end of its output): the watch sees it end, and not before."""
    watched = subprocess.Popen(["sleep", "60"])
    watcher = subprocess.Popen(
        [sys.executable, "-c", WATCHER, str(watched.pid), way], stdout=subprocess.PIPE
    )
    try:
        assert watcher.stdout is not None
        assert watcher.stdout.readline() == b"watching\n"
        time.sleep(2 * WATCH_INTERVAL)
        assert watcher.poll() is None, "the watch ended while the process ran"
        watched.kill()
        assert watcher.wait(GRACE / 2) == 1
    finally:
        watcher.kill()
        watcher.wait()
        watched.kill()
        watched.wait()
