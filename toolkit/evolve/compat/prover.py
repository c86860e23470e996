"""The prover: whether every instance valid under some schemas (the premises) is valid
under another (:func:`_implies`), or none is (:func:`_excludes`). Conservative: True only when
the schemas show it. A claim is checked keyword by keyword (:data:`_IMPLIED`, one check per
keyword)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from toolkit.evolve.compat.schema_set import _N
from toolkit.evolve.compat.values import (
    _FOR_TYPE,
    _IN_PLACE,
    _Bound,
    _bound,
    _canon,
    _dict,
    _has_ref,
    _is_number,
    _kind_of,
    _list,
    _strings,
    _trivial,
    _types_of,
    _values_of,
)
from toolkit.registry import ecma_validator_class

#: How deep the prover (and the differ, inlining ``$ref``s) goes before it gives up.
_DEPTH = 12


def _flatten(nodes: Iterable[_N], depth: int = 0) -> list[_N]:
    """The conjunction *nodes* stand for, each ``$ref`` target and ``allOf`` entry added."""
    out: list[_N] = []
    for node in nodes:
        value = node.value
        if value is True or value == {}:
            continue
        out.append(node)
        if not isinstance(value, dict) or depth >= _DEPTH:
            continue
        parts = [_N(node.where, node.doc, entry) for entry in _list(value.get("allOf"))]
        ref = value.get("$ref")
        hit = node.where.target(node.doc, ref) if isinstance(ref, str) else None
        out.extend(_flatten([*parts, *([hit] if hit is not None else [])], depth + 1))
    return out


def _dicts(facts: Iterable[_N]) -> Iterator[dict[str, Any]]:
    return (n.value for n in facts if isinstance(n.value, dict))


def _types(facts: Sequence[_N]) -> frozenset[str] | None:
    """The types an instance valid under every fact can have, or None (any)."""
    out: frozenset[str] | None = None
    for node in _dicts(facts):
        values = _values_of(node)
        for kinds in (
            _types_of(node.get("type")),
            None if values is None else frozenset(_kind_of(v) for v in values.values()),
        ):
            if kinds is not None:
                out = kinds if out is None else out & kinds
    return out


def _values(facts: Sequence[_N]) -> list[Any] | None:
    """The values an instance valid under every fact can have, when finitely many."""
    found: dict[str, Any] | None = None
    for node in _dicts(facts):
        values = _values_of(node)
        if values is not None:
            found = values if found is None else {k: v for k, v in found.items() if k in values}
    kinds = _types(facts)
    if found is None and kinds is not None and kinds <= {"null", "boolean"}:
        found = {"null": None} if "null" in kinds else {}
        if "boolean" in kinds:
            found.update({"true": True, "false": False})
    if found is None:
        return None
    return [v for v in found.values() if kinds is None or _kind_of(v) in kinds]


def _required(facts: Sequence[_N]) -> set[str]:
    return {name for node in _dicts(facts) for name in _strings(node.get("required"))}


def _forbids(facts: Sequence[_N], key: str) -> bool:
    """Whether an object valid under every fact never has property *key*."""
    for node in _dicts(facts):
        named = _dict(node.get("properties"))
        if named.get(key) is False:
            return True
        if key in named or node.get("patternProperties"):
            continue
        if node.get("additionalProperties") is False:
            return True
        in_place = {"allOf", "anyOf", "oneOf", "$ref", "if", "dependentSchemas", "$dynamicRef"}
        if node.get("unevaluatedProperties") is False and not in_place & node.keys():
            return True
    return False


def _prop(facts: Sequence[_N], key: str) -> list[_N]:
    """The schemas the value of property *key* must satisfy under the facts."""
    return [
        _N(n.where, n.doc, n.value["properties"][key])
        for n in facts
        if isinstance(n.value, dict) and key in _dict(n.value.get("properties"))
    ]


def _implies(premises: Sequence[_N], claim: _N, depth: int = 0) -> bool:
    """Whether every instance valid under all *premises* is valid under *claim*.

    Conservative: True only when the schemas show it (the same constraint is there, or
    stricter; the claim only touches properties the premises forbid; the finitely many values
    the premises allow all pass the claim), else False.
    """
    if depth > _DEPTH:
        return False
    facts = _flatten(premises)
    if any(n.value is False for n in facts):
        return True
    values = _values(facts)
    if values is not None and _all_valid(values, claim, want=True):
        return True
    for part in _flatten([claim]):
        if part.value is False:
            return False
        if isinstance(part.value, dict) and not _implies_part(facts, part, depth):
            return False
    return True


def _excludes(premises: Sequence[_N], claim: _N, depth: int = 0) -> bool:
    """Whether no instance valid under all *premises* is valid under *claim* (conservative)."""
    if depth > _DEPTH:
        return False
    facts = _flatten(premises)
    if any(n.value is False for n in facts):
        return True
    values = _values(facts)
    if values is not None and _all_valid(values, claim, want=False):
        return True
    for part in _flatten([claim]):
        if part.value is False:
            return True
        if isinstance(part.value, dict) and _excludes_part(facts, part, depth):
            return True
    return False


def _all_valid(values: list[Any], claim: _N, *, want: bool) -> bool:
    """Whether each of *values* is (*want*) or is not valid under *claim* (no ``$ref``)."""
    if _has_ref(claim.value):
        return False
    validator = _validator(_canon(claim.value))
    if validator is None:
        return False
    try:
        return all(bool(validator.is_valid(v)) is want for v in values)
    except Exception:  # a pattern ECMA-262 accepts and Python cannot run: no proof
        return False


@lru_cache(maxsize=512)
def _validator(text: str) -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(text)
    try:
        Draft202012Validator.check_schema(schema)
    except Exception:  # not a valid schema: nothing is proved with it
        return None
    return ecma_validator_class()(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _implies_part(facts: list[_N], part: _N, depth: int) -> bool:
    kinds = _types(facts)
    for keyword, value in part.value.items():
        applies = _FOR_TYPE.get(keyword)
        if applies is not None and kinds is not None and not kinds & applies:
            continue  # the keyword cannot bite any instance the facts allow
        check = _IMPLIED.get(keyword)
        if check is not None and not check(facts, part, value, depth):
            return False
    return True


def _excludes_part(facts: list[_N], part: _N, depth: int) -> bool:
    node = part.value
    kinds, wanted = _types(facts), _types_of(node.get("type"))
    if kinds is not None and wanted is not None and not kinds & wanted:
        return True
    listed = _values_of(node)
    if listed is not None:
        values = _values(facts)
        if values is not None and not {_canon(v) for v in values} & listed.keys():
            return True
        if kinds is not None and not {_kind_of(v) for v in listed.values()} & kinds:
            return True
    both = kinds if wanted is None else wanted if kinds is None else kinds & wanted
    if both is not None and both <= {"object"} and _excludes_object(facts, part, depth):
        return True
    for keyword in ("anyOf", "oneOf"):
        entries = [_N(part.where, part.doc, s) for s in _list(node.get(keyword))]
        if entries and all(_excludes(facts, s, depth + 1) for s in entries):
            return True
    return "not" in node and _implies(facts, _N(part.where, part.doc, node["not"]), depth + 1)


def _excludes_object(facts: list[_N], part: _N, depth: int) -> bool:
    node = part.value
    needed = set(_strings(node.get("required")))
    if any(_forbids(facts, key) for key in needed):
        return True
    present = needed | _required(facts)
    return any(
        key in present and _excludes(_prop(facts, key), _N(part.where, part.doc, s), depth + 1)
        for key, s in _dict(node.get("properties")).items()
    )


# --- one check per keyword ------------------------------------------------------------------

#: A keyword's check: whether the facts imply the keyword, with its value, of a part of the
#: claim (at a depth of the proof).
_Check = Callable[[list[_N], _N, Any, int], bool]


def _same(keyword: str) -> _Check:
    """A fact has *keyword* with the same value (and, when it holds a ``$ref``, is of the
    same version)."""

    def check(facts: list[_N], part: _N, value: Any, depth: int) -> bool:
        text, refs = _canon(value), _has_ref(value)
        return any(
            isinstance(n.value, dict)
            and keyword in n.value
            and _canon(n.value[keyword]) == text
            and (not refs or n.where is part.where)
            for n in facts
        )

    return check


def _implied_type(facts: list[_N], part: _N, value: Any, depth: int) -> bool:
    kinds, wanted = _types(facts), _types_of(value)
    return kinds is not None and wanted is not None and kinds <= wanted


def _implied_enum(facts: list[_N], part: _N, value: Any, depth: int) -> bool:
    values = _values(facts)
    allowed = {_canon(v) for v in _list(value)}
    return values is not None and {_canon(v) for v in values} <= allowed


def _implied_const(facts: list[_N], part: _N, value: Any, depth: int) -> bool:
    return _implied_enum(facts, part, [value], depth)


def _implied_required(facts: list[_N], part: _N, value: Any, depth: int) -> bool:
    return set(_strings(value)) <= _required(facts)


def _implied_properties(facts: list[_N], part: _N, value: Any, depth: int) -> bool:
    return all(
        _forbids(facts, key) or _implies(_prop(facts, key), _N(part.where, part.doc, s), depth + 1)
        for key, s in _dict(value).items()
    )


def _implied_if(facts: list[_N], part: _N, value: Any, depth: int) -> bool:
    cond = _N(part.where, part.doc, value)
    then = _N(part.where, part.doc, part.value.get("then", True))
    other = _N(part.where, part.doc, part.value.get("else", True))
    if _excludes(facts, cond, depth + 1):
        return _implies(facts, other, depth + 1)
    if _implies(facts, cond, depth + 1):
        return _implies(facts, then, depth + 1)
    return _implies([*facts, cond], then, depth + 1) and _implies(facts, other, depth + 1)


def _implied_not(facts: list[_N], part: _N, value: Any, depth: int) -> bool:
    return _excludes(facts, _N(part.where, part.doc, value), depth + 1)


def _implied_any(facts: list[_N], part: _N, value: Any, depth: int) -> bool:
    return any(_implies(facts, _N(part.where, part.doc, s), depth + 1) for s in _list(value))


def _implied_one(facts: list[_N], part: _N, value: Any, depth: int) -> bool:
    branches = [_N(part.where, part.doc, s) for s in _list(value)]
    return any(
        _implies(facts, branch, depth + 1)
        and all(_excludes(facts, other, depth + 1) for other in branches if other is not branch)
        for branch in branches
    )


def _implied_count(keyword: str, lower: bool) -> _Check:
    def check(facts: list[_N], part: _N, value: Any, depth: int) -> bool:
        if not _is_number(value):
            return True
        if lower and value <= 0:
            return True
        return any(
            _is_number(n.get(keyword)) and (n[keyword] >= value if lower else n[keyword] <= value)
            for n in _dicts(facts)
        )

    return check


def _implied_numeric(keyword: str) -> _Check:
    lower, strict = keyword in ("minimum", "exclusiveMinimum"), keyword.startswith("exclusive")

    def check(facts: list[_N], part: _N, value: Any, depth: int) -> bool:
        wanted = _Bound(keyword, value, strict, lower)
        return _is_number(value) and any(
            bound is not None and not wanted.tighter_than(bound)
            for bound in (_bound(n, lower) for n in _dicts(facts))
        )

    return check


def _implied_closure(keyword: str, companions: tuple[str, ...]) -> _Check:
    """``additionalProperties`` (or items): a fact closes at least the same members."""

    def check(facts: list[_N], part: _N, value: Any, depth: int) -> bool:
        if _trivial(value):
            return True
        mine = [
            set(_dict(part.value.get(c)) or range(len(_list(part.value.get(c)))))
            for c in companions
        ]
        for node in _dicts(facts):
            theirs = [set(_dict(node.get(c)) or range(len(_list(node.get(c))))) for c in companions]
            same = node.get(keyword) is False or (
                _canon(node.get(keyword)) == _canon(value) and not _has_ref(value)
            )
            narrower = all(t <= m for t, m in zip(theirs, mine, strict=True))
            alone = not keyword.startswith("unevaluated") or not _IN_PLACE & node.keys()
            if same and narrower and alone and not node.get("patternProperties"):
                return True
        return False

    return check


def _implied_unique(facts: list[_N], part: _N, value: Any, depth: int) -> bool:
    return value is not True or any(n.get("uniqueItems") is True for n in _dicts(facts))


def _implied_dependent_required(facts: list[_N], part: _N, value: Any, depth: int) -> bool:
    required = _required(facts)
    for key, names in _dict(value).items():
        wanted = set(_strings(names))
        if _forbids(facts, key) or wanted <= required:
            continue
        listed = (set(_strings(_dict(n.get("dependentRequired")).get(key))) for n in _dicts(facts))
        if not any(wanted <= have for have in listed):
            return False
    return True


def _implied_dependent_schemas(facts: list[_N], part: _N, value: Any, depth: int) -> bool:
    return all(
        _forbids(facts, key) or _implies(facts, _N(part.where, part.doc, s), depth + 1)
        for key, s in _dict(value).items()
    )


def _implied_contains(facts: list[_N], part: _N, value: Any, depth: int) -> bool:
    """``contains`` with its ``minContains``/``maxContains``: a fact has the same
    ``contains`` and counts at least as strictly."""
    low, high = part.value.get("minContains", 1), part.value.get("maxContains")
    if _is_number(low) and low <= 0 and high is None:
        return True
    if _has_ref(value):
        return False
    for node in _dicts(facts):
        if "contains" not in node or _canon(node["contains"]) != _canon(value):
            continue
        their_low, their_high = node.get("minContains", 1), node.get("maxContains")
        if their_low >= low and (high is None or (their_high is not None and their_high <= high)):
            return True
    return False


_IMPLIED: dict[str, _Check] = {
    "type": _implied_type,
    "enum": _implied_enum,
    "const": _implied_const,
    "required": _implied_required,
    "properties": _implied_properties,
    "if": _implied_if,
    "not": _implied_not,
    "anyOf": _implied_any,
    "oneOf": _implied_one,
    "uniqueItems": _implied_unique,
    "dependentRequired": _implied_dependent_required,
    "dependentSchemas": _implied_dependent_schemas,
    "contains": _implied_contains,
    "additionalProperties": _implied_closure(
        "additionalProperties", ("properties", "patternProperties")
    ),
    "unevaluatedProperties": _implied_closure(
        "unevaluatedProperties", ("properties", "patternProperties")
    ),
    "items": _implied_closure("items", ("prefixItems",)),
    "unevaluatedItems": _implied_closure("unevaluatedItems", ("prefixItems", "items")),
    **{
        k: _same(k)
        for k in (
            *("pattern", "format", "multipleOf", "patternProperties", "propertyNames"),
            *("prefixItems", "$dynamicRef"),
        )
    },
    **{k: _implied_count(k, k.startswith("min")) for k in ("minLength", "maxLength")},
    **{k: _implied_count(k, k.startswith("min")) for k in ("minItems", "maxItems")},
    **{k: _implied_count(k, k.startswith("min")) for k in ("minProperties", "maxProperties")},
    **{
        k: _implied_numeric(k)
        for k in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")
    },
}
