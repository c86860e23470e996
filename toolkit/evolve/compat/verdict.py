"""The verdict model: one :class:`Change` between two versions of a record type's schema,
the :class:`Verdict` over two schema sets with the meet of its changes (:func:`_meet`) as the
compatibility, and their vocabulary: the verdicts (:data:`COMPATIBILITIES`), every kind of
change (:data:`KINDS`) and the keywords that never change which data is valid
(:data:`DOCUMENTATION_KEYWORDS`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from toolkit.errors import UnknownSchemaName

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


def _shown_pointer(pointer: str) -> str:
    return pointer or "(root)"
