"""One article's review page as data: its records, their evidence spans placed on the text,
and the findings at the spans and records they concern.

Documents are read as they are, valid or not: a field of an unexpected type is shown as
written, an unknown field is listed with the record's other fields, and a span that cannot be
placed (offsets missing, out of the text, or citing another article) is listed with its
record but not drawn. Offsets are code points; each placed span also carries its UTF-16
offsets, which is how the browser counts.
"""

from __future__ import annotations

import bisect
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from toolkit.findings import Finding

#: The record types a span is drawn as, in the order of the legend.
SPAN_KINDS = ("agreement", "trigger", "actor", "date", "source")
#: The fields each record type shows in its own way; the others are listed as written.
_SHOWN = {
    "agreement": {
        "agreement_id",
        "title_as_reported",
        "instrument_type",
        "status",
        "factuality",
        "trigger",
        "parties",
        "sectors",
        "dates",
        "canonical_key",
        "relations",
        "counts",
        "evidence",
        "flags",
        "notes",
    },
    "actor": {"actor_id", "names_as_written", "roles", "evidence", "flags", "notes"},
    "date": {
        "date_id",
        "text",
        "value",
        "precision",
        "earliest",
        "latest",
        "correction",
        "evidence",
        "flags",
        "notes",
    },
}


@dataclass(frozen=True)
class Span:
    """One evidence object: where it is (code points and UTF-16 units) and whose it is."""

    id: int
    record: int
    kind: str
    pointer: str
    quote: str
    start: int
    end: int
    u16_start: int
    u16_end: int
    placed: bool


@dataclass
class Record:
    """An agreement, actor mention, date or the source block, with the fields it shows."""

    id: int
    kind: str
    pointer: str
    ident: str
    label: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    spans: list[int] = field(default_factory=list)
    findings: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class FindingView:
    """A finding of the document, with the span or record it is shown at (if any)."""

    id: int
    finding: Finding
    span: int | None
    record: int | None


@dataclass
class ArticleView:
    """Everything one article's page shows."""

    article_id: str
    title: str
    text: str | None
    annotated: bool
    records: list[Record]
    spans: list[Span]
    findings: list[FindingView]

    def segments(self) -> list[tuple[int, int, tuple[int, ...]]]:
        """The text cut at every span boundary: ``(start, end, ids of the spans covering)``."""
        if self.text is None:
            return []
        placed = [s for s in self.spans if s.placed]
        cuts = sorted({0, len(self.text), *(s.start for s in placed), *(s.end for s in placed)})
        starts: dict[int, list[int]] = {}
        for s in placed:
            starts.setdefault(s.start, []).append(s.id)
        active: list[int] = []
        out = []
        for a, b in itertools.pairwise(cuts):
            active = [i for i in active if self.spans[i].end > a] + starts.get(a, [])
            out.append((a, b, tuple(sorted(active))))
        return out

    def counts(self) -> dict[str, int]:
        kinds = [r.kind for r in self.records]
        return {k: kinds.count(k) for k in ("agreement", "actor", "date")}


