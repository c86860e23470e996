"""The compatibility verdict between two versions of the schemas, in Confluent Schema
Registry's terms.

* **backward**: the new schema accepts all data valid under the old (consumers on the new
  version read old data);
* **forward**: the old schema accepts all data valid under the new;
* **full**: both; **breaking**: neither.

:func:`diff_schemas` compares every record type (every ``*.schema.json`` of either version)
structurally, following ``$ref`` within each version, and lists each change at its JSON
pointer with the directions it keeps and why. There is one comparer per keyword family
(``_type``, ``_enum``, ``_required``, ...), in the manner of jsonschema's keyword functions.
Judgements are conservative: a direction is kept only when the schemas show it. A constraint
that one side adds is checked against the other side by a small prover (:func:`_implies`), so
a new ``allOf`` entry that only touches properties the old object forbids still keeps
backward compatibility, while one that can bite old data does not.

>>> old = ("a", {"x": {"type": "object", "properties": {"n": {"enum": [1, 2]}}}})
>>> new = ("b", {"x": {"type": "object", "properties": {"n": {"enum": [1]}}}})
>>> verdict = diff_schemas(old, new)
>>> verdict.compatibility(), verdict.changes[0].pointer, verdict.changes[0].kind
('forward', '/properties/n/enum', 'enum-narrowed')
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from toolkit.errors import ToolkitError, UnknownSchemaName, UnknownSchemaVersion
from toolkit.registry import ID_BASE, SCHEMA_SUFFIX, SchemaRegistry, ecma_validator_class

#: The version of the layout :meth:`Verdict.to_dict` returns.
FORMAT_VERSION = 1
COMPATIBILITIES = ("full", "backward", "forward", "breaking")
#: Keywords that never change which data is valid.
DOCUMENTATION_KEYWORDS = frozenset(
    {"description", "title", "$comment", "examples", "default", "deprecated", "readOnly"}
    | {"writeOnly"}
)

#: Every kind of change, with what it means; a kind ending in ``*`` stands for the family
#: ``<base>-closed``, ``-opened``, ``-added`` and ``-removed`` of a subschema keyword.
KINDS: dict[str, str] = {
    "record-type-added": "a schema file only the new version has (full: no data of it exists)",
    "record-type-removed": "a schema file only the old version has (its data cannot be read)",
    "definition-added": "a new entry of $defs (judged where a $ref uses it)",
    "definition-removed": "an entry of $defs is gone (a $ref that still names it fails)",
    "property-added": "a property is named in properties that was not",
    "property-removed": "a property is no longer named in properties",
    "required-gained": "required lists a name it did not",
    "required-lost": "required no longer lists a name",
    "type-widened": "type allows more types (integer is part of number)",
    "type-narrowed": "type allows fewer types",
    "type-changed": "type allows some types more and some fewer",
    "type-added": "a type restriction where there was none",
    "type-removed": "the type restriction is gone",
    "enum-widened": "enum or const allows more values",
    "enum-narrowed": "enum or const allows fewer values",
    "enum-changed": "enum or const allows some values more and some fewer",
    "enum-added": "an enum or const where there was none",
    "enum-removed": "the enum or const is gone",
    "bound-tightened": "a length, size, count or numeric bound (or multipleOf) is stricter",
    "bound-loosened": "such a bound is looser",
    "bound-added": "such a bound where there was none",
    "bound-removed": "such a bound is gone",
    "bound-changed": "multipleOf changed to a value neither a multiple nor a divisor",
    "pattern-added": "a pattern where there was none",
    "pattern-removed": "the pattern is gone",
    "pattern-changed": "a different pattern (regular expressions are not compared)",
    "format-added": "a format where there was none (the toolkit asserts formats)",
    "format-removed": "the format is gone",
    "format-changed": "a different format",
    "unique-items-on": "uniqueItems turned on",
    "unique-items-off": "uniqueItems turned off",
    "pattern-property-added": "a new entry of patternProperties",
    "pattern-property-removed": "an entry of patternProperties is gone",
    "dependent-required-gained": "dependentRequired lists a name it did not",
    "dependent-required-lost": "dependentRequired no longer lists a name",
    "additional-properties-*": "additionalProperties closed (false), opened, added, removed",
    "unevaluated-properties-*": "unevaluatedProperties closed, opened, added, removed",
    "items-*": "items closed (false), opened, added, removed",
    "unevaluated-items-*": "unevaluatedItems closed, opened, added, removed",
    "property-names-*": "propertyNames closed, opened, added, removed",
    "dependent-schema-*": "an entry of dependentSchemas closed, opened, added, removed",
    "schema-*": "a subschema is now false, or was false and is not",
    "prefix-items-added": "prefixItems has more entries",
    "prefix-items-removed": "prefixItems has fewer entries",
    "contains-added": "a contains where there was none",
    "contains-removed": "the contains is gone",
    "not-added": "a not where there was none",
    "not-removed": "the not is gone",
    "conditional-added": "an if/then/else where there was none",
    "conditional-removed": "the if/then/else is gone",
    "all-of-entry-added": "allOf has a new entry (a new constraint)",
    "all-of-entry-removed": "an allOf entry is gone",
    "any-of-added": "an anyOf where there was none",
    "any-of-removed": "the anyOf is gone",
    "any-of-entry-added": "anyOf has a new alternative (widens)",
    "any-of-entry-removed": "an anyOf alternative is gone (narrows)",
    "one-of-added": "a oneOf where there was none",
    "one-of-removed": "the oneOf is gone",
    "one-of-entry-added": "oneOf has a new alternative",
    "one-of-entry-removed": "a oneOf alternative is gone",
    "ref-target": "a $ref whose target accepts different data (reported at the referring node)",
    "ref-retargeted": "a $ref names another target that accepts the same data",
    "ref-added": "a $ref beside other keywords where there was none",
    "ref-removed": "such a $ref is gone",
    "ref-unresolved": "a $ref that does not resolve within its version",
    "dynamic-ref-changed": "a $dynamicRef changed (not followed)",
    "restated": "the same constraint written another way (a oneOf of one-type entries as a "
    "type list, an if/then moved into allOf)",
    "documentation": "description, title, $comment, examples, default, deprecated, readOnly or "
    "writeOnly changed: no data is accepted or rejected differently",
    "annotation": "contentEncoding, contentMediaType, contentSchema, $anchor changed: not asserted",
    "unknown-keyword": "a keyword Draft 2020-12 does not define changed: validators ignore it",
    "version-stamp": "$id, $schema or the schema_version const moved with the release",
}


class UnknownSchemaSet(UnknownSchemaVersion):
    """A schema set was asked for that is neither a released version nor a folder of schemas."""


class UnreadableSchemaSet(ToolkitError):
    """A schema file of a folder given as a schema set cannot be read as JSON."""


@dataclass(frozen=True)
class Change:
    """One difference between the two versions of a record type's schema.

    :param record_type: the schema file's name without ``.schema.json``.
    :param pointer: where in that file (the new one where the node exists there, else the
        old); a change reached through a ``$ref`` is reported at the referring node.
    :param kind: one of :data:`KINDS`.
    :param backward: whether the change keeps the new schema accepting old data.
    :param forward: whether it keeps the old schema accepting new data.
    :param reason: what changed and what it does to data, in words.
    """

    record_type: str
    pointer: str
    kind: str
    backward: bool
    forward: bool
    reason: str


@dataclass(frozen=True)
class Verdict:
    """Every change between two schema sets, and their meet as the compatibility.

    :param old: the label of the old set (a version, or the folder given).
    :param new: the label of the new set.
    :param changes: every change, sorted by record type and pointer.
    :param record_types: every record type of either set (those without changes are full).
    """

    old: str
    new: str
    changes: tuple[Change, ...]
    record_types: tuple[str, ...] = ()

    def compatibility(self, record_type: str | None = None) -> str:
        """The meet of the changes: ``full``, ``backward``, ``forward`` or ``breaking``.

        :param record_type: only this record type's changes; all when None.
        :returns: ``full`` when every change keeps both directions, ``backward`` (or
            ``forward``) when every change keeps that one, else ``breaking``.
        :raises UnknownSchemaName: when *record_type* is in neither set.
        """
        changes = self.changes
        if record_type is not None:
            if record_type not in self._names():
                known = ", ".join(self._names())
                raise UnknownSchemaName(f"no record type {record_type!r}; known: {known}")
            changes = tuple(c for c in changes if c.record_type == record_type)
        return _meet(changes)

    def _names(self) -> tuple[str, ...]:
        return self.record_types or tuple(sorted({c.record_type for c in self.changes}))

    def to_dict(self) -> dict[str, Any]:
        """The verdict as JSON-ready data.

        :returns: ``format_version``, ``old``, ``new``, the overall ``compatibility``, the
            verdict of each record type and the list of changes.
        """
        return {
            "format_version": FORMAT_VERSION,
            "old": self.old,
            "new": self.new,
            "compatibility": self.compatibility(),
            "record_types": {name: self.compatibility(name) for name in self._names()},
            "changes": [asdict(change) for change in self.changes],
        }


def _meet(changes: Iterable[Change]) -> str:
    listed = list(changes)
    backward = all(c.backward for c in listed)
    forward = all(c.forward for c in listed)
    if backward and forward:
        return "full"
    return "backward" if backward else "forward" if forward else "breaking"


# --- loading, SemVer and the release rule -------------------------------------------------

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def load_schema_set(
    spec: str | Path, registry: SchemaRegistry
) -> tuple[str, dict[str, dict[str, Any]]]:
    """The schemas *spec* names: a released version or a folder of ``*.schema.json`` files
    (a draft, judged before it is released).

    :param spec: a version of *registry* (``"1.0.0"``) or the path of a folder; a string that
        is a released version is the version even if a folder of that name exists.
    :param registry: the released schemas.
    :returns: ``(label, {record type: schema})``; the label is the version or the spec.
    :raises UnknownSchemaSet: when *spec* is neither.
    :raises UnreadableSchemaSet: when a file of the folder is not JSON.

    >>> label, schemas = load_schema_set("1.0.0", SchemaRegistry.load())
    >>> label, "agreement" in schemas
    ('1.0.0', True)
    """
    if isinstance(spec, str) and spec in registry.schemas:
        return spec, registry.schemas[spec]
    folder = Path(spec)
    files = sorted(folder.glob(f"*{SCHEMA_SUFFIX}")) if folder.is_dir() else []
    if not files:
        known = ", ".join(registry.versions)
        raise UnknownSchemaSet(
            f"{str(spec)!r} is neither a released schema version (known: {known}) "
            f"nor a folder of *{SCHEMA_SUFFIX} files"
        )
    schemas: dict[str, dict[str, Any]] = {}
    for path in files:
        try:
            schemas[path.name.removesuffix(SCHEMA_SUFFIX)] = json.loads(
                path.read_text(encoding="utf-8")
            )
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UnreadableSchemaSet(f"{path}: not a readable JSON schema ({exc})") from exc
    return str(spec), schemas


def semver_step(old: str, new: str) -> str:
    """Which part of the version a release from *old* to *new* raises.

    :returns: ``major``, ``minor`` or ``patch``.
    :raises ValueError: when either is not ``MAJOR.MINOR.PATCH`` or *new* is not later.

    >>> semver_step("1.0.0", "1.1.0"), semver_step("1.1.0", "2.0.0"), semver_step("1.1.0", "1.1.1")
    ('minor', 'major', 'patch')
    """
    before, after = _semver(old), _semver(new)
    if after <= before:
        raise ValueError(f"{new} does not come after {old}")
    if after[0] != before[0]:
        return "major"
    return "minor" if after[1] != before[1] else "patch"


def _semver(version: str) -> tuple[int, int, int]:
    match = _SEMVER.match(version)
    if match is None:
        raise ValueError(f"{version!r} is not a MAJOR.MINOR.PATCH version")
    return (int(match[1]), int(match[2]), int(match[3]))


def release_problems(registry: SchemaRegistry) -> list[str]:
    """The SemVer rule over consecutive released versions: a major step may change anything,
    a minor step must be backward (or full), a patch step must be full. Versions below 1.0.0
    are initial development, where anything may change (SemVer item 4).

    :param registry: the released schemas.
    :returns: one message per violating step, naming both versions, the step, the verdict
        and the changes that cause it; empty when every step keeps the rule.
    """
    problems: list[str] = []
    versions = registry.versions
    for old, new in itertools.pairwise(versions):
        step = semver_step(old, new)
        if step == "major" or _semver(old)[0] == 0:
            continue
        verdict = diff_schemas((old, registry.schemas[old]), (new, registry.schemas[new]))
        found = verdict.compatibility()
        if found == "full" or (step == "minor" and found == "backward"):
            continue
        culprits = [
            c for c in verdict.changes if not c.backward or (step == "patch" and not c.forward)
        ]
        need = "backward compatible (or full)" if step == "minor" else "full"
        lines = [f"{old} -> {new} is a {step} step, which must be {need}, but it is {found}:"]
        lines += [f"  {c.record_type}{c.pointer}: {c.kind}: {c.reason}" for c in culprits]
        problems.append("\n".join(lines))
    return problems


# --- rendering ------------------------------------------------------------------------------


def render_text(verdict: Verdict, *, documentation: bool = False) -> str:
    """The verdict as text: each record type with its verdict, then one line per change
    (``pointer: kind (backward yes/no, forward yes/no): reason``), and a last line with the
    overall verdict.

    :param documentation: also list the documentation-only changes (counted otherwise).
    :returns: the text, ending in a newline.
    """
    lines = [f"schema compatibility {verdict.old} -> {verdict.new}"]
    for name in verdict._names():
        lines.append(f"{name}: {verdict.compatibility(name)}")
        own = [c for c in verdict.changes if c.record_type == name]
        shown = [c for c in own if documentation or c.kind != "documentation"]
        lines += [
            f"  {_shown_pointer(c.pointer)}: {c.kind} ({_ways(c)}): {c.reason}" for c in shown
        ]
        if len(shown) < len(own):
            lines.append(f"  ({len(own) - len(shown)} documentation changes not shown)")
    lines.append(f"overall: {verdict.compatibility()}")
    return "\n".join(lines) + "\n"


def render_markdown(verdict: Verdict) -> str:
    """The verdict as a Markdown page: a table of the record types' verdicts, then a table of
    each record type's changes.

    :returns: the page, ending in a newline.
    """
    lines = [
        f"# Schema compatibility: `{verdict.old}` → `{verdict.new}`",
        "",
        f"Overall: **{verdict.compatibility()}**",
        "",
        "| record type | verdict | changes |",
        "|---|---|---|",
    ]
    names = verdict._names()
    for name in names:
        count = sum(1 for c in verdict.changes if c.record_type == name)
        lines.append(f"| `{name}` | {verdict.compatibility(name)} | {count} |")
    for name in names:
        own = [c for c in verdict.changes if c.record_type == name]
        if not own:
            continue
        lines += ["", f"## `{name}`: {verdict.compatibility(name)}", ""]
        lines += ["| pointer | kind | backward | forward | reason |", "|---|---|---|---|---|"]
        for c in own:
            cells = [f"`{_shown_pointer(c.pointer)}`", c.kind, _yes(c.backward), _yes(c.forward)]
            lines.append("| " + " | ".join([*cells, _cell(c.reason)]) + " |")
    return "\n".join(lines) + "\n"


def _shown_pointer(pointer: str) -> str:
    return pointer or "(root)"


def _ways(change: Change) -> str:
    return f"backward {_yes(change.backward)}, forward {_yes(change.forward)}"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# --- the comparison -------------------------------------------------------------------------


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


_MISSING: Any = object()
#: Where the version stamp is: the const every document's ``schema_version`` must equal.
_VERSION_DEF = ("defs", "/$defs/schema_version")
_SYNTHETIC_BASE = "https://schemas.invalid/"


class _Set:
    """One version's schemas by record type, with ``$ref`` resolved against each ``$id``
    (nested ``$id`` are not followed)."""

    def __init__(self, label: str, docs: Mapping[str, Any]) -> None:
        self.label = label
        self.docs: dict[str, Any] = dict(docs)
        self._base = {name: _base_uri(name, doc) for name, doc in self.docs.items()}
        self._by_uri = {uri: name for name, uri in self._base.items()}
        self.version = _stamped_version(self.docs)

    def resolve(self, doc: str, ref: str) -> tuple[str, str] | None:
        """Where *ref*, written in *doc*, points: ``(record type, pointer)``, or None."""
        uri, fragment = urldefrag(urljoin(self._base.get(doc, _base_uri(doc, None)), ref))
        name = self._by_uri.get(uri)
        if name is None:
            return None
        pointer: str | None = unquote(fragment)
        if pointer and not pointer.startswith("/"):
            pointer = _find_anchor(self.docs[name], pointer, "")
        if pointer is None or _walk(self.docs[name], pointer) is _MISSING:
            return None
        return name, pointer

    def at(self, doc: str, pointer: str) -> Any:
        return _walk(self.docs[doc], pointer)

    def target(self, doc: str, ref: str) -> _N | None:
        found = self.resolve(doc, ref)
        return None if found is None else _N(self, found[0], self.at(*found))


def _base_uri(name: str, doc: Any) -> str:
    declared = doc.get("$id") if isinstance(doc, dict) else None
    if isinstance(declared, str) and declared:
        return urldefrag(declared)[0]
    return f"{_SYNTHETIC_BASE}{name}{SCHEMA_SUFFIX}"


def _stamped_version(docs: Mapping[str, Any]) -> str:
    """The version the ``$id``s carry (``…/schemas/<version>/…``), or ``""``."""
    for doc in docs.values():
        declared = doc.get("$id") if isinstance(doc, dict) else None
        if isinstance(declared, str) and declared.startswith(ID_BASE):
            version = declared.removeprefix(ID_BASE).split("/")[0]
            if _SEMVER.match(version):
                return version
    return ""


def _walk(doc: Any, pointer: str) -> Any:
    node = doc
    for raw in pointer.split("/")[1:] if pointer else []:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return _MISSING
    return node


def _find_anchor(node: Any, name: str, pointer: str) -> str | None:
    if isinstance(node, dict):
        if node.get("$anchor") == name:
            return pointer
        items: Iterable[tuple[str, Any]] = node.items()
    elif isinstance(node, list):
        items = ((str(i), v) for i, v in enumerate(node))
    else:
        return None
    for key, value in items:
        found = _find_anchor(value, name, pointer + _pointer((key,)))
        if found is not None:
            return found
    return None


def _pointer(keys: Iterable[str]) -> str:
    return "".join("/" + k.replace("~", "~0").replace("/", "~1") for k in keys)


# --- small helpers on JSON values -----------------------------------------------------------


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


# --- JSON types -------------------------------------------------------------------------

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


# --- the prover -----------------------------------------------------------------------------

_DEPTH = 12


@dataclass(frozen=True, eq=False)
class _N:
    """A schema with where its ``$ref``s resolve: its version's set and its file."""

    where: _Set
    doc: str
    value: Any


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


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


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


