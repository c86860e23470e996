"""Small helpers on JSON values and on JSON Schema's types: canonical JSON (JSON Schema's
equality), tolerant readers of keyword values, the words of a change's reason, the types a
``type``, ``enum`` or ``const`` allows (``number`` split into ``integer`` and ``fraction``),
which keywords constrain which types, and numeric bounds."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from toolkit.evolve.compat.verdict import DOCUMENTATION_KEYWORDS


def _canon(value: Any) -> str:
    """*value* as canonical JSON: sorted keys, 1.0 written as 1 (JSON Schema's equality)."""
    return json.dumps(_normal(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _normal(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    return value


def _has_ref(value: Any) -> bool:
    text = _canon(value)
    return '"$ref"' in text or '"$dynamicRef"' in text


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [v for v in _list(value) if isinstance(v, str)]


def _union(first: Mapping[str, Any], second: Mapping[str, Any]) -> list[str]:
    return [*first, *(k for k in second if k not in first)]


def _trivial(schema: Any) -> bool:
    """True for a schema that accepts everything (``true``, ``{}``, documentation only)."""
    if schema is True:
        return True
    return isinstance(schema, dict) and all(k in DOCUMENTATION_KEYWORDS for k in schema)


def _show(values: Sequence[Any], limit: int = 6) -> str:
    shown = ", ".join(
        f"'{v}'" if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
        for v in values[:limit]
    )
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _consequence(backward: bool, forward: bool, *, lost: str, gained: str) -> str:
    """What a change does to data, from the directions it keeps."""
    first = "old data still passes" if backward else lost
    second = "new data still passes the old schema" if forward else gained
    return f"{first}; {second}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- JSON types -----------------------------------------------------------------------------

#: JSON Schema's types with ``number`` split into ``integer`` and the rest (``fraction``), so
#: that integer ⊂ number is plain set inclusion.
_NUMBER = frozenset({"integer", "fraction"})
_TYPE_NAMES = frozenset({"null", "boolean", "object", "array", "string", "integer"})
_ARRAY_KEYWORDS = (
    *("items", "prefixItems", "contains", "minItems", "maxItems", "uniqueItems"),
    *("minContains", "maxContains", "unevaluatedItems"),
)
_OBJECT_KEYWORDS = (
    *("properties", "required", "additionalProperties", "patternProperties", "propertyNames"),
    *("minProperties", "maxProperties", "dependentRequired", "dependentSchemas"),
    "unevaluatedProperties",
)
#: The keywords that constrain only instances of some types.
_FOR_TYPE: dict[str, frozenset[str]] = {
    **dict.fromkeys(("minLength", "maxLength", "pattern", "format"), frozenset({"string"})),
    **dict.fromkeys(
        ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"), _NUMBER
    ),
    **dict.fromkeys(
        _ARRAY_KEYWORDS,
        frozenset({"array"}),
    ),
    **dict.fromkeys(
        _OBJECT_KEYWORDS,
        frozenset({"object"}),
    ),
}


#: Keywords that apply subschemas to the instance in place (never taken as facts about the
#: enclosing object, since the walk may be inside one of them).
_IN_PLACE = frozenset(
    {"allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "$ref"}
    | {"$dynamicRef", "unevaluatedProperties", "unevaluatedItems", "$defs", "definitions"}
)


def _types_of(declared: Any) -> frozenset[str] | None:
    """The types a ``type`` keyword allows, or None (any) when there is none."""
    if declared is None:
        return None
    names = [declared] if isinstance(declared, str) else _strings(declared)
    found: set[str] = set()
    for name in names:
        found |= _NUMBER if name == "number" else {name} if name in _TYPE_NAMES else set()
    return frozenset(found)


def _type_names(kinds: Iterable[str]) -> list[str]:
    kinds = set(kinds)
    names = sorted(kinds - _NUMBER)
    if kinds >= _NUMBER:
        names.append("number")
    elif "integer" in kinds:
        names.append("integer")
    elif "fraction" in kinds:
        names.append("non-integer number")
    return names


def _type_value(kinds: frozenset[str]) -> Any:
    """A ``type`` keyword for *kinds*, or None when JSON Schema cannot spell it."""
    if "fraction" in kinds and "integer" not in kinds:
        return None
    names = _type_names(kinds)
    return names[0] if len(names) == 1 else names


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "fraction"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _values_of(node: Mapping[str, Any]) -> dict[str, Any] | None:
    """The values ``enum`` and ``const`` allow, by canonical JSON, or None (any)."""
    found: dict[str, Any] | None = None
    if "const" in node:
        found = {_canon(node["const"]): node["const"]}
    if isinstance(node.get("enum"), list):
        listed = {_canon(v): v for v in node["enum"]}
        found = listed if found is None else {k: v for k, v in found.items() if k in listed}
    return found


# --- numeric bounds -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bound:
    """A numeric bound: ``minimum``/``exclusiveMinimum`` (lower) or the maximum ones."""

    keyword: str
    value: float
    strict: bool
    lower: bool

    def key(self) -> tuple[float, bool]:
        return (self.value, self.strict) if self.lower else (-self.value, self.strict)

    def tighter_than(self, other: _Bound | None) -> bool:
        return other is None or self.key() > other.key()

    def shown(self) -> str:
        sign = (">" if self.strict else "≥") if self.lower else ("<" if self.strict else "≤")
        return f"{sign} {self.value}"


def _bound(node: Mapping[str, Any], lower: bool) -> _Bound | None:
    """The strictest lower (or upper) numeric bound *node* sets."""
    names = ("minimum", "exclusiveMinimum") if lower else ("maximum", "exclusiveMaximum")
    best: _Bound | None = None
    for keyword in names:
        if _is_number(node.get(keyword)):
            bound = _Bound(keyword, node[keyword], keyword.startswith("exclusive"), lower)
            best = bound if bound.tighter_than(best) else best
    return best
