-- Rule screening decision of every study (actor 'rule'): the decision half of int_records__rule_screened,
-- where the macro screen_records() runs once for decisions and tags alike. A view: no second copy.
{{ config(materialized='view') }}

with

rule_screened as (
    select * from {{ ref('int_records__rule_screened') }}
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
        is_review_article,
        screening_key
    from rule_screened
)

select * from final
