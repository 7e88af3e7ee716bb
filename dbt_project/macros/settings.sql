{#- Settings live in seeds/ (reference schema) and reach models through int_settings_resolved,
    which applies the run's overrides: the dbt var setting_overrides, a mapping of setting name to
    value that Dagster passes after checking each value against seeds/setting_rules.csv. A value
    is only ever SQL text inside a quoted string literal, cast to the setting's type where used. -#}
{% macro rule_setting(name, data_type='double') -%}
    (select cast(value as {{ data_type }}) from {{ ref('int_settings_resolved') }} where setting = '{{ name }}')
{%- endmacro %}

{% macro cost_parameter(name) -%}
    {{ rule_setting(name, 'double') }}
{%- endmacro %}

{% macro default_z_alpha() -%}
    (select z_alpha from {{ ref('service_levels') }} where is_default)
{%- endmacro %}

{#- A string literal holding value: quotes doubled, so the value cannot end the literal. -#}
{% macro sql_text(value) -%}
    {%- if value is none -%}
        cast(null as varchar)
    {%- elif value is sameas true or value is sameas false -%}
        '{{ value | string | lower }}'
    {%- else -%}
        '{{ value | string | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}

{#- The run's overrides as a relation (setting, value), empty without overrides. -#}
{% macro setting_overrides_relation() -%}
    {%- set overrides = var('setting_overrides', {}) -%}
    {%- if overrides is not mapping -%}
        {{ exceptions.raise_compiler_error("var setting_overrides must map setting names to values, got " ~ overrides) }}
    {%- endif -%}
    {%- if overrides is mapping and overrides -%}
    select setting, value from (values
        {%- for name, value in overrides.items() %}
        ({{ sql_text(name) }}, {{ sql_text(value) }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) as overrides (setting, value)
    {%- else -%}
    select cast(null as varchar) as setting, cast(null as varchar) as value where 1 = 0
    {%- endif -%}
{%- endmacro %}
