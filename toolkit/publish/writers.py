"""Writing the published dataset into a folder: every table as Parquet and JSON Lines, the
documents as ``annotations.json``, the Data Package, Croissant metadata, the data card and
the checksum manifest.

The same inputs and locked dependencies give byte-identical files: rows sorted by primary
key, JSON keys sorted, no wall-clock time anywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.check.run import Validated
from toolkit.dataset import ACTORS, META, Dataset
from toolkit.errors import MetadataUnreadable
from toolkit.evolve.migrate import migrate_document
from toolkit.publish.arrow_schemas import arrow_schema, batch_schema, with_vocabularies
from toolkit.publish.canonical import AGREEMENT_INPUTS, EVIDENCE_INPUTS, canonical_agreements
from toolkit.publish.citation import CITATION, load_citation, terms
from toolkit.publish.datacard import CARD_NOTES, datacard
from toolkit.publish.layout import ROWS_PER_FILE
from toolkit.publish.partitions import PartFile, PartTask, PartWriting, part_tasks
from toolkit.publish.published_rows import (
    PublishedBatch,
    arrow_table,
    compact_json,
    registry_rows,
)
from toolkit.publish.table_files import (
    column_examples,
    make_folders,
    merge_examples,
    write_table,
)
from toolkit.publish.table_specs import TABLE_SPECS, ResolvedColumn, TableSpec, resolve
from toolkit.registry import SchemaRegistry
from toolkit.regular_file import FileTooLarge, NotRegularFile, sha256_file

DEFAULT_META = {
    "name": "cnvn-state-visit-2023",
    "title": "China–Vietnam state visit, December 2023: agreements, actors and dates",
    "description": "Hand-annotated agreements, actors and dates from news reports of the "
    "December 2023 state visit of China's president to Vietnam, every fact with its evidence.",
    "version": "0.1.0",
    "license": "https://creativecommons.org/licenses/by/4.0/",
    "license_name": "CC-BY-4.0",
    "url": "https://w3id.org/cnvn-visit",
}
#: The largest metadata file read (``seeds/dataset.json``, ``CITATION.cff``, the card's notes).
TEXT_LIMIT = 16 << 20
#: Called with each table's name once it is written; a test stops an export midway with it.
Hook = Callable[[str], None]


@dataclass
class Publication:
    """What the export publishes, taken from a validation run with
    :class:`~toolkit.publish.published_rows.PublishedRows`: the unsorted Arrow tables of the
    annotations' published rows (or, from a cluster's workers, the part files holding them,
    :mod:`toolkit.publish.partitions`), where each document's compact JSON lies (in article
    order), the actor registry's document, and the SHA-256 of every file the validation
    read."""

    dataset: Dataset
    tables: dict[str, Any]
    documents: list[tuple[str, int, int]]
    registry: dict[str, Any] | None
    hashed: dict[str, str | None] = field(default_factory=dict)
    #: table -> the part files of its rows, in batch order, when the workers wrote them
    parts: dict[str, list[PartFile]] = field(default_factory=dict)
    #: actor id -> the ids of the articles that mention it (:meth:`mentions`)
    mentioned: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, validated: Validated, latest: str) -> Publication:
        """The publication of a valid *validated* run whose per-file pass built
        :class:`~toolkit.publish.published_rows.PublishedBatch` es, its actor registry as
        schema version *latest* has it."""
        import pyarrow as pa

        tables: dict[str, list[Any]] = {}
        parts: dict[str, list[PartFile]] = {}
        where: dict[str, tuple[str, int, int]] = {}
        for batch in validated.built:
            if not isinstance(batch, PublishedBatch):
                raise ValueError("the validation did not build the published rows")
            for table, built in batch.tables.items():
                if isinstance(built, PartFile):
                    parts.setdefault(table, []).append(built)
                else:
                    tables.setdefault(table, []).append(built)
            where.update(batch.documents)
        usable = [r for r in validated.files if r.ok]
        missing = [r.file for r in usable if r.file not in where]
        if missing:
            raise ValueError(f"no published rows for {missing[:3]}")
        hashed: dict[str, str | None] = {}
        for result in validated.files:
            hashed.update(result.read_also)
            hashed[result.file] = result.sha256
        registry = validated.registry_file.document if validated.registry_file else None
        if registry is not None:
            registry = migrate_document(registry, "actor_registry", latest).document
        publication = cls(
            validated.dataset,
            {table: pa.concat_tables(arrows) for table, arrows in sorted(tables.items())},
            [where[r.file] for r in sorted(usable, key=lambda r: str(r.article_id))],
            registry,
            hashed,
            dict(sorted(parts.items())),
        )
        publication.mentioned = publication.mentions()  # before any table is written and let go
        return publication

    def table(self, spec: TableSpec, schema: Any) -> Any:
        """The published Arrow table *spec* with *schema*, rows sorted by primary key."""
        plain = batch_schema(schema)
        if spec.name in self.tables:
            unsorted = self.tables[spec.name]
        elif spec.name == "agreements_canonical":
            inputs = {
                "agreements": self.columns("agreements", AGREEMENT_INPUTS),
                "evidence": self.columns("evidence", EVIDENCE_INPUTS, agreements_only=True),
            }
            unsorted = canonical_agreements(inputs, plain)
        elif spec.name == "actors" and self.registry is not None:
            rows = registry_rows(self.registry, self.mentioned)
            unsorted = arrow_table(rows, spec.name, plain)
        else:
            unsorted = plain.empty_table()
        ordered = unsorted.sort_by([(k, "ascending") for k in spec.primary_key]).combine_chunks()
        return with_vocabularies(ordered, schema)

    def columns(self, table: str, names: Iterable[str], *, agreements_only: bool = False) -> Any:
        """The columns *names* of the unsorted *table* (None when it has no rows), read from
        its part files when the workers wrote them, in batch order; with *agreements_only*,
        only the rows whose ``record_type`` is ``agreement``."""
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        names = list(names)
        if table in self.tables:
            whole = self.tables[table]
            arrow = whole.select(names)
            if agreements_only:
                arrow = arrow.filter(pc.equal(whole.column("record_type"), "agreement"))
            return arrow
        if table not in self.parts:
            return None
        where = [("record_type", "=", "agreement")] if agreements_only else None
        return pa.concat_tables(
            pq.read_table(part.path, columns=names, filters=where) for part in self.parts[table]
        )

    def languages(self) -> list[str]:
        """The languages of the sources, sorted."""
        sources = self.columns("sources", ("language",))
        return [] if sources is None else sorted(set(sources.column("language").to_pylist()))

    def mentions(self) -> dict[str, list[str]]:
        """actor id -> the ids of the articles that mention it, sorted."""
        import polars as pl

        table = self.columns("actor_mentions", ("actor_id", "article_id"))
        if table is None or not table.num_rows:
            return {}
        frame = pl.from_arrow(table.select(["actor_id", "article_id"]))
        assert isinstance(frame, pl.DataFrame)
        grouped = frame.group_by("actor_id").agg(pl.col("article_id").unique().sort())
        return dict(
            zip(grouped["actor_id"].to_list(), grouped["article_id"].to_list(), strict=True)
        )


def write_exports(
    publication: Publication,
    registry: SchemaRegistry,
    out: Path,
    *,
    hook: Hook | None = None,
    rows_per_file: int = ROWS_PER_FILE,
    executor: Executor | None = None,
) -> dict[str, str]:
    """Write every export file of *publication* into *out* (a new folder); returns path ->
    SHA-256. Each table of *publication* is released once written (and the agreements once
    the canonical agreements are gathered from them), so memory holds at most one sorted
    table beside the unsorted ones still to write. The tables whose rows the workers wrote
    as part files are written by the workers, on *executor*
    (:class:`~toolkit.publish.partitions.PartWriting`), and only their files' checksums
    come back.

    :param rows_per_file: a table of more rows is written as several files in its folders
        (:func:`toolkit.publish.layout.split`).
    """
    dataset = publication.dataset
    version = registry.latest
    meta = dataset_meta(dataset)
    meta.update(schema_version=version, input_sha256=input_hash(dataset, publication.hashed))
    citation = load_citation(_text(dataset, CITATION), meta)
    file_meta = {
        "schema_version": version,
        "dataset_version": meta["version"],
        "input_sha256": meta["input_sha256"],
    }
    resolved: list[tuple[TableSpec, list[ResolvedColumn]]] = [
        (spec, resolve(spec, registry, version)) for spec in TABLE_SPECS
    ]
    schemas = {spec.name: arrow_schema(spec, columns, file_meta) for spec, columns in resolved}
    tasks: dict[str, list[PartTask]] = {}
    for spec, _ in resolved:
        if spec.name in publication.parts:
            make_folders(out, spec.name)
            tasks[spec.name] = part_tasks(
                spec.name,
                publication.parts[spec.name],
                schemas[spec.name],
                spec.primary_key,
                out,
                rows_per_file,
            )
    counts: dict[str, int] = {}
    examples: dict[str, dict[str, Any]] = {}
    known: dict[str, str] = {}
    languages = publication.languages()
    with PartWriting(executor, out, tasks) as writing:
        for spec, _ in resolved:
            if spec.name in writing.tables():
                parts = writing.written(spec.name)
                counts[spec.name] = sum(part.rows for part in parts)
                examples[spec.name] = merge_examples(part.examples for part in parts)
                known.update({name: sha for part in parts for name, sha in part.files.items()})
            else:
                table = publication.table(spec, schemas[spec.name])
                write_table(out, spec.name, table, rows_per_file)
                counts[spec.name] = table.num_rows
                examples[spec.name] = column_examples(table)
                del table
            if spec.name != "agreements":  # gathered again into the canonical agreements
                publication.tables.pop(spec.name, None)
            if spec.name == "agreements_canonical":
                publication.tables.pop("agreements", None)
            if hook:
                hook(spec.name)
    _write_lines(out / "json" / "annotations.json", annotations_json(publication, version))
    _write_text(out / "LICENSE.md", terms(meta, citation))
    files = _hashes(out, known=known)
    sizes = {k: (v, (out / k).stat().st_size) for k, v in files.items()}
    from toolkit.publish.croissant import croissant_metadata
    from toolkit.publish.datapackage import datapackage

    _write_text(out / "datapackage.json", _dumps(datapackage(resolved, sizes, meta)))
    _write_text(out / "croissant.json", _dumps(croissant_metadata(resolved, sizes, meta, citation)))
    card = datacard(
        resolved,
        counts,
        examples,
        sizes,
        meta,
        citation,
        languages=languages,
        notes=_text(dataset, CARD_NOTES),
    )
    _write_text(out / "README.md", card)
    files.update(_hashes(out, ("datapackage.json", "croissant.json", "README.md")))
    _write_text(out / "SHA256SUMS", "".join(f"{h}  {p}\n" for p, h in sorted(files.items())))
    return dict(sorted(files.items()))


def dataset_meta(dataset: Dataset) -> dict[str, str]:
    """Dataset name, version and licence: ``seeds/dataset.json`` over the defaults.

    :raises MetadataUnreadable: when it is not a JSON object."""
    meta = dict(DEFAULT_META)
    text = _text(dataset, META)
    if text is not None:
        try:
            given = json.loads(text)
        except ValueError as exc:
            raise MetadataUnreadable(f"{dataset.location(META)} is not JSON ({exc})") from None
        if not isinstance(given, dict):
            raise MetadataUnreadable(f"{dataset.location(META)} is not a JSON object")
        meta.update({k: str(v) for k, v in given.items()})
    return meta


def _metadata_file(dataset: Dataset, name: str) -> bool:
    """Whether the metadata file *name* is there: a regular file, or on a local root a link
    to one (metadata is read through links, as it always was)."""
    if dataset.is_file(name):
        return True
    return dataset.is_local and os.path.isfile(dataset.root / name)


def _text(dataset: Dataset, name: str) -> str | None:
    """The UTF-8 text of the metadata file *name* of *dataset* (at most
    :data:`TEXT_LIMIT` bytes), or None when there is none.

    :raises MetadataUnreadable: when it cannot be read, is too large or is not UTF-8."""
    if not _metadata_file(dataset, name):
        return None
    where = dataset.location(name)
    try:
        data = dataset.read_bytes(name, TEXT_LIMIT, follow_links=dataset.is_local)
    except (FileTooLarge, NotRegularFile, OSError) as exc:
        raise MetadataUnreadable(f"{where} cannot be read: {exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MetadataUnreadable(
            f"{where} is not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None


def input_hash(dataset: Dataset, known: dict[str, str | None] | None = None) -> str:
    """SHA-256 over every input file's path and bytes: articles, annotations, registries.
    *known* gives the SHA-256 of files already hashed (by the validation that read them,
    through a link inside the dataset too); the metadata files as :func:`_text` reads
    them."""
    known = known or {}
    names = dataset.article_files() + dataset.annotation_names()
    names += [
        extra for extra in (ACTORS, META, CARD_NOTES, CITATION) if _metadata_file(dataset, extra)
    ]
    h = hashlib.sha256()
    for name in names:
        digest = known.get(name)
        if not digest:
            if not _metadata_file(dataset, name):
                continue  # a folder named like an article or annotation file
            digest = sha256_file(dataset.root / name) if dataset.is_local else dataset.sha256(name)
        h.update(name.encode() + b"\0" + bytes.fromhex(digest))
    return h.hexdigest()


def _hashes(
    out: Path, names: Iterable[str] | None = None, *, known: dict[str, str] | None = None
) -> dict[str, str]:
    """path -> SHA-256 of the files *names* of *out* (every file but SHA256SUMS if None),
    each read a megabyte at a time, unless *known* has it (a worker hashed what it wrote)."""
    if names is None:
        names = [
            p.relative_to(out).as_posix()
            for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "SHA256SUMS"
        ]
    known = known or {}
    return {name: known.get(name) or sha256_file(out / name) for name in names}


def annotations_json(publication: Publication, version: str) -> Iterator[bytes]:
    """``annotations.json`` piece by piece: the actor registry and every annotation document,
    one per line in article order, keys sorted, no insignificant space. The documents are
    the compact JSON the per-file pass wrote of the very bytes it checked."""
    yield b'{"actor_registry":' + compact_json(publication.registry) + b',"annotations":['
    handle: Any = None
    try:
        for n, (scratch, offset, length) in enumerate(publication.documents):
            if handle is None or handle.name != scratch:
                if handle is not None:
                    handle.close()
                handle = open(scratch, "rb")  # noqa: SIM115 (kept open across documents)
            handle.seek(offset)
            yield (b"\n" if n == 0 else b",\n") + handle.read(length)
    finally:
        if handle is not None:
            handle.close()
    yield b'\n],"schema_version":' + compact_json(version) + b"}\n"


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot serialize {type(value).__name__}")


def _dumps(obj: Any) -> str:
    return (
        json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=2, default=_json_default) + "\n"
    )


def _write_lines(path: Path, pieces: Iterable[bytes]) -> None:
    """Write *pieces* in order, a megabyte at a time, and sync."""
    with open(path, "wb") as f:
        buffer: list[bytes] = []
        size = 0
        for piece in pieces:
            buffer.append(piece)
            size += len(piece)
            if size > 1 << 20:
                f.write(b"".join(buffer))
                buffer, size = [], 0
        f.write(b"".join(buffer))
        f.flush()
        os.fsync(f.fileno())


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
