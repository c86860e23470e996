"""One version's schemas by record type with ``$ref`` resolved within the version
(:class:`_Set`), a schema together with where its ``$ref``s resolve (:class:`_N`), and JSON
pointers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from toolkit.evolve.compat.semver import _SEMVER
from toolkit.registry import ID_BASE, SCHEMA_SUFFIX

_MISSING: Any = object()
#: The base of a file without an ``$id``, against which its relative ``$ref``s resolve.
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


@dataclass(frozen=True, eq=False)
class _N:
    """A schema with where its ``$ref``s resolve: its version's set and its file."""

    where: _Set
    doc: str
    value: Any


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
