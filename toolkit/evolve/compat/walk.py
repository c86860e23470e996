"""Where the walk over two schema sets is: each version's file and pointer (:class:`_Side`),
the position with the facts of the enclosing nodes (:class:`_Ctx`), what a comparer asks of
the walk (:class:`_Walker`, which the differ is), and what a nested position does to the
changes found there (:func:`_flipped`, :func:`_blurred`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from toolkit.evolve.compat.schema_set import _N, _pointer, _Set
from toolkit.evolve.compat.values import _IN_PLACE, _canon, _dict, _has_ref, _strings, _union
from toolkit.evolve.compat.verdict import Change
from toolkit.registry import SCHEMA_SUFFIX


@dataclass(frozen=True)
class _Side:
    """Where one version's node is: its file and pointer, and whether the pointer is where
    the node is written (not when a ``$ref`` was inlined or the node rewritten)."""

    where: _Set
    doc: str
    ptr: str
    exact: bool = True
    rebuilt: frozenset[str] = frozenset()

    def at(self, keys: tuple[str, ...]) -> str | None:
        if not self.exact or (keys and keys[0] in self.rebuilt):
            return None
        return self.ptr + _pointer(keys)

    def down(self, keys: tuple[str, ...], present: bool) -> _Side:
        exact = self.exact and present and not (keys and keys[0] in self.rebuilt)
        return _Side(self.where, self.doc, self.ptr + _pointer(keys), exact)

    def node(self, value: Any) -> _N:
        return _N(self.where, self.doc, value)


@dataclass(frozen=True)
class _Ctx:
    """The walk's position: both sides, the pointer of the record type's file to report at
    when a side is not written where it is, and the facts of the enclosing nodes (their
    keywords that hold of the same instance)."""

    home: str
    old: _Side
    new: _Side
    anchor: str
    old_chain: tuple[_N, ...] = ()
    new_chain: tuple[_N, ...] = ()
    base: str = "schema"
    notes: tuple[str, ...] = ()

    def pointer(
        self, keys: tuple[str, ...] = (), *, in_old: bool = True, in_new: bool = True
    ) -> str:
        for side, present in ((self.new, in_new), (self.old, in_old)):
            found = side.at(keys) if present else None
            if found is not None:
                return found
        return self.anchor

    def subject(self) -> str:
        return self.pointer() or "the root"

    def change(
        self,
        keys: tuple[str, ...],
        kind: str,
        backward: bool,
        forward: bool,
        reason: str,
        *,
        in_old: bool = True,
        in_new: bool = True,
    ) -> Change:
        pointer = self.pointer(keys, in_old=in_old, in_new=in_new)
        side = self.new if in_new else self.old
        if side.at(keys) is None and (keys or not side.exact):
            reason += f" (at {side.doc}{SCHEMA_SUFFIX}#{side.ptr}{_pointer(keys)})"
        reason += "".join(f"; {note}" for note in self.notes)
        return Change(self.home, pointer, kind, backward, forward, reason)

    def down(
        self,
        keys: tuple[str, ...],
        *,
        in_old: bool = True,
        in_new: bool = True,
        base: str = "schema",
        chains: tuple[tuple[_N, ...], tuple[_N, ...]] = ((), ()),
        old_keys: tuple[str, ...] | None = None,
    ) -> _Ctx:
        old = self.old.down(keys if old_keys is None else old_keys, in_old)
        new = self.new.down(keys, in_new)
        found = new.at(()) if new.at(()) is not None else old.at(())
        anchor = found if found is not None else self.anchor
        return _Ctx(self.home, old, new, anchor, *chains, base, self.notes)

    def inplace(
        self, keys: tuple[str, ...], old: dict[str, Any], new: dict[str, Any], **kw: Any
    ) -> _Ctx:
        """Into a subschema that applies to the same instance: the node's own keywords
        (bar the in-place ones) join the facts."""
        chains = (
            (*self.old_chain, self.old.node(_local(old))),
            (*self.new_chain, self.new.node(_local(new))),
        )
        return self.down(keys, chains=chains, **kw)

    def child(self, keys: tuple[str, ...], key: str) -> _Ctx:
        """Into ``properties/<key>``: the enclosing nodes' rules for *key* are the facts."""
        return self.down(keys, chains=(_child(self.old_chain, key), _child(self.new_chain, key)))

    def common(self) -> _Ctx:
        """The facts both versions share: inside ``if`` and ``not`` a change's effect is
        reversed, so facts must hold of old and new data alike."""
        pairs = [_common(a, b) for a, b in zip(self.old_chain, self.new_chain, strict=True)]
        return replace(
            self, old_chain=tuple(p[0] for p in pairs), new_chain=tuple(p[1] for p in pairs)
        )

    def noted(self, note: str) -> _Ctx:
        return replace(self, notes=(*self.notes, note))

    def old_facts(self, node: Any) -> list[_N]:
        return [*self.old_chain, self.old.node(node)]

    def new_facts(self, node: Any) -> list[_N]:
        return [*self.new_chain, self.new.node(node)]


