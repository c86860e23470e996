"""Reading the published dataset back, for analysts: ``toolkit.load_dataset()``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit.dataset import EXPORTS, listing
from toolkit.errors import ExportsNotFound
from toolkit.publish.table_specs import TABLE_SPECS


def load_dataset(exports: Path | str = EXPORTS) -> dict[str, Any]:
    """Every published table as a ``pyarrow.Table``, keyed by table name.

    ``.to_pandas()`` on a table needs pandas: ``pip install 'cnvn-toolkit[pandas]'``.

    :param exports: the exports folder, holding ``parquet/`` (default: ``exports`` in the
        current folder, as in a checkout of the repository; an installed package has none).
    :returns: ``{"agreements": pyarrow.Table, ...}`` with the documented Arrow schemas, each
        table's parts (``parquet/<table>/*.parquet``) in order.
    :raises ExportsNotFound: when the folder holds no published tables, naming what is missing.

    >>> load_dataset("exports")["agreements"].schema.field("status").type
    DictionaryType(dictionary<values=string, indices=int32, ordered=0>)
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(exports)
    parts = {spec.name: sorted((folder / "parquet" / spec.name).glob("*.parquet"))
             for spec in TABLE_SPECS}  # fmt: skip
    missing = [f"parquet/{name}/" for name, files in parts.items() if not files]
    if missing:
        raise ExportsNotFound(
            f"{folder.resolve()} holds no published tables ({listing(missing, 3)} missing): "
            "pass the exports folder, load_dataset('path/to/exports'), such as exports/ of "
            "a checkout of the dataset's repository (`toolkit export` builds it)"
        )
    return {name: pa.concat_tables([pq.read_table(p) for p in files])
            for name, files in parts.items()}  # fmt: skip
