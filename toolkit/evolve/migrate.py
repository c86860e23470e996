"""Migrations: a document written against one released schema version rewritten for a later
one, one step per version.

Each step is a pure function of one document: it returns the document as the next version
has it and what it could not know (an agreement's trigger), which is left for the annotator
and said. Steps are deterministic and idempotent: a document already at the target version is
returned unchanged. The export publishes every document migrated to the latest version, so a
dataset of mixed versions has one published shape.

>>> doc = {"schema_version": "1.0.0", "source": {"article_id": "000_0000000000000000"},
...        "agreements": [], "dates": [], "actors": []}
>>> migrated = migrate_document(doc, "annotation", "1.1.0")
>>> migrated.document["schema_version"], migrated.steps
('1.1.0', ('1.0.0 -> 1.1.0',))
>>> migrate_document(migrated.document, "annotation", "1.1.0").steps
()
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.canonical_json import canonical_bytes, replace_file
from toolkit.check.document_rules import parse_date_value
from toolkit.check.rows import mod_bounds
from toolkit.check.strict_json import load_json
from toolkit.dataset import Dataset, schema_reference
from toolkit.errors import ToolkitError, UnknownSchemaVersion
from toolkit.findings import Finding
from toolkit.registry import SchemaRegistry, schema_uri, version_key

#: What a document is: an annotation document or the actor registry.
KINDS = ("annotation", "actor_registry")


class MigrationRefused(ToolkitError):
    """A document cannot be migrated to the version asked for (it is newer, or no step
    leads there)."""


@dataclass(frozen=True)
class Migrated:
    """One document migrated: the result, the steps taken (``"1.0.0 -> 1.1.0"``) and what
    is left for the annotator."""

    document: dict[str, Any]
    steps: tuple[str, ...] = ()
    left: tuple[str, ...] = ()


Step = Callable[[dict[str, Any], str], tuple[dict[str, Any], list[str]]]


def _to_1_1_0(doc: dict[str, Any], kind: str) -> tuple[dict[str, Any], list[str]]:
    """1.0.0 -> 1.1.0: the version and ``$schema``; date bounds that follow an open ``mod``
    ("by 2045" has no first day); ``qualifier: exact`` on counts not marked approximate.
    Left for the annotator: every agreement's trigger, the qualifier of approximate counts."""
    out = _restamped(doc, kind, "1.0.0", "1.1.0")
    left: list[str] = []
    if kind != "annotation":
        return out, left
    untriggered = []
    agreements = out.get("agreements")
    if isinstance(agreements, list):
        out["agreements"] = [_qualified(a, left) for a in agreements]
        untriggered = [
            str(a.get("agreement_id"))
            for a in agreements
            if isinstance(a, dict) and "trigger" not in a
        ]
    if untriggered:
        left.append(
            f"{len(untriggered)} agreement(s) need a trigger, the words that carry the "
            f"status: {', '.join(untriggered)}"
        )
    dates = out.get("dates")
    if isinstance(dates, list):
        out["dates"] = [_open_bounds(d) if isinstance(d, dict) else d for d in dates]
    if not any(out.get(section) for section in ("agreements", "actors", "dates")):
        left.append(
            "the document has no records: annotate them, or state no_records with the reason "
            "the article has none"
        )
    return out, left


def _qualified(agreement: Any, left: list[str]) -> Any:
    """*agreement* with ``qualifier: exact`` on each count not marked approximate (a new
    record where one is added; *left* gets the approximate counts to decide)."""
    if not isinstance(agreement, dict) or not isinstance(agreement.get("counts"), list):
        return agreement
    counts = []
    for count in agreement["counts"]:
        if isinstance(count, dict) and "qualifier" not in count:
            if count.get("approximate"):
                left.append(
                    f"{agreement.get('agreement_id')}: the qualifier of the approximate "
                    f"count {count.get('value')} (at_least, at_most or approximate)"
                )
            else:
                after = "approximate" if "approximate" in count else "value"
                count = _inserted_after(count, after, "qualifier", "exact")
        counts.append(count)
    return {**agreement, "counts": counts}


#: from version -> (to version, step)
STEPS: dict[str, tuple[str, Step]] = {"1.0.0": ("1.1.0", _to_1_1_0)}


def migrate_document(document: dict[str, Any], kind: str, target: str) -> Migrated:
    """*document* (of *kind*, one of :data:`KINDS`) migrated step by step to *target*.

    :raises MigrationRefused: when the document's version is newer than *target*, or no
        chain of steps leads from it to *target*.
    """
    version = document.get("schema_version")
    if version == target:
        return Migrated(document)
    released = STEPS.keys() | {following for following, _ in STEPS.values()}
    if version in released and version_key(str(version)) > version_key(target):
        raise MigrationRefused(f"the document is at {version}, newer than {target}")
    steps: list[str] = []
    left: list[str] = []
    doc = document
    while version != target:
        if version not in STEPS:
            raise MigrationRefused(f"no migration from schema version {version} to {target}")
        following, step = STEPS[version]
        doc, still = step(doc, kind)
        steps.append(f"{version} -> {following}")
        left.extend(still)
        version = following
    return Migrated(doc, tuple(steps), tuple(left))


def migrate_to_latest(document: dict[str, Any], registry: SchemaRegistry) -> dict[str, Any]:
    """*document* (an annotation document of a released version) as the latest version has
    it: what the export publishes."""
    if document.get("schema_version") == registry.latest:
        return document
    return migrate_document(document, "annotation", registry.latest).document


@dataclass
class FileMigration:
    """What migrating one file did or would do."""

    file: str
    before: str | None
    after: str | None
    steps: tuple[str, ...] = ()
    left: tuple[str, ...] = ()
    changed: bool = False