def show(value: Any, limit: int = 300) -> str:
    """A field's value as text: strings as they are, null as ``null``, the rest as JSON."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Utf16:
    """Code-point offsets of *text* to UTF-16 offsets (astral characters count twice)."""

    def __init__(self, text: str) -> None:
        self.astral = [i for i, c in enumerate(text) if c > "\uffff"] if text else []

    def __call__(self, offset: int) -> int:
        return offset + bisect.bisect_left(self.astral, offset) if self.astral else offset


class _Builder:
    def __init__(self, article_id: str, text: str | None) -> None:
        self.article_id = article_id
        self.text = text
        self.utf16 = _Utf16(text or "")
        self.records: list[Record] = []
        self.spans: list[Span] = []

    def record(self, kind: str, pointer: str, ident: str, label: str) -> Record:
        rec = Record(len(self.records), kind, pointer, ident, label)
        self.records.append(rec)
        return rec

    def evidence(self, rec: Record, kind: str, pointer: str, ev: Any) -> None:
        if not isinstance(ev, dict):
            return
        start, end = ev.get("start"), ev.get("end")
        ints = _offset(start) and _offset(end)
        s = start if ints and isinstance(start, int) else 0
        e = end if ints and isinstance(end, int) else 0
        placed = (
            self.text is not None
            and ints
            and 0 <= s < e <= len(self.text)
            and ev.get("article_id", self.article_id) == self.article_id
        )
        quote = ev.get("quote")
        span = Span(
            len(self.spans),
            rec.id,
            kind,
            pointer,
            quote if isinstance(quote, str) else show(quote),
            s,
            e,
            self.utf16(s) if placed else 0,
            self.utf16(e) if placed else 0,
            placed,
        )
        self.spans.append(span)
        rec.spans.append(span.id)

    def evidence_list(self, rec: Record, kind: str, base: str, holder: Any) -> None:
        listed = holder.get("evidence") if isinstance(holder, dict) else None
        for k, ev in enumerate(listed if isinstance(listed, list) else ()):
            self.evidence(rec, kind, f"{base}/evidence/{k}", ev)


def _offset(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def items(value: Any) -> list[Any]:
    """*value* when it is a list, else no items."""
    return value if isinstance(value, list) else []


def _pairs(value: Any, key: str, second: str) -> str:
    """``a (x), b (y)`` from a list of objects, each its *key* and *second* field."""
    out = []
    for item in items(value):
        if isinstance(item, dict):
            extra = item.get(second)
            out.append(show(item.get(key)) + (f" ({show(extra)})" if extra is not None else ""))
        else:
            out.append(show(item))
    return ", ".join(out)


def _others(rec: Record, kind: str, record: dict[str, Any]) -> None:
    for name, value in record.items():
        if name not in _SHOWN[kind]:
            rec.fields.append((name, show(value)))


def _flags_notes(rec: Record, record: dict[str, Any]) -> None:
    for flag in items(record.get("flags")):
        if isinstance(flag, dict):
            rec.fields.append((f"flag: {show(flag.get('kind'))}", show(flag.get("note", ""))))
    if record.get("notes") is not None:
        rec.fields.append(("notes", show(record["notes"], 1000)))


def _agreement(b: _Builder, i: int, a: dict[str, Any]) -> None:
    base = f"/agreements/{i}"
    ident = show(a.get("agreement_id", f"agreement {i}"))
    rec = b.record("agreement", base, ident, show(a.get("title_as_reported", ident)))
    add = rec.fields.append
    for name in ("status", "factuality", "instrument_type"):
        add((name, show(a.get(name))))
    trigger = a.get("trigger")
    if trigger is not None:
        add(("trigger", show(trigger.get("quote")) if isinstance(trigger, dict) else show(trigger)))
        b.evidence(rec, "trigger", f"{base}/trigger", trigger)
    add(("parties", _pairs(a.get("parties"), "actor_id", "role")))
    add(("sectors", ", ".join(show(s) for s in items(a.get("sectors")))))
    if a.get("dates") is not None:
        add(("dates", _pairs(a.get("dates"), "date_id", "relation")))
    add(("canonical key", show(a.get("canonical_key"))))
    if a.get("relations") is not None:
        rels = [
            f"{show(r.get('relation'))} → {show(r.get('canonical_key'))}"
            if isinstance(r, dict)
            else show(r)
            for r in items(a.get("relations"))
        ]
        add(("relations", "; ".join(rels)))
    for j, count in enumerate(items(a.get("counts"))):
        if isinstance(count, dict):
            approx = "about " if count.get("approximate") else ""
            qualifier = f" [{show(count['qualifier'])}]" if count.get("qualifier") else ""
            add(
                (
                    "count",
                    f"{approx}{show(count.get('value'))} {show(count.get('counted'))}{qualifier}",
                )
            )
            b.evidence_list(rec, "agreement", f"{base}/counts/{j}", count)
    _flags_notes(rec, a)
    _others(rec, "agreement", a)
    b.evidence_list(rec, "agreement", base, a)


def _actor(b: _Builder, i: int, a: dict[str, Any], names: dict[str, str]) -> None:
    base = f"/actors/{i}"
    ident = show(a.get("actor_id", f"actor {i}"))
    rec = b.record("actor", base, ident, names.get(ident, ident))
    rec.fields.append(("names", ", ".join(show(n) for n in items(a.get("names_as_written")))))
    for j, role in enumerate(items(a.get("roles"))):
        if isinstance(role, dict):
            org = role.get("organization_id")
            at = f" ({show(org)})" if org is not None else ""
            rec.fields.append(("role", f"{show(role.get('title_as_written'))}{at}"))
            b.evidence_list(rec, "actor", f"{base}/roles/{j}", role)
    _flags_notes(rec, a)
    _others(rec, "actor", a)
    b.evidence_list(rec, "actor", base, a)


def _bounds(d: dict[str, Any]) -> str:
    def bound(name: str) -> str:
        value = d.get(name)
        return "unbounded" if value is None else show(value)

    return f"{bound('earliest')} – {bound('latest')}"


def _date(b: _Builder, i: int, d: dict[str, Any]) -> None:
    base = f"/dates/{i}"
    ident = show(d.get("date_id", f"date {i}"))
    rec = b.record("date", base, ident, show(d.get("text", ident)))
    add = rec.fields.append
    add(("value", f"{show(d.get('value'))} ({show(d.get('precision'))})"))
    add(("bounds", _bounds(d)))
    correction = d.get("correction")
    if isinstance(correction, dict):
        add(
            (
                "corrected",
                f"{show(correction.get('value'))} ({show(correction.get('precision'))}), "
                f"{_bounds(correction)}: {show(correction.get('reason', ''))}",
            )
        )
        b.evidence_list(rec, "date", f"{base}/correction", correction)
    elif correction is not None:
        add(("corrected", show(correction)))
    _flags_notes(rec, d)
    for name, value in d.items():
        if name not in _SHOWN["date"]:
            add((name, show(value)))
    b.evidence_list(rec, "date", base, d)


def _source(b: _Builder, source: dict[str, Any]) -> None:
    rec = b.record("source", "/source", "source", "Source")
    for part in ("title", "publisher", "publication"):
        holder = source.get(part)
        if isinstance(holder, dict):
            value = holder.get("text", holder.get("name", holder.get("date")))
            rec.fields.append((part, show(value)))
            b.evidence_list(rec, "source", f"/source/{part}", holder)


def article_view(
    article_id: str,
    text: str | None,
    doc: Any,
    findings: list[Finding],
    names: dict[str, str] | None = None,
) -> ArticleView:
    """The page of *article_id*: *text* (None when missing), its annotation document *doc*
    as parsed (None when missing or unreadable; anything else is read as far as it goes) and
    the document's *findings*. *names* maps actor ids to their registry names."""
    b = _Builder(article_id, text)
    doc = doc if isinstance(doc, dict) else {}
    source = doc.get("source")
    if isinstance(source, dict):
        _source(b, source)
    for i, a in enumerate(items(doc.get("agreements"))):
        if isinstance(a, dict):
            _agreement(b, i, a)
    for i, a in enumerate(items(doc.get("actors"))):
        if isinstance(a, dict):
            _actor(b, i, a, names or {})
    for i, d in enumerate(items(doc.get("dates"))):
        if isinstance(d, dict):
            _date(b, i, d)
    title = source.get("title") if isinstance(source, dict) else None
    heading = title.get("text") if isinstance(title, dict) else None
    view = ArticleView(
        article_id,
        heading if isinstance(heading, str) else article_id,
        text,
        bool(doc),
        b.records,
        b.spans,
        [],
    )
    view.findings = [_place(view, i, f) for i, f in enumerate(findings)]
    return view


def _within(pointer: str, base: str) -> bool:
    return pointer == base or pointer.startswith(base + "/")


def _place(view: ArticleView, index: int, finding: Finding) -> FindingView:
    """*finding* at the innermost span its pointer lies in, else at its record."""
    spans = [s for s in view.spans if _within(finding.pointer, s.pointer)]
    span = max(spans, key=lambda s: len(s.pointer)) if spans else None
    records = [r for r in view.records if _within(finding.pointer, r.pointer)]
    record = (
        view.records[span.record]
        if span
        else max(records, key=lambda r: len(r.pointer), default=None)
    )
    if record is not None:
        record.findings.append(index)
    return FindingView(index, finding, span.id if span else None, record.id if record else None)