def _local(node: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k not in _IN_PLACE}


def _child(chain: tuple[_N, ...], key: str) -> tuple[_N, ...]:
    return tuple(
        _N(n.where, n.doc, _dict(_dict(n.value).get("properties")).get(key, {})) for n in chain
    )


def _common(a: _N, b: _N) -> tuple[_N, _N]:
    """The keywords *a* and *b* (one enclosing node in each version) hold in common."""
    x, y = _dict(a.value), _dict(b.value)
    shared: dict[str, Any] = {}
    for key in x.keys() & y.keys() - {"properties", "required"}:
        if _canon(x[key]) == _canon(y[key]) and not _has_ref(x[key]):
            shared[key] = x[key]
    if _canon(x.get("patternProperties")) != _canon(y.get("patternProperties")):
        shared.pop("additionalProperties", None)  # the two close different sets of names
    if "required" in x and "required" in y:
        shared["required"] = sorted(set(_strings(x["required"])) & set(_strings(y["required"])))
    if "properties" in x or "properties" in y:
        px, py = _dict(x.get("properties")), _dict(y.get("properties"))
        shared["properties"] = {
            k: px[k]
            if k in px and k in py and _canon(px[k]) == _canon(py[k]) and not _has_ref(px[k])
            else {}
            for k in _union(px, py)
        }
    return _N(a.where, a.doc, shared), _N(b.where, b.doc, shared)


#: What a subschema keyword's subschema checks, for reasons.
_WHAT = {
    "schema": "values",
    "additional-properties": "properties not named in properties or patternProperties",
    "unevaluated-properties": "properties no other keyword evaluates",
    "items": "array items (after any prefixItems)",
    "unevaluated-items": "array items no other keyword evaluates",
    "property-names": "property names",
    "dependent-schema": "objects that carry the property",
}


# --- what a comparer asks of the walk -------------------------------------------------------


class _Walker(Protocol):
    """The walk as a comparer sees it (:class:`~toolkit.evolve.compat.differ._Differ`): both
    schema sets, and the comparison of two subschemas and of two ``$ref`` targets."""

    old: _Set
    new: _Set

    def node(self, ctx: _Ctx, old: Any, new: Any) -> Iterator[Change]:
        """Every change between subschemas *old* and *new* at *ctx*."""
        ...

    def target(self, old: tuple[str, str], new: tuple[str, str]) -> tuple[Change, ...]:
        """The changes between the node at *old* and the one at *new* (``(record type,
        pointer)`` each), reported in the new node's file."""
        ...

    def stamp(self, ctx: _Ctx, before: dict[str, Any] | None, after: dict[str, Any] | None) -> bool:
        """Whether an enum/const change at *ctx* is the release's ``schema_version`` stamp."""
        ...


#: A comparer: the changes of one keyword family between two nodes at a position.
_Comparer = Callable[[_Walker, _Ctx, dict[str, Any], dict[str, Any]], Iterator[Change]]


# --- what a nested position does to a change ------------------------------------------------


def _flipped(changes: Iterable[Change], where: str) -> Iterator[Change]:
    """The *changes* found *where* their effect on data is reversed (inside ``not``, or an
    ``if`` with only a ``then``): a change that keeps one direction keeps the other instead."""
    for c in changes:
        if c.backward == c.forward:
            yield c
        else:
            reason = f"{c.reason}; this is {where}, so the effect on data is reversed"
            yield replace(c, backward=c.forward, forward=c.backward, reason=reason)


def _blurred(changes: Iterable[Change], why: str) -> Iterator[Change]:
    """The *changes* found where a change can break either way (*why*): a change that does
    not keep both directions keeps neither."""
    for c in changes:
        yield (
            c
            if c.backward and c.forward
            else replace(c, backward=False, forward=False, reason=f"{c.reason}; {why}")
        )
