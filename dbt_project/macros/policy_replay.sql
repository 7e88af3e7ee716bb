{#- The measures of the policy replay marts, summed over the store x product rows of
    stg_optimization__policy_replay_details at the mart's grain (docs/methodology.md,
    "Policy replay"). -#}
{% macro policy_replay_measures() -%}
    sum(demand_units) as realised_demand_units,
    sum(served_units) as served_units,
    sum(lost_units) as lost_units,
    sum(served_units) / nullif(sum(demand_units), 0) as fill_rate,
    sum(ending_units) as leftover_units,
    sum(transfer_in_units) as transferred_units,
    sum(allocated_units) as allocated_units,
    sum(holding_cost) as holding_cost,
    sum(stockout_cost) as stockout_cost,
    sum(transport_cost) as transport_cost,
    sum(manufacturing_cost) as manufacturing_cost,
    sum(distribution_cost) as distribution_cost,
    sum(total_cost) as total_cost
{%- endmacro %}
