-- PRISMA: the cumulative count of included studies never goes down from one update to the next.
with

cumulative as (

    select
        review_version,
        studies_included,
        lag(studies_included) over (order by window_end) as previous_studies_included
    from {{ ref('mart_prisma_flow') }}
    where scope = 'cumulative'

)

select * from cumulative
where studies_included < previous_studies_included
