"""The export on a cluster: the tables published from the workers.

In the per-file pass each worker writes the published rows of its batch as Parquet part
files, one partitioned dataset per table in the scratch folder (``parts/<table>/``), and
sends back only where they are and how many rows each article has in them
(:class:`PartitionedRows`). Once the dataset is valid, the parent cuts each table into the
parts a local export publishes (:func:`toolkit.publish.layout.plan`) and each part is
written by a worker (:func:`write_part`): the batches' rows of its articles, sorted by
primary key, as Parquet and JSON Lines; only the files' checksums, sizes and row counts, and
the part's examples for the data card, come back. The files published are those of a local
export, byte for byte, and the parent never holds a whole table.

The scratch folder and the exports folder must be ones every worker writes at the same
path (shared storage when the workers are on other machines: ``docs/scale.md``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from concurrent.futures import Executor, Future
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


@dataclass(frozen=True)
class WrittenPart:
    """What a worker wrote: the rows of the part, each file's SHA-256 and size (relative to
    the exports folder), and the part's examples with their keys."""

    rows: int
    files: dict[str, tuple[str, int]]
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
    batch order, sorted by primary key and encoded as published."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    pieces = [pq.read_table(source) for source in task.sources]
    unsorted = pa.concat_tables(pieces) if pieces else task.schema.empty_table()
    if task.articles is not None:
        first, last = task.articles
        article = unsorted.column(KEY)
        keep = pc.and_(pc.greater_equal(article, first), pc.less_equal(article, last))
        unsorted = unsorted.filter(keep)
    ordered = unsorted.sort_by([(k, "ascending") for k in task.primary_key]).combine_chunks()
    del pieces, unsorted
    part = with_vocabularies(ordered, task.schema)
    out = Path(task.out)
    written = write_part(out, task.table, task.index, part)
    files = {name: (sha256_file(out / name), (out / name).stat().st_size) for name in written}
    return WrittenPart(part.num_rows, files, keyed_examples(part, task.primary_key))


class PartWriting:
    """The parts of every table written on *executor* (in this process when None), all
    submitted at once so that the workers write several tables together; use it in a
    ``with`` block, which on leaving cancels the parts not yet started and waits for those
    running, so no worker writes into a folder after its export removed it."""

    def __init__(self, executor: Executor | None, tasks: dict[str, list[PartTask]]) -> None:
        self._executor, self._tasks = executor, tasks
        self._futures: dict[str, list[Future[WrittenPart]]] = {}
        if executor is not None:
            for table, table_tasks in tasks.items():
                self._futures[table] = [executor.submit(write_part_task, t) for t in table_tasks]

    def __enter__(self) -> PartWriting:
        return self

    def __exit__(self, *exc: object) -> None:
        settle([f for futures in self._futures.values() for f in futures])

    def tables(self) -> set[str]:
        """The tables written here."""
        return set(self._tasks)

    def written(self, table: str) -> list[WrittenPart]:
        """The parts of *table*, in order, once written."""
        if self._executor is None:
            return [write_part_task(task) for task in self._tasks[table]]
        return [future.result() for future in self._futures[table]]


def settle(futures: Sequence[Future[Any]]) -> None:
    """Cancel the *futures* not yet started and wait for the others to end."""
    from concurrent.futures import wait

    for future in futures:
        future.cancel()
    wait([f for f in futures if not f.cancelled()])
