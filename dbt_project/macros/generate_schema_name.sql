{#- A model's schema is its folder's schema (staging, intermediate, marts, ...) as written,
    not prefixed with the target schema: the warehouse address is the asset key. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
