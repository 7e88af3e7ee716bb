{#- The settings in force for this run: every row of the name/value seeds, with the run's
    overrides (var setting_overrides) in place of the seed value, and each setting's type and
    valid range from seeds/setting_rules.csv. Every model, dbt Python model and Python asset
    reads its settings here, so an override reaches all of them. -#}
with

seeded as (
    select
        setting,
        value,
        description,
        'rule_settings' as seed
    from {{ ref('rule_settings') }}
    union all
    select
        parameter as setting,
        value,
        description,
        'cost_parameters' as seed
    from {{ ref('cost_parameters') }}
    union all
    select
        setting,
        value,
        description,
        'network_settings' as seed
    from {{ ref('network_settings') }}
),

overrides as (
    {{ setting_overrides_relation() }}
),

rules as (
    select
        seed,
        name,
        data_type,
        valid,
        may_be_empty
    from {{ ref('setting_rules') }}
)

select
    coalesce(seeded.setting, overrides.setting) as setting,
    case when overrides.setting is null then seeded.value else overrides.value end as value,
    case when overrides.setting is null then 'seed' else 'override' end as source,
    seeded.value as seed_value,
    seeded.seed,
    rules.data_type,
    rules.valid as valid_values,
    rules.may_be_empty,
    seeded.description
from seeded
full outer join overrides on seeded.setting = overrides.setting
left join rules on seeded.seed = rules.seed and seeded.setting = rules.name
