{#- Included studies using each catalogued dataset, per period (month, quarter, year of first appearance). -#}
with

studies as (

    select * from {{ ref('fct_studies') }}

),

datasets as (

    select * from {{ ref('medical_imaging_datasets') }}

),

grains as (

    select unnest({{ period_grains() }}) as period_grain

),

study_periods as (

    select
        grains.period_grain,
        cast(date_trunc(grains.period_grain, studies.first_seen_at) as date) as period_start,
        studies.study_id,
        studies.datasets
    from studies
    cross join grains

),

studies_per_period as (

    select
        period_grain,
        period_start,
        count(distinct study_id) as studies_in_period
    from study_periods
    group by 1, 2

),

usage as (

    select
        period_grain,
        period_start,
        study_id,
        unnest(datasets) as dataset_id
    from study_periods

),

counts as (

    select
        period_grain,
        period_start,
        dataset_id,
        count(distinct study_id) as studies
    from usage
    group by 1, 2, 3

),

final as (

    select
        counts.period_grain,
        counts.period_start,
        {{ period_label('counts.period_grain', 'counts.period_start') }} as period_label,
        counts.dataset_id,
        datasets.name as dataset_name,
        datasets.modality as dataset_modality,
        counts.studies,
        studies_per_period.studies_in_period,
        counts.studies / studies_per_period.studies_in_period as study_share
    from counts
    inner join studies_per_period
        on counts.period_grain = studies_per_period.period_grain
        and counts.period_start = studies_per_period.period_start
    left join datasets on counts.dataset_id = datasets.dataset_id

)

select * from final
