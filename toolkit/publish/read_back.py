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
    :returns: ``{"agreements": pyarrow.Table, ...}`` with the documented Arrow schemas.
    :raises ExportsNotFound: when the folder holds no published tables, naming what is missing.

    >>> load_dataset("exports")["agreements"].schema.field("status").type
    DictionaryType(dictionary<values=string, indices=int32, ordered=0>)
    """
    folder = Path(exports)
    files = {spec.name: folder / "parquet" / f"{spec.name}.parquet" for spec in TABLE_SPECS}
    missing = [f"parquet/{path.name}" for path in files.values() if not path.is_file()]
    if missing:
        raise ExportsNotFound(
            f"{folder.resolve()} holds no published tables ({listing(missing, 3)} missing): "
            "pass the exports folder, load_dataset('path/to/exports'), such as exports/ of "
            "a checkout of the dataset's repository (`toolkit export` builds it)"
        )
    import pyarrow.parquet as pq

    return {name: pq.read_table(path) for name, path in files.items()}
