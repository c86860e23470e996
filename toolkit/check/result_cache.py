"""A cache of per-file validation results, so that a run after an edit checks again only the
files that changed, and the dataset-wide checks read the other files' rows from disk.

What is kept: for every annotation file, its :class:`~toolkit.check.per_file.FileResult`
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
folder per user and dataset root, created private to the user. Never inside the dataset: a
cache there could arrive with a pull request, and a forged one would make bad files pass.

The cache is data, checked before use, never code: the index is JSON, authenticated by an
HMAC-SHA256 under a random key kept in the same private folder, and it holds the SHA-256 of
every Arrow file, verified before the file is read. A folder that is a link, is owned by
another user or can be written by group or others is not used at all (nor written). A
mismatch, an index of another format, or any error while reading (native libraries' panics
included) means no cache for that run, which then writes a new one.

A file's result is reused only when its bytes and its article's bytes are the ones checked.
File status (type, size, times, inode) is a shortcut that spares reading a file again, taken
only for files whose status last changed well before the run that wrote the cache (the rule
git uses for its index); any other file is read and hashed, and a file that was never read
(too large, unreadable) is checked again. A cache written by another toolkit version, other
schemas or other limits is ignored. Writes go to a new folder that a pointer file then names,
so readers never see half a cache; a run removes the generations before its own, but not one
another run is still writing. A run that checked only a few files again (up to
``RESAVE_FRACTION`` of them) does not rewrite the cache.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import stat
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from toolkit.check.per_file import FileResult
from toolkit.dataset import Dataset
from toolkit.findings import Finding
from toolkit.registry import SchemaRegistry
from toolkit.regular_file import NotRegularFile, open_regular, sha256_file

#: A file whose status changed less than this before the run that cached it is re-hashed.
SLACK_NS = 2_000_000_000
FORMAT = 3
#: A run that had to check again at most this share of the files leaves the cache as it is.
RESAVE_FRACTION = 0.01
#: A generation without its index this long after it was begun belongs to a run that died.
ABANDONED_AFTER_S = 3600
_DEPENDENCIES = ("jsonschema", "jsonschema_rs", "orjson", "polars", "pandera", "referencing")
_INDEX = "index.json"
_MAC = "index.mac"
_KEY = "key"
_GENERATION = re.compile(r"^g-[0-9a-f]{32}$")
_TABLE = re.compile(r"^[a-z_]{1,64}$")
#: Errors a read of the cache may raise that end the process anyway and are not the cache's.
_NOT_THE_CACHES = (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)

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


class CacheRejected(Exception):
    """The cache cannot be trusted or read: it is ignored."""


def fingerprint(registry: SchemaRegistry, max_bytes: int) -> str:
    """What a cached result depends on besides the files: the toolkit's code, the schemas,
    the limits and the versions of the libraries that check."""
    import importlib.metadata

    package = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(f"{FORMAT}|{max_bytes}|{sys.version}".encode())
    for module in sorted(package.rglob("*.py")):
        h.update(module.relative_to(package).as_posix().encode() + b"\0" + module.read_bytes())
    h.update(json.dumps([registry.schemas, registry.lexicons], sort_keys=True).encode())
    for name in _DEPENDENCIES:
        try:
            h.update(f"{name}={importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(f"{name}=absent".encode())
    return h.hexdigest()


def cache_folder(dataset: Dataset) -> Path:
    """The cache folder of *dataset* for this user (see the module docstring)."""
    base = os.environ.get("TOOLKIT_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        base = str(Path(xdg) / "cnvn-toolkit" / "validate")
    name = hashlib.sha256(f"{os.geteuid()}|{dataset.root}".encode()).hexdigest()[:24]
    return Path(base) / name


def private(path: Path, kind: int = stat.S_IFDIR) -> bool:
    """Whether *path* is, without following a link, a folder (or a file, with *kind*
    ``S_IFREG``) owned by this user that neither group nor others can write."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return (
        stat.S_IFMT(st.st_mode) == kind
        and st.st_uid == os.geteuid()
        and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def status(path: Path | str) -> Status | None:
    """The file's type, size, change and modification times and inode (None if absent)."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _read_private(path: Path) -> bytes:
    """The bytes of *path*, a private regular file of this user (no link followed)."""
    try:
        fd, st = open_regular(path, follow_links=False)
    except NotRegularFile as exc:
        raise CacheRejected(f"{path.name}: {exc}") from exc
    try:
        if st.st_uid != os.geteuid():
            raise CacheRejected(f"{path.name} is not a file of this user")
        if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise CacheRejected(f"{path.name} can be written by others")
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read()
    finally:
        os.close(fd)


def _read_frames(generation: Path, tables: dict[str, str]) -> dict[str, Any]:
    """The frames of the Arrow IPC files of *generation*, table -> the SHA-256 its file must
    have: memory-mapped and kept in the batches they were written in, without a copy
    (``polars.read_ipc`` copies every column, five times slower here). Each checksum is
    verified before the file is mapped, by reading it a megabyte at a time (hashing through
    the mapping would bring every page of it into this process); the files are hashed in
    threads, side by side (hashlib lets go of the interpreter). Between the two, only this
    user can change the file: its folder is private (:func:`private`).

    :raises CacheRejected: when a file is not private or not what its checksum says.
    """
    from concurrent.futures import ThreadPoolExecutor

    import polars as pl
    import pyarrow as pa
    import pyarrow.ipc

    paths = {}
    for table in tables:
        if not _TABLE.match(table):
            raise CacheRejected(f"{table[:40]!r} is not a table name")
        path = generation / f"{table}.arrow"
        if not private(path, stat.S_IFREG):
            raise CacheRejected(f"{path.name} is not a private regular file")
        paths[table] = path
    with ThreadPoolExecutor(max_workers=max(1, min(len(paths), os.cpu_count() or 1))) as pool:
        digests = dict(zip(paths, pool.map(sha256_file, paths.values()), strict=True))
    frames = {}
    for table, path in paths.items():
        if not hmac.compare_digest(digests[table], tables[table]):
            raise CacheRejected(f"{table}.arrow does not have the checksum its index gives")
        arrow = pyarrow.ipc.open_file(pa.memory_map(str(path))).read_all()
        arrow.validate(full=False)
        frames[table] = pl.from_arrow(arrow, rechunk=False)
    return frames


def _sha256(path: str) -> str | None:
    try:
        return sha256_file(path)
    except OSError:
        return None


def _entry_data(entry: Entry) -> list[Any]:
    r = entry.result
    return [
        r.file,
        [
            [
                f.file,
                f.line,
                f.column,
                f.pointer,
                f.code,
                f.message,
                f.severity,
                f.hint,
                f.schema_path,
            ]
            for f in r.findings
        ],
        r.ok,
        r.dropped_ids,
        r.article_id,
        r.sha256,
        r.read_also,
        list(entry.status) if entry.status is not None else None,
        {k: list(v) if v is not None else None for k, v in entry.read_also.items()},
    ]


def _entry_of(data: list[Any]) -> Entry:
    file, findings, ok, dropped, article_id, sha256, read_also, seen, seen_also = data
    result = FileResult(
        file,
        [Finding(*f) for f in findings],
        ok,
        dropped,
        article_id,
        sha256,
        read_also,
    )
    return Entry(
        result,
        tuple(seen) if seen is not None else None,
        {k: tuple(v) if v is not None else None for k, v in seen_also.items()},
    )


def _dumps(value: Any) -> bytes:
    """*value* as JSON; strings orjson refuses (a lone surrogate from a broken file's key)
    are written as ``\\u`` escapes by the standard library instead."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=True, allow_nan=False).encode("ascii")


def _loads(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:  # lone surrogates, written escaped by :func:`_dumps`
        return json.loads(data)


def as_stored(value: Any) -> Any:
    """*value* as it reads back from the index (tuples become lists), for comparisons."""
    return _loads(_dumps(value))


class ResultCache:
    """The cache of one dataset for one fingerprint."""

    def __init__(self, dataset: Dataset, key: str) -> None:
        self.dataset = dataset
        self.key = key
        self.folder = cache_folder(dataset)
        self.started_ns = time.time_ns()

    def load(self) -> Cached | None:
        """The cache, or None when there is none usable: none yet, one that is not private to
        this user, one that fails its authentication or checksums, one of another format or
        fingerprint, or one that cannot be read."""
        try:
            return self._load()
        except BaseException as exc:  # a panic in a native reader is a BaseException
            if isinstance(exc, _NOT_THE_CACHES):
                raise
            return None

    def _load(self) -> Cached | None:
        if not private(self.folder):
            return None
        current = _current(self.folder)
        if current is None:
            return None
        generation = self.folder / current
        if not private(generation):
            return None
        data = _read_private(generation / _INDEX)
        mac = _read_private(generation / _MAC).decode("ascii")
        if not hmac.compare_digest(self._mac(data), mac):
            raise CacheRejected("the index does not carry this user's authentication")
        index = _loads(data)
        if index.get("format") != FORMAT or index.get("key") != self.key:
            return None
        frames = _read_frames(generation, index["tables"])
        entries = {name: _entry_of(data) for name, data in index["entries"].items()}
        return Cached(int(index["started_ns"]), entries, frames, index.get("checks"))

    def _secret(self, create: bool) -> bytes | None:
        """This user's key for the cache folder, made on first use when *create* (and made
        anew when it is not whole, as after a run killed while it wrote it). It comes into
        place whole: written under another name, then linked to its own."""
        path = self.folder / _KEY
        try:
            key = _read_private(path)
            if len(key) == 32:
                return key
            if not create:
                raise CacheRejected("the key is not 32 bytes")
            os.unlink(path)
        except FileNotFoundError:
            if not create:
                return None
        key = secrets.token_bytes(32)
        partial = self.folder / f"{_KEY}.{uuid.uuid4().hex}"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(key)
            os.link(partial, path)
        except FileExistsError:
            return self._secret(create=False)  # another run made it first
        finally:
            partial.unlink(missing_ok=True)
        return key

    def _mac(self, data: bytes, create: bool = False) -> str:
        key = self._secret(create)
        if key is None:
            raise CacheRejected("there is no key")
        return hmac.new(key, data, hashlib.sha256).hexdigest()

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

    def start_saving(self, frames: dict[str, Any]) -> Saving | None:
        """Begin a new generation: its table frames are written by a thread (polars releases
        the interpreter while it writes) while the caller goes on with the dataset-wide
        checks; :meth:`finish_saving` adds the index and points to it. None when the cache
        folder is not private to this user (it is then neither read nor written)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError:
            return None
        if not private(self.folder):
            return None
        saving = Saving(self.folder / f"g-{uuid.uuid4().hex}", sorted(frames))

        def write() -> None:
            try:
                saving.generation.mkdir(mode=0o700)
                for table, frame in frames.items():
                    frame.write_ipc(saving.generation / f"{table}.arrow")
            except BaseException:  # a full disk, a polars error or panic: no cache this time
                saving.failed = True

        saving.thread = threading.Thread(target=write, name="write cache", daemon=True)
        saving.thread.start()
        return saving

    def finish_saving(
        self, saving: Saving, entries: dict[str, Entry], checks: dict[str, Any] | None = None
    ) -> None:
        """Write the index of *saving*, authenticated, and point to it; failures (a
        read-only cache folder, a full disk) are ignored, as the cache only saves time."""
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
                "entries": {name: _entry_data(entry) for name, entry in entries.items()},
                "tables": {
                    table: sha256_file(generation / f"{table}.arrow") for table in saving.tables
                },
                "checks": checks,
            }
            data = _dumps(index)
            mac = self._mac(data, create=True)
            (generation / _INDEX).write_bytes(data)
            (generation / _MAC).write_text(mac, "ascii")
            pointer = self.folder / f"current.{generation.name}"
            pointer.write_text(generation.name, "utf-8")
            os.replace(pointer, self.folder / "current")
        except (OSError, CacheRejected, ValueError, TypeError):
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
        name = _read_private(folder / "current").decode("ascii").strip()
    except (OSError, UnicodeDecodeError, CacheRejected):
        return None
    return name if _GENERATION.match(name) else None


def _finished_or_abandoned(generation: Path) -> bool:
    """Whether another generation may be removed: it has its index (a finished run), or it
    has had none for longer than a run takes (a run that died). One still being written by a
    run going on beside this one is left to that run."""
    if (generation / _INDEX).exists() or (generation / "index.pickle").exists():
        return True  # a finished run's, of this format or the previous one
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
