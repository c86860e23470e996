"""Annotator helpers: find a quote's offsets, start a new annotation document."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.dataset import LISTED, Dataset, read_article, sha256_file
from toolkit.errors import (
    AnnotationExists,
    NotWritable,
    QuoteAmbiguous,
    QuoteNotFound,
    UnsafePath,
)
from toolkit.registry import SchemaRegistry


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    line: int
    column: int


def occurrences(text: str, quote: str) -> list[Span]:
    """Every place *quote* occurs in *text*, exactly (code points, no normalization)."""
    spans: list[Span] = []
    if not quote:
        return spans
    i = text.find(quote)
    while i != -1:
        line = text.count("\n", 0, i) + 1
        col = i - (text.rfind("\n", 0, i) + 1) + 1
        spans.append(Span(i, i + len(quote), line, col))
        i = text.find(quote, i + 1)
    return spans


def locate(dataset: Dataset, article_id: str, quote: str) -> Span:
    """The one place *quote* occurs in the article.

    :raises QuoteNotFound: when it does not occur.
    :raises QuoteAmbiguous: when it occurs more than once; the message lists every occurrence.

    >>> locate(Dataset.at("."), "003_ca5597f59c992008", "Pham Minh Chinh").start
    1125
    """
    text = read_article(dataset.article_path(article_id))
    spans = occurrences(text, quote)
    if not spans:
        raise QuoteNotFound(
            f"{quote!r} does not occur in {article_id}; quotes must match the text exactly, "
            "including curly quotes (’ “ ”) and non-breaking spaces"
        )
    if len(spans) > 1:
        listed = "; ".join(
            f"{s.start}-{s.end} (line {s.line}, col {s.column})" for s in spans[:LISTED]
        )
        if len(spans) > LISTED:
            listed += f"; and {len(spans) - LISTED} more"
        raise QuoteAmbiguous(
            f"{quote!r} occurs {len(spans)} times in {article_id}: {listed}; "
            "lengthen the quote until it is unique"
        )
    return spans[0]


def new_annotation(
    dataset: Dataset, article_id: str, registry: SchemaRegistry, annotator: str = "annotator"
) -> dict[str, Any]:
    """A new annotation document for *article_id* with the source block filled in."""
    path = dataset.article_path(article_id)
    text = read_article(path)
    version = registry.latest
    return {
        "$schema": f"../../schemas/{version}/annotation.schema.json",
        "schema_version": version,
        "source": {
            "article_id": article_id,
            "path": f"seeds/articles/{article_id}.txt",
            "sha256": sha256_file(path),
            "title": {"text": "TODO: the title as in the text, or assigned", "assigned": True},
            "publisher": None,
            "publication": {
                "date": None,
                "precision": "unknown",
                "basis": "unknown",
                "earliest": None,
                "latest": None,
            },
            "language": "en",
            "offset_unit": "code_point",
            "content_span": {"start": 0, "end": len(text)},
        },
        "provenance": {"annotators": [annotator], "annotated_on": dt.date.today().isoformat()},
        "actors": [],
        "agreements": [],
        "dates": [],
    }


def write_annotation(
    dataset: Dataset, article_id: str, document: dict[str, Any], *, force: bool = False
) -> Path:
    """Write *document* as ``seeds/annotations/ARTICLE.json`` and return its path.

    The file is written whole or not at all (a new file renamed into place). Where the
    validator would not read, nothing is written: the annotations folder or the file may not
    be a link, nor the file anything but a regular file.

    :raises AnnotationExists: when the file exists and *force* is not set.
    :raises UnsafePath: when the folder or the file is a link or a special file.
    :raises NotWritable: when the folder cannot be written (a read-only checkout).
    """
    folder = dataset.annotations_dir
    path = folder / f"{article_id}.json"
    try:
        folder_stat = os.lstat(folder)
    except FileNotFoundError:
        folder_stat = None
    if folder_stat is not None and not stat.S_ISDIR(folder_stat.st_mode):
        raise UnsafePath(f"{folder} is a link or not a folder; the validator reads no file there")
    if os.path.lexists(path):
        if not stat.S_ISREG(os.lstat(path).st_mode):
            raise UnsafePath(f"{path} is a link or a special file; remove it first")
        if not force:
            raise AnnotationExists(f"{path} exists; pass --force to overwrite it")
    data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    partial = folder / f".{article_id}.{uuid.uuid4().hex}.partial"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(partial, path)
    except OSError as exc:
        if os.path.lexists(partial):
            os.unlink(partial)
        raise NotWritable(f"cannot write {exc.filename or path}: {exc.strerror or exc}") from exc
    return path
