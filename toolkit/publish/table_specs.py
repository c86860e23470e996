"""The published tables: their columns, keys and meanings, derived from the JSON Schemas.

Each column names the schema property it comes from (``"agreement:status"``); its description
and, for enums, its allowed values are read from that schema, so the Parquet schema, the data
dictionary, the Data Package and the Croissant metadata all say what the JSON Schemas say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toolkit.registry import SchemaRegistry

# Column kinds: string int bool date enum list (of strings) and struct lists.
STRUCTS: dict[str, tuple[tuple[str, str], ...]] = {
    "roles": (("title_as_written", "string"), ("organization_id", "string")),
    "counts": (
        ("value", "int"),
        ("approximate", "bool"),
        ("counted", "string"),
        ("qualifier", "string"),
    ),
    "flags": (("kind", "string"), ("note", "string")),
    "canonical_evidence": (
        ("article_id", "string"),
        ("agreement_id", "string"),
        ("quote", "string"),
        ("start", "int"),
        ("end", "int"),
    ),
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # string | int | bool | date | enum | list | struct:<name>
    required: bool = True
    source: str = ""  # "<record type>:<property path>" in the JSON Schemas
    description: str = ""
    example: Any = None
    values: tuple[str, ...] = ()  # an enum's values where no schema property lists them


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    target: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str
    description: str
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()


@dataclass(frozen=True)
class ResolvedColumn:
    column: Column
    description: str
    enum: tuple[str, ...] = field(default=())


C = Column
FK = ForeignKey
#: How many code points of the text each side of a quote the evidence rows carry as
#: ``prefix``/``suffix`` (W3C TextQuoteSelector), clipped at the ends of the text only.
CONTEXT_CODE_POINTS = 32
#: What an evidence quote does for its record.
EVIDENCE_PURPOSES = ("support", "trigger", "correction")
#: What an evidence quote may support.
RECORD_TYPES = ("actor_mention", "agreement", "date", "source")

TABLE_SPECS: tuple[TableSpec, ...] = (
    TableSpec(
        "sources",
        "Sources",
        "One row per annotated article.",
        ("article_id",),
        (
            C("article_id", "string", source="source:article_id"),
            C("path", "string", source="source:path"),
            C("sha256", "string", source="source:sha256"),
            C("title", "string", source="source:title", description="The article's title."),
            C(
                "title_assigned",
                "bool",
                description="True when the title was written by the "
                "annotator because the text has none.",
            ),
            C("publisher", "string", False, description="Publishing site named in the text."),
            C("publication_date", "string", False, source="source:publication.date"),
            C(
                "publication_precision",
                "enum",
                source="source:publication.precision",
                description="Precision of publication_date.",
            ),
            C(
                "publication_basis",
                "enum",
                source="source:publication.basis",
                description="How the publication date is known.",
            ),
            C(
                "publication_earliest",
                "date",
                False,
                description="Earliest possible publication day (null: unbounded).",
            ),
            C(
                "publication_latest",
                "date",
                False,
                description="Latest possible publication day (null: unbounded).",
            ),
            C("language", "string", source="source:language"),
            C("content_start", "int", description="Offset where the article body starts."),
            C("content_end", "int", description="Offset where the article body ends (exclusive)."),
            C("schema_version", "string", description="Schema version of the annotation."),
            C("annotators", "list", description="Who annotated the article."),
            C("reviewers", "list", description="Who checked the annotation in a second pass."),
            C("annotated_on", "date", description="When the article was annotated."),
        ),
        (FK("article_id", "articles", "article_id"),),
    ),
    TableSpec(
        "articles",
        "Articles",
        "One row per article: its full text, exactly as stored, which every offset counts "
        "into. The texts are third-party news articles: see the card's terms.",
        ("article_id",),
        (
            C("article_id", "string", source="source:article_id"),
            C(
                "sha256",
                "string",
                source="source:sha256",
                description="SHA-256 of the text's UTF-8 bytes (the article file), lowercase hex.",
            ),
            C(
                "length",
                "int",
                description="Length of the text in Unicode code points, the unit of every offset.",
            ),
            C(
                "publisher",
                "string",
                False,
                description="The publishing site or outlet, where the text names it (as "
                "annotated), else null.",
            ),
            C(
                "text",
                "string",
                description="The article's text, exactly the stored file's bytes decoded as "
                "UTF-8 (site chrome and newlines included): text[start:end], in code points, "
                "is every quote.",
            ),
        ),
    ),
    TableSpec(
        "actors",
        "Actors",
        "The actor registry: one row per actor, with the articles naming it.",
        ("actor_id",),
        (
            C("actor_id", "string", source="actor:actor_id"),
            C("kind", "enum", source="actor:kind"),
            C("name", "string", source="actor:name"),
            C("other_names", "list", source="actor:other_names"),
            C("country", "string", False, source="actor:country"),
            C("wikidata_qid", "string", False, source="actor:wikidata_qid"),
            C("parent_id", "string", False, source="actor:parent_id"),
            C("article_ids", "list", description="Articles that mention the actor."),
            C("notes", "string", False, source="actor:notes"),
        ),
        (FK("parent_id", "actors", "actor_id"),),
    ),
    TableSpec(
        "actor_mentions",
        "Actor mentions",
        "One row per actor per article: the names and roles that article gives it.",
        ("mention_id",),
        (
            C("mention_id", "string", description="<article_id>/<actor_id>."),
            C("article_id", "string", source="evidence:article_id"),
            C("actor_id", "string", source="actor_mention:actor_id"),
            C("names_as_written", "list", source="actor_mention:names_as_written"),
            C("roles", "struct:roles", source="actor_mention:roles"),
            C("notes", "string", False, source="actor_mention:notes"),
        ),
        (FK("article_id", "sources", "article_id"), FK("actor_id", "actors", "actor_id")),
    ),
    TableSpec(
        "agreements",
        "Agreements",
        "One row per article's agreement record.",
        ("agreement_id",),
        (
            C("agreement_id", "string", source="agreement:agreement_id"),
            C("article_id", "string", source="evidence:article_id"),
            C("title_as_reported", "string", source="agreement:title_as_reported"),
            C("instrument_type", "enum", source="agreement:instrument_type"),
            C("status", "enum", source="agreement:status"),
            C("factuality", "enum", source="agreement:factuality"),
            C("sectors", "list", source="agreement:sectors"),
            C("canonical_key", "string", source="agreement:canonical_key"),
            C(
                "party_ids",
                "list",
                description="Actors taking part, any role (see agreement_parties).",
            ),
            C("counts", "struct:counts", source="agreement:counts"),
            C(
                "flags",
                "struct:flags",
                source="defs:flags",
                description="Conflicts, typos and ambiguities the annotator found in the text.",
            ),
            C("notes", "string", False, source="agreement:notes"),
            C(
                "trigger_quote",
                "string",
                False,
                description="The words that carry the status (null for a document of schema "
                "1.0.0, which has no trigger).",
            ),
            C("trigger_start", "int", False, description="Offset where the trigger starts."),
            C("trigger_end", "int", False, description="Offset where the trigger ends."),
            C(
                "trigger_cue",
                "string",
                False,
                description="The trigger lexicon's cue the trigger carries (null: none).",
            ),
        ),
        (
            FK("article_id", "sources", "article_id"),
            FK("canonical_key", "agreements_canonical", "canonical_key"),
        ),
    ),
    TableSpec(
        "agreements_canonical",
        "Canonical agreements",
        "One row per real-world agreement, gathering every article's record and evidence.",
        ("canonical_key",),
        (
            C("canonical_key", "string", source="agreement:canonical_key"),
            C("agreement_ids", "list", description="The per-article records reporting it."),
            C("article_ids", "list", description="The articles reporting it."),
            C("report_count", "int", description="How many articles report it."),
            C("titles_as_reported", "list", description="Every article's words for it."),
            C("statuses", "list", description="Distinct statuses the articles report."),
            C("factualities", "list", description="Distinct factualities the articles report."),
            C("instrument_types", "list", description="Distinct instrument types reported."),
            C("sectors", "list", description="Union of the sectors reported."),
            C("party_ids", "list", description="Union of the actors reported as taking part."),
            C(
                "status_conflict",
                "bool",
                description="True when articles report different "
                "statuses (e.g. expected before the visit, signed after it).",
            ),
            C(
                "evidence",
                "struct:canonical_evidence",
                description="Every article's evidence (triggers apart).",
            ),
            C(
                "triggers",
                "struct:canonical_evidence",
                False,
                description="Every article's trigger: the words that carry its status.",
            ),
        ),
    ),
    TableSpec(
        "agreement_relations",
        "Agreement relations",
        "How canonical agreements relate (a proposal and its outcome, a part and its "
        "package, a renewal and what it renews), as each article's record states it.",
        ("agreement_id", "relation", "related_key"),
        (
            C("agreement_id", "string", source="agreement:agreement_id"),
            C("canonical_key", "string", source="agreement:canonical_key"),
            C(
                "relation",
                "enum",
                source="agreement:relations.relation",
                description="How the record's canonical agreement relates to the other one.",
            ),
            C(
                "related_key",
                "string",
                source="agreement:relations.canonical_key",
                description="The other canonical agreement.",
            ),
            C("article_id", "string", source="evidence:article_id"),
            C("notes", "string", False, source="agreement:notes"),
        ),
        (
            FK("agreement_id", "agreements", "agreement_id"),
            FK("canonical_key", "agreements_canonical", "canonical_key"),
            FK("related_key", "agreements_canonical", "canonical_key"),
        ),
    ),
    TableSpec(
        "agreement_parties",
        "Agreement parties",
        "Actors of each agreement record and their role.",
        ("agreement_id", "actor_id", "role"),
        (
            C("agreement_id", "string", source="agreement:agreement_id"),
            C("actor_id", "string", source="actor:actor_id"),
            C("role", "enum", source="agreement:parties.role", description="The actor's part."),
            C("article_id", "string", source="evidence:article_id"),
        ),
        (FK("agreement_id", "agreements", "agreement_id"), FK("actor_id", "actors", "actor_id")),
    ),
    TableSpec(
        "agreement_dates",
        "Agreement dates",
        "What each date record dates in each agreement.",
        ("agreement_id", "date_id", "relation"),
        (
            C("agreement_id", "string", source="agreement:agreement_id"),
            C("date_id", "string", source="date:date_id"),
            C(
                "relation",
                "enum",
                source="agreement:dates.relation",
                description="What the date is for the agreement.",
            ),
            C("article_id", "string", source="evidence:article_id"),
        ),
        (FK("agreement_id", "agreements", "agreement_id"), FK("date_id", "dates", "date_id")),
    ),
    TableSpec(
        "dates",
        "Dates",
        "One row per date or period an article states or implies.",
        ("date_id",),
        (
            C("date_id", "string", source="date:date_id"),
            C("article_id", "string", source="evidence:article_id"),
            C("text", "string", source="date:text"),
            C(
                "value",
                "string",
                source="date:value",
                description="Normalized value (EDTF level 0), as corrected where the text "
                "evidently errs (stated_value keeps what it says).",
            ),
            C("precision", "enum", source="date:precision"),
            C(
                "date",
                "date",
                False,
                description="The day, when value is a single day; null for "
                "coarser values (use earliest/latest).",
            ),
            C(
                "earliest",
                "date",
                False,
                source="date:earliest",
                description="First day the date can denote, mod included, as corrected "
                "(null: unbounded, as before 'by 2045').",
            ),
            C(
                "latest",
                "date",
                False,
                source="date:latest",
                description="Last day the date can denote, mod included, as corrected "
                "(null: unbounded, as after 'since 2018').",
            ),
            C("mod", "enum", False, source="date:mod"),
            C("role", "enum", source="date:role"),
            C("relative", "bool", source="date:relative"),
            C(
                "anchor_kind",
                "enum",
                False,
                source="date:anchor.kind",
                description="What a relative expression was resolved against.",
            ),
            C(
                "anchor_date_id",
                "string",
                False,
                source="date:anchor.date_id",
                description="The date record a relative expression was resolved against.",
            ),
            C("derived", "bool", source="date:derived"),
            C("derivation", "string", False, source="date:derivation"),
            C(
                "flags",
                "struct:flags",
                source="defs:flags",
                description="Conflicts, typos and ambiguities the annotator found in the text.",
            ),
            C("notes", "string", False, source="date:notes"),
            C(
                "stated_value",
                "string",
                False,
                description="The value as the text states it, where it was corrected (else "
                "null: value is what the text states).",
            ),
            C("stated_earliest", "date", False, description="First day of stated_value."),
            C("stated_latest", "date", False, description="Last day of stated_value."),
            C(
                "correction_reason",
                "string",
                False,
                source="date:correction.reason",
                description="Why the stated value is an evident error.",
            ),
        ),
        (FK("article_id", "sources", "article_id"), FK("anchor_date_id", "dates", "date_id")),
    ),
    TableSpec(
        "evidence",
        "Evidence",
        "Every quote that supports a record, with its offsets.",
        ("evidence_id",),
        (
            C("evidence_id", "string", description="<article_id><JSON pointer of the evidence>."),
            C("article_id", "string", source="evidence:article_id"),
            C(
                "record_type",
                "enum",
                description="What the evidence supports.",
                example="agreement",
                values=RECORD_TYPES,
            ),
            C("record_id", "string", description="The id of the record it supports."),
            C(
                "pointer",
                "string",
                description="JSON pointer of the evidence in its annotation document.",
            ),
            C("quote", "string", source="evidence:quote"),
            C("start", "int", source="evidence:start"),
            C("end", "int", source="evidence:end"),
            C(
                "prefix",
                "string",
                False,
                description=f"The {CONTEXT_CODE_POINTS} code points of the text just before "
                "the quote (fewer at the start of the text), taken from the text at export.",
            ),
            C(
                "suffix",
                "string",
                False,
                description=f"The {CONTEXT_CODE_POINTS} code points of the text just after "
                "the quote (fewer at the end of the text), taken from the text at export.",
            ),
            C(
                "purpose",
                "enum",
                False,
                description="What the quote does for its record: support it, carry its "
                "status (an agreement's trigger), or show a correction.",
                values=EVIDENCE_PURPOSES,
            ),
        ),
        (FK("article_id", "articles", "article_id"), FK("article_id", "sources", "article_id")),
    ),
)


def table(name: str) -> TableSpec:
    return next(t for t in TABLE_SPECS if t.name == name)


def resolve(spec: TableSpec, registry: SchemaRegistry, version: str) -> list[ResolvedColumn]:
    """Each column with its description and enum values taken from the JSON Schemas."""
    out = []
    for col in spec.columns:
        prop = _property(registry, version, col.source) if col.source else {}
        description = col.description or prop.get("description", "")
        enum: tuple[str, ...] = ()
        if col.kind == "enum":
            enum = (
                tuple(prop.get("enum", ()))
                or col.values
                or (RECORD_TYPES if col.name == "record_type" else ())
            )
        if not description:
            raise ValueError(f"{spec.name}.{col.name} has no description")
        out.append(ResolvedColumn(col, description, enum))
    return out


def _property(registry: SchemaRegistry, version: str, source: str) -> dict[str, Any]:
    """The schema of ``"<type>:<a.b>"``, following ``$ref``s and array items."""
    name, path = source.split(":")
    node: dict[str, Any] = registry.schema(name, version)
    resolver = registry.referencing.resolver(base_uri=node["$id"])
    if name == "defs":
        return _deref(resolver, node["$defs"][path])
    for part in path.split("."):
        node = _deref(resolver, node)
        if "items" in node and "properties" not in node:
            node = _deref(resolver, node["items"])
        node = node["properties"][part]
    node = _deref(resolver, node)
    if "items" in node and "enum" in node["items"] and "enum" not in node:
        merged = dict(node["items"])
        merged.setdefault("description", node.get("description", ""))
        return merged
    return node


def _deref(resolver: Any, node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        resolved = resolver.lookup(node["$ref"])
        extra = {k: v for k, v in node.items() if k != "$ref"}
        node = {**resolved.contents, **extra}
        resolver = resolved.resolver
    return node
