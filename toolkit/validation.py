"""Validate a dataset: load every file strictly, check each record against its schema version
and the article text, then check the whole dataset as tables. Returns a Report; never raises
for invalid data.
"""

from __future__ import annotations

import gc
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit import table_checks
from toolkit.dataset import Dataset, printable_name
from toolkit.file_checks import (
    PARALLEL_MIN_FILES,
    DocumentBuilder,
    FileResult,
    Job,
    check_files,
)
from toolkit.findings import Finding, pointer_join
from toolkit.loading import MAX_BYTES, Loaded, load_json
from toolkit.registry import SchemaRegistry
from toolkit.report import Report
from toolkit.result_cache import Cached, Entry, ResultCache, as_stored, fingerprint
from toolkit.rules import DOCUMENT_RULES, REGISTRY_RULES, DocumentContext
from toolkit.table_checks import columns_checked, frames_of
from toolkit.tables import Tables, registry_rows

#: Called with (files checked so far, files in all) as checking goes on.
Progress = Callable[[int, int], None]
_MAX_MESSAGE = 300


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
) -> Validated:
    """Validate the dataset under *root*.

    :param paths: when given, report only findings in these files and the dataset-wide
        findings that involve them (the dataset-wide checks still cover every file, since
        references cross files; with *cache*, files unchanged since are not read again).
    :param cache: reuse the results of files unchanged since the last run (kept in the
        user's cache folder); the findings are the same either way.
    :param build: a client's builder, handed every batch of checked files in the per-file
        pass (``built`` holds what it returns). It needs every file read, so it does not go
        with *cache*.
    :returns: a :class:`Validated` whose ``report.valid`` is False when any error was found.

    >>> validate_dataset(".").report.valid
    True
    """
    if build is not None and cache:
        raise ValueError("a builder needs every file checked: pass cache=False with build")
    with gc_paused():
        return _validate(
            Dataset.at(root),
            paths,
            registry or SchemaRegistry.load(),
            progress,
            max_bytes,
            jobs,
            cache,
            build,
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
    paths: Sequence[Path | str] | None,
    registry: SchemaRegistry,
    progress: Progress | None,
    max_bytes: int,
    jobs: int | None,
    cache: bool,
    build: DocumentBuilder | None,
) -> Validated:
    names = dataset.annotation_names()
    misnamed = [n for n in names if printable_name(n) != n]
    if misnamed:
        names = [n for n in names if printable_name(n) == n]
    checked = columns_checked()
    job = Job.of(dataset, registry, max_bytes, checked, build)
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
    for batch in check_files(dataset, registry, to_check, job, jobs=jobs):
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
    actors = _load_actor_registry(dataset, registry)
    frames = document_frames
    if actors is not None:
        findings.extend(actors.findings)
        if actors.ok:
            tables = Tables()
            registry_rows(tables, actors.file, actors.document, _mentions(frames))
            frames = _merge(frames, None, frames_of(tables, checked))
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
                ]
                for f in table_checks.check_tables(
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
    for code, message, file, pointer in failures:
        loaded = located.get(file) or located.setdefault(file, _reread(dataset, file))
        findings.append(loaded.finding(code, message, pointer))
    if paths is not None:
        wanted = {printable_name(dataset.relative(Path(p))) for p in paths}
        findings = [f for f in findings if f.file in wanted]
    stats = {
        "files": len(results) + len(misnamed) + (actors is not None),
        "articles": len(dataset.article_ids()),
        **{
            table: frames[table].height if table in frames else 0
            for table in ("agreements", "actors", "actor_mentions", "dates", "evidence")
        },
    }
    return Validated(
        Report.from_findings(findings, stats),
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
        text = (dataset.root / file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = None
    return Loaded(file, text=text)


def load_annotation(
    dataset: Dataset, path: Path, registry: SchemaRegistry, max_bytes: int = MAX_BYTES
) -> Loaded:
    file = dataset.relative(path)
    if not _inside(dataset, path):
        loaded = Loaded(file)
        loaded.findings.append(
            Finding.make(
                "file-unreadable", "the file is a link leading outside the dataset", file=file
            )
        )
        return loaded
    loaded = load_json(path, file, max_bytes=max_bytes)
    if not loaded.ok:
        return loaded
    if not _check_schema(loaded, registry, "annotation"):
        return loaded
    ctx = DocumentContext(loaded, dataset)
    for rule in DOCUMENT_RULES.values():
        loaded.findings.extend(rule(ctx))
    loaded.read_also[f"seeds/articles/{ctx.article_id}.txt"] = ctx.article_sha256
    return loaded


def _load_actor_registry(dataset: Dataset, registry: SchemaRegistry) -> Loaded | None:
    path = dataset.actors_path
    if not path.exists():
        return None
    loaded = load_json(path, dataset.relative(path))
    if loaded.ok and _check_schema(loaded, registry, "actor_registry"):
        for rule in REGISTRY_RULES.values():
            loaded.findings.extend(rule(loaded))
    return loaded


def _inside(dataset: Dataset, path: Path) -> bool:
    """True when *path*, links followed, lies inside the dataset (a link loop does not)."""
    try:  # the usual case, a file that is no link in the annotations folder: one system call
        if (
            not stat.S_ISLNK(os.lstat(path).st_mode)
            and os.path.dirname(path) == dataset.annotations_folder
            and dataset.annotations_folder_inside
        ):
            return True
    except OSError:
        pass
    try:
        path.resolve().relative_to(dataset.root)
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a link loop (Python 3.11)
        return False
    return True


_VALUE_CODES = ("json-nonfinite-number", "json-number-out-of-range", "json-lone-surrogate")
RECORD_ARRAYS = {"agreements": "agreement_id", "dates": "date_id", "actors": "actor_id"}


def _check_schema(loaded: Loaded, registry: SchemaRegistry, name: str) -> bool:
    """Validate *loaded* against record type *name* of the version it declares.

    Adds every schema finding. A record (an item of ``agreements``, ``dates`` or ``actors``)
    that breaks its schema is set aside so the rest of the document is still checked; its id
    is kept in ``loaded.dropped_ids`` so references to it are not reported twice. Returns False
    when the document as a whole cannot be trusted (an error outside those records).
    """
    doc = loaded.document
    version = doc.get("schema_version")
    if version not in registry.versions:
        known = ", ".join(registry.versions)
        loaded.findings.append(
            loaded.finding(
                "schema-version-unknown",
                f"schema_version {version!r} is not a released version (known: {known})"
                if "schema_version" in doc
                else f"schema_version is missing (known: {known})",
                "/schema_version" if "schema_version" in doc else "",
            )
        )
        loaded.document = None
        return False
    declared = doc.get("$schema")
    expected = (
        f"../../schemas/{version}/{name}.schema.json"
        if name == "annotation"
        else f"../schemas/{version}/{name}.schema.json"
    )
    if declared is not None and declared not in (expected, registry.schema(name, version)["$id"]):
        loaded.findings.append(
            loaded.finding(
                "schema-pointer-mismatch",
                f"$schema is {declared[:120]!r}; expected {expected!r} "
                "(it is never fetched or opened)",
                "/$schema",
            )
        )
    bad_records: set[tuple[str, int]] = set()
    whole_ok = True
    # a value the loader already reported (NaN, a 70-digit number) gets no second finding
    reported = {f.pointer for f in loaded.findings if f.code in _VALUE_CODES}
    if not reported and _fast_valid(registry, name, version, doc):
        return True
    for error in registry.validator(name, version).iter_errors(doc):
        path = list(error.absolute_path)
        pointer = pointer_join(*path)
        if pointer not in reported:
            schema_path = "/".join(str(p) for p in error.absolute_schema_path)
            loaded.findings.append(
                loaded.finding(
                    "schema-violation", _message(error), pointer, schema_path=schema_path
                )
            )
        if name == "annotation" and len(path) >= 2 and path[0] in RECORD_ARRAYS:
            bad_records.add((str(path[0]), int(path[1])))
        else:
            whole_ok = False
    if not whole_ok:
        loaded.document = None
        return False
    if bad_records:
        loaded.document = _without(doc, bad_records, loaded.dropped_ids)
    return True


def _fast_valid(registry: SchemaRegistry, name: str, version: str, doc: Any) -> bool:
    """True when the compiled validator accepts *doc*: then python-jsonschema, which
    explains failures, need not run. Any doubt (no compiled validator, a value it cannot
    take) answers False and the full check runs."""
    fast = registry.fast_validator(name, version)
    if fast is None:
        return False
    try:
        return bool(fast.is_valid(doc))
    except (ValueError, TypeError, OverflowError):
        return False


def _without(doc: dict[str, Any], bad: set[tuple[str, int]], dropped: set[str]) -> dict[str, Any]:
    """A copy of *doc* with each schema-invalid record replaced by None (so the others keep
    their index and pointer); their ids go into *dropped*."""
    kept = dict(doc)
    for section, key in RECORD_ARRAYS.items():
        items = doc.get(section)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if (section, i) in bad and isinstance(item, dict) and isinstance(item.get(key), str):
                dropped.add(item[key])
        kept[section] = [None if (section, i) in bad else item for i, item in enumerate(items)]
    return kept


def _message(error: Any) -> str:
    """jsonschema's message, with the often huge instance repr cut short."""
    from jsonschema.exceptions import best_match

    if error.context:
        deepest = best_match(error.context)
        if deepest is not None:
            error = deepest
    message = str(error.message)
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    return message
