"""The JSON Schema check of one document: against the schema of the version it declares, the
compiled validator first and python-jsonschema only to explain a failure; a record that breaks
its schema is set aside so the rest of the document is still checked."""

from __future__ import annotations

from typing import Any

from toolkit.check.strict_json import Loaded
from toolkit.dataset import schema_reference
from toolkit.findings import RULE_CODES, RuleCode, declare, pointer_join
from toolkit.registry import DOCUMENT_TYPES, SchemaRegistry

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
#: The keywords whose subschema applies to a part of the instance (one level down).
_DOWN = ("items", "additionalProperties", "contains", "unevaluatedItems", "unevaluatedProperties")
#: The keywords whose subschemas apply to the instance itself.
_SAME = ("allOf", "anyOf", "oneOf")
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
    index = _then_index(registry)
    said: set[tuple[str, str]] = set()
    for error in registry.validator(name, version).iter_errors(doc):
        if _vacuous_then(error, doc, index):
            continue  # the `if` held only because its property is absent: not the cause
        path = list(error.absolute_path)
        pointer = pointer_join(*path)
        meant = _meant(error)
        message = _message(meant)
        if pointer not in reported and (pointer, message) not in said:
            said.add((pointer, message))  # one finding though two rules say the same
            schema_path = "/".join(str(p) for p in error.absolute_schema_path)
            loaded.findings.append(
                loaded.finding(
                    "schema-violation",
                    message,
                    pointer,
                    schema_path=schema_path,
                    hint=_hint(meant),
                )
            )
        if name in DOCUMENT_TYPES and len(path) >= 2 and path[0] in RECORD_ARRAYS:
            bad_records.add((str(path[0]), int(path[1])))
        else:
            whole_ok = False
    if not whole_ok:
        loaded.document = None
        return False
    if bad_records:
        loaded.document = _without(doc, bad_records, loaded.dropped_at)
        loaded.dropped_ids.update(loaded.dropped_at)
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


def _without(
    doc: dict[str, Any], bad: set[tuple[str, int]], dropped: dict[str, str]
) -> dict[str, Any]:
    """A copy of *doc* with each schema-invalid record replaced by None (so the others keep
    their index and pointer); their ids go into *dropped*, with the record's pointer."""
    kept = dict(doc)
    for section, key in RECORD_ARRAYS.items():
        items = doc.get(section)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if (section, i) in bad and isinstance(item, dict) and isinstance(item.get(key), str):
                dropped.setdefault(item[key], pointer_join(section, i))
        kept[section] = [None if (section, i) in bad else item for i, item in enumerate(items)]
    return kept


