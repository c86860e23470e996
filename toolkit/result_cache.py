"""A cache of per-file validation results, so that a run after an edit checks again only the
files that changed, and the dataset-wide checks read the other files' rows from disk.

What is kept: for every annotation file, its :class:`~toolkit.file_checks.FileResult`
(findings, article id, the SHA-256 of the bytes checked and of the article its checks read)
and, as Arrow IPC files, the table rows of every file (only the columns the dataset-wide checks
read), and what the dataset-wide checks found on those rows. Those findings depend on every
file, so they are reused only when the rows they read are exactly the cached ones (the same
files, and every file checked again gave the same rows in those columns, as after an edit to
a note or a quote) and so are their other inputs (the actor registry's bytes, which records
were set aside); otherwise the checks run again over all rows. Reused findings are located
again in the files as they are now.

Where: in the user's cache folder (``$TOOLKIT_CACHE_DIR``, else
``$XDG_CACHE_HOME/cnvn-toolkit/validate``, else ``~/.cache/cnvn-toolkit/validate``), one
folder per dataset root, created private to the user. Never inside the dataset: a cache there
could arrive with a pull request, and a forged one would make bad files pass.

A file's result is reused only when its bytes and its article's bytes are the ones checked.
File status (type, size, times, inode) is a shortcut that spares reading a file again, taken
only for files whose status last changed well before the run that wrote the cache (the rule
git uses for its index); any other file is read and hashed, and a file that was never read
(too large, unreadable) is checked again. A cache written by another toolkit version, other
schemas or other limits is ignored, as is one that cannot be read. Writes go to a new folder
that a pointer file then names, so readers never see half a cache; a run removes the
generations before its own, but not one another run is still writing. A run that checked only a
few files again (up to ``RESAVE_FRACTION`` of them) does not rewrite the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import stat
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.dataset import Dataset
from toolkit.file_checks import FileResult
from toolkit.registry import SchemaRegistry

#: A file whose status changed less than this before the run that cached it is re-hashed.
SLACK_NS = 2_000_000_000
FORMAT = 1
#: A run that had to check again at most this share of the files leaves the cache as it is.
RESAVE_FRACTION = 0.01
#: A generation without its index this long after it was begun belongs to a run that died.
ABANDONED_AFTER_S = 3600
_DEPENDENCIES = ("jsonschema", "jsonschema_rs", "orjson", "polars", "pandera", "referencing")

Status = tuple[int, int, int, int, int]


@dataclass
class Entry:
    """One annotation file's cached result and the status of the files it was made from."""

    result: FileResult
    status: Status | None
    read_also: dict[str, Status | None] = field(default_factory=dict)


@dataclass
class Cached:
    """A cache as read: when its run started, its entries by file, and its table frames."""

    started_ns: int
    entries: dict[str, Entry]
    frames: dict[str, Any]
    #: what the dataset-wide checks found on these rows, and the other inputs they took
    checks: dict[str, Any] | None = None


