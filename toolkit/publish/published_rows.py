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
from toolkit.check.rows import Row, Rows, iso_date, records
from toolkit.check.strict_json import Loaded
from toolkit.evolve.migrate import migrate_document
from toolkit.findings import Severity
from toolkit.lexicon import TriggerLexicon
from toolkit.publish.table_specs import CONTEXT_CODE_POINTS

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
    "purpose",
)
_RECORD_TYPES = {"agreements": "agreement", "dates": "date", "actors": "actor_mention"}
_RECORD_KEYS = {"agreement": "agreement_id", "date": "date_id", "actor_mention": "actor_id"}


def document_rows(
    t: Rows,
    doc: dict[str, Any],
    text: str,
    evidence: list[tuple[str, dict[str, Any]]] | None = None,
    lexicon: TriggerLexicon | None = None,
    declared: str | None = None,
) -> None:
    """Add the published rows of one schema-valid annotation document of the latest schema
    version to *t* (a document of an earlier version is migrated first:
    :func:`toolkit.evolve.migrate.migrate_document`).

    :param text: the article's text, as checked: the ``articles`` row publishes it, and each
        evidence row's prefix and suffix are taken from it.
    :param evidence: the document's :func:`~toolkit.check.document_rules.iter_evidence`,
        when the checks already listed it.
    :param lexicon: the latest version's trigger lexicon, which names each trigger's cue.
    :param declared: the schema version the document declares on disk, when it was migrated.
    """
    src, prov = doc["source"], doc["provenance"]
    aid = src["article_id"]
    pub = src["publication"]
    publisher = (src["publisher"] or {}).get("name")
    t.add(
        "articles",
        {
            "article_id": aid,
            "sha256": src["sha256"],
            "length": len(text),
            "publisher": publisher,
            "text": text,
        },
    )
    t.add(
        "sources",
        {
            "article_id": aid,
            "path": src["path"],
            "sha256": src["sha256"],
            "title": src["title"]["text"],
            "title_assigned": src["title"]["assigned"],
            "publisher": publisher,
            "publication_date": pub["date"],
            "publication_precision": pub["precision"],
            "publication_basis": pub["basis"],
            "publication_earliest": iso_date(pub["earliest"]),
            "publication_latest": iso_date(pub["latest"]),
            "language": src["language"],
            "content_start": src["content_span"]["start"],
            "content_end": src["content_span"]["end"],
            "schema_version": declared or doc["schema_version"],
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
                        "qualifier": c.get("qualifier"),
                    }
                    for c in a.get("counts", [])
                ],
                "flags": [{"kind": f["kind"], "note": f["note"]} for f in a.get("flags", [])],
                "notes": a.get("notes"),
                **_trigger_columns(a.get("trigger"), lexicon),
            },
        )
        for rel in a.get("relations", []):
            t.add(
                "agreement_relations",
                {
                    "agreement_id": a["agreement_id"],
                    "canonical_key": a["canonical_key"],
                    "relation": rel["relation"],
                    "related_key": rel["canonical_key"],
                    "article_id": aid,
                    "notes": rel.get("notes"),
                },
            )
        for p in a["parties"]:
            add_party((a["agreement_id"], p["actor_id"], p["role"], aid))
        for d in a.get("dates", []):
            add_agreement_date((a["agreement_id"], d["date_id"], d["relation"], aid))
    for _, d in records(doc, "dates"):
        correction = d.get("correction")
        used = correction or d  # analyses read the corrected value; stated_* keep the text's
        parsed = parse_date_value(used["value"])
        single_day = parsed is not None and parsed[2] == "day" and parsed[0] == parsed[1]
        anchor = d.get("anchor") or {}
        t.add(
            "dates",
            {
                "date_id": d["date_id"],
                "article_id": aid,
                "text": d["text"],
                "value": used["value"],
                "precision": used["precision"],
                "date": parsed[0] if parsed is not None and single_day else None,
                "earliest": iso_date(used["earliest"]),
                "latest": iso_date(used["latest"]),
                "mod": d.get("mod"),
                "role": d["role"],
                "relative": d["relative"],
                "anchor_kind": anchor.get("kind"),
                "anchor_date_id": anchor.get("date_id"),
                "derived": d["derived"],
                "derivation": d.get("derivation"),
                "flags": [{"kind": f["kind"], "note": f["note"]} for f in d.get("flags", [])],
                "notes": d.get("notes"),
                "stated_value": d["value"] if correction else None,
                "stated_earliest": iso_date(d["earliest"]) if correction else None,
                "stated_latest": iso_date(d["latest"]) if correction else None,
                "correction_reason": correction["reason"] if correction else None,
            },
        )
    add_evidence = t.adder("evidence", EVIDENCE_COLUMNS)
    for ptr, ev in evidence if evidence is not None else iter_evidence(doc):
        record_type, record_id = _owner(doc, ptr)
        start, end = ev["start"], ev["end"]
        add_evidence(
            (
                f"{aid}{ptr}",
                ev["article_id"],
                record_type,
                record_id,
                ptr,
                ev["quote"],
                start,
                end,
                text[max(0, start - CONTEXT_CODE_POINTS) : start],
                text[end : end + CONTEXT_CODE_POINTS],
                _purpose(ptr),
            )
        )


def _trigger_columns(trigger: dict[str, Any] | None, lexicon: TriggerLexicon | None) -> Row:
    if trigger is None:
        return {"trigger_quote": None, "trigger_start": None, "trigger_end": None,
                "trigger_cue": None}  # fmt: skip
    found = lexicon.match(trigger["quote"]) if lexicon is not None else None
    return {
        "trigger_quote": trigger["quote"],
        "trigger_start": trigger["start"],
        "trigger_end": trigger["end"],
        "trigger_cue": found.name if found is not None else None,
    }


def _purpose(pointer: str) -> str:
    """What the evidence at *pointer* does: an agreement's trigger, a date's correction, or
    support of its record."""
    if pointer.endswith("/trigger"):
        return "trigger"
    return "correction" if "/correction/" in pointer else "support"


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
    :param latest: the schema version published: every document is migrated to it first.
    :param lexicon: that version's trigger lexicon.

    Each document's article text is the one its checks read and hashed
    (``Loaded.article_text``), so what is published is what was checked.
    """

    schemas: dict[str, Any]
    scratch: Path
    latest: str
    lexicon: TriggerLexicon | None = None

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
                doc = loaded.document
                declared = doc["schema_version"]
                evidence = loaded.evidence
                if declared != self.latest:
                    doc = migrate_document(doc, "annotation", self.latest).document
                    evidence = None
                if loaded.article_text is None:  # a readable article is what the checks need
                    raise ValueError(f"{loaded.file} was checked without its article's text")
                document_rows(tables, doc, loaded.article_text, evidence, self.lexicon, declared)
                compact.append((loaded.file, compact_json(doc)))
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
