-- Controlled-vocabulary tags of every study (empty for excluded studies other than reviews); the logic is
-- the macro screen_records() in macros/screening.sql, the same text `livingreview screen` runs.
-- Incremental: only studies whose text or criteria changed are tagged again (macros/incremental_screening.sql).
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
