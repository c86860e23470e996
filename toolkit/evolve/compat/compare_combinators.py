"""The comparers of the keywords that apply subschemas to the instance in place: ``not``,
``if``/``then``/``else``, ``allOf``, ``anyOf`` and ``oneOf``, with what each does to the
changes found inside it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from toolkit.evolve.compat.prover import _excludes, _implies
from toolkit.evolve.compat.values import _canon, _consequence, _has_ref, _list
from toolkit.evolve.compat.verdict import Change
from toolkit.evolve.compat.walk import _blurred, _Ctx, _flipped, _Walker


def _not(d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before, after = old.get("not"), new.get("not")
    subject = ctx.subject()
    if before is None and after is None:
        return
    if before is None:
        backward = _excludes(ctx.old_facts(old), ctx.new.node(after))
        text = f"not added to {subject}: " + (
            "no old data can match it" if backward else "old data that matches it is now rejected"
        )
        yield ctx.change(("not",), "not-added", backward, True, text, in_old=False)
    elif after is None:
        forward = _excludes(ctx.new_facts(new), ctx.old.node(before))
        text = f"not removed from {subject}: " + (
            "no new data can match it"
            if forward
            else "new data that matches it is rejected by readers on the old schema"
        )
        yield ctx.change(("not",), "not-removed", True, forward, text, in_new=False)
    elif _canon(before) != _canon(after) or _has_ref(before):
        yield from _flipped(
            d.node(ctx.inplace(("not",), old, new).common(), before, after), "inside not"
        )


def _conditional(
    d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
) -> Iterator[Change]:
    before, after = old.get("if"), new.get("if")
    if before is None and after is None:
        return
    if before is None or after is None:
        yield _conditional_change(ctx, old, new)
        return
    same = _canon(before) == _canon(after) and not _has_ref(before)
    if not same:
        inner = d.node(ctx.inplace(("if",), old, new).common(), before, after)
        then, other = "then" in old or "then" in new, "else" in old or "else" in new
        if then and other:
            yield from _blurred(
                inner, "if chooses between then and else, so a change to it can break either way"
            )
        elif then:
            yield from _flipped(
                inner, "inside an if with then only (a wider if applies then to more data)"
            )
        elif other:
            yield from inner
        else:
            for c in inner:
                yield replace(
                    c,
                    backward=True,
                    forward=True,
                    reason=f"{c.reason}; an if without then or else has no effect",
                )
    for keyword in ("then", "else"):
        was, now = old.get(keyword), new.get(keyword)
        if (was is None and now is None) or (_canon(was) == _canon(now) and not _has_ref(was)):
            continue
        sub = ctx.inplace((keyword,), old, new, in_old=keyword in old, in_new=keyword in new)
        if same and keyword == "then":  # data that reaches then meets the if
            sub = replace(
                sub,
                old_chain=(*sub.old_chain, ctx.old.node(before)),
                new_chain=(*sub.new_chain, ctx.new.node(after)),
            )
        yield from d.node(sub, True if was is None else was, True if now is None else now)


def _conditional_change(ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Change:
    names = ("if", "then", "else")
    subject = ctx.subject()
    if "if" in new:
        piece = {k: new[k] for k in names if k in new}
        backward = _implies(ctx.old_facts(old), ctx.new.node(piece))
        text = f"if/then/else added to {subject}: " + (
            "the old schema already ensures what it asks"
            if backward
            else "old data that meets the if must now pass the then (or the else)"
        )
        return ctx.change(("if",), "conditional-added", backward, True, text, in_old=False)
    piece = {k: old[k] for k in names if k in old}
    forward = _implies(ctx.new_facts(new), ctx.old.node(piece))
    text = f"if/then/else removed from {subject}: " + (
        "the new schema still ensures what it asked"
        if forward
        else "new data need not pass it, and readers on the old schema may reject it"
    )
    return ctx.change(("if",), "conditional-removed", True, forward, text, in_new=False)


# --- allOf, anyOf and oneOf -----------------------------------------------------------------


def _combinators(
    d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
) -> Iterator[Change]:
    for keyword in ("allOf", "anyOf", "oneOf"):
        before, after = _list(old.get(keyword)), _list(new.get(keyword))
        if not before and not after:
            continue
        if keyword != "allOf" and not (before and after):
            yield _combinator_change(ctx, old, new, keyword)
            continue
        yield from _entries(d, ctx, old, new, keyword)


def _combinator_change(ctx: _Ctx, old: dict[str, Any], new: dict[str, Any], keyword: str) -> Change:
    base = "any-of" if keyword == "anyOf" else "one-of"
    subject = ctx.subject()
    if keyword in new:
        backward = _implies(ctx.old_facts(old), ctx.new.node({keyword: new[keyword]}))
        text = f"{keyword} added to {subject}: " + (
            "the old schema already ensures it"
            if backward
            else "old data that matches none of its entries is now rejected"
        )
        return ctx.change((keyword,), f"{base}-added", backward, True, text, in_old=False)
    forward = _implies(ctx.new_facts(new), ctx.old.node({keyword: old[keyword]}))
    text = f"{keyword} removed from {subject}: " + (
        "the new schema still ensures it"
        if forward
        else "new data need not match its entries, which readers on the old schema require"
    )
    return ctx.change((keyword,), f"{base}-removed", True, forward, text, in_new=False)


def _pair(
    before: list[Any], after: list[Any]
) -> tuple[list[tuple[int, int, bool]], list[int], list[int]]:
    """Entries of two lists paired: equal ones first, the rest by position; then the new
    entries left over (added) and the old ones (removed)."""
    texts = [_canon(a) for a in after]
    pairs: list[tuple[int, int, bool]] = []
    taken: set[int] = set()
    for i, entry in enumerate(before):
        text = _canon(entry)
        j = next((j for j, t in enumerate(texts) if j not in taken and t == text), None)
        if j is not None:
            pairs.append((i, j, True))
            taken.add(j)
    rest_old = [i for i in range(len(before)) if i not in {p[0] for p in pairs}]
    rest_new = [j for j in range(len(after)) if j not in taken]
    pairs += [(i, j, False) for i, j in zip(rest_old, rest_new, strict=False)]
    return sorted(pairs, key=lambda p: p[1]), rest_new[len(rest_old) :], rest_old[len(rest_new) :]


def _entries(
    d: _Walker, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any], keyword: str
) -> Iterator[Change]:
    before, after = _list(old.get(keyword)), _list(new.get(keyword))
    pairs, added, removed = _pair(before, after)
    for i, j, equal in pairs:
        if equal and not _has_ref(before[i]):
            continue
        sub = ctx.inplace((keyword, str(j)), old, new, old_keys=(keyword, str(i)))
        if not equal:
            sub = sub.noted(
                f"entry {i} of the old {keyword} is compared with entry {j} of the new by "
                "position, a conservative reading"
            )
        inner = d.node(sub, before[i], after[j])
        yield from _one_of_guard(ctx, inner, before, after) if keyword == "oneOf" else inner
    for j in added:
        yield _entry_added(ctx, old, new, keyword, j)
    for i in removed:
        yield _entry_removed(ctx, old, new, keyword, i)


def _one_of_guard(
    ctx: _Ctx, changes: Iterable[Change], before: list[Any], after: list[Any]
) -> Iterator[Change]:
    """A change inside a oneOf entry keeps a direction only if the entries exclude each
    other: oneOf rejects data that matches two."""
    known: dict[str, bool] = {}

    def disjoint(which: str) -> bool:
        if which not in known:
            side, chain, entries = (
                (ctx.old, ctx.old_chain, before)
                if which == "old"
                else (ctx.new, ctx.new_chain, after)
            )
            known[which] = all(
                _excludes([*chain, side.node(a)], side.node(b))
                for n, a in enumerate(entries)
                for b in entries[n + 1 :]
            )
        return known[which]

    for c in changes:
        if c.backward and c.forward:
            yield c
            continue
        backward, forward = c.backward and disjoint("new"), c.forward and disjoint("old")
        if (backward, forward) != (c.backward, c.forward):
            reason = (
                f"{c.reason}; oneOf rejects data that matches two entries, and its entries "
                "cannot be shown to exclude each other"
            )
            c = replace(c, backward=backward, forward=forward, reason=reason)
        yield c


def _entry_added(
    ctx: _Ctx, old: dict[str, Any], new: dict[str, Any], keyword: str, j: int
) -> Change:
    entry, before = new[keyword][j], _list(old.get(keyword))
    subject = ctx.subject()
    if keyword == "allOf":
        backward, forward = _implies(ctx.old_facts(old), ctx.new.node(entry)), True
        effect = (
            "the old schema already ensures it, so old data still passes"
            if backward
            else "old data may fail it"
        )
        text = f"allOf of {subject} gained entry {j}, a new constraint: {effect}"
        kind = "all-of-entry-added"
    elif keyword == "anyOf":
        backward = True
        forward = _implies([*ctx.new_chain, ctx.new.node(entry)], ctx.old.node({"anyOf": before}))
        text = f"anyOf of {subject} gained alternative {j}: " + _consequence(
            backward,
            forward,
            lost="",
            gained="new data only it accepts is rejected by readers on the old schema",
        )
        kind = "any-of-entry-added"
    else:
        backward = all(
            _excludes([*ctx.old_chain, ctx.old.node(b)], ctx.new.node(entry)) for b in before
        )
        forward = _implies([*ctx.new_chain, ctx.new.node(entry)], ctx.old.node({"oneOf": before}))
        text = f"oneOf of {subject} gained alternative {j}: " + _consequence(
            backward,
            forward,
            lost="old data that also matches it now matches two entries and is rejected",
            gained="new data only it accepts is rejected by readers on the old schema",
        )
        kind = "one-of-entry-added"
    return ctx.change((keyword, str(j)), kind, backward, forward, text, in_old=False)


def _entry_removed(
    ctx: _Ctx, old: dict[str, Any], new: dict[str, Any], keyword: str, i: int
) -> Change:
    entry, after = old[keyword][i], _list(new.get(keyword))
    subject = ctx.subject()
    if keyword == "allOf":
        backward, forward = True, _implies(ctx.new_facts(new), ctx.old.node(entry))
        text = f"allOf of {subject} lost entry {i}, a constraint: " + _consequence(
            backward,
            forward,
            lost="",
            gained="new data may fail it, which readers on the old schema reject",
        )
        kind = "all-of-entry-removed"
    else:
        backward = _implies([*ctx.old_chain, ctx.old.node(entry)], ctx.new.node({keyword: after}))
        forward = keyword == "anyOf" or all(
            _excludes([*ctx.new_chain, ctx.new.node(a)], ctx.old.node(entry)) for a in after
        )
        text = f"{keyword} of {subject} lost alternative {i}: " + _consequence(
            backward,
            forward,
            lost="old data only it accepted is now rejected",
            gained="the old schema rejects new data that also matches it (two entries match)",
        )
        kind = "any-of-entry-removed" if keyword == "anyOf" else "one-of-entry-removed"
    return ctx.change((keyword, str(i)), kind, backward, forward, text, in_new=False)
