-- Agreements by sector and status: one row per (sector, status), counting article records.
-- Run from the repository root: .venv/bin/duckdb < examples/agreements_by_sector_and_status.sql
select sector, status, count(*) as agreements
from (
    select unnest(sectors) as sector, status
    from 'exports/parquet/agreements/*.parquet'
)
group by sector, status
order by agreements desc, sector, status;
