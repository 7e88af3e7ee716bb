{#- The seasonal blend (docs/methodology.md). With D the last day of data and N the recent weeks:
      recent rate        = mean daily latent demand over the last 7N days (D-7N, D]
      last-year recent   = the same 7N days one year (364 days, weekday-aligned) earlier
      last-year season   = the 7N days that followed them, i.e. the season now ahead
      seasonal rate      = recent rate x last-year season / last-year recent
      blended demand     = w x recent rate + (1 - w) x seasonal rate
    Where a pair lacks the full last-year windows (or sold nothing then) it falls back to the
    recent rate, and blend_method says so. -#}

with

daily as (

    select
        store_id,
        product_id,
        sales_date,
        latent_demand_units
    from {{ ref('int_sales_daily_spined') }}

),

settings as (

    select
        {{ rule_setting('blend_recent_weight') }} as recent_weight,
        {{ rule_setting('blend_recent_weeks', 'integer') }} * 7 as window_days

),

positioned as (

    select
        daily.*,
        settings.recent_weight,
        settings.window_days,
        {{ dbt.datediff('daily.sales_date', '(select max(sales_date) from daily)', 'day') }}
            as days_before_end
    -- the subquery in days_before_end reads daily too: one table, not two aliases
    from daily  -- noqa: AL04
    cross join settings

),

windows as (

    select
        store_id,
        product_id,
        max(recent_weight) as recent_weight,
        max(window_days) as window_days,
        avg(case when days_before_end < window_days then latent_demand_units end)
            as recent_daily_rate,
        stddev_samp(case when days_before_end < window_days then latent_demand_units end)
            as recent_daily_std,
        avg(
            case
                when
                    days_before_end >= 364 and days_before_end < 364 + window_days
                    then latent_demand_units
            end
        ) as last_year_recent_rate,
        count(
            case when days_before_end >= 364 and days_before_end < 364 + window_days then 1 end
        ) as last_year_recent_days,
        avg(
            case
                when
                    days_before_end >= 364 - window_days and days_before_end < 364
                    then latent_demand_units
            end
        ) as last_year_season_rate,
        count(
            case when days_before_end >= 364 - window_days and days_before_end < 364 then 1 end
        ) as last_year_season_days
    from positioned
    group by store_id, product_id

),

blended as (

    select
        store_id,
        product_id,
        recent_weight,
        window_days / 7 as recent_weeks,
        recent_daily_rate,
        coalesce(recent_daily_std, 0) as recent_daily_std,
        last_year_recent_rate,
        last_year_season_rate,
        case
            when last_year_recent_days < window_days or last_year_season_days < window_days
                then 'recent_only_no_last_year'
            when last_year_recent_rate = 0 then 'recent_only_no_sales_last_year'
            else 'seasonal_blend'
        end as blend_method
    from windows

),

final as (

    select
        store_id,
        product_id,
        recent_weeks,
        recent_weight,
        recent_daily_rate,
        recent_daily_std,
        last_year_recent_rate,
        last_year_season_rate,
        case
            when blend_method = 'seasonal_blend'
                then recent_daily_rate * last_year_season_rate / last_year_recent_rate
        end as seasonal_daily_rate,
        case
            when blend_method = 'seasonal_blend'
                then recent_weight * recent_daily_rate
                + (1 - recent_weight)
                * recent_daily_rate
                * last_year_season_rate
                / last_year_recent_rate
            else recent_daily_rate
        end as blended_daily_demand,
        blend_method
    from blended

)

select * from final
