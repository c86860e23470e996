"""The dataset layout: where every file of a dataset laid out like this repository lies
(every other module asks here), and how articles are read."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from toolkit.errors import ArticleNotFound, DatasetLayoutError

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


@dataclass(frozen=True)
class Dataset:
    """A dataset root: ``seeds/articles/``, ``seeds/annotations/`` and ``seeds/actors.json``.

    :param root: the folder that holds ``seeds/``.
    """

    root: Path

    @classmethod
    def at(cls, root: Path | str) -> Dataset:
        root = Path(root).resolve()
        if not (root / "seeds" / "articles").is_dir():
            raise DatasetLayoutError(
                f"{root} has no seeds/articles/ folder; pass --root DIR pointing at a dataset "
                "laid out like this repository"
            )
        return cls(root)

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
        try:
            entries = os.listdir(self.articles_dir)
        except OSError:
            return []
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
        try:
            entries = os.listdir(self.annotations_dir)
        except OSError:
            return []
        return [f"{ANNOTATIONS}/{n}" for n in sorted(entries) if n.endswith(".json")]

    def article_files(self) -> list[str]:
        """Every ``seeds/articles/*.txt`` entry, relative to the root, sorted (named like an
        article or not)."""
        try:
            entries = os.listdir(self.articles_dir)
        except OSError:
            return []
        return [f"{ARTICLES}/{n}" for n in sorted(entries) if n.endswith(".txt")]

    def annotation_paths(self) -> list[Path]:
        return [self.root / name for name in self.annotation_names()]

    def relative(self, path: Path) -> str:
        """*path* relative to the root when inside it, for findings and reports."""
        if path.is_absolute() and ".." not in path.parts:
            try:  # the common case, a path listed from the root: no system call
                return path.relative_to(self.root).as_posix()
            except ValueError:
                pass
        absolute = Path(os.path.abspath(path))  # links are not followed: name what was given
        for candidate in (absolute, absolute.resolve()):
            try:
                return candidate.relative_to(self.root).as_posix()
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
