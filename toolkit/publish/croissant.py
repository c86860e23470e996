"""MLCommons Croissant 1.0 metadata for the export: one FileObject (with sha256) per published
file, a FileSet per table's Parquet folder, one RecordSet per table whose fields point at the
Parquet columns (foreign keys as ``references``), and one enumeration RecordSet per codebook
vocabulary, so that `mlcroissant validate --jsonld exports/croissant.json` accepts it and
Croissant loaders find every column with its type, description and allowed values."""

from __future__ import annotations

from typing import Any

from toolkit.publish.citation import Citation
from toolkit.publish.layout import parts_of, table_glob
from toolkit.publish.table_specs import STRUCTS, ResolvedColumn, TableSpec

#: The standard Croissant 1.0 JSON-LD context (spec section "Croissant context").
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
KEYWORDS = ["agreements", "event data", "information extraction", "China", "Vietnam", "news"]

#: Column kind -> Croissant dataType (schema.org types).
DATA_TYPES = {
    "string": "sc:Text",
    "enum": "sc:Text",
    "list": "sc:Text",
    "int": "sc:Integer",
    "bool": "sc:Boolean",
    "date": "sc:Date",
}

_FORMATS = {
    ".parquet": "application/x-parquet",
    ".jsonl": "application/jsonlines",
    ".json": "application/json",
}


def croissant_metadata(
    tables: list[tuple[TableSpec, list[ResolvedColumn]]],
    files: dict[str, tuple[str, int]],
    meta: dict[str, str],
    citation: Citation,
) -> dict[str, Any]:
    """The ``croissant.json`` document.

    :param tables: every exported table with its resolved columns.
    :param files: path relative to the exports folder -> (sha256, bytes); every data file
        (Parquet, JSONL, ``json/annotations.json``) becomes a FileObject, and each table's
        Parquet folder a FileSet its record set reads.
    :param meta: name, title, description, version, license, url.
    :param citation: who made the dataset and how to cite it.
    :returns: the JSON-LD document, ready for ``json.dumps(sort_keys=True)``.
    """
    distribution: list[dict[str, Any]] = [
        {
            "@type": "cr:FileObject",
            "@id": path,
            "name": path,
            "contentUrl": path,
            "contentSize": f"{size} B",
            "encodingFormat": _FORMATS[path[path.rfind(".") :]],
            "sha256": sha256,
        }
        for path, (sha256, size) in sorted(files.items())
        if path[path.rfind(".") :] in _FORMATS
    ]
    record_sets = []
    references = _references(tables)
    for spec, columns in tables:
        if not parts_of(files, "parquet", spec.name):
            raise ValueError(f"no Parquet file of {spec.name} is among the exported files")
        folder = f"parquet/{spec.name}"
        distribution.append(
            {
                "@type": "cr:FileSet",
                "@id": folder,
                "name": folder,
                "description": f"The Parquet files of the table {spec.name}.",
                "encodingFormat": _FORMATS[".parquet"],
                "includes": table_glob("parquet", spec.name),
            }
        )
        fields = []
        for rc in columns:
            field = _field(spec.name, rc, folder)
            target = references.get((spec.name, rc.column.name))
            if target is not None:
                field["references"] = {"field": {"@id": target}}
            fields.append(field)
        record_set: dict[str, Any] = {
            "@type": "cr:RecordSet",
            "@id": spec.name,
            "name": spec.name,
            "description": spec.description,
            "field": fields,
        }
        if len(spec.primary_key) == 1:
            record_set["key"] = {"@id": f"{spec.name}/{spec.primary_key[0]}"}
        else:
            record_set["key"] = [{"@id": f"{spec.name}/{k}"} for k in spec.primary_key]
        record_sets.append(record_set)
    record_sets += [
        _enumeration(spec.name, rc) for spec, columns in tables for rc in columns if rc.enum
    ]
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": meta["name"],
        "alternateName": meta["title"],
        "description": meta["description"],
        "version": meta["version"],
        "license": meta["license"],
        "url": meta["url"],
        "creator": citation.creators(),
        "citeAs": citation.bibtex(),
        "inLanguage": "en",
        "keywords": KEYWORDS,
        "distribution": distribution,
        "recordSet": record_sets,
    }
    if meta.get("date_published"):
        document["datePublished"] = meta["date_published"]
    return document


def _references(tables: list[tuple[TableSpec, list[ResolvedColumn]]]) -> dict[tuple[str, str], str]:
    """(table, column) -> the field it references: its foreign key's target, or its
    vocabulary's values for an enum column.

    Croissant loaders join a record set with those it references, and mlcroissant reads the
    other side of a join only from a record set that references nothing itself. So a record
    set that others reference (articles, actors, agreements, canonical agreements, dates)
    references nothing itself (its foreign keys and vocabularies are in the Data Package and
    the field descriptions), an ``article_id`` references ``articles/article_id`` (the same
    ids as the sources', and the articles reference nothing), and a table's references to
    itself are left out.
    """
    targets: dict[tuple[str, str], str] = {}
    for spec, _ in tables:
        for fk in reversed(spec.foreign_keys):  # the first foreign key of a column wins
            table = "articles" if fk.column == "article_id" else fk.table
            if table != spec.name:
                targets[(spec.name, fk.column)] = f"{table}/{fk.target}"
    referenced = {target.split("/")[0] for target in targets.values()}
    out = {}
    for spec, columns in tables:
        if spec.name in referenced:
            continue
        for rc in columns:
            target = targets.get((spec.name, rc.column.name))
            if target is None and rc.enum:
                target = f"{_vocabulary(spec.name, rc)}/value"
            if target is not None:
                out[(spec.name, rc.column.name)] = target
    return out


def _vocabulary(table: str, rc: ResolvedColumn) -> str:
    """The id of the record set of the vocabulary of the enum column *rc* of *table*."""
    return f"{table}_{rc.column.name}_values"


def _enumeration(table: str, rc: ResolvedColumn) -> dict[str, Any]:
    """The codebook's vocabulary of an enum column, in its order, as a Croissant
    enumeration: a record set of its values, held inline."""
    name = _vocabulary(table, rc)
    return {
        "@type": "cr:RecordSet",
        "@id": name,
        "name": name,
        "description": f"The values {table}.{rc.column.name} takes, in the codebook's order.",
        "dataType": "sc:Enumeration",
        "key": {"@id": f"{name}/value"},
        "field": [
            {"@type": "cr:Field", "@id": f"{name}/value", "name": "value", "dataType": "sc:Text"}
        ],
        "data": [{f"{name}/value": value} for value in rc.enum],
    }


def _field(table: str, rc: ResolvedColumn, file_set: str) -> dict[str, Any]:
    kind = rc.column.kind
    source = {"fileSet": {"@id": file_set}, "extract": {"column": rc.column.name}}
    field: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": f"{table}/{rc.column.name}",
        "name": rc.column.name,
        "description": rc.description,
        "source": source,
    }
    if kind.startswith("struct:"):
        field["repeated"] = True
        field["subField"] = [
            {
                "@type": "cr:Field",
                "@id": f"{table}/{rc.column.name}/{name}",
                "name": name,
                "dataType": DATA_TYPES.get(sub_kind, "sc:Text"),
                "repeated": sub_kind == "list" or sub_kind.startswith("struct:"),
                "source": {**source, "transform": {"jsonPath": name}},
            }
            for name, sub_kind in STRUCTS[kind.split(":", 1)[1]]
        ]
        return field
    field["dataType"] = DATA_TYPES[kind]
    if kind == "list":
        field["repeated"] = True
    return field
