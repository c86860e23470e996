"""What a change to the dataset changes in meaning: records added, removed and changed, field
by field, between two dataset roots (or two git refs of one checkout).

A record is an agreement, actor mention or date of one article (by its id in that article),
the article's source block, or an actor of the registry. Lists whose items have an identity
are compared as sets (a party added, a sector removed, a relation changed); evidence is
matched by its quote, so a quote at new offsets is *moved*; a canonical key that now names
another key's agreement is a *merge*. Documents are read as they are: one that does not parse
is reported as unreadable, never a crash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from toolkit.check.strict_json import MAX_BYTES
from toolkit.dataset import Dataset
from toolkit.regular_file import FileTooLarge, NotRegularFile, read_regular
from toolkit.review.gitref import dataset_at_ref

#: Annotation sections: name, record type, id field.
_SECTIONS = (
    ("agreements", "agreement", "agreement_id"),
    ("actors", "actor", "actor_id"),
    ("dates", "date", "date_id"),
)
#: Fields holding a list compared as a set of items, each item shown by these keys.
_SET_FIELDS: dict[str, tuple[str, ...]] = {
    "parties": ("actor_id", "role"),
    "dates": ("date_id", "relation"),
    "relations": ("relation", "canonical_key"),
    "sectors": (),
    "names_as_written": (),
    "other_names": (),
    "annotators": (),
    "reviewers": (),
}
_EVIDENCE_FIELDS = {"evidence", "trigger"}

Key = tuple[str, str, str]  # (article id or "", record type, record id)


@dataclass(frozen=True)
class FieldChange:
    """One field of a record: ``added``, ``removed``, ``changed`` or (evidence) ``moved``."""

    field: str
    change: str
    before: Any = None
    after: Any = None

    def describe(self) -> str:
        if self.change == "added":
            return f"{self.field}: + {_show(self.after)}"
        if self.change == "removed":
            return f"{self.field}: - {_show(self.before)}"
        if self.change == "moved":
            return f"{self.field} moved: {_show(self.before)} → {_show(self.after)}"
        return f"{self.field}: {_show(self.before)} → {_show(self.after)}"


@dataclass(frozen=True)
class RecordChange:
    """A record ``added``, ``removed`` or ``changed`` (then *fields* says how)."""

    change: str
    article_id: str
    record_type: str
    record_id: str
    fields: tuple[FieldChange, ...] = ()
    summary: str = ""


@dataclass(frozen=True)
class KeyChange:
    """Canonical keys: ``merged`` (records moved onto a key that existed), ``split`` (some
    records left a key that stays) or ``renamed``."""

    change: str
    before: str
    after: str
    records: tuple[str, ...]


@dataclass(frozen=True)
class DatasetDiff:
    """The semantic changes from *base* to *head* (labels: refs or folders)."""

    base: str
    head: str
    records: tuple[RecordChange, ...] = ()
    keys: tuple[KeyChange, ...] = ()
    documents: tuple[tuple[str, str], ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not (self.records or self.keys or self.documents)

    def counts(self) -> dict[str, int]:
        kinds = [r.change for r in self.records]
        return {k: kinds.count(k) for k in ("added", "removed", "changed")}

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "head": self.head,
            "counts": self.counts(),
            "documents": [{"article_id": a, "change": c} for a, c in self.documents],
            "records": [asdict(r) for r in self.records],
            "canonical_keys": [asdict(k) for k in self.keys],
        }


def _show(value: Any, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class _State:
    records: dict[Key, dict[str, Any]] = field(default_factory=dict)
    documents: dict[str, str] = field(default_factory=dict)  # article -> "ok" | "unreadable"
    texts: dict[str, str] = field(default_factory=dict)  # article -> sha256 of its text


def _read(path: Path) -> Any:
    try:
        return orjson.loads(read_regular(path, MAX_BYTES))
    except (OSError, NotRegularFile, FileTooLarge, orjson.JSONDecodeError):
        return None


def _state(root: Path) -> _State:
    dataset = Dataset.at(root)
    state = _State()
    for article_id in dataset.article_ids():
        try:
            data = read_regular(dataset.article_path(article_id), MAX_BYTES)
        except (OSError, NotRegularFile, FileTooLarge):
            continue
        state.texts[article_id] = hashlib.sha256(data).hexdigest()
    for path in dataset.annotation_paths():
        article_id = path.stem
        doc = _read(path)
        if not isinstance(doc, dict):
            state.documents[article_id] = "unreadable"
            continue
        state.documents[article_id] = "ok"
        if isinstance(doc.get("source"), dict):
            state.records[(article_id, "source", "source")] = doc["source"]
        for section, kind, id_field in _SECTIONS:
            records = doc.get(section)
            for i, record in enumerate(records if isinstance(records, list) else ()):
                if isinstance(record, dict):
                    ident = record.get(id_field)
                    _add(
                        state,
                        (article_id, kind, ident if isinstance(ident, str) else f"#{i}"),
                        record,
                    )
    registry = _read(dataset.actors_path)
    actors = registry.get("actors") if isinstance(registry, dict) else None
    for i, actor in enumerate(actors if isinstance(actors, list) else ()):
        if isinstance(actor, dict):
            ident = actor.get("actor_id")
            _add(state, ("", "registry actor", ident if isinstance(ident, str) else f"#{i}"), actor)
    return state


def _add(state: _State, key: Key, record: dict[str, Any]) -> None:
    n, unique = 1, key
    while unique in state.records:  # the same id twice: the validator reports it
        n += 1
        unique = (key[0], key[1], f"{key[2]}#{n}")
    state.records[unique] = record


def _item(value: Any, keys: tuple[str, ...]) -> str:
    if keys and isinstance(value, dict):
        first, *rest = keys
        extra = [_show(value.get(k)) for k in rest if value.get(k) is not None]
        return _show(value.get(first)) + (f" ({', '.join(extra)})" if extra else "")
    return _show(value)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _evidence(name: str, before: Any, after: Any) -> Iterator[FieldChange]:
    def spans(value: Any) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for ev in _as_list(value):
            if isinstance(ev, dict):
                quote = _show(ev.get("quote"))
                out.setdefault(quote, []).append(f"{ev.get('start')}-{ev.get('end')}")
            else:
                out.setdefault(_show(ev), []).append("?")
        return out

    old, new = spans(before), spans(after)
    for quote in [*old, *(q for q in new if q not in old)]:
        a, b = sorted(old.get(quote, [])), sorted(new.get(quote, []))
        if a == b:
            continue
        if a and b:
            yield FieldChange(name, "moved", f"“{quote}” {', '.join(a)}", ", ".join(b))
        elif b:
            yield FieldChange(name, "added", None, f"“{quote}” {', '.join(b)}")
        else:
            yield FieldChange(name, "removed", f"“{quote}” {', '.join(a)}", None)


def _fields(
    before: dict[str, Any], after: dict[str, Any], prefix: str = ""
) -> Iterator[FieldChange]:
    names = [*before, *(n for n in after if n not in before)]
    for name in names:
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        label = f"{prefix}{name}"
        if name in _EVIDENCE_FIELDS:
            yield from _evidence(label, old, new)
        elif name in _SET_FIELDS and isinstance(old or [], list) and isinstance(new or [], list):
            keys = _SET_FIELDS[name]
            a = {_item(v, keys) for v in old or []}
            b = {_item(v, keys) for v in new or []}
            for v in sorted(b - a):
                yield FieldChange(label, "added", None, v)
            for v in sorted(a - b):
                yield FieldChange(label, "removed", v, None)
        elif isinstance(old, dict) and isinstance(new, dict):
            yield from _fields(old, new, f"{label}.")
        elif name not in before:
            yield FieldChange(label, "added", None, new)
        elif name not in after:
            yield FieldChange(label, "removed", old, None)
        else:
            yield FieldChange(label, "changed", old, new)


def _summary(kind: str, record: dict[str, Any]) -> str:
    if kind == "agreement":
        return f"{_show(record.get('title_as_reported', ''))} ({_show(record.get('status'))})"
    if kind == "date":
        return f"{_show(record.get('text', ''))} = {_show(record.get('value'))}"
    if kind in ("actor", "registry actor"):
        return ", ".join(
            _show(n) for n in _as_list(record.get("names_as_written", record.get("name")))
        )
    return ""


def diff_datasets(base: Path | str, head: Path | str) -> DatasetDiff:
    """The semantic changes from the dataset root *base* to the dataset root *head*.

    >>> diff_datasets(".", ".").empty
    True
    """
    return _diff(_state(Path(base)), _state(Path(head)), str(base), str(head))


def _diff(old: _State, new: _State, base: str, head: str) -> DatasetDiff:
    documents = []
    for article_id in sorted(set(old.documents) | set(new.documents)):
        a, b = old.documents.get(article_id), new.documents.get(article_id)
        if a != b:
            change = "added" if a is None else "removed" if b is None else f"{a} → {b}"
            documents.append((article_id, f"annotation {change}"))
    for article_id in sorted(set(old.texts) | set(new.texts)):
        if old.texts.get(article_id) != new.texts.get(article_id):
            a, b = old.texts.get(article_id), new.texts.get(article_id)
            change = "added" if a is None else "removed" if b is None else "changed"
            documents.append((article_id, f"article text {change}"))
    changes = []
    for key in sorted(set(old.records) | set(new.records)):
        was, now = old.records.get(key), new.records.get(key)
        if was == now:
            continue
        if was is not None and now is not None:
            changes.append(RecordChange("changed", *key, fields=tuple(_fields(was, now))))
            continue
        record = now if now is not None else was
        kind = "added" if was is None else "removed"
        changes.append(RecordChange(kind, *key, summary=_summary(key[1], record or {})))
    return DatasetDiff(base, head, tuple(changes), _key_changes(old, new), tuple(documents))


def _key_changes(old: _State, new: _State) -> tuple[KeyChange, ...]:
    def keys(state: _State) -> dict[str, set[Key]]:
        out: dict[str, set[Key]] = {}
        for k, r in state.records.items():
            if k[1] == "agreement" and isinstance(r.get("canonical_key"), str):
                out.setdefault(r["canonical_key"], set()).add(k)
        return out

    before, after = keys(old), keys(new)
    moves: dict[tuple[str, str], list[str]] = {}
    for key in set(old.records) & set(new.records):
        if key[1] != "agreement":
            continue
        a, b = old.records[key].get("canonical_key"), new.records[key].get("canonical_key")
        if isinstance(a, str) and isinstance(b, str) and a != b:
            moves.setdefault((a, b), []).append(f"{key[0]}/{key[2]}")
    out = []
    for (a, b), records in sorted(moves.items()):
        change = "merged" if b in before else "split" if a in after else "renamed"
        out.append(KeyChange(change, a, b, tuple(sorted(records))))
    return tuple(out)


def diff_sources(root: Path | str, base: str | None = None, head: str | None = None) -> DatasetDiff:
    """The semantic changes between two states given as a dataset folder or a git ref of the
    checkout at *root*: *base* defaults to ``HEAD``, *head* to the working tree at *root*.
    An argument that is a folder holding ``seeds/articles`` is read as a dataset root; any
    other is a git ref.

    :raises toolkit.authoring.changed.GitError: when a ref names no commit.
    """
    with ExitStack() as stack:

        def folder(source: str | None, default: str | None) -> Path:
            chosen = source if source is not None else default
            if chosen is None:
                return Path(root)
            if (Path(chosen) / "seeds" / "articles").is_dir():
                return Path(chosen)
            return stack.enter_context(dataset_at_ref(root, chosen))

        old = _state(folder(base, "HEAD"))
        new = _state(folder(head, None))
    return _diff(old, new, base or "HEAD", head or "working tree")
