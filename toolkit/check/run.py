"""Validate a dataset: load every file strictly, check each record against its schema version
and the article text, then check the whole dataset as tables. Returns a Report; never raises
for invalid data.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.check import table_rules
from toolkit.check.causes import one_cause
from toolkit.check.per_file import (
    DocumentBuilder,
    FileResult,
    Job,
    load_actor_registry,
)
from toolkit.check.result_cache import Cached, Entry, ResultCache, as_stored, fingerprint
from toolkit.check.rows import Rows, registry_rows
from toolkit.check.selection import select
from toolkit.check.strict_json import MAX_BYTES, Loaded
from toolkit.check.table_rules import columns_checked, frames_of
from toolkit.check.workers import PARALLEL_MIN_FILES, check_files
from toolkit.dataset import Dataset, printable_name
from toolkit.findings import Finding
from toolkit.registry import SchemaRegistry
from toolkit.regular_file import FileTooLarge, NotRegularFile
from toolkit.report import Report

#: Called with (files checked so far, files in all) as checking goes on.
Progress = Callable[[int, int], None]


@dataclass
class Validated:
    """Everything a validation run produced: the report, what each file gave, the actor
    registry as loaded, the rows the dataset-wide checks read, and what a client's builder
    built in the per-file pass (one item per batch, in file order)."""

    report: Report
    dataset: Dataset
    files: list[FileResult] = field(default_factory=list)
    registry_file: Loaded | None = None
    #: annotation files whose results came from the cache rather than a new check
    reused: int = 0
    #: table -> polars frame of the checked columns of every row, as the checks saw them
    frames: dict[str, Any] = field(default_factory=dict)
    #: what the *build* given to :func:`validate_dataset` built, batch by batch
    built: list[Any] = field(default_factory=list)
    #: "ran" when the dataset-wide checks ran, "reused" when their findings came from the
    #: cache (no row they read changed)
    dataset_checks: str = "ran"


def validate_dataset(
    root: Path | str = ".",
    *,
    paths: Sequence[Path | str] | None = None,
    registry: SchemaRegistry | None = None,
    progress: Progress | None = None,
    max_bytes: int = MAX_BYTES,
    jobs: int | None = None,
    cache: bool = False,
    build: DocumentBuilder | None = None,
    documents: Mapping[str, bytes] | None = None,
    executor: Executor | None = None,
) -> Validated:
    """Validate the dataset under *root*: a folder, or an fsspec URL (``file://``,
    ``memory://``, ``s3://``, ``gs://``...; :mod:`toolkit.storage`).

    :param paths: when given, check and report on exactly the files they select
        (:func:`toolkit.check.selection.select`: a folder its documents, an article the
        document annotating it, the registry every document): their findings and the
        dataset-wide findings that involve them (the dataset-wide checks still cover every
        file, since references cross files; with *cache*, files unchanged since are not read
        again).
    :param documents: documents given as bytes (standard input), by the dataset-relative
        name each stands for (``-`` for none): checked in that file's place, and selected.
    :raises toolkit.check.selection.PathRefused: for a path that does not exist, lies
        outside the dataset or names no file the validator checks.
    :param cache: reuse the results of files unchanged since the last run (kept in the
        user's cache folder); the findings are the same either way. The cache is keyed on
        local file status, so a URL root (other than ``file://``) runs without it.
    :param build: a client's builder, handed every batch of checked files in the per-file
        pass (``built`` holds what it returns). It needs every file read, so it does not go
        with *cache*.
    :param executor: check the files on this executor (a Dask cluster's,
        :func:`toolkit.check.cluster.executor_for`) rather than in local processes; its
        workers must read the dataset at the same path or URL. The findings are the same.
        A ``memory://`` root lives in this process: without *executor* its files are checked
        here (*jobs* is then 1), since worker processes would not see its store.
    :returns: a :class:`Validated` whose ``report.valid`` is False when any error was found.

    >>> validate_dataset(".").report.valid
    True
    """
    if build is not None and cache:
        raise ValueError("a builder needs every file checked: pass cache=False with build")
    dataset = Dataset.at(root)
    given = dict(documents or {})
    wanted = None if paths is None and not given else select(dataset, paths or (), given).files
    with gc_paused():
        return _validate(
            dataset,
            wanted,
            registry or SchemaRegistry.load(),
            progress,
            max_bytes,
            jobs,
            cache and not given and dataset.is_local,
            build,
            given,
            executor,
        )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: parsed documents and table rows hold no cycles,
    and with a million of them alive each full collection walks them all again (measured:
    parsing alone runs twice as fast with it paused)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _validate(
    dataset: Dataset,
    paths: Sequence[str] | None,
    registry: SchemaRegistry,
    progress: Progress | None,
    max_bytes: int,
    jobs: int | None,
    cache: bool,
    build: DocumentBuilder | None,
    given: dict[str, bytes],
    executor: Executor | None = None,
) -> Validated:
    names = dataset.annotation_names()
    names += sorted(set(given) - set(names))
    misnamed = [n for n in names if printable_name(n) != n]
    if misnamed:
        names = [n for n in names if printable_name(n) == n]
    checked = columns_checked()
    job = Job.of(dataset, registry, max_bytes, checked, build, given)
    store = ResultCache(dataset, fingerprint(registry, max_bytes)) if cache else None
    cached = store.load() if store is not None else None
    reused: dict[str, Entry] = {}
    if store is not None and cached is not None:
        for name in names:
            entry = cached.entries.get(name)
            if entry is not None and store.reusable(cached, entry, name):
                reused[name] = entry
    to_check = [n for n in names if n not in reused]
    if len(to_check) >= PARALLEL_MIN_FILES:
        _import_in_background("pandera.polars")  # needed once the workers are done
    fresh: dict[str, FileResult] = {}
    parts: dict[str, list[Any]] = {}
    built: list[Any] = []
    for batch in check_files(dataset, registry, to_check, job, jobs=jobs, executor=executor):
        fresh.update((r.file, r) for r in batch.results)
        for table, frame in batch.frames.items():
            parts.setdefault(table, []).append(frame)
        if build is not None:
            built.append(batch.built)
        if progress:
            progress(len(reused) + len(fresh), len(names))
    results = [reused[n].result if n in reused else fresh[n] for n in names]
    fresh_frames = _concat(parts)
    document_frames = fresh_frames
    if cached is not None and reused:
        document_frames = _merge(cached.frames, set(reused), fresh_frames)
    findings = [f for r in results for f in r.findings]
    findings.extend(
        Finding.make(
            "file-name-invalid",
            "the file name is not valid UTF-8, so the file is not checked",
            file=printable_name(name),
        )
        for name in misnamed
    )
    actors = load_actor_registry(dataset, registry)
    frames = document_frames
    if actors is not None and actors.ok:
        rows = Rows()
        registry_rows(rows, actors.file, actors.document, _mentions(frames))
        frames = _merge(frames, None, frames_of(rows, checked))
    complete = all(r.ok and not r.dropped_ids for r in results) and len(results) > 0
    dropped_dates = {f"{r.article_id}|{i}" for r in results if r.ok for i in r.dropped_ids}
    inputs = as_stored(
        {
            "complete": complete,
            "dropped_dates": sorted(dropped_dates),
            "registry": [actors.sha256, actors.ok] if actors is not None else None,
        }
    )
    saving = None
    if store is not None and store.worth_saving(cached, len(fresh), len(names)):
        saving = store.start_saving(document_frames)
    try:
        failures = _cached_failures(cached, inputs, names, set(fresh), fresh_frames)
        dataset_checks = "reused" if failures is not None else "ran"
        if failures is None:
            failures = [
                [
                    f.rule.code,
                    f.rule.message(f.row),
                    f.row["_file"],
                    f.row["_pointer"] + f.rule.field,
                    f.hint,
                ]
                for f in table_rules.check_tables(
                    frames, complete=complete, known_date_keys=dropped_dates
                )
            ]
    except BaseException:
        if store is not None and saving is not None:
            store.abandon(saving)
        raise
    if store is not None and saving is not None:
        entries = {n: store.entry(r) for n, r in zip(names, results, strict=True)}
        store.finish_saving(saving, entries, {"inputs": inputs, "failures": failures})
    located: dict[str, Loaded] = {actors.file: actors} if actors is not None else {}
    causes = one_cause(actors, frames)
    if actors is not None:
        findings.extend(actors.findings)
        findings.extend(causes.findings)
    for code, message, file, pointer, hint in failures:
        if code == "reference-unresolved" and (file, pointer) in causes.dropped:
            continue  # reported once, at its cause
        loaded = located.get(file) or located.setdefault(file, _reread(dataset, file))
        findings.append(loaded.finding(code, message, pointer, hint=hint or None))
    every = (*names, *(printable_name(n) for n in misnamed), *([actors.file] if actors else []))
    wanted = set(every) if paths is None else {printable_name(p) for p in paths}
    if paths is not None:
        findings = [
            f for f in findings if f.file in wanted or causes.related.get(f, set()) & wanted
        ]
    stats = {
        "files": len(results) + len(misnamed) + (actors is not None),
        "articles": len(dataset.article_ids()),
        **{
            table: frames[table].height if table in frames else 0
            for table in ("agreements", "actors", "actor_mentions", "dates", "evidence")
        },
    }
    return Validated(
        Report.from_findings(findings, stats, checked=sorted(wanted)),
        dataset,
        results,
        actors,
        len(reused),
        frames,
        built,
        dataset_checks,
    )


def _import_in_background(module: str) -> None:
    """Import *module* in a thread while this process waits for its workers (pandera takes
    over a second to import; a failure is left for the import that needs it to report)."""
    import contextlib
    import importlib
    import threading

    def load() -> None:
        with contextlib.suppress(Exception):  # the import that needs it reports it
            importlib.import_module(module)

    threading.Thread(target=load, name=f"import {module}", daemon=True).start()


def _cached_failures(
    cached: Cached | None,
    inputs: dict[str, Any],
    names: list[str],
    checked: set[str],
    frames: dict[str, Any],
) -> list[list[str]] | None:
    """The dataset-wide failures the cached run found, when they hold for this run: the
    same other inputs and the same rows (:func:`_same_rows`); else None."""
    if cached is None or cached.checks is None or cached.checks["inputs"] != inputs:
        return None
    if not _same_rows(cached, names, checked, frames):
        return None
    return cached.checks["failures"]  # type: ignore[no-any-return]


def _same_rows(cached: Cached, names: list[str], checked: set[str], frames: dict[str, Any]) -> bool:
    """True when the rows the dataset-wide checks read are those of the cached run: the same
    files, and the files checked again (*checked*, their rows *frames*) gave the rows the
    cache holds for them. Any doubt (another column type, say) answers False."""
    import polars as pl

    if len(cached.entries) != len(names) or not all(n in cached.entries for n in names):
        return False
    if not checked:
        return True
    files = pl.Series(sorted(checked), dtype=pl.String).implode()
    order = ["_file", "_pointer"]
    for table in set(cached.frames) | set(frames):
        old = cached.frames.get(table)
        before = old.filter(pl.col("_file").is_in(files)) if old is not None else None
        after = frames.get(table)
        if before is None or after is None:
            if (before.height if before is not None else 0) or (
                after.height if after is not None else 0
            ):
                return False
            continue
        if before.height != after.height or before.schema != after.schema:
            return False
        if not before.sort(order).equals(after.sort(order)):
            return False
    return True


def _merge(old: dict[str, Any], keep: set[str] | None, new: dict[str, Any]) -> dict[str, Any]:
    """Frames of *old* (only the rows of the files *keep*, or all) followed by those of
    *new*, table by table."""
    import polars as pl

    kept = pl.Series(sorted(keep), dtype=pl.String).implode() if keep is not None else None
    parts: dict[str, list[Any]] = {}
    for table, frame in old.items():
        parts[table] = [frame if kept is None else frame.filter(pl.col("_file").is_in(kept))]
    for table, frame in new.items():
        parts.setdefault(table, []).append(frame)
    return _concat(parts)


def _concat(parts: dict[str, list[Any]]) -> dict[str, Any]:
    """Each table's frames, one after the other (columns missing from some are null)."""
    import polars as pl

    return {
        table: pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]
        for table, frames in sorted(parts.items())
    }


def _mentions(frames: dict[str, Any]) -> dict[str, list[str]]:
    """actor id -> the ids of the articles that mention it, sorted."""
    import polars as pl

    frame = frames.get("actor_mentions")
    if frame is None or not frame.height:
        return {}
    grouped = frame.group_by("actor_id").agg(pl.col("article_id").unique().sort())
    return dict(zip(grouped["actor_id"].to_list(), grouped["article_id"].to_list(), strict=True))


def _reread(dataset: Dataset, file: str) -> Loaded:
    """A file's text again, to give line and column to a dataset-wide finding in it (only
    files with such findings are read twice)."""
    try:
        data = dataset.read_bytes(file, MAX_BYTES, follow_links=True)
        text: str | None = data.decode("utf-8")
    except (OSError, UnicodeDecodeError, NotRegularFile, FileTooLarge):
        text = None
    return Loaded(file, text=text)
