{#- Set-returning expression: one row per day from start_date to end_date, both included.
    Adapter-dispatched so models stay portable (DuckDB and Postgres both expand it in a select). -#}
{% macro calendar_days(start_date, end_date) -%}
    {{ return(adapter.dispatch('calendar_days')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__calendar_days(start_date, end_date) -%}
    generate_series({{ start_date }}, {{ end_date }}, interval '1 day')
{%- endmacro %}

{% macro duckdb__calendar_days(start_date, end_date) -%}
    unnest(generate_series(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 day))
{%- endmacro %}
