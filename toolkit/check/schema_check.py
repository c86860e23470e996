"""The JSON Schema check of one document: against the schema of the version it declares, the
compiled validator first and python-jsonschema only to explain a failure; a record that breaks
its schema is set aside so the rest of the document is still checked."""

from __future__ import annotations

from typing import Any

from toolkit.check.strict_json import Loaded
from toolkit.dataset import schema_reference
from toolkit.findings import RuleCode, declare, pointer_join
from toolkit.registry import SchemaRegistry

SCHEMA_CODES = declare(
    RuleCode(
        "schema-version-unknown",
        "schema",
        "The declared schema_version is missing or unknown",
        "Set schema_version to a released version (see `toolkit schema list`).",
    ),
    RuleCode(
        "schema-pointer-mismatch",
        "schema",
        "$schema does not name the declared version's schema",
        "Set $schema to ../../schemas/<schema_version>/annotation.schema.json.",
    ),
    RuleCode(
        "schema-violation",
        "schema",
        "The record breaks its JSON Schema",
        "Change the value at the pointer so the schema rule named in the message holds.",
    ),
)
_MAX_MESSAGE = 300
_VALUE_CODES = ("json-nonfinite-number", "json-number-out-of-range", "json-lone-surrogate")
RECORD_ARRAYS = {"agreements": "agreement_id", "dates": "date_id", "actors": "actor_id"}


def check_schema(loaded: Loaded, registry: SchemaRegistry, name: str) -> bool:
    """Validate *loaded* against record type *name* of the version it declares.

    Adds every schema finding. A record (an item of ``agreements``, ``dates`` or ``actors``)
    that breaks its schema is set aside so the rest of the document is still checked; its id
    is kept in ``loaded.dropped_ids`` so references to it are not reported twice. Returns False
    when the document as a whole cannot be trusted (an error outside those records).
    """
    doc = loaded.document
    version = doc.get("schema_version")
    if version not in registry.versions:
        known = ", ".join(registry.versions)
        loaded.findings.append(
            loaded.finding(
                "schema-version-unknown",
                f"schema_version {version!r} is not a released version (known: {known})"
                if "schema_version" in doc
                else f"schema_version is missing (known: {known})",
                "/schema_version" if "schema_version" in doc else "",
            )
        )
        loaded.document = None
        return False
    declared = doc.get("$schema")
    expected = schema_reference(name, version)
    if declared is not None and declared not in (expected, registry.schema(name, version)["$id"]):
        loaded.findings.append(
            loaded.finding(
                "schema-pointer-mismatch",
                f"$schema is {_shown(declared)}; expected {expected!r} "
                "(it is never fetched or opened)",
                "/$schema",
            )
        )
    bad_records: set[tuple[str, int]] = set()
    whole_ok = True
    # a value the loader already reported (NaN, a 70-digit number) gets no second finding
    reported = {f.pointer for f in loaded.findings if f.code in _VALUE_CODES}
    if not reported and _fast_valid(registry, name, version, doc):
        return True
    for error in registry.validator(name, version).iter_errors(doc):
        path = list(error.absolute_path)
        pointer = pointer_join(*path)
        if pointer not in reported:
            schema_path = "/".join(str(p) for p in error.absolute_schema_path)
            loaded.findings.append(
                loaded.finding(
                    "schema-violation", _message(error), pointer, schema_path=schema_path
                )
            )
        if name == "annotation" and len(path) >= 2 and path[0] in RECORD_ARRAYS:
            bad_records.add((str(path[0]), int(path[1])))
        else:
            whole_ok = False
    if not whole_ok:
        loaded.document = None
        return False
    if bad_records:
        loaded.document = _without(doc, bad_records, loaded.dropped_ids)
    return True


def _fast_valid(registry: SchemaRegistry, name: str, version: str, doc: Any) -> bool:
    """True when the compiled validator accepts *doc*: then python-jsonschema, which
    explains failures, need not run. Any doubt (no compiled validator, a value it cannot
    take) answers False and the full check runs."""
    fast = registry.fast_validator(name, version)
    if fast is None:
        return False
    try:
        return bool(fast.is_valid(doc))
    except (ValueError, TypeError, OverflowError):
        return False


def _without(doc: dict[str, Any], bad: set[tuple[str, int]], dropped: set[str]) -> dict[str, Any]:
    """A copy of *doc* with each schema-invalid record replaced by None (so the others keep
    their index and pointer); their ids go into *dropped*."""
    kept = dict(doc)
    for section, key in RECORD_ARRAYS.items():
        items = doc.get(section)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if (section, i) in bad and isinstance(item, dict) and isinstance(item.get(key), str):
                dropped.add(item[key])
        kept[section] = [None if (section, i) in bad else item for i, item in enumerate(items)]
    return kept


def _message(error: Any) -> str:
    """jsonschema's message, with the often huge instance repr cut short."""
    from jsonschema.exceptions import best_match

    if error.context:
        deepest = best_match(error.context)
        if deepest is not None:
            error = deepest
    message = str(error.message)
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    return message


def _shown(value: Any) -> str:
    """*value* as a message shows it: a string cut to 120 characters, anything else its
    JSON type."""
    if isinstance(value, str):
        return repr(value[:120])
    kinds = {dict: "an object", list: "an array", bool: "a boolean", type(None): "null"}
    return f"{kinds.get(type(value), 'a number')}, not a string"
