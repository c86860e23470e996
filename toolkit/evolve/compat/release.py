"""Loading the schema sets to compare (a released version, or a folder of drafts), and the
SemVer release rule over consecutive released versions."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError, UnknownSchemaVersion
from toolkit.evolve.compat.differ import diff_schemas
from toolkit.evolve.compat.semver import _semver, semver_step
from toolkit.registry import SCHEMA_SUFFIX, SchemaRegistry


class UnknownSchemaSet(UnknownSchemaVersion):
    """A schema set was asked for that is neither a released version nor a folder of schemas."""


class UnreadableSchemaSet(ToolkitError):
    """A schema file of a folder given as a schema set cannot be read as JSON."""


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
