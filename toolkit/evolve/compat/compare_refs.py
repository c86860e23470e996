"""The comparers of references and definitions: ``$ref`` (both targets compared once, the
outcome reported at the referring node), ``$dynamicRef`` (not followed) and ``$defs``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from toolkit.evolve.compat.prover import _implies
from toolkit.evolve.compat.values import _consequence, _dict, _union
from toolkit.evolve.compat.verdict import Change, _shown_pointer
from toolkit.evolve.compat.walk import _Ctx, _Walker
from toolkit.registry import SCHEMA_SUFFIX


def _ref(d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before, after = old.get("$ref"), new.get("$ref")
    subject = ctx.subject()
    if isinstance(before, str) and isinstance(after, str):
        yield from _ref_pair(d, ctx, before, after)
    elif isinstance(after, str):
        backward = _implies(ctx.old_facts(old), ctx.new.node({"$ref": after}))
        text = f"$ref '{after}' added to {subject}: " + _consequence(
            backward, True, lost="old data must now also pass its target", gained=""
        )
        yield ctx.change(("$ref",), "ref-added", backward, True, text, in_old=False)
    elif isinstance(before, str):
        forward = _implies(ctx.new_facts(new), ctx.old.node({"$ref": before}))
        text = f"$ref '{before}' removed from {subject}: " + _consequence(
            True,
            forward,
            lost="",
            gained="new data may fail its target, which the old schema checks",
        )
        yield ctx.change(("$ref",), "ref-removed", True, forward, text, in_new=False)


def _ref_pair(d: _Walker, ctx: _Ctx, before: str, after: str) -> Iterator[Change]:
    """Both nodes are ``$ref``s: their targets are compared (once) and the outcome reported
    here, naming the target."""
    old_hit, new_hit = d.old.resolve(ctx.old.doc, before), d.new.resolve(ctx.new.doc, after)
    if old_hit is None or new_hit is None:
        ref, label = (before, d.old.label) if old_hit is None else (after, d.new.label)
        text = (
            f"$ref '{ref}' of {ctx.subject()} does not resolve in {label}: validation fails there"
        )
        yield ctx.change(("$ref",), "ref-unresolved", False, False, text)
        return
    relevant = [c for c in d.target(old_hit, new_hit) if _counts_at_referrer(c, new_hit[1])]
    name, was = _ref_name(new_hit), _ref_name(old_hit)
    moved = "" if was == name else f" (was {was})"
    subject = ctx.subject()
    if not relevant:
        if was != name:
            text = f"$ref of {subject} now names {name} instead of {was}; both accept the same data"
            yield ctx.change((), "ref-retargeted", True, True, text)
        return
    if all(c.kind == "version-stamp" for c in relevant):
        text = f"{subject} refers to {name}{moved}: " + "; ".join(c.reason for c in relevant)
        yield ctx.change((), "version-stamp", True, True, text)
        return
    backward, forward = all(c.backward for c in relevant), all(c.forward for c in relevant)
    listed = sorted(relevant, key=lambda c: (c.backward and c.forward, c.pointer))
    summary = ", ".join(f"{_shown_pointer(c.pointer)} {c.kind}" for c in listed[:3])
    summary += f" and {len(listed) - 3} more" if len(listed) > 3 else ""
    text = f"$ref target {name}{moved} of {subject} changed ({summary}; see {new_hit[0]}): "
    text += _consequence(
        backward,
        forward,
        lost="old data may now be rejected there",
        gained="new data may be rejected there by readers on the old schema",
    )
    yield ctx.change((), "ref-target", backward, forward, text)


def _counts_at_referrer(change: Change, target: str) -> bool:
    """Whether a change inside a ``$ref`` target matters to a node that refers to it (not
    documentation, not the file's own ``$id``, not inside its ``$defs``)."""
    inner = change.pointer.removeprefix(target) if change.pointer.startswith(target) else ""
    if change.kind in ("documentation", "restated"):
        return False
    if change.kind == "version-stamp" and inner in ("/$id", "/$schema"):
        return False
    return "/$defs/" not in inner + "/" and "/definitions/" not in inner + "/"


def _ref_name(hit: tuple[str, str]) -> str:
    return f"{hit[0]}{SCHEMA_SUFFIX}" + (f"#{hit[1]}" if hit[1] else "")


def _dynamic_ref(
    d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
) -> Iterator[Change]:
    before, after = old.get("$dynamicRef"), new.get("$dynamicRef")
    if before != after:
        text = f"$dynamicRef of {ctx.subject()} changed: resolved at validation time, not followed"
        yield ctx.change(
            ("$dynamicRef",),
            "dynamic-ref-changed",
            False,
            False,
            text,
            in_old=before is not None,
            in_new=after is not None,
        )


def _definitions(
    d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
) -> Iterator[Change]:
    for keyword in ("$defs", "definitions"):
        before, after = _dict(old.get(keyword)), _dict(new.get(keyword))
        for name in _union(after, before):
            keys = (keyword, name)
            label = f"{keyword}/{name} of {ctx.subject()}"
            if name in before and name in after:
                old_at, new_at = ctx.old.at(keys), ctx.new.at(keys)
                if old_at is not None and new_at is not None:  # the memo serves its $refs too
                    yield from d.target((ctx.old.doc, old_at), (ctx.new.doc, new_at))
                else:
                    yield from d.node(ctx.down(keys), before[name], after[name])
            elif name in after:
                text = f"{label} is new: it changes nothing by itself; a $ref to it is judged there"
                yield ctx.change(keys, "definition-added", True, True, text, in_old=False)
            else:
                text = f"{label} is gone: a $ref that still names it fails, and is reported there"
                yield ctx.change(keys, "definition-removed", True, True, text, in_new=False)
