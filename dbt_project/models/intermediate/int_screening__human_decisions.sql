{#-
    One row per study some human decided. A reviewer's latest decision counts; when reviewers' latest
    decisions differ the study is a conflict: it stays `maybe` (nobody's vote wins) and is listed in
    mart_screening_conflicts until they agree.
-#}
with

decisions as (

    select * from {{ ref('stg_review__human_decisions') }}

),

latest_per_reviewer as (

    select * from decisions
    qualify row_number() over (
        partition by study_id, reviewer
        order by decided_at desc, import_file desc
    ) = 1

),

per_study as (

    select
        study_id,
        count(*) as reviewer_count,
        list_sort(list(reviewer)) as reviewers,
        count(distinct decision) > 1 as is_conflict,
        -- the latest decision and reason; per tag, the latest correction any reviewer made
        arg_max(decision, decided_at) as latest_decision,
        arg_max(reason, decided_at) as latest_reason,
        arg_max(fm_type, decided_at) filter (where fm_type is not null) as fm_type,
        coalesce(arg_max(modalities, decided_at) filter (where len(modalities) > 0), []) as modalities,
        coalesce(arg_max(tasks, decided_at) filter (where len(tasks) > 0), []) as tasks,
        coalesce(arg_max(training_strategies, decided_at) filter (where len(training_strategies) > 0), []) as training_strategies,
        coalesce(arg_max(datasets, decided_at) filter (where len(datasets) > 0), []) as datasets,
        max(decided_at) as last_decided_at
    from latest_per_reviewer
    group by study_id

),

final as (

    select
        study_id,
        is_conflict,
        reviewer_count,
        reviewers,
        fm_type,
        modalities,
        tasks,
        training_strategies,
        datasets,
        last_decided_at,
        case when is_conflict then 'maybe' else latest_decision end as decision,
        case when is_conflict or latest_decision <> 'exclude' then null else latest_reason end as reason
    from per_study

)

select * from final
