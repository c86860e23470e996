"""The published rows: each usable annotation document flattened into the rows of the
published tables, as the table specs name their columns, built in the per-file pass.

:class:`PublishedRows` is what the export hands the check's per-file pass
(:class:`toolkit.check.per_file.DocumentBuilder`): in the worker that checked a batch of files
it builds the Arrow tables of their published columns and writes each document as compact
JSON to a scratch folder, so the parent never holds Python rows and no file is parsed twice.
A row builder that leaves out a column of its table's spec is an error (:func:`arrow_table`),
never a column of nulls.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from toolkit.check.document_rules import iter_evidence, parse_date_value
from toolkit.check.rows import Rows, iso_date, records
from toolkit.check.strict_json import Loaded
from toolkit.findings import Severity

#: Columns of the rows added as tuples, in their order.
PARTY_COLUMNS = ("agreement_id", "actor_id", "role", "article_id")
AGREEMENT_DATE_COLUMNS = ("agreement_id", "date_id", "relation", "article_id")
EVIDENCE_COLUMNS = (
    "evidence_id",
    "article_id",
    "record_type",
    "record_id",
    "pointer",
    "quote",
    "start",
    "end",
    "prefix",
    "suffix",
)
_RECORD_TYPES = {"agreements": "agreement", "dates": "date", "actors": "actor_mention"}
_RECORD_KEYS = {"agreement": "agreement_id", "date": "date_id", "actor_mention": "actor_id"}


def document_rows(
    t: Rows,
    doc: dict[str, Any],
    evidence: list[tuple[str, dict[str, Any]]] | None = None,
) -> None:
    """Add the published rows of one schema-valid annotation document to *t*.

    :param evidence: the document's :func:`~toolkit.check.document_rules.iter_evidence`,
        when the checks already listed it.
    """
    src, prov = doc["source"], doc["provenance"]
    aid = src["article_id"]
    pub = src["publication"]
    t.add(
        "sources",
        {
            "article_id": aid,
            "path": src["path"],
            "sha256": src["sha256"],
            "title": src["title"]["text"],
            "title_assigned": src["title"]["assigned"],
            "publisher": (src["publisher"] or {}).get("name"),
            "publication_date": pub["date"],
            "publication_precision": pub["precision"],
            "publication_basis": pub["basis"],
            "publication_earliest": iso_date(pub["earliest"]),
            "publication_latest": iso_date(pub["latest"]),
            "language": src["language"],
            "content_start": src["content_span"]["start"],
            "content_end": src["content_span"]["end"],
            "schema_version": doc["schema_version"],
            "annotators": list(prov["annotators"]),
            "reviewers": list(prov.get("reviewers", [])),
            "annotated_on": iso_date(prov["annotated_on"]),
        },
    )
    for _, m in records(doc, "actors"):
        t.add(
            "actor_mentions",
            {
                "mention_id": f"{aid}/{m['actor_id']}",
                "article_id": aid,
                "actor_id": m["actor_id"],
                "names_as_written": list(m["names_as_written"]),
                "roles": [
                    {
                        "title_as_written": r["title_as_written"],
                        "organization_id": r.get("organization_id"),
                    }
                    for r in m.get("roles", [])
                ],
                "notes": m.get("notes"),
            },
        )
    add_party = t.adder("agreement_parties", PARTY_COLUMNS)
    add_agreement_date = t.adder("agreement_dates", AGREEMENT_DATE_COLUMNS)
    for _, a in records(doc, "agreements"):
        t.add(
            "agreements",
            {
                "agreement_id": a["agreement_id"],
                "article_id": aid,
                "title_as_reported": a["title_as_reported"],
                "instrument_type": a["instrument_type"],
                "status": a["status"],
                "factuality": a["factuality"],
                "sectors": list(a["sectors"]),
                "canonical_key": a["canonical_key"],
                "party_ids": sorted({p["actor_id"] for p in a["parties"]}),
                "counts": [
                    {
                        "value": c["value"],
                        "approximate": c.get("approximate", False),
                        "counted": c["counted"],
                    }
                    for c in a.get("counts", [])
                ],
                "flags": [{"kind": f["kind"], "note": f["note"]} for f in a.get("flags", [])],
                "notes": a.get("notes"),
            },
        )
        for p in a["parties"]:
            add_party((a["agreement_id"], p["actor_id"], p["role"], aid))
        for d in a.get("dates", []):
            add_agreement_date((a["agreement_id"], d["date_id"], d["relation"], aid))
    for _, d in records(doc, "dates"):
        parsed = parse_date_value(d["value"])
        single_day = parsed is not None and parsed[2] == "day" and parsed[0] == parsed[1]
        anchor = d.get("anchor") or {}
        t.add(
            "dates",
            {
                "date_id": d["date_id"],
                "article_id": aid,
                "text": d["text"],
                "value": d["value"],
                "precision": d["precision"],
                "date": parsed[0] if parsed is not None and single_day else None,
                "earliest": iso_date(d["earliest"]),
                "latest": iso_date(d["latest"]),
                "mod": d.get("mod"),
                "role": d["role"],
                "relative": d["relative"],
                "anchor_kind": anchor.get("kind"),
                "anchor_date_id": anchor.get("date_id"),
                "derived": d["derived"],
                "derivation": d.get("derivation"),
                "flags": [{"kind": f["kind"], "note": f["note"]} for f in d.get("flags", [])],
                "notes": d.get("notes"),
            },
        )
    add_evidence = t.adder("evidence", EVIDENCE_COLUMNS)
    for ptr, ev in evidence if evidence is not None else iter_evidence(doc):
        record_type, record_id = _owner(doc, ptr)
        add_evidence(
            (
                f"{aid}{ptr}",
                ev["article_id"],
                record_type,
                record_id,
                ptr,
                ev["quote"],
                ev["start"],
                ev["end"],
                ev.get("prefix"),
                ev.get("suffix"),
            )
        )


def _owner(doc: dict[str, Any], pointer: str) -> tuple[str, str]:
    """The record an evidence pointer belongs to: ('agreement', 'agr-...') etc."""
    parts = pointer.split("/")
    section = parts[1]
    if section == "source":
        return "source", doc["source"]["article_id"]
    record = doc[section][int(parts[2])]
    kind = _RECORD_TYPES[section]
    rid = record[_RECORD_KEYS[kind]]
    if kind == "actor_mention":
        rid = f"{doc['source']['article_id']}/{rid}"
    return kind, rid


def registry_rows(registry: dict[str, Any], mentioned: Mapping[str, list[str]]) -> Rows:
    """The published rows of the actor registry: each actor with the ids of the articles that
    mention it (*mentioned*: actor id -> article ids, sorted, each once)."""
    t = Rows()
    for actor in registry["actors"]:
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
                "article_ids": list(mentioned.get(actor["actor_id"], ())),
                "notes": actor.get("notes"),
            },
        )
    return t


def arrow_table(tables: Rows, table: str, schema: Any) -> Any:
    """The rows of *table* as an Arrow table of *schema*, which must name exactly the
    columns the rows have (an empty table when there are none).

    :raises ValueError: when the rows lack a column of the schema or have one it lacks.
    """
    import pyarrow as pa

    have = tables.columns(table)
    if have and set(have) != set(schema.names):
        missing = sorted(set(schema.names) - set(have))
        extra = sorted(set(have) - set(schema.names))
        raise ValueError(f"the rows of {table} lack {missing} and have {extra} beyond its spec")
    if not have:
        return schema.empty_table()
    return pa.Table.from_pydict({n: have[n] for n in schema.names}, schema=schema)


def compact_json(obj: Any) -> bytes:
    """*obj* as UTF-8 JSON with keys sorted and no insignificant space (as
    ``annotations.json`` holds each document): the bytes ``json.dumps(obj,
    ensure_ascii=False, sort_keys=True, separators=(",", ":"))`` gives, written by orjson
    five times faster. (They differ only for floats, which no schema lets in but as integral
    values: orjson writes ``1e16`` where Python writes ``1e+16``.)"""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


@dataclass
class PublishedBatch:
    """What :class:`PublishedRows` built from one batch of files: an Arrow table of the
    published columns of each table with rows, and where each document's compact JSON lies
    in the scratch folder (file -> (scratch file, offset, length))."""

    tables: dict[str, Any] = field(default_factory=dict)
    documents: dict[str, tuple[str, int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class PublishedRows:
    """The export's builder for the per-file pass (picklable: it travels to the workers).

    :param schemas: table -> the Arrow schema its rows are built with (enums as plain
        strings, :func:`toolkit.publish.arrow_schemas.published_schemas`).
    :param scratch: the folder where each usable document is written as compact JSON.
    """

    schemas: dict[str, Any]
    scratch: Path

    def build(self, documents: Sequence[Loaded]) -> PublishedBatch | None:
        """The published rows of *documents*, one batch of checked files in order; None
        when any of them has an error, since the export of the dataset is then refused (and
        a document with errors may hold what neither Arrow nor UTF-8 takes)."""
        error = Severity.ERROR.value
        if any(f.severity == error for loaded in documents for f in loaded.findings):
            return None
        tables = Rows()
        compact: list[tuple[str, bytes]] = []
        for loaded in documents:
            if loaded.ok:
                document_rows(tables, loaded.document, loaded.evidence)
                compact.append((loaded.file, compact_json(loaded.document)))
        built = {
            table: arrow_table(tables, table, schema)
            for table, schema in self.schemas.items()
            if tables.count(table)
        }
        return PublishedBatch(built, write_scratch(self.scratch, compact))


def write_scratch(
    folder: Path, documents: list[tuple[str, bytes]]
) -> dict[str, tuple[str, int, int]]:
    """Write *documents* (file, bytes) one after another into a new file of *folder*;
    returns where each one lies."""
    if not documents:
        return {}
    path = folder / f"{uuid.uuid4().hex}.json"
    where = {}
    offset = 0
    with open(path, "wb") as f:
        for file, data in documents:
            f.write(data)
            where[file] = (str(path), offset, len(data))
            offset += len(data)
    return where
