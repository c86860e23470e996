"""A published table's files: each part written as Parquet and as JSON Lines, and the values
the data card quotes of a table (each column's first value that is not empty)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from toolkit.publish.layout import FORMATS, ROWS_PER_FILE, part_path, split

#: zstd's own default: four times faster to write than level 9 on the evidence table, for
#: files about 14% larger (measured on a 100,000-record corpus).
ZSTD_LEVEL = 3
#: A column's example and the primary key of the row it comes from, or None.
Keyed = tuple[tuple[Any, ...], Any] | None


def write_table(out: Path, name: str, table: Any, rows_per_file: int = ROWS_PER_FILE) -> None:
    """Write *table* as Parquet into ``out/parquet/<name>/`` and as JSON Lines into
    ``out/json/<name>/``, one file per part (:func:`toolkit.publish.layout.split`)."""
    make_folders(out, name)
    for index, part in enumerate(split(table, rows_per_file)):
        write_part(out, name, index, part)


def make_folders(out: Path, name: str) -> None:
    """The folders of table *name* in every format under *out* (new)."""
    for fmt in FORMATS:
        (out / fmt / name).mkdir(parents=True)


def write_part(out: Path, name: str, index: int, part: Any, *, folders: bool = False) -> list[str]:
    """Write part *index* of table *name* (an Arrow table in its published schema) in every
    format; returns the files written, relative to *out*.

    :param folders: make the table's folders first (they must exist otherwise)."""
    import pyarrow.parquet as pq

    parquet, jsonl = part_path("parquet", name, index), part_path("json", name, index)
    if folders:
        make_folders(out, name)
    pq.write_table(part, out / parquet, compression="zstd", compression_level=ZSTD_LEVEL)
    write_jsonl(out / jsonl, part)
    return [parquet, jsonl]


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


def column_examples(table: Any) -> dict[str, Any]:
    """The first value of each column that is not empty (None, "" or []), or None."""
    return {name: keyed[1] if keyed else None for name, keyed in keyed_examples(table, ()).items()}


def keyed_examples(table: Any, primary_key: Sequence[str]) -> dict[str, Keyed]:
    """Each column's first value that is not empty (None, "" or []) with the *primary_key*
    of its row, or None when the column has none: the examples of a table written in parts
    are those of the least key over its parts (:func:`merge_examples`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    examples: dict[str, Keyed] = {}
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
        if first < 0:
            examples[name] = None
            continue
        key = tuple(table.column(k)[first].as_py() for k in primary_key)
        examples[name] = (key, column[first].as_py())
    return examples


def merge_examples(parts: Iterable[dict[str, Keyed]]) -> dict[str, Any]:
    """The examples of a table from those of its parts (each sorted by primary key): per
    column, the example of the least key."""
    best: dict[str, Keyed] = {}
    for examples in parts:
        for name, keyed in examples.items():
            held = best.get(name)
            if held is None or (keyed is not None and keyed[0] < held[0]):
                best[name] = keyed
    return {name: keyed[1] if keyed else None for name, keyed in best.items()}
