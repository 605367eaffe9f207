-- PRISMA: the latest cumulative row accounts for every record, every study and every included study.
with

latest as (

    select * from {{ ref('mart_prisma_flow') }}
    where scope = 'cumulative'
    qualify window_end = max(window_end) over ()

),

warehouse as (

    select
        (select count(*) from {{ ref('int_records__unioned') }}) as records,
        (select count(*) from {{ ref('int_studies') }}) as studies,
        (select count(*) from {{ ref('fct_studies') }}) as included_studies

)

select
    latest.review_version,
    latest.records_identified,
    warehouse.records,
    latest.records_screened,
    warehouse.studies,
    latest.studies_included,
    warehouse.included_studies
from latest
cross join warehouse
where latest.records_identified <> warehouse.records
    or latest.records_screened <> warehouse.studies
    or latest.studies_included <> warehouse.included_studies
