"""The differ: :func:`diff_schemas` walks two schema sets side by side, record type by
record type. :class:`_Differ` brings each pair of nodes to a comparable form (a lone ``$ref``
inlined, a ``oneOf`` of one-type entries folded into a type list, an ``if`` moved into the
other side's ``allOf``) and runs the comparers (:data:`_COMPARERS`, one per keyword family, in
order) on it."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from dataclasses import replace
from typing import Any

from toolkit.evolve.compat.compare_assertions import (
    _bounds,
    _dependent_required,
    _enum,
    _required_names,
    _text_keyword,
    _type,
    _unique_items,
)
from toolkit.evolve.compat.compare_combinators import _combinators, _conditional, _not
from toolkit.evolve.compat.compare_meta import _annotations, _documentation, _stamps, _unknown
from toolkit.evolve.compat.compare_refs import _definitions, _dynamic_ref, _ref
from toolkit.evolve.compat.compare_subschemas import (
    _contains,
    _dependent_schemas,
    _pattern_properties,
    _prefix_items,
    _properties,
    _subschema,
)
from toolkit.evolve.compat.prover import _DEPTH, _excludes
from toolkit.evolve.compat.schema_set import _Set
from toolkit.evolve.compat.values import (
    _FOR_TYPE,
    _canon,
    _has_ref,
    _list,
    _type_value,
    _types_of,
    _values_of,
)
from toolkit.evolve.compat.verdict import DOCUMENTATION_KEYWORDS, Change, Verdict
from toolkit.evolve.compat.walk import _WHAT, _Comparer, _Ctx, _Side


def diff_schemas(old: tuple[str, Mapping[str, Any]], new: tuple[str, Mapping[str, Any]]) -> Verdict:
    """Compare two schema sets record type by record type.

    :param old: ``(label, {record type: schema})`` as :func:`load_schema_set` returns.
    :param new: the same for the new set.
    :returns: the :class:`Verdict`, its changes sorted by record type and pointer.
    """
    before, after = _Set(*old), _Set(*new)
    differ = _Differ(before, after)
    names = sorted(set(before.docs) | set(after.docs))
    changes = [change for name in names for change in differ.record_type(name)]
    changes.sort(key=lambda c: (c.record_type, c.pointer, c.kind, c.reason))
    return Verdict(before.label, after.label, tuple(changes), tuple(names))


#: Where the version stamp is: the const every document's ``schema_version`` must equal.
_VERSION_DEF = ("defs", "/$defs/schema_version")


class _Differ:
    """Walks two schema sets side by side; ``$ref`` targets compared once each (memo), and a
    pair met again inside itself is taken as equal (a cycle)."""

    def __init__(self, old: _Set, new: _Set) -> None:
        self.old, self.new = old, new
        self._memo: dict[tuple[str, ...], tuple[Change, ...]] = {}
        self._active: set[tuple[Any, ...]] = set()
        self._cycles = 0

    def record_type(self, name: str) -> list[Change]:
        old, new = self.old.label, self.new.label
        if name not in self.old.docs:
            reason = f"record type {name} is new in {new}: no data of it exists yet"
            return [Change(name, "", "record-type-added", True, True, reason)]
        if name not in self.new.docs:
            reason = (
                f"record type {name} is gone from {new}: its data, valid under {old}, "
                "has no schema to be read with; no new data of it can exist"
            )
            return [Change(name, "", "record-type-removed", False, True, reason)]
        return list(self.target((name, ""), (name, "")))

    def target(self, old: tuple[str, str], new: tuple[str, str]) -> tuple[Change, ...]:
        """The changes between the node at *old* and the one at *new*, reported in the new
        node's file."""
        key = (*old, *new)
        if key in self._memo:
            return self._memo[key]
        home = new[0]
        ctx = _Ctx(home, _Side(self.old, *old, exact=old[0] == home), _Side(self.new, *new), new[1])
        cycles = self._cycles
        changes = tuple(self.node(ctx, self.old.at(*old), self.new.at(*new)))
        if cycles == self._cycles:
            self._memo[key] = changes
        return changes

    def node(self, ctx: _Ctx, old: Any, new: Any) -> Iterator[Change]:
        """Every change between subschemas *old* and *new* at *ctx*."""
        old, new = ({} if v is True else v for v in (old, new))
        if old is False or new is False:
            yield from self._boolean(ctx, old, new)
            return
        if not isinstance(old, dict) or not isinstance(new, dict):
            if _canon(old) != _canon(new):
                yield ctx.change(
                    (), "unknown-keyword", False, False, f"{ctx.subject()} is not a schema"
                )
            return
        aligned = yield from self._align(ctx, old, new)
        if aligned is None:
            return
        ctx, old, new = aligned
        key = (ctx.old.doc, ctx.old.ptr, ctx.old.exact, ctx.new.doc, ctx.new.ptr, ctx.new.exact)
        if key in self._active:
            self._cycles += 1
            return
        self._active.add(key)
        try:
            for compare in _COMPARERS:
                yield from compare(self, ctx, old, new)
        finally:
            self._active.discard(key)

    def stamp(self, ctx: _Ctx, before: dict[str, Any] | None, after: dict[str, Any] | None) -> bool:
        """Whether an enum/const change is the release's ``schema_version`` stamp: the const
        of ``defs.schema.json#/$defs/schema_version`` moving from the old set's version (that
        its ``$id``s carry) to the new one's."""
        if (ctx.new.doc, ctx.new.ptr) != _VERSION_DEF or (ctx.old.doc, ctx.old.ptr) != _VERSION_DEF:
            return False
        if not self.old.version or not self.new.version or before is None or after is None:
            return False
        return [*before] == [_canon(self.old.version)] and [*after] == [_canon(self.new.version)]

    def _boolean(self, ctx: _Ctx, old: Any, new: Any) -> Iterator[Change]:
        if old is False and new is False:
            return
        what = _WHAT.get(ctx.base, "values")
        if new is False:
            backward = _excludes(ctx.old_chain, ctx.old.node(old))
            text = f"{ctx.subject()} is now false: {what} that old data may hold are rejected"
            yield ctx.change((), f"{ctx.base}-closed", backward, True, text)
        else:
            forward = _excludes(ctx.new_chain, ctx.new.node(new))
            text = (
                f"{ctx.subject()} was false and now accepts {what}: readers on the old "
                "schema reject new data that has them"
            )
            yield ctx.change((), f"{ctx.base}-opened", True, forward, text)

    def _align(
        self, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
    ) -> Generator[Change, None, tuple[_Ctx, dict[str, Any], dict[str, Any]] | None]:
        """Bring both nodes to comparable form: a ``$ref`` with only documentation beside it
        facing a node without one is replaced by its target; a ``oneOf``/``anyOf`` of
        one-type entries becomes a type list; an ``if`` facing an ``allOf`` is moved in."""
        for _ in range(_DEPTH):
            side = "old" if _lone_ref(old) and "$ref" not in new else None
            side = side or ("new" if _lone_ref(new) and "$ref" not in old else None)
            if side is None:
                break
            current: _Side = getattr(ctx, side)
            node = old if side == "old" else new
            hit = current.where.resolve(current.doc, node["$ref"])
            if hit is None:
                text = (
                    f"$ref '{node['$ref']}' of {ctx.subject()} does not resolve in "
                    f"{current.where.label}"
                )
                here = {"in_old": side == "old", "in_new": side == "new"}
                yield ctx.change(("$ref",), "ref-unresolved", False, False, text, **here)
                return None
            inlined = _inlined(current.where.at(*hit), node)
            moved = _Side(current.where, *hit, exact=False)
            ctx = replace(ctx, old=moved) if side == "old" else replace(ctx, new=moved)
            if not isinstance(inlined, dict):
                yield from self.node(ctx, *((inlined, new) if side == "old" else (old, inlined)))
                return None
            old, new = (inlined, new) if side == "old" else (old, inlined)
        folded_old, folded_new = _fold(ctx.old, old), _fold(ctx.new, new)
        if (folded_old is None) != (folded_new is None):
            text = (
                f"{ctx.subject()}: a oneOf/anyOf of one-type entries is written as one schema "
                "with a type list (or back): the same data; compared keyword by keyword"
            )
            yield ctx.change((), "restated", True, True, text)
        if folded_old is not None:
            old, ctx = folded_old, replace(ctx, old=replace(ctx.old, exact=False))
        if folded_new is not None:
            new, ctx = folded_new, replace(ctx, new=replace(ctx.new, exact=False))
        lifted = _lift(old, new)
        if lifted is not None:
            which, node = lifted
            rebuilt = frozenset({"allOf", "if", "then", "else"})
            text = (
                f"{ctx.subject()}: the {which} schema's if/then/else is compared as an allOf entry"
            )
            yield ctx.change((), "restated", True, True, text)
            if which == "old":
                old, ctx = node, replace(ctx, old=replace(ctx.old, rebuilt=rebuilt))
            else:
                new, ctx = node, replace(ctx, new=replace(ctx.new, rebuilt=rebuilt))
        return ctx, old, new