def _meant(error: Any) -> Any:
    """The error that says what is wrong: for a value failing an ``anyOf`` or ``oneOf``, the
    error of the branch it was meant for, chosen again inside that branch.

    The branch meant is one whose ``type`` the value has (a string is not meant for the
    ``null`` branch); of those, the one whose error lies deepest in the value; of those, the
    first. When every branch rejects the value's type, jsonschema's ``best_match`` chooses.
    """
    from jsonschema.exceptions import best_match

    while error.context:
        branches: dict[Any, list[Any]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        typed = [
            errors
            for _, errors in sorted(branches.items(), key=lambda item: str(item[0]))
            if not any(e.validator == "type" and not e.relative_path for e in errors)
        ]
        if typed:
            chosen = max(typed, key=lambda errors: max(len(e.relative_path) for e in errors))
            deepest = best_match(chosen)
        else:
            deepest = best_match(error.context)
        if deepest is None:
            break
        error = deepest
    return error


def _message(error: Any) -> str:
    """What *error* says, the often huge instance repr cut short; a ``format`` error names
    what the value fails to be."""
    if error.validator == "format":
        what = _FORMATS.get(error.validator_value, error.validator_value)
        message = f"{_repr(error.instance)} is not a valid {what}"
    else:
        message = str(error.message)
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    return message


#: How a message and a hint name each format our schemas use.
_FORMATS = {
    "date": "date (a day of the calendar, YYYY-MM-DD)",
    "date-time": "date and time (RFC 3339)",
    "uri": "URI",
    "email": "e-mail address",
}


def _repr(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _hint(error: Any) -> str:
    """What to write so that *error*'s rule holds, from its keyword and its value."""
    from toolkit.dataset import listing

    keyword, value, schema, instance = (
        error.validator,
        error.validator_value,
        error.schema,
        error.instance,
    )
    if keyword == "required" and isinstance(instance, dict):
        missing = [repr(p) for p in value if p not in instance]
        named = [p for p in missing if str(error.message).startswith(p)] or missing
        return f"Add {listing(named)} to this object."
    if keyword == "enum":
        return f"Write one of: {listing([_json(v) for v in value], 30)}."
    if keyword == "const":
        return f"Write {_json(value)} here."
    if keyword == "type":
        kinds = value if isinstance(value, list) else [value]
        return f"Write {' or '.join(_TYPES.get(str(k), str(k)) for k in kinds)} here."
    if keyword == "format":
        return f"Write a valid {_FORMATS.get(value, value)}."
    if keyword == "pattern" and value == "\\S":
        return "Write some text: not empty, not only spaces."
    if keyword == "pattern":
        what = schema.get("description") if isinstance(schema, dict) else None
        return f"Write a value matching {value}" + (f" ({what})" if what else "") + "."
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(schema, dict):
        allowed = sorted(schema.get("properties", {}))
        return (
            "Remove the property the message names, or fix its spelling"
            + (f"; allowed: {listing(allowed, 30)}" if allowed else "")
            + "."
        )
    if keyword in _BOUNDS:
        return _BOUNDS[keyword].format(value)
    if keyword == "uniqueItems":
        return "Remove the repeated item."
    if keyword == "not":
        return "This value is not allowed here: remove it or write another."
    return RULE_CODES["schema-violation"].hint


_TYPES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "object": "an object",
    "array": "an array",
    "boolean": "true or false",
    "null": "null",
}
_BOUNDS = {
    "minLength": "Write at least {} character(s).",
    "maxLength": "Write at most {} character(s).",
    "minimum": "Write a number of at least {}.",
    "maximum": "Write a number of at most {}.",
    "exclusiveMinimum": "Write a number greater than {}.",
    "exclusiveMaximum": "Write a number less than {}.",
    "minItems": "List at least {} item(s).",
    "maxItems": "List at most {} item(s).",
    "minProperties": "Give at least {} propert(ies).",
}


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


#: id(schema node inside a ``then``) -> (the ``if`` it depends on, how many levels of the
#: instance the node lies below the object the ``if`` tests), per loaded set of schemas.
_THEN_INDEXES: dict[int, tuple[Any, dict[int, tuple[dict[str, Any], int]]]] = {}


def _then_index(registry: SchemaRegistry) -> dict[int, tuple[dict[str, Any], int]]:
    """Every schema node inside a ``then`` of *registry*'s schemas (see :data:`_THEN_INDEXES`),
    found by identity: python-jsonschema hands each error the node it failed."""
    key = id(registry.schemas)
    cached = _THEN_INDEXES.get(key)
    if cached is None or cached[0] is not registry.schemas:
        index: dict[int, tuple[dict[str, Any], int]] = {}
        for version in registry.schemas.values():
            for schema in version.values():
                _walk(schema, 0, None, index)
        cached = _THEN_INDEXES[key] = (registry.schemas, index)
    return cached[1]


def _walk(
    node: Any,
    depth: int,
    condition: dict[str, Any] | None,
    index: dict[int, tuple[dict[str, Any], int]],
) -> None:
    if not isinstance(node, dict):
        return
    if condition is not None:
        index[id(node)] = (condition, depth)
    for key, value in node.items():
        if key == "then" and isinstance(node.get("if"), dict):
            _walk(value, 0, node["if"], index)
        elif key in ("properties", "patternProperties") and isinstance(value, dict):
            for sub in value.values():
                _walk(sub, depth + 1, condition, index)
        elif key == "prefixItems" and isinstance(value, list):
            for sub in value:
                _walk(sub, depth + 1, condition, index)
        elif key in _DOWN:
            _walk(value, depth + 1, condition, index)
        elif key in _SAME and isinstance(value, list):
            for sub in value:
                _walk(sub, depth, condition, index)
        elif key in ("$defs", "definitions") and isinstance(value, dict):
            for sub in value.values():
                _walk(sub, 0, None, index)
        elif key in ("not", "else", "if"):
            _walk(value, depth, None if key == "else" else condition, index)


def _vacuous_then(error: Any, doc: Any, index: dict[int, tuple[dict[str, Any], int]]) -> bool:
    """True when *error* comes from a ``then`` whose ``if`` held only because a property it
    tests is absent (an ``if`` of ``properties`` without ``required``, as schema 1.0.0 has
    them): the absent property is the cause, reported by its own ``required`` error."""
    entry = index.get(id(error.schema))
    if entry is None:
        return False
    condition, depth = entry
    tested = set(condition.get("properties", {})) - set(condition.get("required", ()))
    if not tested:
        return False
    path = list(error.absolute_path)
    node = doc
    for part in path[: len(path) - depth]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    return isinstance(node, dict) and any(p not in node for p in tested)


def _shown(value: Any) -> str:
    """*value* as a message shows it: a string cut to 120 characters, anything else its
    JSON type."""
    if isinstance(value, str):
        return repr(value[:120])
    kinds = {dict: "an object", list: "an array", bool: "a boolean", type(None): "null"}
    return f"{kinds.get(type(value), 'a number')}, not a string"
