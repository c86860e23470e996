"""Explicit Arrow schemas for the published tables, derived from the table specs (and so from
the JSON Schemas): never inferred from the data."""

from __future__ import annotations

from typing import Any

from toolkit.publish.table_specs import STRUCTS, ResolvedColumn, TableSpec

#: The field metadata key under which polars keeps an Enum's categories: a Parquet column
#: with it reads as ``pl.Enum`` (without it, as ``pl.Categorical``).
POLARS_ENUM = "_PL_ENUM_VALUES2"
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
            meta[POLARS_ENUM] = polars_enum_values(rc.enum)
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


def polars_enum_values(values: tuple[str, ...]) -> str:
    """The field metadata polars writes for an Enum column and reads back as
    ``pl.Enum(values)``: each value's UTF-8 length, a semicolon, the value."""
    return "".join(f"{len(v.encode('utf-8'))};{v}" for v in values)


def vocabulary(field: Any) -> list[str]:
    """The codebook's values of the enum column *field* (its ``enum`` metadata), in order."""
    values: str = field.metadata[b"enum"].decode("utf-8")
    return values.split(",")


def with_vocabularies(table: Any, schema: Any) -> Any:
    """*table* (enum columns as plain strings) as an Arrow table of *schema*, each enum
    column dictionary-encoded over its full vocabulary in the codebook's order, whether a
    value occurs or not, so that every export of the same schema has the same dictionaries.

    :raises ValueError: when a column holds a value its vocabulary lacks.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for field in schema:
        column = table.column(field.name)
        if pa.types.is_dictionary(field.type):
            values = pa.array(vocabulary(field), pa.string())
            plain = column.combine_chunks() if column.num_chunks else pa.array([], pa.string())
            indices = pc.index_in(plain, value_set=values)
            if indices.null_count != plain.null_count:
                unknown = pc.filter(plain, pc.and_(pc.is_null(indices), pc.is_valid(plain)))
                raise ValueError(f"{field.name} holds {unknown[0]} beyond its vocabulary")
            column = pa.DictionaryArray.from_arrays(indices.cast(field.type.index_type), values)
        else:
            column = column.cast(field.type)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def batch_schema(schema: Any) -> Any:
    """*schema* with every dictionary (enum) column as its plain value type and no metadata:
    how rows are built in batches, so that batches need no shared dictionary
    (:func:`with_vocabularies` encodes them once the table is whole)."""
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