def _lone_ref(node: Mapping[str, Any]) -> bool:
    """Whether *node* is a ``$ref`` with nothing but documentation beside it."""
    return isinstance(node.get("$ref"), str) and all(
        k == "$ref" or k in DOCUMENTATION_KEYWORDS for k in node
    )


_ROOT_ONLY = frozenset({"$id", "$schema", "$defs", "definitions", "$anchor", "$vocabulary"})


def _inlined(target: Any, referrer: Mapping[str, Any]) -> Any:
    """The node a lone ``$ref`` stands for: its target, the referrer's documentation kept."""
    if not isinstance(target, dict):
        return target
    out = {k: v for k, v in target.items() if k not in _ROOT_ONLY}
    out.update({k: v for k, v in referrer.items() if k in DOCUMENTATION_KEYWORDS})
    return out


def _fold(side: _Side, node: dict[str, Any]) -> dict[str, Any] | None:
    """*node* with its ``oneOf``/``anyOf`` of one-type entries merged into one schema with a
    type list, when that accepts exactly the same data (entries of disjoint types, each
    keyword of an entry applying only to its own types), else None."""
    if "type" in node:
        return None
    for keyword in ("oneOf", "anyOf"):
        entries = _list(node.get(keyword))
        if len(entries) < 2 or ({"oneOf", "anyOf"} - {keyword}) & node.keys():
            continue
        merged = _merge_entries(side, entries)
        if merged is None or (merged.keys() - {"type"}) & node.keys():
            return None
        rest = {k: v for k, v in node.items() if k != keyword}
        return {**rest, **merged}
    return None


