"""Publish the dataset: validate, build the tables, write Parquet, JSONL and metadata into a
temporary folder beside ``exports/``, and swap it in only when every file is complete.

The same inputs and locked dependencies give byte-identical files: rows sorted by primary key,
JSON keys sorted, no wall-clock time anywhere.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.arrow_schema import arrow_schema
from toolkit.columns import TABLES, ResolvedColumn, TableSpec, resolve
from toolkit.datacard import datacard
from toolkit.dataset import Dataset
from toolkit.errors import ExportFailed, ExportLocked
from toolkit.file_checks import arrow_table, compact_json
from toolkit.registry import SchemaRegistry
from toolkit.report import Report
from toolkit.validation import Validated, validate_dataset

EXPORTS = "exports"
DEFAULT_META = {
    "name": "cnvn-state-visit-2023",
    "title": "China–Vietnam state visit, December 2023: agreements, actors and dates",
    "description": "Hand-annotated agreements, actors and dates from news reports of the "
    "December 2023 state visit of China's president to Vietnam, every fact with its evidence.",
    "version": "0.1.0",
    "license": "https://creativecommons.org/licenses/by/4.0/",
    "license_name": "CC-BY-4.0",
    "url": "https://w3id.org/cnvn-visit",
    "citation": "cnvn-state-visit-2023 dataset",
}
#: zstd's own default: four times faster to write than level 9 on the evidence table, for
#: files about 14% larger (measured on a 100,000-record corpus).
ZSTD_LEVEL = 3
#: Called between steps; tests use it to interrupt an export midway.
Hook = Callable[[str], None]


@dataclass
class ExportResult:
    report: Report
    written: bool = False
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    differences: list[str] = field(default_factory=list)  # for check mode


def export_dataset(
    root: Path | str = ".",
    *,
    check: bool = False,
    registry: SchemaRegistry | None = None,
    hook: Hook | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> ExportResult:
    """Validate the dataset under *root* and publish it to ``<root>/exports``.

    :param check: build into a temporary folder and compare with ``exports/`` instead of
        replacing it; ``differences`` names every file that differs.
    :returns: an :class:`ExportResult`; nothing is written when the report is invalid.
    :raises ExportLocked: when another export holds the lock for longer than ten minutes.
    """
    dataset = Dataset.at(root)
    registry = registry or SchemaRegistry.load()
    with scratch_folder() as scratch:
        return _export(dataset, registry, scratch, check, hook, on_wait)


SCRATCH_PREFIX = "cnvn-export-"


@contextlib.contextmanager
def scratch_folder() -> Iterator[Path]:
    """A new private folder in the temporary folder (``TMPDIR``) for the export's scratch
    files, removed afterwards. It holds a lock while in use, so a later export removes the
    scratch folders of runs that were killed (their lock is free) and leaves those of runs
    still going.

    :raises ExportFailed: when no folder can be made there.
    """
    base = Path(tempfile.gettempdir())
    remove_stale_scratch(base)
    try:
        folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=base))
        held = os.open(folder / ".lock", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        where = os.environ.get("TMPDIR") or str(base)
        raise ExportFailed(_scratch_failed(where, exc)) from exc
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(held)


def _scratch_failed(folder: str | Path, exc: OSError) -> str:
    return (
        f"writing scratch copies of the documents into {folder} failed "
        f"({exc.strerror or exc}); free space there or set TMPDIR to another folder; "
        "the previous exports are untouched"
    )


def remove_stale_scratch(base: Path) -> list[Path]:
    """Remove the scratch folders in *base* that exports killed before they could clean up
    left behind: folders of this user named like scratch whose lock no process holds.
    Returns those removed."""
    removed = []
    try:
        names = [n for n in os.listdir(base) if n.startswith(SCRATCH_PREFIX)]
    except OSError:
        return []
    for name in names:
        folder = base / name
        try:
            st = os.lstat(folder)
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
                continue
            fd = os.open(folder / ".lock", os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a run still going holds it
        finally:
            os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _export(
    dataset: Dataset,
    registry: SchemaRegistry,
    scratch: Path,
    check: bool,
    hook: Hook | None,
    on_wait: Callable[[str], None] | None,
) -> ExportResult:
    from filelock import FileLock, Timeout

    try:
        validated = validate_dataset(
            dataset.root, registry=registry, all_columns=True, scratch=scratch
        )
    except OSError as exc:  # the files checked give findings, never OSError: the scratch
        raise ExportFailed(_scratch_failed(scratch, exc)) from exc
    if not validated.report.valid:
        return ExportResult(validated.report)
    if check:  # reads exports/ only: nothing is written in the dataset, which may be read-only
        built = scratch / EXPORTS
        try:
            files = write_exports(validated, registry, built, hook=hook)
        except OSError as exc:
            raise ExportFailed(_scratch_failed(scratch, exc)) from exc
        return ExportResult(validated.report, False, files, _compare(built, dataset.root / EXPORTS))
    lock = FileLock(str(dataset.root / "exports.lock"))
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
        raise ExportFailed(_unwritable(dataset.root, exc)) from exc
    previous = _terminate_cleanly()
    try:
        _recover(dataset.root)
        tmp = dataset.root / f"{EXPORTS}.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            files = write_exports(validated, registry, tmp, hook=hook)
            swap_in(tmp, dataset.root / EXPORTS)
            return ExportResult(validated.report, True, files)
        except OSError as exc:
            raise ExportFailed(_unwritable(dataset.root, exc)) from exc
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        lock.release()


def _unwritable(root: Path, exc: OSError) -> str:
    where = f" {exc.filename}" if exc.filename else f" in {root}"
    return (
        f"writing the exports failed ({exc.strerror or exc}:{where}); "
        "the previous exports are untouched"
    )


class Terminated(Exception):
    """SIGTERM arrived during an export."""


def _terminate_cleanly() -> Any:
    """Turn SIGTERM into an exception while exporting, so the temporary folder is removed and
    the lock released; returns the previous handler (None off the main thread)."""

    def handler(signum: int, frame: Any) -> None:
        raise Terminated("export terminated by SIGTERM; the previous exports are untouched")

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, handler)


def _recover(root: Path) -> None:
    """Undo what a killed export left: restore exports/ if the swap stopped halfway, remove
    temporary folders."""
    target = root / EXPORTS
    for old in sorted(root.glob(f"{EXPORTS}.old-*")):
        if not target.exists():
            old.rename(target)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for tmp in root.glob(f"{EXPORTS}.tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True)


def swap_in(new: Path, target: Path) -> None:
    """Put the folder *new* in the place of the folder *target* so that a reader finds, at
    every moment, either the whole old folder or the whole new one: the two are exchanged in
    one step (``renameat2`` with ``RENAME_EXCHANGE``) and *new* then holds the old one, for
    the caller to remove. Where the system cannot exchange, *target* is renamed aside,
    *new* renamed in, and the old one put back if that fails (a run killed between the two
    is undone by the next export)."""
    if not os.path.lexists(target):
        os.rename(new, target)
        return
    if exchange(new, target):
        return
    old = target.with_name(f"{EXPORTS}.old-{os.getpid()}")
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    os.rename(old, new)


def exchange(a: Path, b: Path) -> bool:
    """Exchange the paths *a* and *b* atomically (Linux ``renameat2(RENAME_EXCHANGE)``);
    False where the system or the file system cannot.

    :raises OSError: for any other failure (permissions, a missing path).
    """
    if sys.platform != "linux":
        return False
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _compare(built: Path, published: Path) -> list[str]:
    def listing(base: Path) -> dict[str, bytes]:
        if not base.is_dir():
            return {}
        return {
            p.relative_to(base).as_posix(): p.read_bytes()
            for p in sorted(base.rglob("*"))
            if p.is_file()
        }

    new, old = listing(built), listing(published)
    diffs = []
    for name in sorted(set(new) | set(old)):
        if name not in old:
            diffs.append(f"{EXPORTS}/{name}: missing from the published exports")
        elif name not in new:
            diffs.append(f"{EXPORTS}/{name}: published but no longer built")
        elif new[name] != old[name]:
            diffs.append(f"{EXPORTS}/{name}: differs from a fresh build")
    return diffs


def dataset_meta(dataset: Dataset) -> dict[str, str]:
    """Dataset name, version and licence: ``seeds/dataset.json`` over the defaults."""
    path = dataset.root / "seeds" / "dataset.json"
    meta = dict(DEFAULT_META)
    if path.is_file():
        meta.update({k: str(v) for k, v in json.loads(path.read_text("utf-8")).items()})
    return meta


def input_hash(dataset: Dataset, known: dict[str, str | None] | None = None) -> str:
    """SHA-256 over every input file's path and bytes: articles, annotations, registries.
    *known* gives the SHA-256 of files already hashed (by the validation that read them)."""
    known = known or {}
    root = dataset.root
    try:
        articles = sorted(n for n in os.listdir(dataset.articles_dir) if n.endswith(".txt"))
    except OSError:
        articles = []
    names = [f"seeds/articles/{n}" for n in articles] + dataset.annotation_names()
    for extra in ("seeds/actors.json", "seeds/dataset.json"):
        if (root / extra).is_file():
            names.append(extra)
    h = hashlib.sha256()
    for name in names:
        if not os.path.isfile(f"{root}/{name}"):
            continue  # a folder named like an article or annotation file
        digest = known.get(name)
        if not digest:
            with open(f"{root}/{name}", "rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest()
        h.update(name.encode() + b"\0" + bytes.fromhex(digest))
    return h.hexdigest()


def _hashed(validated: Validated) -> dict[str, str | None]:
    """The SHA-256 of every file the validation read: annotations and their articles."""
    known: dict[str, str | None] = {}
    for result in validated.files:
        known.update(result.read_also)
        known[result.file] = result.sha256
    return known


def published_table(validated: Validated, spec: TableSpec, schema: Any) -> Any:
    """The published Arrow table *spec* with *schema*: provenance columns dropped,
    canonical agreements gathered, rows sorted by primary key."""
    from toolkit.arrow_schema import undictionaried

    if spec.name in validated.published:
        unsorted = validated.published[spec.name]
    elif spec.name == "agreements_canonical":
        unsorted = _canonical(validated.published, undictionaried(schema))
    else:  # the registry's rows, or a table with no rows
        unsorted = arrow_table(validated.tables, spec.name, undictionaried(schema))
    ordered = unsorted.sort_by([(k, "ascending") for k in spec.primary_key]).combine_chunks()
    return ordered.cast(schema)


def _examples(table: Any) -> dict[str, Any]:
    """The first value of each column that is not empty (None, "" or []), or None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    examples: dict[str, Any] = {}
    for name in table.column_names:
        column = table.column(name)
        encoded = pa.types.is_dictionary(column.type)
        kind = column.type.value_type if encoded else column.type
        present = pc.is_valid(column)
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            text = column.cast(kind) if encoded else column
            present = pc.and_(present, pc.greater(pc.binary_length(text), 0))
        elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
            present = pc.and_(present, pc.greater(pc.list_value_length(column), 0))
        first = pc.index(present, True).as_py()
        examples[name] = column[first].as_py() if first >= 0 else None
    return examples


