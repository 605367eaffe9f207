{#-
    Included studies per period (month, quarter, year of first appearance) × tag dimension × value.
    `share` is the value's part of the dimension's tag assignments in the period (sums to 1 per
    period and dimension); `study_share` is the part of the period's studies carrying the value
    (multi-valued tags can make those sum above 1).
-#}
with

studies as (

    select * from {{ ref('fct_studies') }}

),

tag_values as (

    select
        study_id,
        first_seen_at,
        'fm_type' as dimension,
        fm_type as tag_value
    from studies
    where fm_type is not null
    {% for column, dimension in multi_valued_tags() %}
        union all
        select
            study_id,
            first_seen_at,
            '{{ dimension }}' as dimension,
            unnest({{ column }}) as tag_value
        from studies
    {% endfor %}

),

grains as (

    select unnest({{ period_grains() }}) as period_grain

),

studies_per_period as (

    select
        grains.period_grain,
        cast(date_trunc(grains.period_grain, studies.first_seen_at) as date) as period_start,
        count(distinct studies.study_id) as studies_in_period
    from studies
    cross join grains
    group by 1, 2

),

counts as (

    select
        grains.period_grain,
        cast(date_trunc(grains.period_grain, tag_values.first_seen_at) as date) as period_start,
        tag_values.dimension,
        tag_values.tag_value,
        count(distinct tag_values.study_id) as studies
    from tag_values
    cross join grains
    group by 1, 2, 3, 4

),

final as (

    select
        counts.period_grain,
        counts.period_start,
        {{ period_label('counts.period_grain', 'counts.period_start') }} as period_label,
        counts.dimension,
        counts.tag_value as value,
        counts.studies,
        studies_per_period.studies_in_period,
        counts.studies / sum(counts.studies) over (
            partition by counts.period_grain, counts.period_start, counts.dimension
        ) as share,
        counts.studies / studies_per_period.studies_in_period as study_share
    from counts
    inner join studies_per_period
        on counts.period_grain = studies_per_period.period_grain
        and counts.period_start = studies_per_period.period_start

)

select * from final
