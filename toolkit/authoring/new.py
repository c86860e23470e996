"""Start a new annotation document: ``toolkit new``."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from toolkit.canonical_json import canonical_bytes, refuse_unsafe, replace_file
from toolkit.check.document_rules import PLACEHOLDER_TITLE
from toolkit.dataset import Dataset, read_article
from toolkit.errors import AnnotationExists
from toolkit.registry import SchemaRegistry
from toolkit.regular_file import sha256_file


def default_annotator() -> str:
    """The annotator id of whoever runs the command: the login name, lowercased, in the
    form the schema takes (``[a-z0-9][a-z0-9._-]*``); "annotator" when there is none."""
    import getpass
    import re

    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment or the password file
        login = ""
    slug = re.sub(r"[^a-z0-9._-]+", "-", login.lower()).strip("-._")
    return slug or "annotator"


def new_annotation(
    dataset: Dataset, article_id: str, registry: SchemaRegistry, annotator: str | None = None
) -> dict[str, Any]:
    """A new annotation document for *article_id* with the source block filled in, and the
    annotator (:func:`default_annotator` by default) and today's date in its provenance."""
    annotator = annotator or default_annotator()
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
            "title": {"text": PLACEHOLDER_TITLE, "assigned": True},
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
