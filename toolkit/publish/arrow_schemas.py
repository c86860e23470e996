"""Explicit Arrow schemas for the published tables, derived from the table specs (and so from
the JSON Schemas): never inferred from the data."""

from __future__ import annotations

from typing import Any

from toolkit.publish.table_specs import STRUCTS, ResolvedColumn, TableSpec

_SCALARS = {"string": "string", "int": "int64", "bool": "bool_", "date": "date32"}


def arrow_type(kind: str) -> Any:
    import pyarrow as pa

    if kind in _SCALARS:
        return getattr(pa, _SCALARS[kind])()
    if kind == "enum":
        return pa.dictionary(pa.int32(), pa.string())
    if kind == "list":
        return pa.list_(pa.field("item", pa.string(), nullable=False))
    if kind.startswith("struct:"):
        fields = [pa.field(n, arrow_type(k)) for n, k in STRUCTS[kind.split(":", 1)[1]]]
        return pa.list_(pa.field("item", pa.struct(fields), nullable=False))
    raise ValueError(f"unknown column kind {kind!r}")


def arrow_schema(spec: TableSpec, columns: list[ResolvedColumn], metadata: dict[str, str]) -> Any:
    """The Arrow schema of *spec*: types, nullability, per-field descriptions, file metadata."""
    import pyarrow as pa

    fields = []
    for rc in columns:
        meta = {"description": rc.description}
        if rc.enum:
            meta["enum"] = ",".join(rc.enum)
        fields.append(
            pa.field(
                rc.column.name,
                arrow_type(rc.column.kind),
                nullable=not rc.column.required,
                metadata=meta,
            )
        )
    return pa.schema(
        fields, metadata={**metadata, "table": spec.name, "description": spec.description}
    )


def batch_schema(schema: Any) -> Any:
    """*schema* with every dictionary (enum) column as its plain value type and no metadata:
    how rows are built in batches, so that batches need no shared dictionary. Casting to
    *schema* afterwards encodes the enums in order of first appearance, as building the
    whole table at once does."""
    import pyarrow as pa

    return pa.schema(
        [
            pa.field(f.name, f.type.value_type, nullable=f.nullable)
            if pa.types.is_dictionary(f.type)
            else pa.field(f.name, f.type, nullable=f.nullable)
            for f in schema
        ]
    )


def published_schemas(registry: Any) -> dict[str, Any]:
    """Table name -> the Arrow schema its rows are built with in batches
    (:func:`batch_schema`), for every published table built from annotation rows."""
    from toolkit.publish.table_specs import TABLE_SPECS, resolve

    return {
        spec.name: batch_schema(arrow_schema(spec, resolve(spec, registry, registry.latest), {}))
        for spec in TABLE_SPECS
        if spec.name != "agreements_canonical"
    }
