"""The semantic diff as text (a terminal), JSON (data: :meth:`DatasetDiff.to_dict`) or
Markdown (a pull request's job summary). Every string came from a contributor: the text form
writes control characters as escapes, the Markdown form escapes Markdown and HTML."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TextIO

from toolkit.report import printable
from toolkit.review.semantic_diff import DatasetDiff, RecordChange

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _totals(diff: DatasetDiff) -> str:
    c = diff.counts()
    return (
        f"{c['added']} record(s) added, {c['removed']} removed, {c['changed']} changed; "
        f"{len(diff.keys)} canonical key change(s); {len(diff.documents)} file change(s)"
    )


def _where(r: RecordChange) -> str:
    return f"{r.article_id} {r.record_type}" if r.article_id else r.record_type


def render_text(diff: DatasetDiff, stream: TextIO) -> None:
    write = stream.write
    write(f"semantic diff {printable(diff.base)} → {printable(diff.head)}\n")
    for article_id, change in diff.documents:
        write(f"  {printable(article_id)}: {printable(change)}\n")
    for r in diff.records:
        head = f"  {r.change} {printable(_where(r))} {printable(r.record_id)}"
        write(head + (f": {printable(r.summary)}" if r.summary else "") + "\n")
        for f in r.fields:
            write(f"      {printable(f.describe())}\n")
    for k in diff.keys:
        write(
            f"  canonical key {k.change}: {printable(k.before)} → {printable(k.after)} "
            f"({printable(', '.join(k.records))})\n"
        )
    write(("no semantic changes" if diff.empty else _totals(diff)) + "\n")


def render_json(diff: DatasetDiff, stream: TextIO) -> None:
    json.dump(diff.to_dict(), stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def md(text: str) -> str:
    """*text* as inert Markdown inside a line: HTML characters as entities, the marks of
    emphasis, links, tables and code escaped, line breaks as spaces."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def code(text: str) -> str:
    """*text* (an id, a key) as a Markdown code span, which shows it literally."""
    return "`" + " ".join(str(text).replace("`", "'").split()) + "`"


def render_markdown(diff: DatasetDiff, stream: TextIO) -> None:
    write = stream.write
    write(f"## Semantic diff: {md(diff.base)} → {md(diff.head)}\n\n")
    if diff.empty:
        write("No semantic changes to the dataset.\n")
        return
    write(f"{md(_totals(diff))}\n\n")
    if diff.documents:
        write("### Files\n\n")
        for article_id, change in diff.documents:
            write(f"- {code(article_id)}: {md(change)}\n")
        write("\n")
    if diff.keys:
        write("### Canonical keys\n\n")
        for k in diff.keys:
            records = ", ".join(code(r) for r in k.records)
            write(f"- **{k.change}** {code(k.before)} → {code(k.after)} ({records})\n")
        write("\n")
    current = None
    for r in diff.records:
        if r.article_id != current:
            current = r.article_id
            write(f"### {code(r.article_id) if r.article_id else 'Actor registry'}\n\n")
        summary = f": {md(r.summary)}" if r.summary else ""
        write(f"- **{r.change}** {md(r.record_type)} {code(r.record_id)}{summary}\n")
        for f in r.fields:
            write(f"  - {md(f.describe())}\n")
    write("\n")


RENDERERS: dict[str, Callable[[DatasetDiff, TextIO], None]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
