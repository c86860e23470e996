"""The dataset as tables: annotation documents flattened into rows, and the pandera schemas
that check what no single record can show (unique ids, references, cross-field rules).

Every row keeps ``_file`` and ``_pointer`` (where in which file it came from) so that a pandera
failure case points back to the file, line and JSON pointer of the record; the export drops them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from toolkit.findings import pointer_join
from toolkit.rules import iter_evidence, parse_date_value

Row = dict[str, Any]
PROVENANCE = ("_file", "_pointer")
#: Roles that make an actor a signing party of an agreement.
SIGNING_ROLES = ("party", "signatory")
#: Date roles that may lie after the article's publication.
FUTURE_ROLES = ("target", "deadline", "planned")


class Tables:
    """Rows of every table, stored column by column (one Python list per column), in a
    stable order.

    Rows are added as dicts (every row of a table has the same keys) and turned into columns
    on first read: columns become polars or Arrow columns without converting a dict per row.
    """

    def __init__(self) -> None:
        self._columns: dict[str, dict[str, list[Any]]] = {}
        self._pending: dict[str, list[Row]] = {}

    def add(self, table: str, row: Row) -> None:
        self._pending.setdefault(table, []).append(row)

    def _flush(self) -> None:
        for table, rows in self._pending.items():
            columns = self._columns.get(table)
            if columns is None:
                self._columns[table] = {k: [r[k] for r in rows] for k in rows[0]}
            else:
                for k, values in columns.items():
                    values.extend([r[k] for r in rows])
        self._pending = {}

    @property
    def names(self) -> list[str]:
        self._flush()
        return sorted(self._columns)

    def columns(self, table: str) -> dict[str, list[Any]]:
        """Every column of *table* (empty when it has no rows)."""
        self._flush()
        return self._columns.get(table, {})

    def count(self, table: str) -> int:
        columns = self.columns(table)
        return len(next(iter(columns.values()))) if columns else 0


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def registry_rows(
    t: Tables, file: str, reg: dict[str, Any], mentioned: Mapping[str, Iterable[str]]
) -> None:
    """Add the actor registry's rows; each actor lists the articles that mention it
    (*mentioned*: actor id -> ids of the articles mentioning it)."""
    for i, actor in enumerate(reg["actors"]):
        t.add(
            "actors",
            {
                "actor_id": actor["actor_id"],
                "kind": actor["kind"],
                "name": actor["name"],
                "other_names": list(actor.get("other_names", [])),
                "country": actor.get("country"),
                "wikidata_qid": actor.get("wikidata_qid"),
                "parent_id": actor.get("parent_id"),
                "article_ids": sorted(set(mentioned.get(actor["actor_id"], ()))),
                "notes": actor.get("notes"),
                "_file": file,
                "_pointer": f"/actors/{i}",
            },
        )
        if actor.get("parent_id"):
            t.add(
                "actor_refs",
                {
                    "actor_id": actor["parent_id"],
                    "_file": file,
                    "_pointer": f"/actors/{i}/parent_id",
                },
            )


def document_rows(
    t: Tables,
    file: str,
    doc: dict[str, Any],
    *,
    full: bool = True,
    evidence: list[tuple[str, dict[str, Any]]] | None = None,
) -> None:
    """Add the rows of one schema-valid annotation document (*file* is its name).

    :param full: False builds only the columns the dataset-wide checks read
        (:func:`toolkit.table_checks.columns_checked`; a test checks that both ways give the
        same values there), leaving out what only the export reads: quotes, titles, notes.
    :param evidence: the document's :func:`~toolkit.rules.iter_evidence`, when already listed.
    """
    src, prov = doc["source"], doc["provenance"]
    aid = src["article_id"]
    pub = src["publication"]
    source: Row = {"article_id": aid, "_file": file, "_pointer": "/source"}
    if full:
        source.update(
            path=src["path"],
            sha256=src["sha256"],
            title=src["title"]["text"],
            title_assigned=src["title"]["assigned"],
            publisher=(src["publisher"] or {}).get("name"),
            publication_date=pub["date"],
            publication_precision=pub["precision"],
            publication_basis=pub["basis"],
            publication_earliest=_date(pub["earliest"]),
            publication_latest=_date(pub["latest"]),
            language=src["language"],
            content_start=src["content_span"]["start"],
            content_end=src["content_span"]["end"],
            schema_version=doc["schema_version"],
            annotators=list(prov["annotators"]),
            reviewers=list(prov.get("reviewers", [])),
            annotated_on=_date(prov["annotated_on"]),
        )
    t.add("sources", source)
    for i, m in _records(doc, "actors"):
        ptr = f"/actors/{i}"
        mention: Row = {
            "mention_id": f"{aid}/{m['actor_id']}",
            "article_id": aid,
            "actor_id": m["actor_id"],
            "_file": file,
            "_pointer": ptr,
        }
        if full:
            mention.update(
                names_as_written=list(m["names_as_written"]),
                roles=[
                    {
                        "title_as_written": r["title_as_written"],
                        "organization_id": r.get("organization_id"),
                    }
                    for r in m.get("roles", [])
                ],
                notes=m.get("notes"),
            )
        t.add("actor_mentions", mention)
        t.add(
            "actor_refs", {"actor_id": m["actor_id"], "_file": file, "_pointer": ptr + "/actor_id"}
        )
        for j, r in enumerate(m.get("roles", [])):
            if r.get("organization_id"):
                t.add(
                    "actor_refs",
                    {
                        "actor_id": r["organization_id"],
                        "_file": file,
                        "_pointer": f"{ptr}/roles/{j}/organization_id",
                    },
                )
    for i, a in _records(doc, "agreements"):
        ptr = f"/agreements/{i}"
        signing = {p["actor_id"] for p in a["parties"] if p["role"] in SIGNING_ROLES}
        agreement: Row = {
            "agreement_id": a["agreement_id"],
            "article_id": aid,
            "canonical_key": a["canonical_key"],
            "status": a["status"],
            "_signing_party_count": len(signing),
            "_file": file,
            "_pointer": ptr,
        }
        if full:
            agreement.update(
                title_as_reported=a["title_as_reported"],
                instrument_type=a["instrument_type"],
                factuality=a["factuality"],
                sectors=list(a["sectors"]),
                party_ids=sorted({p["actor_id"] for p in a["parties"]}),
                counts=[
                    {
                        "value": c["value"],
                        "approximate": c.get("approximate", False),
                        "counted": c["counted"],
                    }
                    for c in a.get("counts", [])
                ],
                flags=[{"kind": f["kind"], "note": f["note"]} for f in a.get("flags", [])],
                notes=a.get("notes"),
            )
        t.add("agreements", agreement)
        for j, p in enumerate(a["parties"]):
            t.add(
                "agreement_parties",
                {
                    "agreement_id": a["agreement_id"],
                    "actor_id": p["actor_id"],
                    "role": p["role"],
                    "article_id": aid,
                    "_file": file,
                    "_pointer": f"{ptr}/parties/{j}",
                },
            )
            t.add(
                "actor_refs",
                {
                    "actor_id": p["actor_id"],
                    "_file": file,
                    "_pointer": f"{ptr}/parties/{j}/actor_id",
                },
            )
        for j, d in enumerate(a.get("dates", [])):
            t.add(
                "agreement_dates",
                {
                    "agreement_id": a["agreement_id"],
                    "date_id": d["date_id"],
                    "relation": d["relation"],
                    "article_id": aid,
                    "_file": file,
                    "_pointer": f"{ptr}/dates/{j}/date_id",
                },
            )
    for i, d in _records(doc, "dates"):
        ptr = f"/dates/{i}"
        parsed = parse_date_value(d["value"])
        low, high, gran = parsed if parsed else (None, None, None)
        single_day = gran == "day" and low == high
        anchor = d.get("anchor") or {}
        date: Row = {
            "date_id": d["date_id"],
            "article_id": aid,
            "value": d["value"],
            "precision": d["precision"],
            "earliest": _date(d["earliest"]),
            "latest": _date(d["latest"]),
            "role": d["role"],
            "_value_low": low,
            "_value_high": high,
            "_granularity": gran,
            "_interval_ok": parsed is None or "/" not in d["value"] or _interval_ok(d["value"]),
            "_publication_latest": _date(pub["latest"]),
            "_file": file,
            "_pointer": ptr,
        }
        if full:
            date.update(
                text=d["text"],
                date=low if single_day else None,
                mod=d.get("mod"),
                relative=d["relative"],
                anchor_kind=anchor.get("kind"),
                anchor_date_id=anchor.get("date_id"),
                derived=d["derived"],
                derivation=d.get("derivation"),
                flags=[{"kind": f["kind"], "note": f["note"]} for f in d.get("flags", [])],
                notes=d.get("notes"),
            )
        t.add("dates", date)
        if anchor.get("date_id"):
            t.add(
                "date_refs",
                {
                    "article_id": aid,
                    "date_id": anchor["date_id"],
                    "_file": file,
                    "_pointer": ptr + "/anchor/date_id",
                },
            )
    for ptr, ev in iter_evidence(doc) if evidence is None else evidence:
        if not full:
            t.add("evidence", {"article_id": ev["article_id"], "_file": file, "_pointer": ptr})
            continue
        record_type, record_id = _owner(doc, ptr)
        t.add(
            "evidence",
            {
                "evidence_id": f"{aid}{ptr}",
                "article_id": ev["article_id"],
                "record_type": record_type,
                "record_id": record_id,
                "pointer": ptr,
                "quote": ev["quote"],
                "start": ev["start"],
                "end": ev["end"],
                "prefix": ev.get("prefix"),
                "suffix": ev.get("suffix"),
                "_file": file,
                "_pointer": ptr,
            },
        )


def _records(doc: dict[str, Any], section: str) -> list[tuple[int, dict[str, Any]]]:
    """The records of *section* with their index, skipping those set aside (None)."""
    return [(i, r) for i, r in enumerate(doc[section]) if r is not None]


def _interval_ok(value: str) -> bool:
    a, b = value.split("/")
    pa_, pb = parse_date_value(a), parse_date_value(b)
    return pa_ is None or pb is None or pa_[0] <= pb[0]


def _owner(doc: dict[str, Any], pointer: str) -> tuple[str, str]:
    """The record an evidence pointer belongs to: ('agreement', 'agr-...') etc."""
    parts = pointer.split("/")
    section = parts[1]
    if section == "source":
        return "source", doc["source"]["article_id"]
    record = doc[section][int(parts[2])]
    kind = {"agreements": "agreement", "dates": "date", "actors": "actor_mention"}[section]
    key = {"agreement": "agreement_id", "date": "date_id", "actor_mention": "actor_id"}[kind]
    rid = record[key]
    if kind == "actor_mention":
        rid = f"{doc['source']['article_id']}/{rid}"
    return kind, rid


__all__ = [
    "FUTURE_ROLES",
    "PROVENANCE",
    "SIGNING_ROLES",
    "Tables",
    "document_rows",
    "pointer_join",
    "registry_rows",
]
