-- Rule screening and tagging of every study (actor 'rule'), run once: the macro screen_records() in
-- macros/screening.sql, the same text `livingreview screen` runs outside dbt. int_records__screened and
-- int_records__tagged are its two halves. Incremental: only studies whose text or criteria changed are
-- screened again (macros/incremental_screening.sql).
{{ config(
    materialized='incremental',
    unique_key='study_id',
    incremental_strategy='delete+insert',
    post_hook="{{ prune_studies_missing_from(ref('int_studies')) }}",
) }}
{%- set criteria = screening_criteria() %}

with

pending as (
    {{ studies_to_screen(ref('int_studies'), criteria) }}
),

screening as (
    {{ screen_records('pending', criteria) }}
),

final as (
    select
        screening.study_id,
        -- the decision
        screening.decision,
        screening.score,
        screening.reasons,
        screening.primary_reason,
        screening.actor,
        screening.criteria_version,
        screening.is_review_article,
        -- the tags
        screening.fm_type,
        screening.modalities,
        screening.tasks,
        screening.training_strategies,
        screening.datasets,
        screening.anatomies,
        pending.screening_key
    from screening
    inner join pending on screening.study_id = pending.study_id
)

select * from final
