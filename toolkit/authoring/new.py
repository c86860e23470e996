"""Start a new annotation document: ``toolkit new``."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from toolkit.canonical_json import canonical_bytes, refuse_unsafe, replace_file
from toolkit.dataset import Dataset, read_article
from toolkit.errors import AnnotationExists
from toolkit.registry import SchemaRegistry
from toolkit.regular_file import sha256_file


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
    path = dataset.annotations_dir / f"{article_id}.json"
    refuse_unsafe(path)
    if os.path.lexists(path) and not force:
        raise AnnotationExists(f"{path} exists; pass --force to overwrite it")
    replace_file(path, canonical_bytes(document))
    return path
