{#- Scalar subqueries over the reference seeds, so every setting lives in seeds/ and nowhere else. -#}
{% macro rule_setting(name, data_type='double') -%}
    (select cast(value as {{ data_type }}) from {{ ref('rule_settings') }} where setting = '{{ name }}')
{%- endmacro %}

{% macro cost_parameter(name) -%}
    (select value from {{ ref('cost_parameters') }} where parameter = '{{ name }}')
{%- endmacro %}

{% macro default_z_alpha() -%}
    (select z_alpha from {{ ref('service_levels') }} where is_default)
{%- endmacro %}
