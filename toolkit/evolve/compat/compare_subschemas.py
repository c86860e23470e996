"""The comparers of the keywords that apply subschemas to parts of the instance: for objects
``properties``, ``patternProperties``, ``additionalProperties``, ``unevaluatedProperties``,
``propertyNames`` and ``dependentSchemas``; for arrays ``prefixItems``, ``items``,
``unevaluatedItems`` and ``contains``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from toolkit.evolve.compat.prover import _flatten, _forbids, _implies, _prop
from toolkit.evolve.compat.schema_set import _N
from toolkit.evolve.compat.values import (
    _canon,
    _consequence,
    _dict,
    _has_ref,
    _list,
    _strings,
    _trivial,
    _union,
)
from toolkit.evolve.compat.verdict import Change
from toolkit.evolve.compat.walk import _WHAT, _blurred, _Comparer, _Ctx, _Walker


def _properties(
    d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
) -> Iterator[Change]:
    before, after = _dict(old.get("properties")), _dict(new.get("properties"))
    for key in _union(after, before):
        if key in before and key in after:
            yield from d.node(ctx.child(("properties", key), key), before[key], after[key])
        elif key in after:
            yield _property_added(ctx, old, new, key)
        else:
            yield _property_removed(ctx, old, new, key)


def _property_added(ctx: _Ctx, old: dict[str, Any], new: dict[str, Any], key: str) -> Change:
    schema = new["properties"][key]
    old_facts = _flatten(ctx.old_facts(old))
    shut = _forbids(old_facts, key)
    backward = _implies(old_facts, ctx.new.node({"properties": {key: schema}}))
    rule = _leftover(old_facts, key)
    premises = [ctx.new.node(schema), *_prop(_flatten(ctx.new_chain), key)]
    forward = not shut and rule is not None and all(_implies(premises, r) for r in rule)
    subject = ctx.subject()
    if shut:
        text = (
            f"property '{key}' added to {subject}: old data never carries it (the old object "
            "does not allow it), so old data still passes; readers on the old schema reject "
            f"new data that carries '{key}'"
        )
    else:
        first = (
            "the old schema already constrained it as tightly"
            if backward
            else f"the old object is open, so old data may carry '{key}' with a value now rejected"
        )
        second = (
            "readers on the old schema accept it"
            if forward
            else f"new data's '{key}' may fail the old schema's rule for it"
        )
        text = f"property '{key}' added to {subject}: {first}; {second}"
    if key in _strings(new.get("required")):
        text += " (it is also required)"
    return ctx.change(("properties", key), "property-added", backward, forward, text, in_old=False)


def _property_removed(ctx: _Ctx, old: dict[str, Any], new: dict[str, Any], key: str) -> Change:
    schema = old["properties"][key]
    new_facts = _flatten(ctx.new_facts(new))
    shut = _forbids(new_facts, key)
    rule = _leftover(new_facts, key)
    premises = [ctx.old.node(schema), *_prop(_flatten(ctx.old_chain), key)]
    backward = _forbids(_flatten(ctx.old_chain), key) or (
        not shut and rule is not None and all(_implies(premises, r) for r in rule)
    )
    forward = shut or _implies(
        [*(rule or []), *_prop(_flatten(ctx.new_chain), key)], ctx.old.node(schema)
    )
    subject = ctx.subject()
    if shut:
        text = (
            f"property '{key}' removed from {subject}: the new object does not allow it, so "
            f"old data that carries '{key}' is rejected; new data never carries it"
        )
    else:
        second = (
            "readers on the old schema accept it"
            if forward
            else "new data may carry any value there, which the old rule for it may reject"
        )
        text = (
            f"property '{key}' removed from {subject}: the new object is open there, so "
            f"old data still passes; {second}"
        )
    return ctx.change(
        ("properties", key), "property-removed", backward, forward, text, in_new=False
    )


def _leftover(facts: Sequence[_N], key: str) -> list[_N] | None:
    """The rules an object valid under *facts* applies to property *key*; None when
    ``patternProperties`` might match it (regular expressions are not compared), or
    ``unevaluatedProperties`` or ``propertyNames`` might judge it."""
    out: list[_N] = []
    for node in facts:
        value = _dict(node.value)
        named = _dict(value.get("properties"))
        if not all(
            _trivial(value.get(k, True)) for k in ("unevaluatedProperties", "propertyNames")
        ):
            return None
        if key in named:
            out.append(_N(node.where, node.doc, named[key]))
        elif value.get("patternProperties"):
            return None
        elif "additionalProperties" in value:
            out.append(_N(node.where, node.doc, value["additionalProperties"]))
    return out


# --- a keyword holding one subschema --------------------------------------------------------


def _shape(schema: Any) -> str:
    if schema is None or _trivial(schema):
        return "true"
    return "false" if schema is False else "schema"


def _subschema(keyword: str, base: str, companions: tuple[str, ...] = ()) -> _Comparer:
    """A keyword holding one subschema (absent is ``true``): compared node by node, or as a
    whole when one side is absent, ``true`` or ``false``."""

    def compare(
        d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
    ) -> Iterator[Change]:
        before, after = old.get(keyword), new.get(keyword)
        if (before is None and after is None) or (
            _canon(before) == _canon(after) and not _has_ref(before)
        ):
            return
        if _shape(before) == _shape(after) and _shape(before) != "false":
            sub = ctx.down((keyword,), in_old=keyword in old, in_new=keyword in new, base=base)
            yield from d.node(
                sub, True if before is None else before, True if after is None else after
            )
            return

        def piece(value: Any, node: dict[str, Any]) -> dict[str, Any]:
            return {keyword: value, **_companions(node, companions)}

        yield _transition(ctx, (keyword,), base, (old, before), (new, after), piece)

    return compare


def _companions(node: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        if name == "properties" and name in node:
            out[name] = dict.fromkeys(_dict(node[name]), True)
        elif name == "prefixItems" and name in node:
            out[name] = [True] * len(_list(node[name]))
        elif name in node:
            out[name] = node[name]
    return out


def _transition(
    ctx: _Ctx,
    keys: tuple[str, ...],
    base: str,
    old: tuple[dict[str, Any], Any],
    new: tuple[dict[str, Any], Any],
    piece: Callable[[Any, dict[str, Any]], dict[str, Any]],
) -> Change:
    """A subschema keyword that one side leaves out (``true``) or closes (``false``)."""
    (old_node, before), (new_node, after) = old, new
    shape_old, shape_new = _shape(before), _shape(after)
    where = f"{'/'.join(keys)} of {ctx.subject()}"
    what = _WHAT.get(base, "values")
    backward = forward = True
    if shape_new == "false" or shape_old == "true":
        backward = _implies(ctx.old_facts(old_node), ctx.new.node(piece(after, new_node)))
    if shape_old == "false" or shape_new == "true":
        forward = _implies(ctx.new_facts(new_node), ctx.old.node(piece(before, old_node)))
    if shape_new == "false":
        kind, head = "closed", f"{where} is now false"
    elif shape_old == "false":
        kind, head = "opened", f"{where} was false and now accepts {what}"
    elif shape_old == "true":
        kind, head = "added", f"{where} added: {what} are now checked against it"
    else:
        kind, head = "removed", f"{where} removed: {what} are no longer checked"
    text = f"{head}: " + _consequence(
        backward,
        forward,
        lost=f"{what} that old data may hold can now be rejected",
        gained=f"new data may hold {what} that readers on the old schema reject",
    )
    present = {"in_old": before is not None, "in_new": after is not None}
    return ctx.change(keys, f"{base}-{kind}", backward, forward, text, **present)


# --- objects --------------------------------------------------------------------------------


def _pattern_properties(
    d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
) -> Iterator[Change]:
    before, after = _dict(old.get("patternProperties")), _dict(new.get("patternProperties"))
    subject = ctx.subject()
    for pattern in _union(after, before):
        keys = ("patternProperties", pattern)
        if pattern in before and pattern in after:
            yield from d.node(ctx.down(keys), before[pattern], after[pattern])
            continue
        if pattern in after:
            schema = after[pattern]
            piece = {"patternProperties": {pattern: schema}}
            backward = _trivial(schema) or _implies(ctx.old_facts(old), ctx.new.node(piece))
            forward = "unevaluatedProperties" not in old and _implies(
                [ctx.new.node(schema)], ctx.old.node(old.get("additionalProperties", True))
            )
            text = f"patternProperties '{pattern}' added to {subject}: " + _consequence(
                backward,
                forward,
                lost="old data's properties whose names match it may fail it",
                gained="new data may carry matching properties the old schema rejects",
            )
            yield ctx.change(keys, "pattern-property-added", backward, forward, text, in_old=False)
            continue
        schema = before[pattern]
        backward = "unevaluatedProperties" not in new and _implies(
            [ctx.old.node(schema)], ctx.new.node(new.get("additionalProperties", True))
        )
        forward = _trivial(schema) or _implies(
            ctx.new_facts(new), ctx.old.node({"patternProperties": {pattern: schema}})
        )
        text = f"patternProperties '{pattern}' removed from {subject}: " + _consequence(
            backward,
            forward,
            lost="old data's properties whose names match it now fall to additionalProperties",
            gained="new data's matching properties are no longer checked by it",
        )
        yield ctx.change(keys, "pattern-property-removed", backward, forward, text, in_new=False)


def _dependent_schemas(
    d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
) -> Iterator[Change]:
    before, after = _dict(old.get("dependentSchemas")), _dict(new.get("dependentSchemas"))
    for key in _union(after, before):
        was, now = before.get(key), after.get(key)
        if _canon(was) == _canon(now) and not _has_ref(was):
            continue
        keys = ("dependentSchemas", key)
        if _shape(was) == _shape(now) and _shape(was) != "false":
            sub = ctx.inplace(
                keys, old, new, in_old=key in before, in_new=key in after, base="dependent-schema"
            )
            yield from d.node(sub, True if was is None else was, True if now is None else now)
            continue

        def piece(value: Any, node: dict[str, Any], key: str = key) -> dict[str, Any]:
            return {"dependentSchemas": {key: value}}

        yield _transition(ctx, keys, "dependent-schema", (old, was), (new, now), piece)


# --- arrays ---------------------------------------------------------------------------------


def _prefix_items(
    d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
) -> Iterator[Change]:
    before, after = _list(old.get("prefixItems")), _list(new.get("prefixItems"))
    for i in range(min(len(before), len(after))):
        yield from d.node(ctx.down(("prefixItems", str(i))), before[i], after[i])
    old_rest, new_rest = old.get("items", True), new.get("items", True)
    subject = ctx.subject()
    for i in range(len(before), len(after)):
        backward = _implies([ctx.old.node(old_rest)], ctx.new.node(after[i]))
        forward = _implies([ctx.new.node(after[i])], ctx.old.node(old_rest))
        text = f"prefixItems of {subject} gained entry {i}: " + _consequence(
            backward,
            forward,
            lost=f"item {i} of old arrays, checked by items before, may fail it",
            gained=f"item {i} of new arrays may fail the old items schema",
        )
        yield ctx.change(
            ("prefixItems", str(i)), "prefix-items-added", backward, forward, text, in_old=False
        )
    for i in range(len(after), len(before)):
        backward = _implies([ctx.old.node(before[i])], ctx.new.node(new_rest))
        forward = _implies([ctx.new.node(new_rest)], ctx.old.node(before[i]))
        text = f"prefixItems of {subject} lost entry {i}: " + _consequence(
            backward,
            forward,
            lost=f"item {i} of old arrays now falls to items and may fail it",
            gained=f"item {i} of new arrays may fail the old entry",
        )
        yield ctx.change(
            ("prefixItems", str(i)), "prefix-items-removed", backward, forward, text, in_new=False
        )


def _contains(d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before, after = old.get("contains"), new.get("contains")
    if before is None and after is None:
        return
    names = ("contains", "minContains", "maxContains")
    subject = ctx.subject()
    if before is None:
        backward = _implies(
            ctx.old_facts(old), ctx.new.node({k: new[k] for k in names if k in new})
        )
        text = f"contains added to {subject}: " + (
            "the old schema already ensures it"
            if backward
            else "old arrays without a matching item are now rejected"
        )
        yield ctx.change(("contains",), "contains-added", backward, True, text, in_old=False)
    elif after is None:
        forward = _implies(ctx.new_facts(new), ctx.old.node({k: old[k] for k in names if k in old}))
        text = f"contains removed from {subject}: " + (
            "the new schema still ensures it"
            if forward
            else "new arrays without a matching item are rejected by readers on the old schema"
        )
        yield ctx.change(("contains",), "contains-removed", True, forward, text, in_new=False)
    elif _canon(before) != _canon(after) or _has_ref(before):
        inner = d.node(ctx.down(("contains",)), before, after)
        if "maxContains" in old or "maxContains" in new:
            yield from _blurred(
                inner,
                "with maxContains, matching more items breaks the count as matching fewer does",
            )
        else:
            yield from inner
