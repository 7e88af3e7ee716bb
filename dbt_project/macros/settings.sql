{#- Settings live in seeds/ (reference schema). A run can override any of them with a dbt var of
    the same name (Dagster run config -> `dbt build --vars`), e.g. {"zscore_threshold": "2.5"}. -#}
{% macro rule_setting(name, data_type='double') -%}
    {%- if var(name, none) is not none -%}
        cast('{{ var(name) }}' as {{ data_type }})
    {%- else -%}
        (select cast(value as {{ data_type }}) from {{ ref('rule_settings') }} where setting = '{{ name }}')
    {%- endif -%}
{%- endmacro %}

{% macro cost_parameter(name) -%}
    {%- if var(name, none) is not none -%}
        cast('{{ var(name) }}' as double)
    {%- else -%}
        (select value from {{ ref('cost_parameters') }} where parameter = '{{ name }}')
    {%- endif -%}
{%- endmacro %}

{% macro default_z_alpha() -%}
    (select z_alpha from {{ ref('service_levels') }} where is_default)
{%- endmacro %}
