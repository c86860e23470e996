"""The three example analyses in polars: agreements by sector and status, actors by number of
agreements, a timeline of dated events.

Run from the repository root: .venv/bin/python examples/analyses.py [EXPORTS_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl


def agreements_by_sector_and_status(parquet: Path) -> pl.DataFrame:
    return (
        pl.read_parquet(parquet / "agreements")
        .explode("sectors")
        .rename({"sectors": "sector"})
        .with_columns(pl.col("status").cast(pl.String))
        .group_by("sector", "status")
        .agg(pl.len().alias("agreements"))
        .sort(["agreements", "sector", "status"], descending=[True, False, False])
    )


def actors_by_agreements(parquet: Path) -> pl.DataFrame:
    actors = pl.read_parquet(parquet / "actors")
    parties = pl.read_parquet(parquet / "agreement_parties")
    return (
        actors.join(parties, on="actor_id")
        .with_columns(pl.col("kind").cast(pl.String))
        .group_by("actor_id", "name", "kind")
        .agg(pl.col("agreement_id").n_unique().alias("agreements"))
        .sort(["agreements", "actor_id"], descending=[True, False])
    )


def timeline(parquet: Path) -> pl.DataFrame:
    dates = pl.read_parquet(parquet / "dates")
    links = pl.read_parquet(parquet / "agreement_dates").select("date_id", "agreement_id")
    return (
        dates.join(links, on="date_id", how="left")
        .group_by("date_id", "earliest", "latest", "precision", "role", "text", "article_id")
        .agg(pl.col("agreement_id").drop_nulls().sort().alias("agreements"))
        .with_columns(pl.col("precision", "role").cast(pl.String))
        .sort([pl.coalesce("earliest", "latest"), "latest", "date_id"])
    )


def main(argv: list[str]) -> None:
    parquet = Path(argv[0] if argv else "exports") / "parquet"
    pl.Config.set_tbl_rows(50)
    for analysis in (agreements_by_sector_and_status, actors_by_agreements, timeline):
        print(f"## {analysis.__name__}")
        print(analysis(parquet))


if __name__ == "__main__":
    main(sys.argv[1:])
