{#-
    PRISMA 2020 flow per update (a weekly window, named by its end) and cumulative.
    Records are reports as harvested; a record is counted in the update that first saw it.
    A study is screened once, in the update that first saw any of its reports; every later
    report of it (a new version, the published article, a copy in another source) is a
    duplicate removed. Decisions are the current ones (a human override moves its study's count).
-#}
with

reports as (

    select * from {{ ref('int_records__deduplicated') }}

),

studies as (

    select * from {{ ref('int_studies') }}

),

screened as (

    select * from {{ ref('int_screening__decisions') }}

),

search_runs as (

    select * from {{ ref('stg_landing__search_runs') }}

),

updates as (

    select window_end from search_runs
    union
    select first_harvested_window_end as window_end from reports

),

first_reports as (

    -- the report through which each study entered the review; every other one is a duplicate
    select
        *,
        row_number() over (
            partition by study_id
            order by first_harvested_window_end, record_key
        ) = 1 as is_first_report_of_study
    from reports

),

identified as (

    select
        first_harvested_window_end as window_end,
        {% for source in ['arxiv', 'medrxiv', 'biorxiv', 'europepmc'] %}
            count(*) filter (where source = '{{ source }}') as identified_{{ source }},
        {% endfor %}
        count(*) as records_identified,
        count(*) filter (where not is_first_report_of_study) as duplicates_removed
    from first_reports
    group by first_harvested_window_end

),

screening_outcomes as (

    select
        studies.first_harvested_window_end as window_end,
        count(*) as records_screened,
        count(*) filter (where screened.decision = 'exclude') as records_excluded,
        count(*) filter (
            where screened.decision = 'exclude' and screened.actor in ('rule', 'model')
        ) as excluded_by_automation,
        count(*) filter (where screened.decision = 'exclude' and screened.actor = 'human') as excluded_by_humans,
        {% for reason in exclusion_reason_codes() %}
            count(*) filter (
                where screened.decision = 'exclude' and screened.primary_reason = '{{ reason }}'
            ) as excluded_{{ reason }},
        {% endfor %}
        count(*) filter (where screened.decision = 'maybe') as awaiting_classification,
        count(*) filter (where screened.decision = 'include') as studies_included
    from studies
    inner join screened on studies.study_id = screened.study_id
    group by studies.first_harvested_window_end

),

per_update as (

    select
        updates.window_end,
        {% for column in prisma_count_columns() %}
            coalesce({{ column }}, 0) as {{ column }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from updates
    left join identified on updates.window_end = identified.window_end
    left join screening_outcomes on updates.window_end = screening_outcomes.window_end

),

flow as (

    select
        window_end,
        'update' as scope,
        {% for column in prisma_count_columns() %}
            {{ column }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from per_update

    union all

    select
        window_end,
        'cumulative' as scope,
        {% for column in prisma_count_columns() %}
            cast(sum({{ column }}) over (order by window_end) as bigint) as {{ column }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from per_update

),

final as (

    select
        {{ review_version('window_end') }} as review_version,
        window_end,
        scope,
        {% for column in prisma_count_columns() %}
            cast({{ column }} as bigint) as {{ column }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from flow

)

select * from final
