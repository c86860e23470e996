"""The export's builder on a cluster: the published rows of each batch written by the worker
that built them as Parquet part files, one partitioned dataset per table in the scratch
folder (``parts/<table>/part-*.parquet``), rather than sent back through the scheduler.

The parent reads the parts back (:meth:`toolkit.publish.writers.Publication.of`) and writes
the published layout as a local export does, so the files published are the same. The
scratch folder must be one every worker writes at the same path (``TMPDIR`` on shared
storage when the workers are on other machines: ``docs/scale.md``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.check.strict_json import Loaded
from toolkit.publish.published_rows import PublishedBatch, PublishedRows

#: The folder of the part files inside the export's scratch folder.
PARTS = "parts"


@dataclass(frozen=True)
class PartitionedRows:
    """:class:`PublishedRows` whose tables the worker writes as Parquet part files under
    *folder*; the batch it returns names the part files instead of holding the tables.

    :param rows: the builder of the published rows.
    :param folder: where each table's part files go, one sub-folder per table.
    """

    rows: PublishedRows
    folder: Path

    def build(self, documents: Sequence[Loaded]) -> PublishedBatch | None:
        """The batch :class:`PublishedRows` builds, its tables written as part files."""
        import pyarrow.parquet as pq

        batch = self.rows.build(documents)
        if batch is None:
            return None
        parts = {}
        for table, arrow in sorted(batch.tables.items()):
            path = self.folder / table / f"part-{uuid.uuid4().hex}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(arrow, path, compression="zstd")
            parts[table] = path
        return PublishedBatch(parts, batch.documents)
