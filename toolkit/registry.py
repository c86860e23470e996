"""The released JSON Schemas, loaded offline into an immutable `referencing.Registry`.

Every version lives in ``schemas/<version>/``; each file's ``$id`` contains the version, so
several versions sit side by side in one registry and a ``$ref`` never leaves its version.
Nothing is ever retrieved from the network or from outside ``schemas/``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from toolkit.errors import SchemaDirectoryMissing, UnknownSchemaName, UnknownSchemaVersion

SCHEMA_SUFFIX = ".schema.json"
ID_BASE = "https://w3id.org/cnvn-visit/schemas/"
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
#: Record types that are whole documents rather than parts of one.
DOCUMENT_TYPES = ("annotation", "actor_registry")


def default_schema_dir() -> Path:
    """The ``schemas/`` folder: ``$TOOLKIT_SCHEMAS`` if set, else the copy an installed wheel
    carries inside the package, else the one beside it in a checkout of the repository (never
    a ``schemas/`` another distribution put in site-packages)."""
    env = os.environ.get("TOOLKIT_SCHEMAS")
    if env:
        return Path(env)
    package = Path(__file__).resolve().parent
    inside = package / "schemas"  # only an installed wheel has it: a checkout has no copy
    return inside if inside.is_dir() else package.parent / "schemas"


def version_key(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(p) for p in version.split("."))
    return (major, minor, patch)


def schema_uri(version: str, name: str) -> str:
    """The ``$id`` of record type *name* in *version*."""
    return f"{ID_BASE}{version}/{name}{SCHEMA_SUFFIX}"


@dataclass(frozen=True)
class SchemaRegistry:
    """All released schema versions found under *root*.

    :param root: the ``schemas/`` folder.
    :raises SchemaDirectoryMissing: when *root* has no version folders.

    >>> reg = SchemaRegistry.load()
    >>> reg.latest
    '1.0.0'
    """

    root: Path
    schemas: dict[str, dict[str, dict[str, Any]]] = field(repr=False)
    _validators: dict[tuple[str, ...], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def load(cls, root: Path | None = None) -> SchemaRegistry:
        root = Path(root) if root is not None else default_schema_dir()
        if not root.is_dir():
            raise SchemaDirectoryMissing(
                f"no schemas folder at {root}; set TOOLKIT_SCHEMAS or run from the repository"
            )
        schemas: dict[str, dict[str, dict[str, Any]]] = {}
        for vdir in sorted(p for p in root.iterdir() if p.is_dir() and _SEMVER.match(p.name)):
            schemas[vdir.name] = {
                f.name.removesuffix(SCHEMA_SUFFIX): json.loads(f.read_text(encoding="utf-8"))
                for f in sorted(vdir.glob(f"*{SCHEMA_SUFFIX}"))
            }
        if not schemas:
            raise SchemaDirectoryMissing(f"{root} holds no schema version folders (e.g. 1.0.0/)")
        return cls(root=root, schemas=schemas)

    @property
    def versions(self) -> list[str]:
        """Released versions, oldest first."""
        return sorted(self.schemas, key=version_key)

    @property
    def latest(self) -> str:
        return self.versions[-1]

    def check_version(self, version: object) -> str:
        """Return *version* if released, else raise with the list of known versions."""
        if not isinstance(version, str) or version not in self.schemas:
            known = ", ".join(self.versions)
            raise UnknownSchemaVersion(
                f"unknown schema version {version!r}; known versions: {known}"
            )
        return version

    def record_types(self, version: str | None = None) -> list[str]:
        """Names of the record types of *version* (the latest by default)."""
        version = self.check_version(version or self.latest)
        return sorted(n for n in self.schemas[version] if n != "defs")

    def schema(self, name: str, version: str | None = None) -> dict[str, Any]:
        version = self.check_version(version or self.latest)
        try:
            return self.schemas[version][name]
        except KeyError:
            known = ", ".join(self.record_types(version))
            raise UnknownSchemaName(
                f"no record type {name!r} in schema {version}; known: {known}"
            ) from None

    def path(self, name: str, version: str) -> Path:
        self.schema(name, version)
        return self.root / version / f"{name}{SCHEMA_SUFFIX}"

    @cached_property
    def referencing(self) -> Any:
        """An immutable ``referencing.Registry`` of every schema of every version.

        It has no ``retrieve`` function, so a ``$ref`` to anything not loaded here fails
        instead of reaching the network or the file system.
        """
        from referencing import Resource

        return self._referencing_of(Resource.from_contents)

    @cached_property
    def _undeclared_referencing(self) -> Any:
        """:attr:`referencing` with the schemas' ``$schema`` left out (each resource is
        Draft 2020-12 all the same), so that python-jsonschema, following a ``$ref``, stays
        with the validator class it started with instead of the one registered for that
        ``$schema`` (see :func:`_ecma_validator_class`)."""
        from referencing.jsonschema import DRAFT202012

        return self._referencing_of(lambda doc: DRAFT202012.create_resource(_undeclared(doc)))

    def _referencing_of(self, resource: Callable[[dict[str, Any]], Any]) -> Any:
        """A crawled ``referencing.Registry`` of ``resource(schema)`` for every schema."""
        from referencing import Registry

        resources = [(doc["$id"], resource(doc)) for doc in self._every_schema()]
        return Registry().with_resources(resources).crawl()

    def _every_schema(self) -> Iterator[dict[str, Any]]:
        """Every schema of every version, ``defs`` included."""
        for version in self.versions:
            yield from self.schemas[version].values()

    def fast_validator(self, name: str, version: str | None = None) -> Any:
        """A compiled (jsonschema-rs) validator for record type *name*, used only to say
        quickly that a document is valid; None when jsonschema-rs is not installed.

        Its verdicts never accept what python-jsonschema rejects: the one pattern whose
        meaning differs between Python and ECMA-262 regular expressions (``\\S``: Python
        also counts U+001C-U+001F and U+0085 as spaces) is made stricter here, and
        ``tests/test_fastpath.py`` compares the two validators' verdicts.
        """
        version = self.check_version(version or self.latest)
        key = ("fast", name, version)
        if key not in self._validators:
            try:
                import jsonschema_rs
            except ImportError:  # pragma: no cover - an optional speed-up
                return None
            resources = [(doc["$id"], _ecma_safe(doc)) for doc in self._every_schema()]
            registry = jsonschema_rs.Registry(resources, retriever=_refuse_retrieval)
            self._validators[key] = jsonschema_rs.validator_for(
                _ecma_safe(self.schema(name, version)),
                registry=registry,
                retriever=_refuse_retrieval,
                validate_formats=True,
            )
        return self._validators[key]

    def validator(self, name: str, version: str | None = None) -> Any:
        """A Draft 2020-12 validator for record type *name*, with format checking, cached."""
        version = self.check_version(version or self.latest)
        if (name, version) not in self._validators:
            from jsonschema import Draft202012Validator

            self._validators[(name, version)] = _ecma_validator_class()(
                _undeclared(self.schema(name, version)),
                registry=self._undeclared_referencing,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
        return self._validators[(name, version)]


@lru_cache(maxsize=1)
def _ecma_validator_class() -> Any:
    """Draft 2020-12 with ``pattern`` as JSON Schema defines it, in ECMA-262's dialect, where
    ``$`` (no multiline flag) matches only at the end of the string. Python's ``$`` also
    matches before a final newline, so python-jsonschema accepts ``"agr-x\\n"`` for
    ``^agr-[a-z0-9]+$``; the compiled validator, rightly, does not. The schemas it validates
    with leave out their ``$schema`` (:attr:`SchemaRegistry._undeclared_referencing`):
    python-jsonschema picks a ``$ref``'s class by the ``$schema`` it finds there, which would
    be the stock one."""
    from jsonschema import Draft202012Validator, ValidationError, validators

    def pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Any:
        if validator.is_type(instance, "string") and not _ecma_regex(patrn).search(instance):
            yield ValidationError(f"{instance!r} does not match {patrn!r}")

    return validators.extend(Draft202012Validator, {"pattern": pattern})


def _undeclared(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != "$schema"}


@lru_cache(maxsize=256)
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    """*pattern* compiled with each end-of-string ``$`` (outside a character class) written
    ``\\Z``, which is what ECMA-262's ``$`` means."""
    out: list[str] = []
    i, in_class, first = 0, False, -1
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]" or i == first  # a "]" first in a class is a member of it
        elif c == "[":
            in_class = True
            first = i + 2 if pattern.startswith("^", i + 1) else i + 1
        elif c == "$":
            c = "\\Z"
        out.append(c)
        i += 1
    return re.compile("".join(out))


#: Python's ``\\S`` excludes characters ECMA-262's does not: make the compiled validator's
#: pattern at least as strict as python-jsonschema's.
_PY_NON_SPACE = "[^\\s\\x1c-\\x1f\\x85]"


def _ecma_safe(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (_PY_NON_SPACE if k == "pattern" and v == "\\S" else _ecma_safe(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_ecma_safe(v) for v in node]
    return node


def _refuse_retrieval(uri: str) -> Any:
    raise LookupError(f"{uri} is not a released schema; nothing is retrieved")
