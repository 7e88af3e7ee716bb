{#- The input's own assumptions, plus what the warehouse assumes about the input where it has to:
    a latest inventory snapshot older than the last sales day is the stock the plan starts from
    as it is (topic stock_older_than_sales; the input's own row of that topic wins). -#}

with

declared as (

    select * from {{ ref('stg_inputs__dataset_assumptions') }}

),

stock_dates as (

    select
        (select max(snapshot_date) from {{ ref('stg_inputs__inventory_snapshots') }})
            as snapshot_date,
        (select max(sales_date) from {{ ref('stg_inputs__sales_daily') }}) as last_sales_date

),

declared_dataset as (

    select
        coalesce(any_value(dataset_name), 'unknown') as dataset_name,
        coalesce(bool_or(topic = 'stock_older_than_sales'), false) as declares_stock_date
    from declared

),

stock_older_than_sales as (

    select
        declared_dataset.dataset_name,
        'stock_older_than_sales' as topic,
        'The stock the plan starts from is the inventory snapshot of '
        || strftime(stock_dates.snapshot_date, '%Y-%m-%d') || ', '
        || date_diff('day', stock_dates.snapshot_date, stock_dates.last_sales_date)
        || ' day(s) before the last sales day ('
        || strftime(stock_dates.last_sales_date, '%Y-%m-%d')
        || '). It is used as it is: sales since then are not subtracted and deliveries since '
        || 'then are not known, so the plan sees more stock than is left if nothing arrived.'
            as assumption,
        strftime(stock_dates.snapshot_date, '%Y-%m-%d') as setting
    from stock_dates
    cross join declared_dataset
    where
        stock_dates.snapshot_date < stock_dates.last_sales_date
        and not declared_dataset.declares_stock_date

)

select
    dataset_name,
    topic,
    assumption,
    setting
from declared
union all
select
    dataset_name,
    topic,
    assumption,
    setting
from stock_older_than_sales