def _union(lists: Any) -> Any:
    """The distinct items of a list column over a group, sorted."""
    return lists.explode(keep_nulls=False, empty_as_null=False).drop_nulls().unique().sort()


def _canonical(published: dict[str, Any], schema: Any) -> Any:
    """The canonical agreements as an Arrow table of *schema* (unsorted): one row per
    canonical key, its records in (article, agreement id) order, distinct values sorted, and
    the evidence of each record by start offset (document order among equal starts). Built
    with polars group-bys over the published agreements and evidence."""
    import polars as pl
    import pyarrow as pa

    agreements = published.get("agreements")
    if agreements is None or not agreements.num_rows:
        return pa.Table.from_pylist([], schema=schema)
    c = pl.col
    records = pl.from_arrow(
        agreements.select(
            [
                "canonical_key",
                "article_id",
                "agreement_id",
                "title_as_reported",
                "status",
                "factuality",
                "instrument_type",
                "sectors",
                "party_ids",
            ]
        )
    )
    assert isinstance(records, pl.DataFrame)
    records = records.sort(["canonical_key", "article_id", "agreement_id"], maintain_order=True)

    rows = records.group_by("canonical_key", maintain_order=True).agg(
        c("agreement_id").alias("agreement_ids"),
        c("article_id").unique().sort().alias("article_ids"),
        c("article_id").n_unique().cast(pl.Int64).alias("report_count"),
        c("title_as_reported").alias("titles_as_reported"),
        c("status").unique().sort().alias("statuses"),
        c("factuality").unique().sort().alias("factualities"),
        c("instrument_type").unique().sort().alias("instrument_types"),
        _union(c("sectors")).alias("sectors"),
        _union(c("party_ids")).alias("party_ids"),
        (c("status").n_unique() > 1).alias("status_conflict"),
    )
    evidence_table = published.get("evidence")
    if evidence_table is not None and evidence_table.num_rows:
        evidence = pl.from_arrow(
            evidence_table.select(["record_type", "record_id", "pointer", "quote", "start", "end"])
        )
        assert isinstance(evidence, pl.DataFrame)
        cited = (
            evidence.filter(
                (c("record_type") == "agreement") & ~c("pointer").str.contains("/counts/")
            )
            .join(
                records.select("canonical_key", "article_id", "agreement_id"),
                left_on="record_id",
                right_on="agreement_id",
                how="inner",
                maintain_order="left",
            )
            .with_columns(c("record_id").alias("agreement_id"))
            .sort(["canonical_key", "article_id", "agreement_id", "start"], maintain_order=True)
            .group_by("canonical_key", maintain_order=True)
            .agg(pl.struct("article_id", "agreement_id", "quote", "start", "end").alias("evidence"))
        )
        rows = rows.join(cited, on="canonical_key", how="left", maintain_order="left")
    else:
        rows = rows.with_columns(pl.lit(None).alias("evidence"))
    rows = rows.with_columns(c("evidence").fill_null([]))
    return rows.select(schema.names).to_arrow().cast(schema)


