"""The dataset layout: where every file of a dataset laid out like this repository lies
(every other module asks here), and how its files are read, on this machine or at a URL."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from toolkit.errors import ArticleNotFound, DatasetLayoutError, RootNotLocal
from toolkit.storage import LocalStorage, Storage, is_url, open_storage

ARTICLE_ID = re.compile(r"^[0-9]{3}_[0-9a-f]{16}$")
#: Folders and files of the layout, relative to the root.
ARTICLES = "seeds/articles"
ANNOTATIONS = "seeds/annotations"
ACTORS = "seeds/actors.json"
META = "seeds/dataset.json"
EXPORTS = "exports"
#: How many items a message lists before it says how many more there are.
LISTED = 10


def listing(items: list[str], limit: int = LISTED) -> str:
    """*items* joined by commas, the first *limit* of them and a count of the rest."""
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit} more"


@dataclass(frozen=True, init=False)
class Dataset:
    """A dataset root: ``seeds/articles/``, ``seeds/annotations/`` and ``seeds/actors.json``,
    on this machine or at an fsspec URL (:mod:`toolkit.storage`).

    Every file is named relative to the root (``seeds/annotations/x.json``) and read through
    :meth:`read_bytes`, :meth:`sha256` and the listings, whatever the storage. What only a
    folder of this machine has (``root``, the ``*_dir`` and ``*_path`` properties, links)
    raises :class:`~toolkit.errors.RootNotLocal` for a URL root.

    :param root: the folder that holds ``seeds/`` (a path or a ``file://`` URL), or the URL
        of one (``memory://``, ``s3://``, ``gs://``...), or its storage.
    """

    storage: Storage

    def __init__(self, root: Path | str | Storage) -> None:
        if not isinstance(root, Path | str):
            storage = root
        elif is_url(root):
            storage = open_storage(root)
        else:
            storage = LocalStorage(Path(root))
        object.__setattr__(self, "storage", storage)

    @classmethod
    def at(cls, root: Path | str) -> Dataset:
        """The dataset at *root*, a path or a URL, once its ``seeds/articles/`` is found.

        :raises DatasetLayoutError: when there is no ``seeds/articles/`` folder.
        :raises toolkit.storage.StorageUnavailable: when the URL's file system cannot be
            used (unknown protocol, backend not installed, store not readable).
        """
        dataset = cls(open_storage(root))
        storage = dataset.storage
        if isinstance(storage, LocalStorage):  # a folder of this machine, links followed
            found = os.path.isdir(storage.path(ARTICLES))
        else:
            found = storage.kind(ARTICLES) == "directory"
        if not found:
            shown = dataset.location("")
            raise DatasetLayoutError(
                f"{shown} has no seeds/articles/ folder; pass --root DIR (or a URL) pointing "
                "at a dataset laid out like this repository"
            )
        return dataset

    @property
    def is_local(self) -> bool:
        """True when the root is a folder of this machine (a path or a ``file://`` URL)."""
        return self.storage.is_local

    @property
    def url(self) -> str | None:
        """The root's URL with its credentials taken out, None for a folder of this machine."""
        return None if self.storage.is_local else self.location("")

    @property
    def address(self) -> str:
        """The root as a worker process opens it again (:class:`toolkit.check.per_file.Job`):
        the absolute path, or the URL as given, credentials included (never shown)."""
        return self.storage.address

    @property
    def root(self) -> Path:
        """The folder that holds ``seeds/``.

        :raises RootNotLocal: for a URL root, which has no folder of this machine.
        """
        if isinstance(self.storage, LocalStorage):
            return self.storage.root
        raise RootNotLocal(
            f"{self.location('')} is a URL root: this needs a dataset folder of this machine "
            "(--root DIR)"
        )

    def is_file(self, name: str) -> bool:
        """Whether *name* (relative to the root) is a regular file, not a link."""
        return self.storage.kind(name) == "file"

    def is_dir(self, name: str) -> bool:
        """Whether *name* (relative to the root; "" the root) is a folder, not a link."""
        return self.storage.kind(name) == "directory"

    def exists(self, name: str) -> bool:
        """Whether there is anything at *name* (a link, even a dangling one, included)."""
        return self.storage.kind(name) is not None

    def read_bytes(self, name: str, limit: int, *, follow_links: bool = False) -> bytes:
        """The bytes of *name* (relative to the root), a regular file of at most *limit*
        bytes, read as :func:`toolkit.regular_file.read_regular` reads (at most *limit* plus
        one byte, whatever its size claims).

        :param follow_links: read through a link (on a local root only; the caller has
            checked where it leads).
        :raises NotRegularFile: when it is not a regular file (a directory, a FIFO, a link).
        :raises FileTooLarge: when it holds more than *limit* bytes.
        :raises OSError: when it cannot be read (absent, no permission, the store refused).
        """
        return self.storage.read_bytes(name, limit, follow_links=follow_links)

    def sha256(self, name: str) -> str:
        """The SHA-256 of the regular file *name* (relative to the root), as hex.

        :raises OSError: when it cannot be read or is not a regular file.
        """
        return self.storage.sha256(name)

    def location(self, name: str) -> str:
        """Where *name* (relative to the root; "" the root) is, as a message shows it: its
        path, or its URL with the credentials taken out."""
        return self.storage.location(name)

    @property
    def articles_dir(self) -> Path:
        return self.root / ARTICLES

    @property
    def annotations_dir(self) -> Path:
        return self.root / ANNOTATIONS

    @property
    def actors_path(self) -> Path:
        return self.root / ACTORS

    @property
    def meta_path(self) -> Path:
        """``seeds/dataset.json``: the dataset's name, version and licence."""
        return self.root / META

    @property
    def exports_dir(self) -> Path:
        return self.root / EXPORTS

    @cached_property
    def annotations_folder(self) -> str:
        """``seeds/annotations`` under the root, as a string."""
        return str(self.annotations_dir)

    @cached_property
    def annotations_folder_inside(self) -> bool:
        """Whether ``seeds/annotations``, links followed, lies inside the root (so a file in it
        that is no link does too)."""
        real = os.path.realpath(self.annotations_folder)
        return real.startswith(f"{os.path.realpath(self.root)}/")

    def article_ids(self) -> list[str]:
        """The ids of the ``seeds/articles/*.txt`` files named like articles, sorted."""
        entries = self.storage.entries(ARTICLES)
        return sorted(n[:-4] for n in entries if n.endswith(".txt") and ARTICLE_ID.match(n[:-4]))

    def article_path(self, article_id: str) -> Path:
        """The path of the article *article_id*: a regular file, not a link (the validator
        reads no article through a link, so neither does any other command).

        :raises ArticleNotFound: when there is no such article file.
        """
        path = self.articles_dir / f"{article_id}.txt"
        try:
            regular = ARTICLE_ID.match(article_id) and stat.S_ISREG(os.lstat(path).st_mode)
        except OSError:
            regular = False
        if not regular:
            why = "is a link or not a regular file" if os.path.lexists(path) else "does not exist"
            known = listing(self.article_ids()) or "none"
            raise ArticleNotFound(
                f"no article {article_id[:80]!r} in {self.articles_dir} (its file {why}); "
                f"known: {known}"
            )
        return path

    def annotation_names(self) -> list[str]:
        """Every ``seeds/annotations/*.json`` entry, relative to the root, sorted."""
        entries = self.storage.entries(ANNOTATIONS)
        return [f"{ANNOTATIONS}/{n}" for n in sorted(entries) if n.endswith(".json")]

    def article_files(self) -> list[str]:
        """Every ``seeds/articles/*.txt`` entry, relative to the root, sorted (named like an
        article or not)."""
        entries = self.storage.entries(ARTICLES)
        return [f"{ARTICLES}/{n}" for n in sorted(entries) if n.endswith(".txt")]

    def annotation_paths(self) -> list[Path]:
        return [self.root / name for name in self.annotation_names()]

    def relative(self, path: Path) -> str:
        """*path* relative to the root when inside it, for findings and reports."""
        root = self.root
        if path.is_absolute() and ".." not in path.parts:
            try:  # the common case, a path listed from the root: no system call
                return path.relative_to(root).as_posix()
            except ValueError:
                pass
        absolute = Path(os.path.abspath(path))  # links are not followed: name what was given
        for candidate in (absolute, absolute.resolve()):
            try:
                return candidate.relative_to(root).as_posix()
            except ValueError:
                continue
        return str(path)


def article_name(article_id: str) -> str:
    """The article's file, relative to the root: ``seeds/articles/ID.txt``."""
    return f"{ARTICLES}/{article_id}.txt"


def schema_reference(name: str, version: str) -> str:
    """The ``$schema`` a document of record type *name* at *version* declares: the schema's
    path relative to the document (an annotation lies two folders down, the registry one)."""
    up = "../../" if name == "annotation" else "../"
    return f"{up}schemas/{version}/{name}.schema.json"


def printable_name(name: str) -> str:
    """*name* with the bytes that are not UTF-8 (kept by the file system as lone surrogates)
    written as ``\\xff`` escapes, so it can be printed and stored."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return name


def article_id_from_filename(name: str) -> str:
    """``000_c9643dd3023e532a.txt`` -> ``000_c9643dd3023e532a``."""
    stem = Path(name).stem
    if not ARTICLE_ID.match(stem):
        raise ArticleNotFound(f"{name!r} is not an article file name (NNN_<16 hex digits>.txt)")
    return stem


def read_article(path: Path) -> str:
    """The article text exactly as stored (UTF-8, newlines untouched) so offsets are code points."""
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()
