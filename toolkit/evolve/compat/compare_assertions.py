"""The comparers of the keywords that assert on the instance itself: ``type``,
``enum``/``const``, ``required``, ``dependentRequired``, the length, size, count and numeric
bounds and ``multipleOf``, ``pattern``, ``format`` and ``uniqueItems``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

from toolkit.evolve.compat.prover import _implies
from toolkit.evolve.compat.values import (
    _bound,
    _canon,
    _consequence,
    _dict,
    _is_number,
    _show,
    _strings,
    _type_names,
    _types_of,
    _union,
    _values_of,
)
from toolkit.evolve.compat.verdict import Change
from toolkit.evolve.compat.walk import _Comparer, _Ctx, _Walker


def _type(d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before, after = _types_of(old.get("type")), _types_of(new.get("type"))
    if before == after:
        return
    backward = (
        after is None
        or (before is not None and before <= after)
        or _implies(ctx.old_facts(old), ctx.new.node({"type": new["type"]}))
    )
    forward = (
        before is None
        or (after is not None and after <= before)
        or _implies(ctx.new_facts(new), ctx.old.node({"type": old["type"]}))
    )
    subject = ctx.subject()
    if before is None or after is None:
        kind = "type-added" if before is None else "type-removed"
        head = (
            f"type {_names(after)} added to {subject}"
            if after is not None
            else f"type {_names(before)} removed from {subject}"
        )
        lost, gained = "other types", "other types"
    else:
        kind = (
            "type-widened"
            if before < after
            else "type-narrowed"
            if after < before
            else "type-changed"
        )
        verb = kind.removeprefix("type-")
        head = f"type of {subject} {verb} from {_names(before)} to {_names(after)}"
        lost, gained = _names(before - after), _names(after - before)
    text = f"{head}: " + _consequence(
        backward,
        forward,
        lost=f"data written as {lost} is now rejected",
        gained=f"data written as {gained} is rejected by readers on the old schema",
    )
    yield ctx.change(
        ("type",), kind, backward, forward, text, in_old="type" in old, in_new="type" in new
    )


def _names(kinds: frozenset[str] | None) -> str:
    return " or ".join(_type_names(kinds or ())) or "nothing"


def _enum(d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before, after = _values_of(old), _values_of(new)
    if before is None and after is None:
        return
    if before is not None and after is not None and before.keys() == after.keys():
        return
    keyword = "const" if "const" in new or ("enum" not in new and "const" in old) else "enum"
    where = {"in_old": keyword in old, "in_new": keyword in new}
    subject = ctx.subject()
    if d.stamp(ctx, before, after):
        text = (
            f"schema_version const of {subject} moves from '{d.old.version}' to "
            f"'{d.new.version}' with the release: expected in every release (a migration "
            "restamps documents), not counted against compatibility"
        )
        yield ctx.change((keyword,), "version-stamp", True, True, text, **where)
        return
    lost = [v for k, v in (before or {}).items() if after is not None and k not in after]
    gained = [v for k, v in (after or {}).items() if before is not None and k not in before]
    backward = after is None or (before is not None and not lost)
    backward = backward or _implies(
        ctx.old_facts(old), ctx.new.node({"enum": [*(after or {}).values()]})
    )
    forward = before is None or (after is not None and not gained)
    forward = forward or _implies(
        ctx.new_facts(new), ctx.old.node({"enum": [*(before or {}).values()]})
    )
    if before is None or after is None:
        kind = "enum-added" if before is None else "enum-removed"
        head = (
            f"{keyword} {_show([*after.values()])} added to {subject}"
            if after is not None
            else f"{keyword} {_show([*(before or {}).values()])} removed from {subject}"
        )
    else:
        kind = "enum-widened" if not lost else "enum-narrowed" if not gained else "enum-changed"
        parts = [f"lost {_show(lost)}"] * bool(lost) + [f"gained {_show(gained)}"] * bool(gained)
        head = f"{keyword} of {subject} " + " and ".join(parts)
    text = f"{head}: " + _consequence(
        backward,
        forward,
        lost=f"data written with {_show(lost)} is now rejected"
        if lost
        else "old data with any other value is now rejected",
        gained=f"data written with {_show(gained)} is rejected by readers on the old schema"
        if gained
        else "new data may hold values the old schema rejects",
    )
    yield ctx.change((keyword,), kind, backward, forward, text, **where)


def _required_names(
    d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
) -> Iterator[Change]:
    before, after = _strings(old.get("required")), _strings(new.get("required"))
    subject = ctx.subject()
    for name in (n for n in after if n not in before):
        backward = _implies(ctx.old_facts(old), ctx.new.node({"required": [name]}))
        effect = (
            "the old schema already ensures it, so nothing changes"
            if backward
            else "old data without it is now rejected"
        )
        text = f"{subject} now requires '{name}': {effect}"
        yield ctx.change(
            ("required",), "required-gained", backward, True, text, in_old="required" in old
        )
    for name in (n for n in before if n not in after):
        forward = _implies(ctx.new_facts(new), ctx.old.node({"required": [name]}))
        effect = (
            "the new schema still ensures it, so nothing changes"
            if forward
            else "new data may omit it, which readers on the old schema reject"
        )
        text = f"{subject} no longer requires '{name}': {effect}"
        yield ctx.change(
            ("required",), "required-lost", True, forward, text, in_new="required" in new
        )


def _dependent_required(
    d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
) -> Iterator[Change]:
    before, after = _dict(old.get("dependentRequired")), _dict(new.get("dependentRequired"))
    subject = ctx.subject()
    for key in _union(after, before):
        had, has = _strings(before.get(key)), _strings(after.get(key))
        keys = ("dependentRequired", key)
        for name in (n for n in has if n not in had):
            backward = _implies(
                ctx.old_facts(old), ctx.new.node({"dependentRequired": {key: [name]}})
            )
            text = f"{subject} now requires '{name}' when '{key}' is present: " + (
                "the old schema already ensures it"
                if backward
                else "old data without it is now rejected"
            )
            yield ctx.change(
                keys, "dependent-required-gained", backward, True, text, in_old=key in before
            )
        for name in (n for n in had if n not in has):
            forward = _implies(
                ctx.new_facts(new), ctx.old.node({"dependentRequired": {key: [name]}})
            )
            text = f"{subject} no longer requires '{name}' when '{key}' is present: " + (
                "the new schema still ensures it"
                if forward
                else "new data may omit it, which readers on the old schema reject"
            )
            yield ctx.change(
                keys, "dependent-required-lost", True, forward, text, in_new=key in after
            )


# --- bounds ---------------------------------------------------------------------------------

_COUNTS = (
    ("minLength", "characters", True),
    ("maxLength", "characters", False),
    ("minItems", "items", True),
    ("maxItems", "items", False),
    ("minProperties", "properties", True),
    ("maxProperties", "properties", False),
    ("minContains", "matching items", True),
    ("maxContains", "matching items", False),
)


def _bounds(d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    for keyword, unit, lower in _COUNTS:
        yield from _count_bound(ctx, old, new, keyword, unit, lower)
    for lower in (True, False):
        yield from _numeric_bound(ctx, old, new, lower)
    yield from _multiple_of(ctx, old, new)


def _count_bound(
    ctx: _Ctx, old: dict[str, Any], new: dict[str, Any], keyword: str, unit: str, lower: bool
) -> Iterator[Change]:
    if keyword.endswith("Contains") and "contains" not in old and "contains" not in new:
        return  # without contains it has no effect
    default = (1 if keyword == "minContains" else 0) if lower else None
    before, after = _count(old.get(keyword), default), _count(new.get(keyword), default)
    if before == after:
        return
    tighter, looser = _stricter(after, before, lower), _stricter(before, after, lower)
    backward = not tighter or _implies(
        ctx.old_facts(old), ctx.new.node(_count_piece(new, keyword, after))
    )
    forward = not looser or _implies(
        ctx.new_facts(new), ctx.old.node(_count_piece(old, keyword, before))
    )
    subject = ctx.subject()
    if keyword not in old:
        kind, head = "bound-added", f"{keyword} {after} added to {subject}"
    elif keyword not in new:
        kind, head = "bound-removed", f"{keyword} {before} removed from {subject}"
    else:
        kind = "bound-tightened" if tighter else "bound-loosened"
        verb = "raised" if (after or 0) > (before or 0) else "lowered"
        head = f"{keyword} of {subject} {verb} from {before} to {after}"
    over = "fewer than" if lower else "more than"
    text = f"{head}: " + _consequence(
        backward,
        forward,
        lost=f"old data with {over} {after} {unit} is now rejected",
        gained=f"new data with {over} {before} {unit} is rejected by readers on the old schema",
    )
    yield ctx.change(
        (keyword,), kind, backward, forward, text, in_old=keyword in old, in_new=keyword in new
    )


def _count_piece(node: Mapping[str, Any], keyword: str, value: Any) -> dict[str, Any]:
    """The constraint a count bound sets: ``minContains``/``maxContains`` only with the
    ``contains`` they count."""
    if keyword.endswith("Contains"):
        return {keyword: value, "contains": node.get("contains", True)}
    return {keyword: value}


def _count(value: Any, default: int | None) -> Any:
    return value if _is_number(value) else default


def _stricter(a: Any, b: Any, lower: bool) -> bool:
    """Whether count bound *a* is stricter than *b* (None: no upper bound)."""
    if lower:
        return bool(a > b)
    return a is not None and (b is None or a < b)


def _numeric_bound(
    ctx: _Ctx, old: dict[str, Any], new: dict[str, Any], lower: bool
) -> Iterator[Change]:
    before, after = _bound(old, lower), _bound(new, lower)
    if before is None and after is None:
        return
    if before is not None and after is not None and before.key() == after.key():
        return
    tighter = after is not None and after.tighter_than(before)
    looser = before is not None and before.tighter_than(after)
    backward = not tighter or (
        after is not None
        and _implies(ctx.old_facts(old), ctx.new.node({after.keyword: after.value}))
    )
    forward = not looser or (
        before is not None
        and _implies(ctx.new_facts(new), ctx.old.node({before.keyword: before.value}))
    )
    side, subject = "lower" if lower else "upper", ctx.subject()
    if before is None and after is not None:
        kind, head, keyword = (
            "bound-added",
            f"{side} bound {after.shown()} added to {subject}",
            after.keyword,
        )
    elif after is None and before is not None:
        kind, head, keyword = (
            "bound-removed",
            f"{side} bound {before.shown()} removed from {subject}",
            before.keyword,
        )
    elif before is not None and after is not None:
        kind = "bound-tightened" if tighter else "bound-loosened"
        head = f"{side} bound of {subject} moved from {before.shown()} to {after.shown()}"
        keyword = after.keyword
    text = f"{head}: " + _consequence(
        backward,
        forward,
        lost=f"old numbers outside {after.shown() if after else ''} are now rejected",
        gained=f"the old schema rejects new numbers outside {before.shown() if before else ''}",
    )
    yield ctx.change(
        (keyword,), kind, backward, forward, text, in_old=keyword in old, in_new=keyword in new
    )


def _multiple_of(ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before, after = old.get("multipleOf"), new.get("multipleOf")
    has_old, has_new = _positive(before), _positive(after)
    if not (has_old or has_new) or _canon(before) == _canon(after):
        return
    if has_old and has_new:
        ratio = Fraction(str(after)) / Fraction(str(before))
        tighter, looser = ratio.denominator == 1, ratio.numerator == 1
    else:
        tighter, looser = not has_old, not has_new
    backward = looser or _implies(ctx.old_facts(old), ctx.new.node({"multipleOf": after}))
    forward = tighter or _implies(ctx.new_facts(new), ctx.old.node({"multipleOf": before}))
    subject = ctx.subject()
    if not has_old:
        kind, head = "bound-added", f"multipleOf {after} added to {subject}"
    elif not has_new:
        kind, head = "bound-removed", f"multipleOf {before} removed from {subject}"
    else:
        kind = "bound-tightened" if tighter else "bound-loosened" if looser else "bound-changed"
        head = f"multipleOf of {subject} changed from {before} to {after}"
    text = f"{head}: " + _consequence(
        backward,
        forward,
        lost=f"old numbers that are not multiples of {after} are now rejected",
        gained=f"the old schema rejects new numbers that are not multiples of {before}",
    )
    yield ctx.change(("multipleOf",), kind, backward, forward, text, in_old=has_old, in_new=has_new)


def _positive(value: Any) -> bool:
    return _is_number(value) and bool(value > 0)


# --- strings and arrays ---------------------------------------------------------------------


def _text_keyword(keyword: str) -> _Comparer:
    """``pattern`` or ``format``: equal, added, removed, or changed (never compared)."""

    def compare(
        d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
    ) -> Iterator[Change]:
        before, after = old.get(keyword), new.get(keyword)
        if before == after:
            return
        backward = after is None or _implies(ctx.old_facts(old), ctx.new.node({keyword: after}))
        forward = before is None or _implies(ctx.new_facts(new), ctx.old.node({keyword: before}))
        subject = ctx.subject()
        if before is None:
            kind, head = f"{keyword}-added", f"{keyword} {_show([after])} added to {subject}"
        elif after is None:
            kind, head = f"{keyword}-removed", f"{keyword} {_show([before])} removed from {subject}"
        else:
            kind = f"{keyword}-changed"
            head = f"{keyword} of {subject} changed from {_show([before])} to {_show([after])}"
            if keyword == "pattern":
                head += " (two regular expressions cannot be compared)"
        fails = "do not match" if keyword == "pattern" else "are not valid as"
        text = f"{head}: " + _consequence(
            backward,
            forward,
            lost=f"old strings that {fails} {_show([after])} are now rejected",
            gained=f"the old schema rejects new strings that {fails} {_show([before])}",
        )
        yield ctx.change(
            (keyword,), kind, backward, forward, text, in_old=keyword in old, in_new=keyword in new
        )

    return compare


def _unique_items(
    d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
) -> Iterator[Change]:
    before, after = old.get("uniqueItems") is True, new.get("uniqueItems") is True
    if before == after:
        return
    present = {"in_old": "uniqueItems" in old, "in_new": "uniqueItems" in new}
    if after:
        backward = _implies(ctx.old_facts(old), ctx.new.node({"uniqueItems": True}))
        text = f"uniqueItems turned on for {ctx.subject()}: " + (
            "the old schema already ensured it"
            if backward
            else "old arrays that repeat an item are now rejected"
        )
        yield ctx.change(("uniqueItems",), "unique-items-on", backward, True, text, **present)
    else:
        forward = _implies(ctx.new_facts(new), ctx.old.node({"uniqueItems": True}))
        text = f"uniqueItems turned off for {ctx.subject()}: " + (
            "the new schema still ensures it"
            if forward
            else "new arrays may repeat an item, which readers on the old schema reject"
        )
        yield ctx.change(("uniqueItems",), "unique-items-off", True, forward, text, **present)
