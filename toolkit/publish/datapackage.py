"""A Frictionless Data Package describing the JSONL tables: Table Schemas with primary and
foreign keys, so `frictionless validate exports/datapackage.json` checks the whole export."""

from __future__ import annotations

from typing import Any

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
    """The ``datapackage.json`` descriptor.

    :param tables: every exported table with its resolved columns.
    :param files: path relative to the exports folder -> (sha256, bytes).
    :param meta: name, title, description, version, license.
    :returns: the descriptor, ready for ``json.dumps(sort_keys=True)``.
    """
    resources = []
    for spec, columns in tables:
        path = f"json/{spec.name}.jsonl"
        sha256, size = files[path]
        fields = []
        for rc in columns:
            field: dict[str, Any] = {
                "name": rc.column.name,
                "type": _TYPES.get(rc.column.kind, "array"),
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
                {"fields": [fk.column], "reference": {"resource": fk.table, "fields": [fk.target]}}
                for fk in spec.foreign_keys
            ]
        where: dict[str, Any] = {
            "path": path,
            "format": "jsonl",
            "mediatype": "application/jsonlines",
            "encoding": "utf-8",
            "hash": f"sha256:{sha256}",
            "bytes": size,
        }
        if not size:  # no rows: readers (frictionless) take no empty JSON Lines file
            where = {"data": [[rc.column.name for rc in columns]]}
        resources.append(
            {
                "name": spec.name,
                "title": spec.title,
                "description": spec.description,
                **where,
                "schema": schema,
            }
        )
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": meta["name"],
        "title": meta["title"],
        "description": meta["description"],
        "version": meta["version"],
        "licenses": [{"name": meta["license_name"], "path": meta["license"]}],
        "resources": resources,
    }
