{{ config(severity='warn') }}
-- A warning, not an error: the latest inventory snapshot is older than the last sales day, so
-- the plan starts from stock the sales since then have not touched (marts.dataset_assumptions,
-- topic stock_older_than_sales, says which days).
select
    topic,
    setting
from {{ ref('dataset_assumptions') }}
where topic = 'stock_older_than_sales'
