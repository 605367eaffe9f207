{#- Every study's tags: the rules' suggestions with the human corrections applied (a correction
    replaces its whole dimension; reviewers in conflict correct nothing). Same columns as
    int_records__tagged. -#}
with

suggested as (

    select * from {{ ref('int_records__tagged') }}

),

corrections as (

    select * from {{ ref('int_screening__human_decisions') }}
    where not is_conflict

),

final as (

    select
        suggested.study_id,
        suggested.anatomies,
        coalesce(corrections.fm_type, suggested.fm_type) as fm_type,
        case
            when len(corrections.modalities) > 0 then corrections.modalities
            else suggested.modalities
        end as modalities,
        case
            when len(corrections.tasks) > 0 then corrections.tasks
            else suggested.tasks
        end as tasks,
        case
            when len(corrections.training_strategies) > 0 then corrections.training_strategies
            else suggested.training_strategies
        end as training_strategies,
        case
            when len(corrections.datasets) > 0 then corrections.datasets
            else suggested.datasets
        end as datasets,
        corrections.study_id is not null as corrected_by_human
    from suggested
    left join corrections on suggested.study_id = corrections.study_id

)

select * from final
