-- Actors by the number of agreement records they take part in, any role.
-- Run from the repository root: .venv/bin/duckdb < examples/actors_by_agreements.sql
select a.actor_id, a.name, a.kind, count(distinct p.agreement_id) as agreements
from 'exports/parquet/actors/*.parquet' a
join 'exports/parquet/agreement_parties/*.parquet' p using (actor_id)
group by a.actor_id, a.name, a.kind
order by agreements desc, a.actor_id;
