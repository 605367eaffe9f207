-- Rule screening of every study (actor 'rule'); the logic is the macro screen_records() in
-- macros/screening.sql, the same text `livingreview screen` runs outside dbt. Incremental: only studies
-- whose text or criteria changed are screened again (macros/incremental_screening.sql).
{{ config(
    materialized='incremental',
    unique_key='study_id',
    incremental_strategy='delete+insert',
    post_hook="{{ prune_screened_studies(ref('int_studies')) }}",
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
        screening.decision,
        screening.score,
        screening.reasons,
        screening.primary_reason,
        screening.actor,
        screening.criteria_version,
        screening.is_review_article,
        pending.screening_key
    from screening
    inner join pending on screening.study_id = pending.study_id
)

select * from final
