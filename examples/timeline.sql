-- A timeline of dated events: every date record with what it dates, earliest first (a date
-- with no first day, such as "by 2045", stands at its last day).
-- Run from the repository root: .venv/bin/duckdb < examples/timeline.sql
select d.date_id, d.earliest, d.latest, d.precision, d.role, d.text, d.article_id,
       coalesce(d.earliest, d.latest) as placed,
       string_agg(ad.agreement_id || ' (' || ad.relation || ')', ', ' order by ad.agreement_id)
           as dates_agreements
from 'exports/parquet/dates/*.parquet' d
left join 'exports/parquet/agreement_dates/*.parquet' ad using (date_id)
group by all
order by placed, d.latest, d.date_id;
