{#- One row per included study, with its tags and the decision that included it. -#}
with

studies as (

    select * from {{ ref('int_studies') }}

),

screened as (

    select * from {{ ref('int_screening__decisions') }}

),

tagged as (

    select * from {{ ref('int_screening__tags') }}

),

final as (

    select
        -- ids
        studies.study_id,
        studies.representative_record_key,
        studies.arxiv_id,
        studies.doi,
        studies.dois,

        -- what it is
        studies.title,
        studies.primary_category,
        studies.sources,
        studies.report_count,
        studies.has_published_article,
        studies.url,

        -- tags
        tagged.fm_type,
        coalesce(tagged.modalities, []) as modalities,
        coalesce(tagged.tasks, []) as tasks,
        coalesce(tagged.training_strategies, []) as training_strategies,
        coalesce(tagged.datasets, []) as datasets,
        coalesce(tagged.anatomies, []) as anatomies,

        -- the decision
        screened.decision,
        screened.actor as decision_actor,
        screened.score as decision_score,
        screened.criteria_version,

        -- when
        studies.first_seen_at,
        studies.first_harvested_window_end,
        {{ review_version('studies.first_harvested_window_end') }} as first_review_version

    from studies
    inner join screened on studies.study_id = screened.study_id
    left join tagged on studies.study_id = tagged.study_id
    where screened.decision = 'include'

)

select * from final
