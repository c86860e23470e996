"""The canonical agreements: one row per real-world agreement, gathered from every
article's records with the same canonical key."""

from __future__ import annotations

from typing import Any

#: The columns of the published agreements the canonical rows are gathered from.
AGREEMENT_INPUTS = (
    "canonical_key",
    "article_id",
    "agreement_id",
    "title_as_reported",
    "status",
    "factuality",
    "instrument_type",
    "sectors",
    "party_ids",
)
#: The columns of the published evidence the canonical rows quote.
EVIDENCE_INPUTS = ("record_type", "record_id", "pointer", "quote", "start", "end", "purpose")


def _union(lists: Any) -> Any:
    """The distinct items of a list column over a group, sorted."""
    return lists.explode(keep_nulls=False, empty_as_null=False).drop_nulls().unique().sort()


def canonical_agreements(published: dict[str, Any], schema: Any) -> Any:
    """The canonical agreements as an Arrow table of *schema* (unsorted): one row per
    canonical key, its records in (article, agreement id) order, distinct values sorted, and
    the evidence of each record by start offset (document order among equal starts). Built
    with polars group-bys over the published agreements and evidence."""
    import polars as pl
    import pyarrow as pa

    agreements = published.get("agreements")
    if agreements is None or not agreements.num_rows:
        return pa.Table.from_pylist([], schema=schema)
    c = pl.col
    records = pl.from_arrow(agreements.select(list(AGREEMENT_INPUTS)))
    assert isinstance(records, pl.DataFrame)
    records = records.sort(["canonical_key", "article_id", "agreement_id"], maintain_order=True)

    rows = records.group_by("canonical_key", maintain_order=True).agg(
        c("agreement_id").alias("agreement_ids"),
        c("article_id").unique().sort().alias("article_ids"),
        c("article_id").n_unique().cast(pl.Int64).alias("report_count"),
        c("title_as_reported").alias("titles_as_reported"),
        c("status").unique().sort().alias("statuses"),
        c("factuality").unique().sort().alias("factualities"),
        c("instrument_type").unique().sort().alias("instrument_types"),
        _union(c("sectors")).alias("sectors"),
        _union(c("party_ids")).alias("party_ids"),
        (c("status").n_unique() > 1).alias("status_conflict"),
    )
    evidence_table = published.get("evidence")
    evidence = None
    if evidence_table is not None and evidence_table.num_rows:
        evidence = pl.from_arrow(evidence_table.select(list(EVIDENCE_INPUTS)))
        assert isinstance(evidence, pl.DataFrame)
    for purpose, column in (("support", "evidence"), ("trigger", "triggers")):
        if evidence is None:
            rows = rows.with_columns(pl.lit(None).alias(column))
        else:
            rows = rows.join(
                _quotes(evidence, records, purpose, column),
                on="canonical_key",
                how="left",
                maintain_order="left",
            )
        rows = rows.with_columns(c(column).fill_null([]))
    return rows.select(schema.names).to_arrow().cast(schema)


def _quotes(evidence: Any, records: Any, purpose: str, column: str) -> Any:
    """Per canonical key, the quotes of *purpose* of its agreement records (not their counts'
    evidence) as the struct list *column*, by (article, agreement, start)."""
    import polars as pl

    c = pl.col
    return (
        evidence.filter(
            (c("record_type") == "agreement")
            & ~c("pointer").str.contains("/counts/")
            & (c("purpose") == purpose)
        )
        .join(
            records.select("canonical_key", "article_id", "agreement_id"),
            left_on="record_id",
            right_on="agreement_id",
            how="inner",
            maintain_order="left",
        )
        .with_columns(c("record_id").alias("agreement_id"))
        .sort(["canonical_key", "article_id", "agreement_id", "start"], maintain_order=True)
        .group_by("canonical_key", maintain_order=True)
        .agg(pl.struct("article_id", "agreement_id", "quote", "start", "end").alias(column))
    )
