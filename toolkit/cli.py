"""The `toolkit` command: each command parses options, calls one library function, reports, exits.

Exit status: 0 ok, 1 invalid data, 2 usage or environment error, 130 interrupted.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from toolkit.errors import ToolkitError


class _ToolkitGroup(click.Group):
    """Turns a ToolkitError raised by any command into a one-line message and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ToolkitError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


def _root_option(urls: bool) -> Callable[[F], F]:
    """The ``--root`` option: a folder (a ``file://`` URL is taken as its path), or, where
    *urls*, an fsspec URL kept as a string. A URL where a folder is needed is a one-line
    error saying why (exit status 2), its credentials never shown."""

    def root(ctx: click.Context, param: click.Parameter, value: str) -> Path | str:
        from toolkit.storage import LocalStorage, is_url, open_storage, redact

        if not is_url(value):
            return Path(value)
        storage = open_storage(value)
        if isinstance(storage, LocalStorage):  # file:///PATH: the folder
            return storage.root
        if urls:
            return value
        raise ToolkitError(
            f"--root {redact(value)[:200]}: `toolkit {ctx.info_name}` needs a dataset folder of "
            "this machine (it writes files or reads a git checkout); a URL root can be "
            "validated with `toolkit validate --root URL`"
        )

    text = "Dataset root holding seeds/articles, seeds/annotations and seeds/actors.json"
    return click.option(
        "--root",
        metavar="DIRECTORY|URL" if urls else "DIRECTORY",
        default=".",
        show_default=True,
        callback=root,
        help=f"{text}: a folder, or a URL (file://, memory://, s3://, gs://, any fsspec one)."
        if urls
        else f"{text}.",
    )


F = TypeVar("F", bound=Callable[..., Any])

root_option = _root_option(urls=False)
url_root_option = _root_option(urls=True)

scheduler_option = click.option(
    "--scheduler",
    metavar="ADDRESS",
    envvar="TOOLKIT_SCHEDULER",
    default=None,
    help="Check the files on the Dask cluster whose scheduler is at ADDRESS "
    "(tcp://HOST:PORT; env TOOLKIT_SCHEDULER) instead of local processes.",
)


#: The report formats (toolkit.report.REPORTERS; docs/validate.md describes each).
FORMATS = ["text", "json", "github", "sarif", "junit"]


def format_option(help_text: str) -> Callable[[F], F]:
    """The ``--format`` and ``-q/--quiet`` options of the commands that report findings."""

    def options(f: F) -> F:
        f = click.option(
            "-q",
            "--quiet",
            is_flag=True,
            help="Print the findings only: no summary, no progress, no closing line.",
        )(f)
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default="text",
            show_default=True,
            help=help_text,
        )(f)

    return options


