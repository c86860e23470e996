"""Build the review site: a static folder of HTML pages, one per article, a page of the
canonical agreements across articles and an index, with one CSS and one JS file beside them.
No page loads anything from the network; the folder opens from disk.

The dataset is validated first, so each page shows its document's findings; documents that
fail validation (or do not parse) are shown as far as they can be read. Pages are written one
at a time and dropped: only the small per-agreement summaries the canonical page compares are
kept for the whole dataset.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from toolkit.authoring.changed import changed_files
from toolkit.check.run import validate_dataset
from toolkit.check.strict_json import MAX_BYTES
from toolkit.dataset import ARTICLE_ID, Dataset, article_name, read_article
from toolkit.errors import ArticleNotFound
from toolkit.findings import Finding
from toolkit.regular_file import FileTooLarge, NotRegularFile, read_regular
from toolkit.report import Report
from toolkit.review.canonical import AgreementReport, agreement_reports
from toolkit.review.model import article_view
from toolkit.review.pages import article_page, canonical_page, index_page

#: The files copied from the package into ``static/``.
STATIC_FILES = ("review.css", "review.js")


@dataclass(frozen=True)
class ReviewSite:
    """What :func:`build_review` wrote.

    :ivar out_dir: the site's folder; ``index`` its entry page.
    :ivar articles: the ids of the article pages written, sorted.
    :ivar report: the findings of those articles and of the dataset's other files.
    """

    out_dir: Path
    index: Path
    articles: tuple[str, ...]
    report: Report
    canonical_keys: int
    status_conflicts: int


def build_review(
    dataset_root: Path | str,
    out_dir: Path | str,
    articles: Sequence[str] | None = None,
    changed_since: str | None = None,
) -> ReviewSite:
    """Write the review site of the dataset at *dataset_root* into *out_dir*.

    :param articles: article ids to build pages for (default: every article, unless
        *changed_since* is given).
    :param changed_since: a git ref: build the articles whose annotation changed against it
        (added to *articles*).
    :returns: a :class:`ReviewSite`; its ``report`` is invalid when any finding is an error,
        and the site is written either way.
    :raises ArticleNotFound: when an id in *articles* names no article or annotation.
    :raises toolkit.authoring.changed.GitError: when *changed_since* names no commit.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as out:
    ...     site = build_review(".", out)
    >>> len(site.articles), site.report.valid
    (5, True)
    """
    dataset = Dataset.at(dataset_root)
    known = _article_ids(dataset)
    selected = _select(dataset, known, articles, changed_since)
    by_file = _findings(dataset)
    out = Path(out_dir)
    (out / "articles").mkdir(parents=True, exist_ok=True)
    _copy_static(out / "static")
    names = _registry_names(dataset)
    reports: list[AgreementReport] = []
    rows: list[dict[str, Any]] = []
    findings: list[Finding] = []
    for article_id in known:
        doc = _read_doc(dataset, article_id)
        reports.extend(agreement_reports(article_id, doc))
        if article_id not in selected:
            continue
        own = by_file.pop(f"seeds/annotations/{article_id}.json", []) + by_file.pop(
            article_name(article_id), []
        )
        findings.extend(own)
        view = article_view(article_id, _read_text(dataset, article_id), doc, own, names)
        _write(out / "articles" / f"{article_id}.html", article_page(view))
        errors = sum(f.severity == "error" for f in own)
        rows.append(
            {
                "article_id": article_id,
                "title": view.title,
                **view.counts(),
                "errors": errors,
                "warnings": len(own) - errors,
            }
        )
        del view, doc
    other = [f for name, fs in sorted(by_file.items()) if not _article_file(name) for f in fs]
    findings.extend(other)
    keys, conflicts = _write_canonical(out, reports, set(selected))
    report = Report.from_findings(findings, {"articles": len(rows)})
    totals = {
        "articles": len(rows),
        **{k: sum(r[k] for r in rows) for k in ("agreement", "actor", "date")},
        "errors": report.errors,
        "warnings": report.warnings,
        "keys": keys,
        "conflicts": conflicts,
    }
    index = out / "index.html"
    _write(index, index_page(rows, other, totals))
    return ReviewSite(out, index, tuple(sorted(selected)), report, keys, conflicts)


def _article_ids(dataset: Dataset) -> list[str]:
    """Every article id with a text or an annotation document, sorted."""
    stems = {Path(n).stem for n in dataset.annotation_names()}
    return sorted(set(dataset.article_ids()) | {s for s in stems if ARTICLE_ID.match(s)})


def _select(
    dataset: Dataset, known: list[str], articles: Sequence[str] | None, changed_since: str | None
) -> list[str]:
    if articles is None and changed_since is None:
        return known
    wanted = list(articles or ())
    for article_id in wanted:
        if article_id not in known:
            dataset.article_path(article_id)  # raises, naming the known articles
            raise ArticleNotFound(f"no article {article_id[:80]!r}")  # pragma: no cover
    if changed_since is not None:
        annotations = dataset.annotations_dir.resolve()
        for path in changed_files(dataset.root, changed_since):
            if path.resolve().parent == annotations and path.stem in known:
                wanted.append(path.stem)
    return sorted(set(wanted))


def _findings(dataset: Dataset) -> dict[str, list[Finding]]:
    """The dataset's findings by file (the validation's other results are dropped)."""
    by_file: dict[str, list[Finding]] = {}
    for f in validate_dataset(dataset.root).report.findings:
        by_file.setdefault(f.file, []).append(f)
    return by_file


def _article_file(name: str) -> bool:
    """Whether *name* is an article's text or annotation document (findings shown on its
    page, not on the index)."""
    folders = ("seeds/annotations/", "seeds/articles/")
    return name.startswith(folders) and bool(ARTICLE_ID.match(Path(name).stem))


def _read_doc(dataset: Dataset, article_id: str) -> Any:
    """The annotation document as parsed, or None when it is missing or does not parse."""
    try:
        return orjson.loads(read_regular(dataset.annotations_dir / f"{article_id}.json", MAX_BYTES))
    except (OSError, NotRegularFile, FileTooLarge, orjson.JSONDecodeError):
        return None


def _read_text(dataset: Dataset, article_id: str) -> str | None:
    try:
        return read_article(dataset.article_path(article_id))
    except (ArticleNotFound, OSError, UnicodeDecodeError):
        return None


def _registry_names(dataset: Dataset) -> dict[str, str]:
    """actor id -> its name in the registry (empty when the registry cannot be read)."""
    try:
        doc = orjson.loads(read_regular(dataset.actors_path, MAX_BYTES))
    except (OSError, NotRegularFile, FileTooLarge, orjson.JSONDecodeError):
        return {}
    actors = doc.get("actors") if isinstance(doc, dict) else None
    return {
        a["actor_id"]: a["name"]
        for a in (actors if isinstance(actors, list) else ())
        if isinstance(a, dict)
        and isinstance(a.get("actor_id"), str)
        and isinstance(a.get("name"), str)
    }


def _write_canonical(out: Path, reports: list[AgreementReport], built: set[str]) -> tuple[int, int]:
    """Write ``canonical.html`` for the keys the built articles report (every article's
    report of each); return the number of keys and of status conflicts."""
    groups: dict[str, list[AgreementReport]] = {}
    for r in reports:
        groups.setdefault(r.canonical_key, []).append(r)
    shown = sorted(k for k, rs in groups.items() if any(r.article_id in built for r in rs))
    incoming: dict[str, list[tuple[str, str]]] = {}
    for r in reports:
        for relation, key in r.relations:
            incoming.setdefault(key, []).append((relation, r.canonical_key))
    incoming = {k: sorted(set(v)) for k, v in incoming.items()}
    _write(out / "canonical.html", canonical_page([(k, groups[k]) for k in shown], built, incoming))
    conflicts = sum(len({r.status for r in groups[k]}) > 1 for k in shown)
    return len(shown), conflicts


def _copy_static(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    package = resources.files("toolkit.review")
    for name in STATIC_FILES:
        (folder / name).write_bytes(package.joinpath("static", name).read_bytes())


def _write(path: Path, text: str | Iterable[str]) -> None:
    """Write *path* whole (*text* or its pieces one after the other): to a temporary name
    first, then renamed into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        if isinstance(text, str):
            f.write(text)
        else:
            f.writelines(text)
    os.replace(tmp, path)