def fingerprint(registry: SchemaRegistry, max_bytes: int) -> str:
    """What a cached result depends on besides the files: the toolkit's code, the schemas,
    the limits and the versions of the libraries that check."""
    import importlib.metadata

    h = hashlib.sha256(f"{FORMAT}|{max_bytes}|{sys.version}".encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        h.update(module.name.encode() + b"\0" + module.read_bytes())
    h.update(json.dumps(registry.schemas, sort_keys=True).encode())
    for name in _DEPENDENCIES:
        try:
            h.update(f"{name}={importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(f"{name}=absent".encode())
    return h.hexdigest()


def cache_folder(dataset: Dataset) -> Path:
    """The cache folder of *dataset* (see the module docstring)."""
    base = os.environ.get("TOOLKIT_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        base = str(Path(xdg) / "cnvn-toolkit" / "validate")
    return Path(base) / hashlib.sha256(str(dataset.root).encode()).hexdigest()[:24]


def status(path: Path | str) -> Status | None:
    """The file's type, size, change and modification times and inode (None if absent)."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _read_frame(path: Path) -> Any:
    """The frame of an Arrow IPC file, memory-mapped and kept in the batches it was written
    in: no copy (``polars.read_ipc`` copies every column, five times slower here)."""
    import polars as pl
    import pyarrow as pa
    import pyarrow.ipc

    with pa.memory_map(str(path)) as source:
        table = pyarrow.ipc.open_file(source).read_all()
    return pl.from_arrow(table, rechunk=False)


def _sha256(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return None


class ResultCache:
    """The cache of one dataset for one fingerprint."""

    def __init__(self, dataset: Dataset, key: str) -> None:
        self.dataset = dataset
        self.key = key
        self.folder = cache_folder(dataset)
        self.started_ns = time.time_ns()

    def load(self) -> Cached | None:
        """The cache, or None when there is none usable."""
        try:
            current = _current(self.folder)
            if current is None:
                return None
            generation = self.folder / current
            with open(generation / "index.pickle", "rb") as f:
                index = pickle.load(f)
            if index.get("format") != FORMAT or index.get("key") != self.key:
                return None
            frames = {
                table: _read_frame(generation / f"{table}.arrow") for table in index["tables"]
            }
            return Cached(index["started_ns"], index["entries"], frames, index.get("checks"))
        except Exception:
            return None

    def reusable(self, cached: Cached, entry: Entry, name: str) -> bool:
        """True when the file *name* (relative to the root) and the files its checks read are
        the bytes *entry* was made from."""
        root = f"{self.dataset.root}/"
        if not self._same(cached, root + name, entry.status, entry.result.sha256):
            return False
        for other, seen in entry.read_also.items():
            if not self._same(cached, root + other, seen, entry.result.read_also[other]):
                return False
        return True

    def _same(self, cached: Cached, path: str, seen: Status | None, sha256: str | None) -> bool:
        now = status(path)
        if now is None or seen is None:
            return now is None and seen is None and sha256 is None
        if stat.S_ISLNK(now[0]):
            return False
        if now == seen and max(now[2], now[3]) < cached.started_ns - SLACK_NS:
            return True  # unchanged since well before the cached run read it
        if sha256 is None:
            return False  # never read (too large, unreadable): its status is all there is
        if now[1] != seen[1]:
            return False  # another size: other bytes, no need to read them
        return _sha256(path) == sha256

    def entry(self, result: FileResult) -> Entry:
        """A new entry for a result of this run, with the files' status as it is now (a file
        changed since it was read is re-hashed next time, as its status is not settled)."""
        root = f"{self.dataset.root}/"
        return Entry(
            result,
            status(root + result.file),
            {name: status(root + name) for name in result.read_also},
        )

    def worth_saving(self, cached: Cached | None, checked: int, files: int) -> bool:
        """Whether to write the cache after a run that checked *checked* of *files* files.

        Rewriting it costs about as much as reading it; after a small edit the old cache is
        kept, and the few files changed since are checked again on each run (they are found
        by their bytes, so the findings are the same) until they are over the share.
        """
        if cached is None:
            return True
        return checked > int(files * RESAVE_FRACTION)

    def start_saving(self, frames: dict[str, Any]) -> Saving:
        """Begin a new generation: its table frames are written by a thread (polars releases
        the interpreter while it writes) while the caller goes on with the dataset-wide
        checks; :meth:`finish_saving` adds the index and points to it."""
        saving = Saving(self.folder / f"g-{uuid.uuid4().hex}", sorted(frames))

        def write() -> None:
            try:
                self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                saving.generation.mkdir(mode=0o700)
                for table, frame in frames.items():
                    frame.write_ipc(saving.generation / f"{table}.arrow")
            except Exception:  # a full disk, a polars IO error: no cache this time
                saving.failed = True

        saving.thread = threading.Thread(target=write, name="write cache", daemon=True)
        saving.thread.start()
        return saving

    def finish_saving(
        self, saving: Saving, entries: dict[str, Entry], checks: dict[str, Any] | None = None
    ) -> None:
        """Write the index of *saving* and point to it; failures (a read-only cache folder,
        a full disk) are ignored, as the cache only saves time."""
        if saving.thread is not None:
            saving.thread.join()
        generation = saving.generation
        try:
            if saving.failed:
                raise OSError("the table frames could not be written")
            index = {
                "format": FORMAT,
                "key": self.key,
                "started_ns": self.started_ns,
                "entries": entries,
                "tables": saving.tables,
                "checks": checks,
            }
            with open(generation / "index.pickle", "wb") as f:
                pickle.dump(index, f, protocol=pickle.HIGHEST_PROTOCOL)
            pointer = self.folder / f"current.{generation.name}"
            pointer.write_text(generation.name, "utf-8")
            os.replace(pointer, self.folder / "current")
        except OSError:
            shutil.rmtree(generation, ignore_errors=True)
            return
        for old in self.folder.glob("g-*"):
            # not one a run going on beside this one writes, nor one it made current since
            if (
                old.name != generation.name
                and _finished_or_abandoned(old)
                and old.name != _current(self.folder)
            ):
                shutil.rmtree(old, ignore_errors=True)

    def abandon(self, saving: Saving) -> None:
        """Wait for *saving*'s writer and remove the generation it began."""
        if saving.thread is not None:
            saving.thread.join()
        shutil.rmtree(saving.generation, ignore_errors=True)


def _current(folder: Path) -> str | None:
    """The name of the generation *folder*'s pointer names (None when there is none)."""
    try:
        return (folder / "current").read_text("utf-8").strip()
    except OSError:
        return None


def _finished_or_abandoned(generation: Path) -> bool:
    """Whether another generation may be removed: it has its index (a finished run), or it
    has had none for longer than a run takes (a run that died). One still being written by a
    run going on beside this one is left to that run."""
    if (generation / "index.pickle").exists():
        return True
    try:
        return time.time() - generation.stat().st_mtime > ABANDONED_AFTER_S
    except OSError:
        return False


@dataclass
class Saving:
    """A generation being written."""

    generation: Path
    tables: list[str]
    thread: threading.Thread | None = None
    failed: bool = False
