-- Controlled-vocabulary tags of every study (empty for excluded studies other than reviews); the logic is
-- the macro screen_records() in macros/screening.sql, the same text `livingreview screen` runs.
{{ config(materialized='table') }}

with

screening as (
    {{ screen_records(ref('int_studies'), screening_criteria()) }}
),

final as (
    select
        study_id,
        fm_type,
        modalities,
        tasks,
        training_strategies,
        datasets,
        anatomies
    from screening
)

select * from final
