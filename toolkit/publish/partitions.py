"""The export on a cluster: the tables published from the workers.

In the per-file pass each worker writes the published rows of its batch as Parquet part
files, one partitioned dataset per table in the scratch folder (``parts/<table>/``), and
sends back only where they are and how many rows each article has in them
(:class:`PartitionedRows`). Once the dataset is valid, the parent cuts each table into the
parts a local export publishes (:func:`toolkit.publish.layout.plan`) and each part is
written by a worker (:func:`write_part`): the batches' rows of its articles, sorted by
primary key, as Parquet and JSON Lines; only the files' checksums and row counts, and
the part's examples for the data card, come back. The files published are those of a local
export, byte for byte, and the parent never holds a whole table.

The scratch folder and the exports folder must be ones every worker writes at the same
path (shared storage when the workers are on other machines: ``docs/scale.md``).
"""

from __future__ import annotations

import dataclasses
import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.check.strict_json import Loaded
from toolkit.publish.arrow_schemas import with_vocabularies
from toolkit.publish.layout import KEY, plan
from toolkit.publish.published_rows import PublishedBatch, PublishedRows
from toolkit.publish.table_files import Keyed, keyed_examples, write_part
from toolkit.regular_file import sha256_file

#: The folder of the part files inside the export's scratch folder.
PARTS = "parts"


@dataclass(frozen=True)
class PartFile:
    """One batch's rows of a table, written by a worker: the Parquet file and how many rows
    each article has in it."""

    path: Path
    rows: dict[str, int]


@dataclass(frozen=True)
class PartitionedRows:
    """:class:`PublishedRows` whose tables the worker writes as Parquet part files under
    *folder*; the batch it returns holds a :class:`PartFile` per table instead of the rows.

    :param rows: the builder of the published rows.
    :param folder: where each table's part files go, one sub-folder per table.
    """

    rows: PublishedRows
    folder: Path

    def build(self, documents: Sequence[Loaded]) -> PublishedBatch | None:
        """The batch :class:`PublishedRows` builds, its tables written as part files."""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        batch = self.rows.build(documents)
        if batch is None:
            return None
        parts: dict[str, Any] = {}
        for table, arrow in sorted(batch.tables.items()):
            path = self.folder / table / f"part-{uuid.uuid4().hex}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(arrow, path, compression="zstd")
            counts = pc.value_counts(arrow.column(KEY)).to_pylist()
            parts[table] = PartFile(path, {c["values"]: c["counts"] for c in counts})
        return PublishedBatch(parts, batch.documents)


@dataclass(frozen=True)
class PartTask:
    """What a worker needs to write part *index* of *table*: the batch files holding its
    rows and, when the table is cut in several parts, its first and last article."""

    table: str
    index: int
    schema: Any
    primary_key: tuple[str, ...]
    sources: tuple[str, ...]
    articles: tuple[str, str] | None
    out: str
    run: str = ""


@dataclass(frozen=True)
class WrittenPart:
    """What a worker wrote: the rows of the part, each file's SHA-256 (by its path relative
    to the exports folder), and the part's examples with their keys."""

    rows: int
    files: dict[str, str]
    examples: dict[str, Keyed]


def part_tasks(
    table: str,
    files: Sequence[PartFile],
    schema: Any,
    primary_key: tuple[str, ...],
    out: Path,
    rows_per_file: int,
) -> list[PartTask]:
    """The parts of *table*, whose batches' rows lie in *files*, as a local export cuts it."""
    rows: dict[str, int] = {}
    spans = []  # each file's first and last article: a file is read for every part they meet
    for part in files:
        for article, count in part.rows.items():
            rows[article] = rows.get(article, 0) + count
        spans.append((min(part.rows), max(part.rows), str(part.path)))
    ranges = plan(rows, rows_per_file)
    tasks = []
    for index, (first, last) in enumerate(ranges):
        sources = tuple(path for low, high, path in spans if low <= last and high >= first)
        articles = None if len(ranges) == 1 else (first, last)
        tasks.append(PartTask(table, index, schema, primary_key, sources, articles, str(out)))
    return tasks


