{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_inputs__planned_covariates'}}}) }}
-- A warning, not an error: planned_covariates gives a column (a holiday flag, a discount) whose
-- values the sales history never varies, e.g. sales_daily has no holiday_flag column, so every
-- past day reads as no holiday. The forecast has no past day to learn the column's effect from,
-- so the planned values change nothing; add the column to sales_daily to use them.
{% set columns = ['price_ratio', 'is_promo', 'is_holiday', 'precipitation',
                  'avg_temperature', 'avg_humidity', 'avg_wind_level'] %}
with

history as (

    select
    {% for column in columns %}
            count(distinct {{ column }}) as {{ column }}_values,
            min({{ column }}) as {{ column }}_value{{ "," if not loop.last }}
    {% endfor %}
    from {{ ref('stg_inputs__sales_daily') }}

)

{% for column in columns %}
    select
        '{{ column }}' as covariate,
        count(*) as planned_rows_unlike_history
    from {{ ref('stg_inputs__planned_covariates') }} as planned
    cross join history
    where
        history.{{ column }}_values <= 1
        and planned.{{ column }} is not null
        and planned.{{ column }} is distinct from history.{{ column }}_value
    having count(*) > 0
    {{ "union all" if not loop.last }}
{% endfor %}
