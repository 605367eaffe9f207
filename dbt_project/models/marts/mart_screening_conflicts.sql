{#- Studies whose reviewers' latest decisions differ: the list to resolve (each stays `maybe`). -#}
with

decisions as (

    select * from {{ ref('stg_review__human_decisions') }}

),

conflicts as (

    select * from {{ ref('int_screening__human_decisions') }}
    where is_conflict

),

studies as (

    select * from {{ ref('int_studies') }}

),

latest_per_reviewer as (

    select * from decisions
    qualify row_number() over (
        partition by study_id, reviewer
        order by decided_at desc, import_file desc
    ) = 1

),

final as (

    select
        conflicts.study_id,
        studies.title,
        conflicts.reviewer_count,
        conflicts.last_decided_at,
        list(
            latest_per_reviewer.reviewer || ': ' || latest_per_reviewer.decision
            || coalesce(' (' || latest_per_reviewer.reason || ')', '')
            order by latest_per_reviewer.reviewer
        ) as reviewer_decisions
    from conflicts
    inner join latest_per_reviewer on conflicts.study_id = latest_per_reviewer.study_id
    left join studies on conflicts.study_id = studies.study_id
    group by conflicts.study_id, studies.title, conflicts.reviewer_count, conflicts.last_decided_at

)

select * from final
