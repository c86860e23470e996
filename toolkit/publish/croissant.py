"""MLCommons Croissant 1.0 metadata for the export: one FileObject (with sha256) per published
file, one RecordSet per table whose fields point at the Parquet columns, so that
`mlcroissant validate --jsonld exports/croissant.json` accepts it and Croissant loaders find
every column with its type and description."""

from __future__ import annotations

from typing import Any

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
) -> dict[str, Any]:
    """The ``croissant.json`` document.

    :param tables: every exported table with its resolved columns.
    :param files: path relative to the exports folder -> (sha256, bytes); every data file
        (Parquet, JSONL, ``json/annotations.json``) becomes a FileObject.
    :param meta: name, title, description, version, license, url, citation.
    :returns: the JSON-LD document, ready for ``json.dumps(sort_keys=True)``.
    """
    distribution = [
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
    for spec, columns in tables:
        file_id = f"parquet/{spec.name}.parquet"
        if file_id not in files:
            raise ValueError(f"{file_id} is not among the exported files")
        record_set: dict[str, Any] = {
            "@type": "cr:RecordSet",
            "@id": spec.name,
            "name": spec.name,
            "description": spec.description,
            "field": [_field(spec.name, rc, file_id) for rc in columns],
        }
        if len(spec.primary_key) == 1:
            record_set["key"] = {"@id": f"{spec.name}/{spec.primary_key[0]}"}
        else:
            record_set["key"] = [{"@id": f"{spec.name}/{k}"} for k in spec.primary_key]
        record_sets.append(record_set)
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
        "citeAs": meta["citation"],
        "distribution": distribution,
        "recordSet": record_sets,
    }
    if meta.get("date_published"):
        document["datePublished"] = meta["date_published"]
    return document


def _field(table: str, rc: ResolvedColumn, file_id: str) -> dict[str, Any]:
    kind = rc.column.kind
    field: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": f"{table}/{rc.column.name}",
        "name": rc.column.name,
        "description": rc.description,
        "source": {"fileObject": {"@id": file_id}, "extract": {"column": rc.column.name}},
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
                "source": {
                    "fileObject": {"@id": file_id},
                    "extract": {"column": rc.column.name},
                    "transform": {"jsonPath": name},
                },
            }
            for name, sub_kind in STRUCTS[kind.split(":", 1)[1]]
        ]
        return field
    field["dataType"] = DATA_TYPES[kind]
    if kind == "list":
        field["repeated"] = True
    return field
