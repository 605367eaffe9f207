{#- Reviews and surveys: excluded from the studies (reason review_article) but listed here. -#}
with

studies as (

    select * from {{ ref('int_studies') }}

),

screened as (

    select * from {{ ref('int_screening__decisions') }}

),

final as (

    select
        -- ids
        studies.study_id,
        studies.representative_record_key,
        studies.arxiv_id,
        studies.doi,

        -- what it is
        studies.title,
        studies.sources,
        studies.report_count,
        studies.url,

        -- the decision
        screened.decision,
        screened.primary_reason,
        screened.actor as decision_actor,
        screened.criteria_version,

        -- when
        studies.first_seen_at,
        studies.first_harvested_window_end,
        {{ review_version('studies.first_harvested_window_end') }} as first_review_version

    from studies
    inner join screened on studies.study_id = screened.study_id
    where screened.is_review_article

)

select * from final
