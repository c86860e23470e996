"""The comparers of the keywords that judge no data: documentation, the version stamps
(``$id``, ``$schema``), annotations, and keywords Draft 2020-12 does not define."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from toolkit.evolve.compat.values import _FOR_TYPE, _canon, _union
from toolkit.evolve.compat.verdict import DOCUMENTATION_KEYWORDS, Change
from toolkit.evolve.compat.walk import _Ctx, _Walker


def _documentation(
    d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
) -> Iterator[Change]:
    for keyword in sorted(DOCUMENTATION_KEYWORDS & (old.keys() | new.keys())):
        if _canon(old.get(keyword)) != _canon(new.get(keyword)):
            verb = "added" if keyword not in old else "removed" if keyword not in new else "changed"
            text = (
                f"{keyword} of {ctx.subject()} {verb}: documentation only, no data is judged anew"
            )
            yield ctx.change(
                (keyword,),
                "documentation",
                True,
                True,
                text,
                in_old=keyword in old,
                in_new=keyword in new,
            )


def _stamps(d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    for keyword in ("$id", "$schema"):
        before, after = old.get(keyword), new.get(keyword)
        if keyword in old.keys() | new.keys() and before != after:
            versions = f"/{d.old.version}/", f"/{d.new.version}/"
            moved = (
                f"follows the release from {d.old.version} to {d.new.version}"
                if isinstance(before, str) and before.replace(*versions) == after
                else f"moves from {before!r} to {after!r}"
            )
            text = f"{keyword} {moved}: expected in a release, not counted against compatibility"
            yield ctx.change(
                (keyword,),
                "version-stamp",
                True,
                True,
                text,
                in_old=keyword in old,
                in_new=keyword in new,
            )


def _annotations(
    d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
) -> Iterator[Change]:
    for keyword in (
        "contentEncoding",
        "contentMediaType",
        "contentSchema",
        "$anchor",
        "$dynamicAnchor",
        "$vocabulary",
    ):
        if _canon(old.get(keyword)) != _canon(new.get(keyword)):
            text = (
                f"{keyword} of {ctx.subject()} changed: Draft 2020-12 validators do not assert it"
            )
            yield ctx.change(
                (keyword,),
                "annotation",
                True,
                True,
                text,
                in_old=keyword in old,
                in_new=keyword in new,
            )


def _unknown(d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    for keyword in _union(new, old):
        if keyword not in _KNOWN and _canon(old.get(keyword)) != _canon(new.get(keyword)):
            text = (
                f"{keyword!r} of {ctx.subject()} changed; it is not a Draft 2020-12 keyword, so "
                "validators ignore it (a misspelt keyword?)"
            )
            yield ctx.change(
                (keyword,),
                "unknown-keyword",
                True,
                True,
                text,
                in_old=keyword in old,
                in_new=keyword in new,
            )


#: Every keyword a comparer reads.
_KNOWN = (
    DOCUMENTATION_KEYWORDS
    | _FOR_TYPE.keys()
    | {"$id", "$schema", "$ref", "$dynamicRef", "$defs", "definitions", "type", "enum", "const"}
    | {"contentEncoding", "contentMediaType", "contentSchema", "$anchor", "$dynamicAnchor"}
    | {"$vocabulary", "not", "if", "then", "else", "allOf", "anyOf", "oneOf"}
)
