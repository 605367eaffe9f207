{#- Modality × clinical task: every cell of the two vocabularies, so the gaps (zero studies) show. -#}
with

study_modalities as (

    select * from {{ ref('bridge_study_modalities') }}

),

study_tasks as (

    select * from {{ ref('bridge_study_tasks') }}

),

modalities as (

    select * from {{ ref('modalities') }}

),

tasks as (

    select * from {{ ref('tasks') }}

),

counts as (

    select
        study_modalities.modality,
        study_tasks.task,
        count(distinct study_modalities.study_id) as studies
    from study_modalities
    inner join study_tasks on study_modalities.study_id = study_tasks.study_id
    group by 1, 2

),

final as (

    select
        modalities.modality,
        tasks.task,
        coalesce(counts.studies, 0) as studies,
        coalesce(counts.studies, 0) = 0 as is_gap
    from modalities
    cross join tasks
    left join counts
        on modalities.modality = counts.modality
        and tasks.task = counts.task

)

select * from final
