"""The layout of the published folder: one folder per table and format
(``parquet/<table>/``, ``json/<table>/``), so that every engine pointed at a folder reads one
table, and the split of a large table into several files there.

A table of at most :data:`ROWS_PER_FILE` rows is one file, ``part-00000``, its rows in
primary-key order. A larger one is cut into parts at article boundaries: its rows go by
article id, each article's rows in one part, each part of at most that many rows (an article
that alone has more is a part of its own), rows in primary-key order inside each part. The
parts' ``article_id`` ranges then do not overlap, so an engine filtering on ``article_id``
skips every part whose Parquet statistics exclude it; the files' columns are the same however
many there are (no partition column appears). A table without ``article_id`` is cut in
primary-key order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: Rows above which a table is written as several files.
ROWS_PER_FILE = 1_000_000
#: The folders of the tables, by format, and the extension of their files.
FORMATS = {"parquet": ".parquet", "json": ".jsonl"}
#: The partition key of the tables that have it.
KEY = "article_id"


def part_path(fmt: str, table: str, index: int) -> str:
    """The path of part *index* of *table* in format *fmt*, relative to the exports folder.

    >>> part_path("parquet", "agreements", 0)
    'parquet/agreements/part-00000.parquet'
    """
    return f"{fmt}/{table}/part-{index:05d}{FORMATS[fmt]}"


def table_glob(fmt: str, table: str) -> str:
    """The glob of every part of *table* in format *fmt*, as card and metadata name them."""
    return f"{fmt}/{table}/*{FORMATS[fmt]}"


def parts_of(files: Iterable[str], fmt: str, table: str) -> list[str]:
    """The parts of *table* in format *fmt* among *files* (paths relative to the exports
    folder), in order."""
    folder = f"{fmt}/{table}/"
    return sorted(f for f in files if f.startswith(folder) and f.endswith(FORMATS[fmt]))


def split(table: Any, rows_per_file: int = ROWS_PER_FILE) -> list[Any]:
    """The parts of *table* (an Arrow table in primary-key order) as the module describes.

    :param rows_per_file: the most rows a part holds, unless one article alone has more.
    """
    import pyarrow.compute as pc

    if rows_per_file < 1:
        raise ValueError("rows_per_file must be at least 1")
    if table.num_rows <= rows_per_file:
        return [table]
    if KEY not in table.column_names:
        return [
            table.slice(start, rows_per_file) for start in range(0, table.num_rows, rows_per_file)
        ]
    # A stable sort by article keeps primary-key order inside each article, and row numbers
    # in primary-key order: sorting a part's row numbers gives its rows in that order.
    order = pc.sort_indices(table.column(KEY))
    ends = pc.run_end_encode(table.column(KEY).take(order).combine_chunks()).run_ends.to_pylist()
    out = []
    for first, last in _cuts(ends, rows_per_file):
        a = ends[first - 1] if first else 0
        rows = order.slice(a, ends[last - 1] - a)
        out.append(table.take(pc.take(rows, pc.array_sort_indices(rows))))
    return out


def plan(
    rows_by_article: Mapping[str, int], rows_per_file: int = ROWS_PER_FILE
) -> list[tuple[str, str]]:
    """The parts :func:`split` cuts a table into, from its number of rows per article: the
    first and last article of each part, in order (none when the table has no article).

    >>> plan({"001": 2, "000": 3, "002": 2}, rows_per_file=4)
    [('000', '000'), ('001', '002')]
    """
    if rows_per_file < 1:
        raise ValueError("rows_per_file must be at least 1")
    articles = sorted(rows_by_article)
    ends, total = [], 0
    for article in articles:
        total += rows_by_article[article]
        ends.append(total)
    return [(articles[a], articles[b - 1]) for a, b in _cuts(ends, rows_per_file)]


def _cuts(ends: Sequence[int], rows_per_file: int) -> list[tuple[int, int]]:
    """The parts of a table whose articles' rows end at *ends* (cumulative, in article
    order), as ranges ``[first, last)`` of article indices: each part takes articles while
    it holds at most *rows_per_file* rows, and at least one article."""
    if not ends:
        return []
    parts, first, start = [], 0, 0
    for index, end in enumerate(ends):
        if end - start > rows_per_file and index > first:
            parts.append((first, index))
            first, start = index, ends[index - 1]
    parts.append((first, len(ends)))
    return parts
