"""Reading the published dataset back, for analysts: ``toolkit.load_dataset()``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit.publish.table_specs import TABLE_SPECS


def load_dataset(exports: Path | str | None = None) -> dict[str, Any]:
    """Every published table as a ``pyarrow.Table``, keyed by table name.

    :param exports: the exports folder (default: ``exports/`` of this repository).
    :returns: ``{"agreements": pyarrow.Table, ...}`` with the documented Arrow schemas, each
        table's parts (``parquet/<table>/*.parquet``) in order.

    >>> load_dataset()["agreements"].schema.field("status").type
    DictionaryType(dictionary<values=string, indices=int32, ordered=0>)
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(exports) if exports else Path(__file__).resolve().parents[2] / "exports"
    tables = {}
    for spec in TABLE_SPECS:
        parts = sorted((folder / "parquet" / spec.name).glob("*.parquet"))
        tables[spec.name] = pa.concat_tables([pq.read_table(p) for p in parts])
    return tables