def write_part_task(task: PartTask) -> WrittenPart:
    """Write the part of *task* (in a worker): its articles' rows from the batch files, in
    batch order, sorted by primary key and encoded as published; each file is written under
    a name of its own and renamed into place, and only while the run is live
    (:class:`PartWriting`).

    :raises RunEnded: when the export that asked for the part has stopped."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(task.out)
    with _live(out, task.run):  # before the reads too: a stopped run's parts cost nothing
        pass
    within = None  # the part's articles only, filtered as each file is read
    if task.articles is not None:
        first, last = task.articles
        within = [(KEY, ">=", first), (KEY, "<=", last)]
    pieces = [pq.read_table(source, filters=within) for source in task.sources]
    unsorted = pa.concat_tables(pieces) if pieces else task.schema.empty_table()
    ordered = unsorted.sort_by([(k, "ascending") for k in task.primary_key]).combine_chunks()
    del pieces, unsorted
    part = with_vocabularies(ordered, task.schema)
    staging = out / f".part-{uuid.uuid4().hex}"
    with _live(out, task.run):
        staging.mkdir()
        try:
            written = write_part(staging, task.table, task.index, part, folders=True)
            files = {}
            for name in written:
                path = staging / name
                files[name] = sha256_file(path)
                os.replace(path, out / name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return WrittenPart(part.num_rows, files, keyed_examples(part, task.primary_key))


class RunEnded(Exception):
    """The export a part was asked for has stopped: nothing is written for it."""


#: The file in the folder being published that says which run may write there.
LIVE = ".writing"


@contextmanager
def _live(out: Path, run: str) -> Iterator[None]:
    """Hold the run's token file shared while writing into *out*, once it says *run* is the
    live run (:meth:`PartWriting.close` takes it exclusively to end the run).

    :raises RunEnded: when it is gone or names another run."""
    try:
        fd = os.open(out / LIVE, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        raise RunEnded(f"the export into {out} has stopped") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        if os.pread(fd, 64, 0).decode("ascii", "replace") != run:
            raise RunEnded(f"the export into {out} has stopped")
        yield
    finally:
        os.close(fd)


class PartWriting:
    """The parts of every table written on *executor* (in this process when None) into
    *out*, all submitted at once so that the workers write several tables together.

    Use it in a ``with`` block. On leaving, the parts not started are cancelled and the run
    is ended: its token file in *out* is taken exclusively, which waits for every part being
    written to be in place, and removed, so a part that starts or goes on later (an engine
    cannot always stop a running task) writes nothing, here or into a later run's folder of
    the same name. Each part's files are written under names of their own and renamed into
    place, so a part written twice (a worker thought lost) leaves whole files."""

    def __init__(
        self, executor: Executor | None, out: Path, tasks: dict[str, list[PartTask]]
    ) -> None:
        self._executor, self._out = executor, out
        self._run = uuid.uuid4().hex
        self._tasks = {
            table: [dataclasses.replace(task, run=self._run) for task in table_tasks]
            for table, table_tasks in tasks.items()
        }
        self._futures: dict[str, list[Future[WrittenPart]]] = {}

    def __enter__(self) -> PartWriting:
        if self._tasks:
            self._out.mkdir(parents=True, exist_ok=True)
            token = self._out / LIVE
            token.write_text(self._run, "ascii")
        try:
            if self._executor is not None:
                for table, tasks in self._tasks.items():
                    self._futures[table] = [
                        self._executor.submit(write_part_task, t) for t in tasks
                    ]
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Cancel the parts not started and end the run (see the class)."""
        for futures in self._futures.values():
            for future in futures:
                future.cancel()
        if not self._tasks:
            return
        try:
            fd = os.open(self._out / LIVE, os.O_RDWR | os.O_NOFOLLOW)
        except FileNotFoundError:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # every part being written is in place
            os.ftruncate(fd, 0)
            os.unlink(self._out / LIVE)
        finally:
            os.close(fd)
        for staging in self._out.glob(".part-*"):  # a worker's that died while writing
            shutil.rmtree(staging, ignore_errors=True)

    def tables(self) -> set[str]:
        """The tables written here."""
        return set(self._tasks)

    def written(self, table: str) -> list[WrittenPart]:
        """The parts of *table*, in order, once written."""
        if self._executor is None:
            return [write_part_task(task) for task in self._tasks[table]]
        return [future.result() for future in self._futures[table]]
