"""A Frictionless Data Package describing the tables in JSON Lines and in Parquet: Table
Schemas with primary and foreign keys, so `frictionless validate exports/datapackage.json`
checks the whole export (it needs frictionless's ``json`` and ``parquet`` extras)."""

from __future__ import annotations

from typing import Any

from toolkit.publish.layout import parts_of
from toolkit.publish.table_specs import ResolvedColumn, TableSpec

_TYPES = {
    "string": "string",
    "enum": "string",
    "int": "integer",
    "bool": "boolean",
    "date": "date",
    "list": "array",
}


def datapackage(
    tables: list[tuple[TableSpec, list[ResolvedColumn]]],
    files: dict[str, tuple[str, int]],
    meta: dict[str, str],
) -> dict[str, Any]:
    """The ``datapackage.json`` descriptor: each table as JSON Lines (resource ``<table>``,
    its parts as one multipart resource) and, where it is one file, as Parquet (resource
    ``<table>-parquet``), each kind's foreign keys pointing at its own kind.

    :param tables: every exported table with its resolved columns.
    :param files: path relative to the exports folder -> (sha256, bytes).
    :param meta: name, title, description, version, license.
    :returns: the descriptor, ready for ``json.dumps(sort_keys=True)``.
    """
    resources = [_resource(spec, columns, files, "json") for spec, columns in tables]
    resources += [
        _resource(spec, columns, files, "parquet")
        for spec, columns in tables
        if len(parts_of(files, "parquet", spec.name)) == 1
    ]
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": meta["name"],
        "title": meta["title"],
        "description": meta["description"],
        "version": meta["version"],
        "licenses": [{"name": meta["license_name"], "path": meta["license"]}],
        "resources": resources,
    }


def _resource(
    spec: TableSpec, columns: list[ResolvedColumn], files: dict[str, tuple[str, int]], fmt: str
) -> dict[str, Any]:
    suffix = "" if fmt == "json" else "-parquet"
    fields = []
    for rc in columns:
        kind = _TYPES.get(rc.column.kind, "array")
        if fmt == "parquet" and (kind == "array" or (kind == "integer" and not rc.column.required)):
            # frictionless reads Parquet through pandas, which gives lists as arrays its
            # `array` type refuses, and an integer column with nulls as floats with NaN
            kind = "any"
        field: dict[str, Any] = {
            "name": rc.column.name,
            "type": kind,
            "description": rc.description,
        }
        constraints: dict[str, Any] = {}
        if rc.column.required:
            constraints["required"] = True
        if rc.enum:
            constraints["enum"] = list(rc.enum)
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "primaryKey": list(spec.primary_key)}
    if spec.foreign_keys:
        schema["foreignKeys"] = [
            {
                "fields": [fk.column],
                "reference": {"resource": fk.table + suffix, "fields": [fk.target]},
            }
            for fk in spec.foreign_keys
        ]
    parts = parts_of(files, fmt, spec.name)
    size = sum(files[p][1] for p in parts)
    where: dict[str, Any]
    if fmt == "parquet":
        (path,) = parts  # no hash nor size: frictionless cannot check them on Parquet
        where = {"path": path, "format": "parquet", "mediatype": "application/vnd.apache.parquet"}
    elif not size:  # no rows: readers (frictionless) take no empty JSON Lines file
        where = {"data": [[rc.column.name for rc in columns]]}
    else:
        where = {
            "path": parts[0] if len(parts) == 1 else parts,
            "format": "jsonl",
            "mediatype": "application/jsonlines",
            "encoding": "utf-8",
            "bytes": size,
        }
        if len(parts) == 1:
            where["hash"] = f"sha256:{files[parts[0]][0]}"
    return {
        "name": spec.name + suffix,
        "title": spec.title + ("" if fmt == "json" else " (Parquet)"),
        "description": spec.description,
        **where,
        "schema": schema,
    }
