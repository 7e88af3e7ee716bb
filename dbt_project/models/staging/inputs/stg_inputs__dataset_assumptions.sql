with

source as (

    select * from {{ source('inputs', 'dataset_assumptions') }}

),

renamed as (

    select

        ---------- text
        dataset as dataset_name,
        topic,
        assumption,
        setting

    from source

)

select * from renamed
