with

source as (

    select * from {{ landing_source('review_decisions', 'human_decisions') }}

),

renamed as (

    select
        -- ids
        trim(study_id) as study_id,
        trim(reviewer) as reviewer,
        import_file,

        -- the decision
        lower(trim(decision)) as decision,
        nullif(trim(reason), '') as reason,
        note,

        -- tag corrections (null / empty list: keep the suggested tags)
        nullif(trim(fm_type), '') as fm_type,
        list_filter(string_split(coalesce(modalities, ''), ';'), lambda value: value <> '') as modalities,
        list_filter(string_split(coalesce(tasks, ''), ';'), lambda value: value <> '') as tasks,
        list_filter(string_split(coalesce(training_strategies, ''), ';'), lambda value: value <> '') as training_strategies,
        list_filter(string_split(coalesce(datasets, ''), ';'), lambda value: value <> '') as datasets,

        -- when
        {{ to_utc_timestamp('decided_at') }} as decided_at

    from source

)

select * from renamed
