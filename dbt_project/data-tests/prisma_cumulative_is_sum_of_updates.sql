-- PRISMA: every cumulative row equals the sum of the update rows up to and including it.
with

flow as (

    select * from {{ ref('mart_prisma_flow') }}

),

updates_summed as (

    select
        cumulative.review_version,
        {%- for column in prisma_count_columns() %}
        sum(updates.{{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from flow as cumulative
    inner join flow as updates
        on updates.window_end <= cumulative.window_end
        and updates.scope = 'update'
    where cumulative.scope = 'cumulative'
    group by cumulative.review_version

),

mismatches as (

    select cumulative.review_version
    from flow as cumulative
    inner join updates_summed on cumulative.review_version = updates_summed.review_version
    where cumulative.scope = 'cumulative'
        and (
            {%- for column in prisma_count_columns() %}
            cumulative.{{ column }} <> updates_summed.{{ column }}{{ ' or' if not loop.last }}
            {%- endfor %}
        )

)

select * from mismatches
