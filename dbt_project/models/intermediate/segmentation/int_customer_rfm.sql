{#- Recency, frequency and monetary value per customer, as of the last order day in the data,
    with the customer's home store (where most of their orders were placed). -#}

with

orders as (

    select * from {{ ref('stg_inputs__customer_orders') }}

),

as_of as (

    select max(order_date) as as_of_date from orders

),

per_customer as (

    select
        customer_id,
        max(order_date) as last_order_date,
        count(distinct order_id) as order_count,
        sum(order_line_amount) as total_amount
    from orders
    group by customer_id

),

home_store as (

    select
        customer_id,
        store_id
    from (
        select
            customer_id,
            store_id,
            row_number()
                over (partition by customer_id order by count(*) desc, store_id)
                as store_rank
        from orders
        group by customer_id, store_id
    ) as ranked
    where store_rank = 1

)

select
    per_customer.customer_id,
    home_store.store_id as home_store_id,
    {{ dbt.datediff('per_customer.last_order_date', 'as_of.as_of_date', 'day') }} as recency_days,
    per_customer.order_count as frequency_orders,
    per_customer.total_amount as monetary_amount,
    per_customer.total_amount / per_customer.order_count as average_order_value
from per_customer
cross join as_of
inner join home_store on per_customer.customer_id = home_store.customer_id