def changes_format_option(help_text: str) -> Callable[[F], F]:
    """The ``--format text|json|markdown`` option of the commands that print changes."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json", "markdown"]),
        default="text",
        show_default=True,
        help=help_text,
    )


@click.group(cls=_ToolkitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cnvn-toolkit")
def cli() -> None:
    """Validate and export the annotated China-Vietnam visit dataset."""


@cli.group()
def schema() -> None:
    """List and show the released JSON Schemas."""


@schema.command("list")
def schema_list() -> None:
    """List every released schema version and its record types."""
    from toolkit.registry import SchemaRegistry

    reg = SchemaRegistry.load()
    for version in reg.versions:
        click.echo(f"{version}{'  (latest)' if version == reg.latest else ''}")
        for name in reg.record_types(version):
            click.echo(f"  {name:<16} {reg.schema(name, version).get('title', '')}")


@schema.command("show")
@click.argument("name")
@click.option("--version", "version", default=None, help="Schema version (default: latest).")
def schema_show(name: str, version: str | None) -> None:
    """Print the JSON Schema of record type NAME."""
    from toolkit.registry import SchemaRegistry

    doc = SchemaRegistry.load().schema(name, version)
    click.echo(json.dumps(doc, indent=2, ensure_ascii=False))


@schema.command("diff")
@click.argument("old")
@click.argument("new")
@changes_format_option("How the verdict is printed.")
@click.option("--documentation", is_flag=True, help="List description-only changes too.")
def schema_diff(old: str, new: str, fmt: str, documentation: bool) -> None:
    """Judge NEW against OLD: every change per record type at its schema pointer, and whether
    it is backward (NEW accepts OLD's data), forward, full or breaking, with the reason.

    OLD and NEW are released versions or folders of *.schema.json files (a draft). Exit
    status 0 whatever the verdict, 2 when a version or folder is unknown.
    """
    from toolkit.evolve.compat import diff_schemas, load_schema_set, render_markdown, render_text
    from toolkit.registry import SchemaRegistry

    registry = SchemaRegistry.load()
    verdict = diff_schemas(load_schema_set(old, registry), load_schema_set(new, registry))
    if fmt == "json":
        text = json.dumps(verdict.to_dict(), indent=2, ensure_ascii=False)
    elif fmt == "markdown":
        text = render_markdown(verdict)
    else:
        text = render_text(verdict, documentation=documentation)
    click.echo(text.rstrip("\n"))


@schema.command("check")
def schema_check() -> None:
    """Fail (exit 1) when a released version's SemVer step does not match its verdict: a
    minor release must be backward compatible, a patch release fully compatible."""
    from toolkit.evolve.compat import release_problems
    from toolkit.registry import SchemaRegistry

    registry = SchemaRegistry.load()
    problems = release_problems(registry)
    for problem in problems:
        click.echo(problem)
    if problems:
        sys.exit(1)
    click.echo(f"{len(registry.versions)} released versions; every SemVer step matches its verdict")


@cli.command()
@click.argument("article")
@click.argument("quote")
@root_option
@click.option("--occurrence", type=click.IntRange(min=1), help="Take the N-th occurrence.")
@click.option(
    "--after", type=click.IntRange(min=0), help="Take the first occurrence at or after OFFSET."
)
@click.option("--within", metavar="PASSAGE", help="Take the occurrence inside PASSAGE.")
@click.option("--all", "every", is_flag=True, help="Print every occurrence as JSON lines.")
def locate(
    article: str,
    quote: str,
    root: Path,
    occurrence: int | None,
    after: int | None,
    within: str | None,
    every: bool,
) -> None:
    """Print the start and end offsets of QUOTE in ARTICLE (an article id).

    A quote that occurs more than once is refused unless --occurrence, --after or --within
    says which occurrence is meant (they combine: the second occurrence within a passage).
    Exit status 0 found, 1 the quote does not occur (there), as search tools do, 2 usage
    error (no such article, a quote found more than once and no occurrence picked).
    """
    from toolkit.authoring.locate import Pick, locate_all
    from toolkit.authoring.locate import locate as locate_quote
    from toolkit.dataset import Dataset
    from toolkit.errors import QuoteNotFound

    dataset = Dataset.at(root)
    if every:
        for s in locate_all(dataset, article, quote):
            click.echo(json.dumps({"start": s.start, "end": s.end, "line": s.line,
                                   "column": s.column}))  # fmt: skip
        return
    try:
        span = locate_quote(dataset, article, quote, Pick(occurrence, after, within))
    except QuoteNotFound as exc:
        click.echo(f"not found: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{span.start} {span.end}")


@cli.command()
@click.argument("article")
@root_option
@click.option(
    "--annotator", default=None, help="Annotator id [default: your login name, lowercased]."
)
@click.option("--force", is_flag=True, help="Overwrite an existing annotation document.")
def new(article: str, root: Path, annotator: str | None, force: bool) -> None:
    """Write seeds/annotations/ARTICLE.json with the source block filled in."""
    from toolkit.authoring.new import new_annotation, write_annotation
    from toolkit.dataset import Dataset
    from toolkit.registry import SchemaRegistry

    dataset = Dataset.at(root)
    doc = new_annotation(dataset, article, SchemaRegistry.load(), annotator)
    click.echo(dataset.relative(write_annotation(dataset, article, doc, force=force)))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@url_root_option
@format_option("How findings are printed.")
@click.option(
    "--stdin-filename",
    metavar="PATH",
    default="-",
    help="The annotation document that `-` (standard input) stands for: its findings carry "
    "this name and it is checked in that file's place.",
)
@click.option(
    "--changed-since",
    metavar="REF",
    default=None,
    help="Validate the files changed against git REF (what a pull-request check runs).",
)
@click.option(
    "--cache/--no-cache",
    default=True,
    show_default=True,
    help="Reuse the results of files unchanged since the last run (kept in the user's "
    "cache folder, never in the dataset); the findings are the same either way. A URL "
    "root other than file:// runs without it.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes checking files [default: every core, on datasets of 400 files or more].",
)
@scheduler_option
def validate(
    paths: tuple[str, ...],
    root: Path | str,
    fmt: str,
    quiet: bool,
    stdin_filename: str,
    changed_since: str | None,
    cache: bool,
    jobs: int | None,
    scheduler: str | None,
) -> None:
    """Validate annotation files, evidence and the dataset-wide tables.

    With no PATHS, the whole dataset under --root. A PATH is an annotation document, an
    article (its document), seeds/actors.json or a schema (every document), or a folder of
    them; `-` reads one document from standard input. A path that does not exist, lies
    outside the dataset or is none of those is refused. On a URL root a PATH is a name
    relative to it (seeds/annotations/NNN_<hex>.json). Exit status 0 valid, 1 invalid, 2
    usage or environment error.
    """
    from toolkit.check.cluster import executor_for
    from toolkit.check.run import validate_dataset
    from toolkit.check.selection import given_name
    from toolkit.check.strict_json import MAX_BYTES
    from toolkit.dataset import Dataset
    from toolkit.report import REPORTERS

    selected: list[Path | str] | None = [p for p in paths if p != "-"] or None
    documents = None
    if len(selected or ()) < len(paths):
        documents = {given_name(Dataset.at(root), stdin_filename): _stdin(MAX_BYTES + 1)}
    if changed_since is not None:
        selected = (selected or []) + _changed(root, changed_since)
    progress = _progress("validating") if sys.stderr.isatty() and not quiet else None
    with executor_for(scheduler) as executor:
        result = validate_dataset(
            root,
            paths=selected,
            progress=progress,
            cache=cache,
            jobs=jobs,
            documents=documents,
            executor=executor,
        )
    REPORTERS[fmt](quiet=quiet).report(result.report, sys.stdout)
    sys.exit(int(not result.report.valid))


@cli.command()
@url_root_option
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    metavar="DIRECTORY",
    help="Publish into this folder (new, empty or an earlier export) instead of "
    "ROOT/exports; needed when --root is a URL.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Build into a temporary folder and fail if the exports differ from it.",
)
@format_option("How findings are printed when the data is invalid.")
@scheduler_option
def export(
    root: Path | str, out: Path | None, check: bool, fmt: str, quiet: bool, scheduler: str | None
) -> None:
    """Validate, then publish exports/ (Parquet, JSONL, Data Package, Croissant, card).

    Invalid data is refused (exit 1) and the previous exports are left untouched.
    """
    from toolkit.check.cluster import executor_for
    from toolkit.publish.export import Terminated, export_dataset
    from toolkit.report import REPORTERS

    where = f"{out}/" if out is not None else "exports/"
    try:
        with executor_for(scheduler) as executor:
            result = export_dataset(
                root,
                out=out,
                check=check,
                on_wait=lambda m: click.echo(m, err=True),
                executor=executor,
            )
    except Terminated as exc:
        click.echo(str(exc), err=True)
        sys.exit(143)
    if not result.report.valid:
        REPORTERS[fmt](quiet=quiet).report(result.report, sys.stdout)
        click.echo(f"export refused: the dataset is invalid; {where} is unchanged", err=True)
        sys.exit(1)
    if check:
        for line in result.differences:
            click.echo(line)
        if result.differences:
            click.echo(f"{where} is stale: run `make export` and commit the result", err=True)
            sys.exit(1)
        if not quiet:
            click.echo(f"{where} matches a fresh build ({len(result.files) + 1} files)")
        return
    if not quiet:
        click.echo(
            f"wrote {len(result.files) + 1} files to {where} "
            f"({result.report.stats.get('agreements', 0)} agreements, "
            f"{result.report.stats.get('actors', 0)} actors, "
            f"{result.report.stats.get('dates', 0)} dates)"
        )


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@root_option
@click.option(
    "--to", "target", default=None, help="Schema version to migrate to [default: latest]."
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 when a document is not yet at the target version.",
)
def migrate(paths: tuple[Path, ...], root: Path, target: str | None, check: bool) -> None:
    """Rewrite annotation documents and the actor registry for a later schema version.

    With no PATHS, every document of the dataset and seeds/actors.json. One step per
    version; what a step cannot know (an agreement's trigger) is left for the annotator and
    listed. Exit status 0 done, 1 a file unreadable (nothing written) or, with --check, not
    at the target, 2 usage error.
    """
    from toolkit.dataset import Dataset
    from toolkit.evolve.migrate import migrate_files
    from toolkit.registry import SchemaRegistry
    from toolkit.report import REPORTERS, Report

    dataset = Dataset.at(root)
    result = migrate_files(
        dataset, SchemaRegistry.load(), list(paths) or None, target=target, write=not check
    )
    if not result.ok:
        REPORTERS["text"]().report(Report.from_findings(result.findings, {}), sys.stdout)
        click.echo("migration refused: a file cannot be read; nothing was written", err=True)
        sys.exit(1)
    for line in result.lines():
        click.echo(line)
    sys.exit(int(check and any(f.changed for f in result.files)))


# --- review: the review site and the semantic diff ---------------------------------------


@cli.command()
@click.argument("articles", nargs=-1)
@root_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build/review"),
    show_default=True,
    help="Folder the site is written into (index.html, canonical.html, articles/, static/).",
)
@click.option(
    "--changed-since",
    metavar="REF",
    default=None,
    help="Build the pages of the articles whose annotation changed against git REF.",
)
def review(articles: tuple[str, ...], root: Path, out: Path, changed_since: str | None) -> None:
    """Build the review site: each article's text with its records' evidence highlighted,
    its findings at their spans, and the canonical agreements across articles.

    With no ARTICLES (article ids), every article. The site is self-contained and opens
    from disk. It is written whether or not the data is valid; exit status 0 when no finding
    is an error, 1 when one is, 2 usage or environment error.
    """
    from toolkit.review.site import build_review

    site = build_review(root, out, articles=list(articles) or None, changed_since=changed_since)
    r = site.report
    click.echo(
        f"wrote the review of {len(site.articles)} article(s), {site.canonical_keys} canonical "
        f"agreement(s), {r.errors} error(s), {r.warnings} warning(s): {site.index}"
    )
    sys.exit(int(not r.valid))


@cli.command()
@click.argument("base", required=False)
@click.argument("head", required=False)
@root_option
@changes_format_option("How the changes are printed.")
def diff(base: str | None, head: str | None, root: Path, fmt: str) -> None:
    """Print the semantic changes from BASE to HEAD: records added, removed and changed,
    field by field, and canonical keys merged, split or renamed.

    BASE and HEAD are git refs of the checkout at --root, or dataset folders (holding
    seeds/articles). BASE defaults to HEAD, HEAD to the working tree at --root. Exit status
    0, or 2 when a ref names no commit.
    """
    from toolkit.review.diff_render import RENDERERS
    from toolkit.review.semantic_diff import diff_sources

    RENDERERS[fmt](diff_sources(root, base, head), sys.stdout)


def _changed(root: Path | str, ref: str) -> list[Path | str]:
    """The files of *root*, a git checkout, changed against *ref* (``--changed-since``)."""
    from toolkit.authoring.changed import changed_files
    from toolkit.storage import redact

    if not isinstance(root, Path):
        raise ToolkitError(
            f"--changed-since compares a git checkout with REF; {redact(root)[:200]} is a URL "
            "root, which has no git history: give the paths to validate instead"
        )
    return list(changed_files(root, ref))


def _stdin(limit: int) -> bytes:
    """At most *limit* bytes of standard input (a document larger than the limit is then
    reported as too large, not read in full)."""
    return sys.stdin.buffer.read(limit)


def _progress(label: str) -> Any:
    """A progress callback ``(files done, files in all)`` drawing a bar on stderr."""
    bars: list[Any] = []

    def update(done: int, total: int) -> None:
        if not bars:
            bars.append(click.progressbar(length=total, label=label, file=sys.stderr))
            bars[0].__enter__()
        bars[0].update(done - bars[0].pos)
        if done >= total:
            bars[0].__exit__(None, None, None)

    return update


def main() -> None:
    """Entry point of the installed command: a bug in the tool is one line and exit 2, never a
    traceback (set TOOLKIT_DEBUG=1 to see it)."""
    import os

    try:
        cli(prog_name="toolkit")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("TOOLKIT_DEBUG"):
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {exc} (rerun with TOOLKIT_DEBUG=1 "
            "and report it)",
            err=True,
        )
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
