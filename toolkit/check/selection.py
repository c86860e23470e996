"""Which files a validation with paths checks: exactly those given, or a refusal.

A path names an annotation document (``seeds/annotations/*.json``), the actor registry
(``seeds/actors.json``), an article (``seeds/articles/*.txt``), a schema (``schemas/``) or a
folder holding such files. Each selects the documents it affects: a document itself; the
registry, every document (they reference its actors) and itself; an article, the document that
annotates it; a schema, every document. A path that does not exist, lies outside the dataset or
is none of those is refused (:class:`PathRefused`, exit status 2), so that no run reports
"valid" for a file it did not check.

On a local root a path is a path of this machine, inside the root. On a URL root
(``memory://``, ``s3://``...) a path is a name relative to the root
(``seeds/annotations/x.json``) or the root's URL followed by one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.dataset import ACTORS, ANNOTATIONS, ARTICLES, Dataset
from toolkit.errors import ToolkitError
from toolkit.storage import redact

#: Where the schemas lie in a checkout laid out like this repository.
SCHEMAS = "schemas"
#: What a path may name, as a refusal says it.
ACCEPTED = (
    f"an annotation document ({ANNOTATIONS}/*.json), an article ({ARTICLES}/*.txt), "
    f"the actor registry ({ACTORS}), a schema ({SCHEMAS}/) or a folder holding them"
)


class PathRefused(ToolkitError):
    """A path given to validate does not exist, lies outside the dataset, or names no file the
    validator checks."""


@dataclass(frozen=True)
class Selection:
    """The files a run with paths checks and reports on (relative to the root, sorted), and
    the names of the documents given as bytes rather than read from disk."""

    files: tuple[str, ...]
    given: tuple[str, ...] = ()


def select(dataset: Dataset, paths: Sequence[Path | str], given: Iterable[str] = ()) -> Selection:
    """The files *paths* select in *dataset* (see the module's docstring); *given* names
    documents handed over as bytes (standard input), which need not exist on disk.

    :raises PathRefused: naming the first path that does not exist, lies outside the dataset
        or names nothing the validator checks.

    >>> select(Dataset.at("."), ["seeds/articles/003_ca5597f59c992008.txt"]).files
    ('seeds/annotations/003_ca5597f59c992008.json',)
    """
    names = set(dataset.annotation_names())
    given = tuple(given)
    everything = {*names, *given, *([ACTORS] if dataset.exists(ACTORS) else [])}
    chosen: set[str] = set(given)
    for path in paths:
        if dataset.is_local:
            chosen |= _selected(dataset, Path(path), names, everything)
        else:
            chosen |= _selected_name(dataset, str(path), names, everything)
    return Selection(tuple(sorted(chosen)), given)


def given_name(dataset: Dataset, name: str) -> str:
    """The dataset-relative name a document read from standard input stands for (``-`` when
    it stands for no file).

    :raises PathRefused: when *name* lies outside the dataset or is no annotation document.
    """
    if name == "-":
        return name
    rel = _relative(dataset, Path(name), name) if dataset.is_local else _name(dataset, name)
    if not (rel.startswith(f"{ANNOTATIONS}/") and rel.endswith(".json") and rel.count("/") == 2):
        raise PathRefused(
            f"--stdin-filename {name}: a document read from standard input stands for an "
            f"annotation document ({ANNOTATIONS}/NNN_<hex>.json)"
        )
    return rel


def _selected(dataset: Dataset, path: Path, names: set[str], everything: set[str]) -> set[str]:
    shown = str(path)
    if not os.path.lexists(path):
        raise PathRefused(f"{shown}: no such file or folder")
    rel = _relative(dataset, path, shown)
    if path.is_dir():
        return _folder(dataset, rel, shown, names, everything)
    return _file(dataset, rel, shown, names, everything)


def _selected_name(dataset: Dataset, path: str, names: set[str], everything: set[str]) -> set[str]:
    """What *path*, a name on a URL root (see the module's docstring), selects."""
    rel = _name(dataset, path)
    shown = dataset.location(rel)
    if rel == "" or dataset.is_dir(rel):
        return _folder(dataset, rel, shown, names, everything)
    if not dataset.exists(rel):
        raise PathRefused(f"{shown}: no such file or folder")
    return _file(dataset, rel, shown, names, everything)


def _name(dataset: Dataset, path: str) -> str:
    """*path* on a URL root as a name relative to the root ("" the root itself)."""
    prefix = dataset.address.rstrip("/")
    if path == prefix or path.startswith(f"{prefix}/"):
        path = path[len(prefix) :]
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts or "://" in path:
        raise PathRefused(
            f"{redact(path)[:200]}: outside the dataset at {dataset.location('')}; on a URL "
            "root a path is a name relative to it (seeds/annotations/NNN_<hex>.json)"
        )
    return "/".join(parts)


def _relative(dataset: Dataset, path: Path, shown: str) -> str:
    """*path* relative to the dataset root, links in its folders followed."""
    absolute = Path(os.path.abspath(path))
    for candidate in (absolute, absolute.parent.resolve() / absolute.name):
        try:
            rel = candidate.relative_to(dataset.root).as_posix()
        except ValueError:
            continue
        return "" if rel == "." else rel
    raise PathRefused(f"{shown}: outside the dataset at {dataset.root}")


def _file(
    dataset: Dataset, rel: str, shown: str, names: set[str], everything: set[str]
) -> set[str]:
    if rel in names:
        return {rel}
    if rel == ACTORS or rel.startswith(f"{SCHEMAS}/"):
        return set(everything)
    if rel.startswith(f"{ARTICLES}/") and rel.endswith(".txt") and rel.count("/") == 2:
        document = f"{ANNOTATIONS}/{rel.rsplit('/', 1)[1].removesuffix('.txt')}.json"
        if document not in names:
            raise PathRefused(
                f"{shown}: no annotation document annotates this article ({document} does not "
                "exist), so there is nothing to validate; start one with `toolkit new`"
            )
        return {document}
    raise PathRefused(f"{shown}: not a file the validator checks; a path names {ACCEPTED}")


def _folder(
    dataset: Dataset, rel: str, shown: str, names: set[str], everything: set[str]
) -> set[str]:
    if rel == "" or f"{SCHEMAS}/".startswith(f"{rel}/") or rel.startswith(f"{SCHEMAS}/"):
        return set(everything)  # the root, or a folder of schemas
    inside = f"{rel}/"
    chosen = {n for n in everything if n.startswith(inside)}
    articles = [a for a in dataset.article_files() if a.startswith(inside) and a.count("/") == 2]
    if ACTORS.startswith(inside):
        chosen = set(everything)
    for article in articles:
        document = f"{ANNOTATIONS}/{article.rsplit('/', 1)[1].removesuffix('.txt')}.json"
        if document in names:
            chosen.add(document)
    if not chosen:
        raise PathRefused(f"{shown}: holds no file the validator checks; a path names {ACCEPTED}")
    return chosen
