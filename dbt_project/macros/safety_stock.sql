{#- Safety stock = z_alpha x sigma x sqrt(lead time): the one SQL home of the rule.
    python_assets/optimization/constraints.py (safety_stock) is its Python reference, and
    tests/optimization/test_constraints.py keeps the two equal. Each argument is a SQL expression
    inserted as written, without parentheses, so a caller's quotient such as
    `demand_std / sqrt(horizon_days)` is evaluated left to right exactly as it was written inline:
    parenthesise an argument that is a sum. Which sigma and lead time each model passes:
    dbt_project/macros/_macros.yml. -#}
{% macro safety_stock(z_alpha, daily_std, lead_time_days) -%}
    {{ z_alpha }} * {{ daily_std }} * sqrt({{ lead_time_days }})
{%- endmacro %}