def write_exports(
    validated: Validated, registry: SchemaRegistry, out: Path, *, hook: Hook | None = None
) -> dict[str, str]:
    """Write every export file into *out* (a new folder); returns path -> sha256.

    *validated* must come from ``validate_dataset(..., all_columns=True, scratch=FOLDER)``
    with *FOLDER* still in place (``annotations.json`` is copied from it). Its frames and
    each Arrow table are released once written, so memory holds at most one sorted table
    beside the unsorted ones still to write.
    """
    import pyarrow.parquet as pq

    if any(r.ok and r.file not in validated.compact for r in validated.files):
        raise ValueError("write_exports needs validate_dataset(all_columns=True, scratch=...)")

    dataset = validated.dataset
    version = registry.latest
    meta = dataset_meta(dataset)
    meta.update(schema_version=version, input_sha256=input_hash(dataset, _hashed(validated)))
    file_meta = {
        "schema_version": version,
        "dataset_version": meta["version"],
        "input_sha256": meta["input_sha256"],
    }
    resolved: list[tuple[TableSpec, list[ResolvedColumn]]] = [
        (spec, resolve(spec, registry, version)) for spec in TABLES
    ]
    (out / "parquet").mkdir(parents=True)
    (out / "json").mkdir()
    counts: dict[str, int] = {}
    examples: dict[str, dict[str, Any]] = {}
    validated.frames = {}  # what the checks read: not published
    for spec, columns in resolved:
        table = published_table(validated, spec, arrow_schema(spec, columns, file_meta))
        if spec.name != "agreements":  # gathered again into the canonical agreements
            validated.published.pop(spec.name, None)
        if spec.name == "agreements_canonical":
            validated.published.pop("agreements", None)
        pq.write_table(
            table,
            out / "parquet" / f"{spec.name}.parquet",
            compression="zstd",
            compression_level=ZSTD_LEVEL,
        )
        write_jsonl(out / "json" / f"{spec.name}.jsonl", table)
        counts[spec.name] = table.num_rows
        examples[spec.name] = _examples(table)
        del table
        if hook:
            hook(spec.name)
    _write_lines(out / "json" / "annotations.json", _annotations_json(validated, version))
    files = _hashes(out)
    sizes = {k: (v, (out / k).stat().st_size) for k, v in files.items()}
    from toolkit.croissant import croissant_metadata
    from toolkit.datapackage import datapackage

    _write_text(out / "datapackage.json", _dumps(datapackage(resolved, sizes, meta)))
    _write_text(out / "croissant.json", _dumps(croissant_metadata(resolved, sizes, meta)))
    _write_text(out / "README.md", datacard(resolved, counts, examples, meta))
    files.update(_hashes(out, ("datapackage.json", "croissant.json", "README.md")))
    _write_text(out / "SHA256SUMS", "".join(f"{h}  {p}\n" for p, h in sorted(files.items())))
    return dict(sorted(files.items()))


