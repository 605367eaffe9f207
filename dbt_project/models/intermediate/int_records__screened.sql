-- Rule screening of every study (actor 'rule'); the logic is the macro screen_records() in
-- macros/screening.sql, the same text `livingreview screen` runs outside dbt.
{{ config(materialized='table') }}

with

screening as (
    {{ screen_records(ref('int_studies'), screening_criteria()) }}
),

final as (
    select
        study_id,
        decision,
        score,
        reasons,
        primary_reason,
        actor,
        criteria_version,
        is_review_article
    from screening
)

select * from final
