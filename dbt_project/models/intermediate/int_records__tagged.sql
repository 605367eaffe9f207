-- Controlled-vocabulary tags of every study (empty for excluded studies other than reviews): the tag half
-- of int_records__rule_screened, where the macro screen_records() runs once for decisions and tags alike.
-- A view: no second copy.
{{ config(materialized='view') }}

with

rule_screened as (
    select * from {{ ref('int_records__rule_screened') }}
),

final as (
    select
        study_id,
        fm_type,
        modalities,
        tasks,
        training_strategies,
        datasets,
        anatomies,
        screening_key
    from rule_screened
)

select * from final