def _merge_entries(side: _Side, entries: list[Any]) -> dict[str, Any] | None:
    merged: dict[str, Any] = {}
    seen: frozenset[str] = frozenset()
    for entry in entries:
        for _ in range(_DEPTH):
            if not (isinstance(entry, dict) and _lone_ref(entry)):
                break
            hit = side.where.target(side.doc, entry["$ref"])
            entry = None if hit is None else _inlined(hit.value, {})
        if not isinstance(entry, dict):
            return None
        kinds, values = _types_of(entry.get("type")), _values_of(entry)
        if values is not None:  # only {"const": null} or {"enum": [null]} stands for a type
            if "type" in entry or [*values.values()] != [None]:
                return None
            kinds = frozenset({"null"})
        rules = {
            k: v
            for k, v in entry.items()
            if k not in DOCUMENTATION_KEYWORDS | {"type", "const", "enum"}
        }
        if kinds is None or kinds & seen or _has_ref(rules) or rules.keys() & merged.keys():
            return None
        if any(not _FOR_TYPE.get(k, frozenset()) or not _FOR_TYPE[k] & kinds for k in rules):
            return None
        merged.update(rules)
        seen |= kinds
    value = _type_value(seen)
    if value is None:
        return None
    return {**merged, "type": value}


def _lift(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """When one side has an ``if`` at the node and the other, without one, an ``allOf``: the
    first with its if/then/else moved to the front of its ``allOf``."""
    if ("if" in old) == ("if" in new):
        return None
    which, node, other = ("old", old, new) if "if" in old else ("new", new, old)
    if not _list(other.get("allOf")):
        return None
    entry = {k: node[k] for k in ("if", "then", "else") if k in node}
    rest = {k: v for k, v in node.items() if k not in entry}
    return which, {**rest, "allOf": [entry, *_list(node.get("allOf"))]}


# --- the comparers, one per keyword family --------------------------------------------------

_COMPARERS: tuple[_Comparer, ...] = (
    _stamps,
    _documentation,
    _annotations,
    _ref,
    _type,
    _enum,
    _required_names,
    _properties,
    _pattern_properties,
    _subschema(
        "additionalProperties", "additional-properties", ("properties", "patternProperties")
    ),
    _subschema(
        "unevaluatedProperties", "unevaluated-properties", ("properties", "patternProperties")
    ),
    _subschema("propertyNames", "property-names"),
    _dependent_required,
    _dependent_schemas,
    _bounds,
    _text_keyword("pattern"),
    _text_keyword("format"),
    _unique_items,
    _prefix_items,
    _subschema("items", "items", ("prefixItems",)),
    _subschema("unevaluatedItems", "unevaluated-items", ("prefixItems",)),
    _contains,
    _not,
    _conditional,
    _combinators,
    _dynamic_ref,
    _definitions,
    _unknown,
)