@dataclass
class MigrationReport:
    """Every file's migration, and the findings of files that could not be read (then no
    file is written)."""

    target: str
    files: list[FileMigration] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.findings

    def lines(self) -> list[str]:
        """One line per file (and one per thing left for the annotator), for people."""
        out = []
        for f in self.files:
            if not f.steps:
                out.append(f"{f.file}: already at {f.after}")
                continue
            verb = "migrated" if self.written else "would migrate"
            out.append(f"{f.file}: {verb} {' then '.join(f.steps)}")
            out.extend(f"{f.file}:   left for the annotator: {item}" for item in f.left)
        return out


def migrate_files(
    dataset: Dataset,
    registry: SchemaRegistry,
    paths: Sequence[Path] | None = None,
    *,
    target: str | None = None,
    write: bool = True,
) -> MigrationReport:
    """Migrate the annotation documents and the actor registry of *dataset* (or the files
    *paths*) to *target* (the latest release by default), each in the canonical layout.

    Every file is read and migrated before any is written; a file that cannot be read
    strictly is a finding and then nothing is written.

    :raises UnknownSchemaVersion: when *target* is not a released version.
    :raises MigrationRefused: when a file is newer than *target*.
    """
    target = registry.check_version(target or registry.latest)
    report = MigrationReport(target)
    pending: list[tuple[Path, bytes]] = []
    for path in _files(dataset, paths):
        file = dataset.relative(path)
        kind = "actor_registry" if path == dataset.actors_path else "annotation"
        loaded = load_json(path, file)
        if not loaded.ok or not isinstance(loaded.document, dict):
            report.findings.extend(loaded.findings)
            continue
        before = loaded.document.get("schema_version")
        try:
            registry.check_version(before)
        except UnknownSchemaVersion:
            report.findings.append(
                loaded.finding(
                    "schema-version-unknown",
                    f"schema_version {before!r} is not a released version, so the file "
                    "cannot be migrated",
                    "/schema_version" if "schema_version" in loaded.document else "",
                )
            )
            continue
        migrated = migrate_document(loaded.document, kind, target)
        data = canonical_bytes(migrated.document)
        changed = data != path.read_bytes()
        report.files.append(
            FileMigration(file, str(before), target, migrated.steps, migrated.left, changed)
        )
        if changed:
            pending.append((path, data))
    if write and report.ok:
        for path, data in pending:
            replace_file(path, data)
        report.written = True
    return report


def _files(dataset: Dataset, paths: Sequence[Path] | None) -> list[Path]:
    """The files to migrate: every annotation document and the actor registry, or *paths*,
    each of which must be one of them (a folder: the annotations folder, for its documents).

    :raises MigrationRefused: for a path that is missing or is no document of the dataset,
        so that nothing outside it is ever rewritten.
    """
    every = [dataset.root / name for name in dataset.annotation_names()]
    if dataset.actors_path.exists():
        every.append(dataset.actors_path)
    if not paths:
        return every
    known = {os.path.abspath(f): f for f in every}
    chosen: list[Path] = []
    for given in paths:
        absolute = os.path.abspath(given)
        if absolute == os.path.abspath(dataset.annotations_dir):
            chosen.extend(f for f in every if f != dataset.actors_path)
        elif absolute in known:
            chosen.append(known[absolute])
        else:
            what = "does not exist" if not os.path.lexists(given) else "is not"
            raise MigrationRefused(
                f"{given} {what} an annotation document or the actor registry of the dataset "
                f"at {dataset.root}"
                if what == "is not"
                else f"{given} does not exist"
            )
    return list(dict.fromkeys(chosen))


def _restamped(doc: dict[str, Any], kind: str, old: str, new: str) -> dict[str, Any]:
    """A copy of *doc* declaring *new*: ``schema_version``, and ``$schema`` where it named
    *old*'s schema (by relative path or by ``$id``). (A step never changes what it is given:
    it replaces what it changes and shares the rest.)"""
    out = dict(doc)
    out["schema_version"] = new
    declared = out.get("$schema")
    if declared == schema_reference(kind, old):
        out["$schema"] = schema_reference(kind, new)
    elif declared == schema_uri(old, kind):
        out["$schema"] = schema_uri(new, kind)
    return out


def _open_bounds(date: dict[str, Any]) -> dict[str, Any]:
    """*date* with the bounds 1.1.0 reads where its ``mod`` opens an end (when its bounds
    were the value's, as 1.0.0 had them); else *date* itself."""
    mod = date.get("mod")
    if mod not in ("BEFORE", "ON_OR_BEFORE", "AFTER", "ON_OR_AFTER"):
        return date
    parsed = parse_date_value(date["value"]) if isinstance(date.get("value"), str) else None
    if parsed is None:
        return date
    low, high, _ = parsed
    if (date.get("earliest"), date.get("latest")) != (low.isoformat(), high.isoformat()):
        return date
    first, last = mod_bounds(low, high, mod)
    return {
        **date,
        "earliest": first.isoformat() if first else None,
        "latest": last.isoformat() if last else None,
    }


def _inserted_after(record: dict[str, Any], after: str, key: str, value: Any) -> dict[str, Any]:
    """A copy of *record* with *key* right after *after*, the others in their order."""
    out: dict[str, Any] = {}
    for k, v in record.items():
        out[k] = v
        if k == after:
            out[key] = value
    out.setdefault(key, value)
    return out


__all__ = [
    "KINDS",
    "STEPS",
    "FileMigration",
    "Migrated",
    "MigrationRefused",
    "MigrationReport",
    "migrate_document",
    "migrate_files",
    "migrate_to_latest",
]
