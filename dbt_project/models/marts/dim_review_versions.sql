{#- One row per update of the living review: its version, the versions it was made under, its totals. -#}
with

cumulative_flow as (

    select * from {{ ref('mart_prisma_flow') }}
    where scope = 'cumulative'

),

search_runs as (

    select * from {{ ref('stg_landing__search_runs') }}

),

screened as (

    select * from {{ ref('int_records__screened') }}

),

protocol_versions as (

    select
        window_end,
        max(protocol_version) as protocol_version,
        count(*) as search_runs
    from search_runs
    group by window_end

),

criteria as (

    -- every study is re-screened on each build, under the criteria of this build
    select string_agg(distinct criteria_version, ',' order by criteria_version) as criteria_version
    from screened

),

final as (

    select
        cumulative_flow.review_version,
        cast(cumulative_flow.window_end - interval 7 day as date) as window_start,
        cumulative_flow.window_end,
        criteria.criteria_version,
        protocol_versions.protocol_version,
        coalesce(protocol_versions.search_runs, 0) as search_runs,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as built_at,
        '{{ invocation_id }}' as dbt_invocation_id,
        cumulative_flow.records_identified as cumulative_records_identified,
        cumulative_flow.records_screened as cumulative_studies_screened,
        cumulative_flow.records_excluded as cumulative_studies_excluded,
        cumulative_flow.excluded_review_article as cumulative_review_articles,
        cumulative_flow.studies_included as cumulative_studies_included
    from cumulative_flow
    cross join criteria
    left join protocol_versions on cumulative_flow.window_end = protocol_versions.window_end

)

select * from final