def _hashes(out: Path, names: Iterable[str] | None = None) -> dict[str, str]:
    """path -> SHA-256 of the files *names* of *out* (every file but SHA256SUMS if None),
    each read a megabyte at a time."""
    if names is None:
        names = [
            p.relative_to(out).as_posix()
            for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "SHA256SUMS"
        ]
    hashes = {}
    for name in names:
        with open(out / name, "rb") as f:
            hashes[name] = hashlib.file_digest(f, "sha256").hexdigest()
    return hashes


def _annotations_json(validated: Validated, version: str) -> Iterator[bytes]:
    """``annotations.json`` piece by piece: the actor registry and every annotation document,
    one per line, keys sorted, no insignificant space. The documents are the compact JSON
    the validation wrote of the very bytes it checked (never a second parse of the files)."""
    registry = validated.registry_file.document if validated.registry_file else None
    yield b'{"actor_registry":' + compact_json(registry) + b',"annotations":['
    handle: Any = None
    try:
        for n, result in enumerate(sorted(validated.files, key=lambda r: str(r.article_id))):
            scratch, offset, length = validated.compact[result.file]
            if handle is None or handle.name != scratch:
                if handle is not None:
                    handle.close()
                handle = open(scratch, "rb")  # noqa: SIM115 (kept open across documents)
            handle.seek(offset)
            yield (b"\n" if n == 0 else b",\n") + handle.read(length)
    finally:
        if handle is not None:
            handle.close()
    yield b'\n],"schema_version":' + compact_json(version) + b"}\n"


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot serialize {type(value).__name__}")


def write_jsonl(path: Path, table: Any) -> None:
    """One JSON object per row, keys in the table's column order (what Data Package readers
    expect), written by polars from the Arrow table: the same bytes as ``json.dumps(row,
    ensure_ascii=False, separators=(",", ":"))`` per row, which tests/test_export.py checks."""
    import polars as pl

    with open(path, "wb") as f:
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        frame.write_ndjson(f)
        f.flush()
        os.fsync(f.fileno())


def _dumps(obj: Any) -> str:
    return (
        json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=2, default=_json_default) + "\n"
    )


def _write_lines(path: Path, pieces: Iterable[bytes]) -> None:
    """Write *pieces* in order, a megabyte at a time, and sync."""
    with open(path, "wb") as f:
        buffer: list[bytes] = []
        size = 0
        for piece in pieces:
            buffer.append(piece)
            size += len(piece)
            if size > 1 << 20:
                f.write(b"".join(buffer))
                buffer, size = [], 0
        f.write(b"".join(buffer))
        f.flush()
        os.fsync(f.fileno())


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
