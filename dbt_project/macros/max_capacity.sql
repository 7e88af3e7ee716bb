{#- The LP's storage capacity (C5): the input's capacity, never below the stock the store
    already holds (it physically fits). The one SQL home of the rule;
    python_assets/optimization/constraints.py (max_capacity) is its Python reference, which the
    policy replay applies to the stock at a past origin, and
    tests/optimization/test_constraints.py keeps the two equal. -#}
{% macro max_capacity(storage_capacity, current_inv) -%}
    greatest({{ storage_capacity }}, {{ current_inv }})
{%- endmacro %}