# --- where the walk is ----------------------------------------------------------------------


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


#: Keywords that apply subschemas to the instance in place (never taken as facts about the
#: enclosing object, since the walk may be inside one of them).
_IN_PLACE = frozenset(
    {"allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "$ref"}
    | {"$dynamicRef", "unevaluatedProperties", "unevaluatedItems", "$defs", "definitions"}
)


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


# --- the differ -----------------------------------------------------------------------------

_Comparer = Callable[["_Differ", _Ctx, dict[str, Any], dict[str, Any]], Iterator[Change]]


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


# --- the comparers, one per keyword family ---------------------------------------------------


def _documentation(
    d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
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


def _stamps(d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
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
    d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
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


def _unknown(d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
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


def _ref(d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
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


def _ref_pair(d: _Differ, ctx: _Ctx, before: str, after: str) -> Iterator[Change]:
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


def _type(d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
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


def _enum(d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
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
    d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
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


def _properties(
    d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
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


def _shape(schema: Any) -> str:
    if schema is None or _trivial(schema):
        return "true"
    return "false" if schema is False else "schema"


def _subschema(keyword: str, base: str, companions: tuple[str, ...] = ()) -> _Comparer:
    """A keyword holding one subschema (absent is ``true``): compared node by node, or as a
    whole when one side is absent, ``true`` or ``false``."""

    def compare(
        d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
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


def _pattern_properties(
    d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
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


def _dependent_required(
    d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
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


def _dependent_schemas(
    d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
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


def _bounds(d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
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


def _text_keyword(keyword: str) -> _Comparer:
    """``pattern`` or ``format``: equal, added, removed, or changed (never compared)."""

    def compare(
        d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
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
    d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
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


def _prefix_items(
    d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
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


def _contains(d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
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


def _not(d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
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
    d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
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


def _flipped(changes: Iterable[Change], where: str) -> Iterator[Change]:
    for c in changes:
        if c.backward == c.forward:
            yield c
        else:
            reason = f"{c.reason}; this is {where}, so the effect on data is reversed"
            yield replace(c, backward=c.forward, forward=c.backward, reason=reason)


def _blurred(changes: Iterable[Change], why: str) -> Iterator[Change]:
    for c in changes:
        yield (
            c
            if c.backward and c.forward
            else replace(c, backward=False, forward=False, reason=f"{c.reason}; {why}")
        )


def _combinators(
    d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
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
    d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any], keyword: str
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


def _dynamic_ref(
    d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
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
    d: _Differ, ctx: _Ctx, old: dict[str, Any], new: dict[str, Any]
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

#: Every keyword a comparer reads.
_KNOWN = (
    DOCUMENTATION_KEYWORDS
    | _FOR_TYPE.keys()
    | {"$id", "$schema", "$ref", "$dynamicRef", "$defs", "definitions", "type", "enum", "const"}
    | {"contentEncoding", "contentMediaType", "contentSchema", "$anchor", "$dynamicAnchor"}
    | {"$vocabulary", "not", "if", "then", "else", "allOf", "anyOf", "oneOf"}
)
