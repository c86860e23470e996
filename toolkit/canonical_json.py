"""The project's canonical JSON layout for the files people edit (annotation documents, the
actor registry): two-space indentation, keys in the order written, UTF-8 characters as they
are, one final newline; and writing such a file whole or not at all."""

from __future__ import annotations

import json
import os
import stat
import uuid
from pathlib import Path
from typing import Any

from toolkit.errors import NotWritable, UnsafePath


def canonical_bytes(document: Any) -> bytes:
    """*document* in the canonical layout.

    >>> canonical_bytes({"b": 1, "a": ["é"]}).decode()
    '{\\n  "b": 1,\\n  "a": [\\n    "é"\\n  ]\\n}\\n'
    """
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def replace_file(path: Path, data: bytes) -> None:
    """Write *data* as *path*, whole or not at all: a new file beside it renamed into place.

    :raises UnsafePath: when *path* exists and is a link or a special file, or its folder
        is a link or not a folder.
    :raises NotWritable: when the folder cannot be written (a read-only checkout).
    """
    refuse_unsafe(path)
    folder = path.parent
    partial = folder / f".{path.name}.{uuid.uuid4().hex}.partial"
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


def refuse_unsafe(path: Path) -> None:
    """Refuse to write *path* where the validator would not read it.

    :raises UnsafePath: when *path* exists and is a link or a special file, or its folder
        is a link or not a folder.
    """
    folder = path.parent
    try:
        folder_stat = os.lstat(folder)
    except FileNotFoundError:
        folder_stat = None
    if folder_stat is not None and not stat.S_ISDIR(folder_stat.st_mode):
        raise UnsafePath(f"{folder} is a link or not a folder; the validator reads no file there")
    if os.path.lexists(path) and not stat.S_ISREG(os.lstat(path).st_mode):
        raise UnsafePath(f"{path} is a link or a special file; remove it first")
