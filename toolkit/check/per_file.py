"""The per-file half of validation: each annotation file loaded strictly, checked against its
schema version and its article, and flattened into its table rows, on its own.

Nothing here looks at another annotation file, so files are checked in batches, in worker
processes when the dataset is large (:mod:`toolkit.check.workers`), and the batches' rows are
merged in file order: the result is the same whichever way it ran. The whole-dataset half
(keys, references) runs on the merged rows in :mod:`toolkit.check.run`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from toolkit.check.document_rules import DOCUMENT_RULES, REGISTRY_RULES, DocumentContext
from toolkit.check.rows import Rows, document_rows
from toolkit.check.schema_check import check_schema
from toolkit.check.strict_json import MAX_BYTES, Loaded, load_json
from toolkit.check.table_rules import frames_of
from toolkit.dataset import ACTORS, Dataset, article_name
from toolkit.findings import Finding
from toolkit.registry import SchemaRegistry


@dataclass
class FileResult:
    """What checking one annotation file found: its findings, whether the document could be
    used as a whole, the ids of records set aside for schema errors, its article id and the
    SHA-256 of the bytes checked."""

    file: str
    findings: list[Finding] = field(default_factory=list)
    ok: bool = False
    dropped_ids: list[str] = field(default_factory=list)
    article_id: str | None = None
    sha256: str | None = None
    #: other files the checks read (the article): path -> SHA-256, None when absent
    read_also: dict[str, str | None] = field(default_factory=dict)


class DocumentBuilder(Protocol):
    """Something more a client builds from each batch of checked files in the per-file pass,
    in the worker that checked them (the export's published rows): it must be picklable, and
    what :meth:`build` returns too. The checks know nothing of what it builds."""

    def build(self, documents: Sequence[Loaded]) -> Any:
        """What to build from *documents*, one batch of files as checked, in order (those
        that could not be used have no ``document``)."""


@dataclass
class Batch:
    """Results of consecutive files, in order, the rows of those that were usable as polars
    frames of the checked columns (Arrow buffers rather than millions of Python objects
    across process boundaries), and what the job's builder built from them."""

    results: list[FileResult]
    frames: dict[str, Any] = field(default_factory=dict)
    built: Any = None


@dataclass(frozen=True)
class Job:
    """What a worker needs to check files: where the dataset is (its absolute path, or its
    URL as given: :attr:`toolkit.dataset.Dataset.address`), the schemas, which table columns
    the dataset-wide checks read, and a client's builder (None: nothing more)."""

    root: str = field(repr=False)  # a URL may hold credentials
    schema_root: Path
    schemas: dict[str, dict[str, dict[str, Any]]]
    lexicons: dict[str, dict[str, Any]]
    max_bytes: int = MAX_BYTES
    columns: dict[str, set[str]] = field(default_factory=dict)
    build: DocumentBuilder | None = None
    #: documents given as bytes (standard input) by the name they stand for
    given: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        dataset: Dataset,
        registry: SchemaRegistry,
        max_bytes: int = MAX_BYTES,
        columns: dict[str, set[str]] | None = None,
        build: DocumentBuilder | None = None,
        given: dict[str, bytes] | None = None,
    ) -> Job:
        return cls(
            dataset.address,
            registry.root,
            registry.schemas,
            registry.lexicons,
            max_bytes,
            columns or {},
            build,
            dict(given or {}),
        )


def check_batch(
    dataset: Dataset, registry: SchemaRegistry, names: Sequence[str], job: Job
) -> Batch:
    """Check the files *names* (relative to the root) in order, gather the rows of the usable
    documents and hand the batch to the job's builder."""
    rows = Rows()
    results = []
    documents = []
    for name in names:
        loaded = load_annotation(dataset, name, registry, job.max_bytes, data=job.given.get(name))
        results.append(_result(loaded))
        if loaded.ok:
            document_rows(rows, loaded.file, loaded.document, evidence=loaded.evidence)
        if job.build is not None:
            documents.append(loaded)
    built = job.build.build(documents) if job.build is not None else None
    return Batch(results, frames_of(rows, job.columns), built)


def _result(loaded: Loaded) -> FileResult:
    doc = loaded.document
    article_id = doc["source"]["article_id"] if loaded.ok else None
    return FileResult(
        loaded.file,
        loaded.findings,
        loaded.ok,
        sorted(loaded.dropped_ids),
        article_id,
        loaded.sha256,
        loaded.read_also,
    )


def load_annotation(
    dataset: Dataset,
    name: str,
    registry: SchemaRegistry,
    max_bytes: int = MAX_BYTES,
    data: bytes | None = None,
) -> Loaded:
    """Load the annotation file *name* (relative to the root) strictly (or *data*, its bytes
    as given on standard input) and run every check of one document on it: its schema, then
    the document rules against its article.

    On a local root a link is followed when it leads inside the dataset; a URL root's store
    has no links (anything that is not of type "file" is refused when read)."""
    file = name
    if data is None and dataset.is_local and not _inside(dataset, dataset.root / name):
        loaded = Loaded(file)
        loaded.findings.append(
            Finding.make(
                "file-unreadable", "the file is a link leading outside the dataset", file=file
            )
        )
        return loaded
    read = partial(dataset.read_bytes, name, follow_links=True)
    loaded = load_json(None, file, max_bytes=max_bytes, data=data, read=read)
    if not loaded.ok:
        return loaded
    if not check_schema(loaded, registry, "annotation"):
        return loaded
    ctx = DocumentContext(
        loaded, dataset, registry.trigger_lexicon(loaded.document["schema_version"])
    )
    for rule in DOCUMENT_RULES:
        loaded.findings.extend(rule(ctx))
    loaded.read_also[article_name(ctx.article_id)] = ctx.article_sha256
    loaded.article_text = ctx.text
    return loaded


def load_actor_registry(dataset: Dataset, registry: SchemaRegistry) -> Loaded | None:
    """Load ``seeds/actors.json`` strictly and check it (None when there is none)."""
    if not dataset.exists(ACTORS):
        return None
    loaded = load_json(None, ACTORS, read=partial(dataset.read_bytes, ACTORS, follow_links=True))
    if loaded.ok and check_schema(loaded, registry, "actor_registry"):
        for rule in REGISTRY_RULES:
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
