{#- One plan status for the rows of a plan's product partitions (an aggregate): the status
    they share, else 'failed' if one failed, else 'partial'. The Python reference is
    `combined_status` in python_assets/optimization/plan.py. -#}
{% macro combined_plan_status(status) -%}
    case
        when count(distinct {{ status }}) = 1 then min({{ status }})
        when bool_or({{ status }} = 'failed') then 'failed'
        else 'partial'
    end
{%- endmacro %}
