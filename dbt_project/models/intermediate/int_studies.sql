{#-
    One row per study: its representative report's text plus what all its reports add up to.
    Incremental: a study is recomputed when its fingerprint changes (which reports it has, and for each
    its landing copy and first window), so a week's build writes the week's studies, not the history's.
    The post-hook drops studies that no longer exist (merged into another by a new link, withdrawn).
-#}
{{ config(
    materialized='incremental',
    unique_key='study_id',
    incremental_strategy='delete+insert',
    post_hook="{{ prune_studies_missing_from(ref('int_records__deduplicated')) }}",
) }}

with

reports as (

    select * from {{ ref('int_records__deduplicated') }}

),

report_texts as (

    select * from {{ ref('int_records__unioned') }}

),

report_abstracts as (

    {% for source in ['arxiv', 'medrxiv', 'biorxiv', 'europepmc'] %}
        select
            source || ':' || source_id || 'v' || version as record_key,
            abstract
        from {{ ref('stg_' ~ source ~ '__records') }}
        {% if not loop.last %}
            union all
        {% endif %}
    {% endfor %}

),

-- which studies to recompute: a cheap order-free fingerprint over every study first
study_fingerprints as (

    select
        study_id,
        bit_xor(hash(
            record_key, landing_file, landing_file_modified_at, first_harvested_window_end, harvested_at
        )) as study_fingerprint
    from reports
    group by study_id

),

changed_studies as (

    select * from study_fingerprints
    {%- if is_incremental() %}
    anti join {{ this }} as stored
        on study_fingerprints.study_id = stored.study_id
        and study_fingerprints.study_fingerprint = stored.study_fingerprint
    {%- endif %}

),

-- then what their reports add up to, for those studies only
changed_facts as (

    select
        reports.study_id,
        any_value(changed_studies.study_fingerprint) as study_fingerprint,
        count(*) as report_count,
        list_sort(list_distinct(list(reports.source))) as sources,
        list_sort(list_distinct(list(reports.record_key))) as record_keys,
        list_sort(list_distinct(list(reports.report_doi) filter (where reports.report_doi is not null))) as dois,
        min(reports.arxiv_id) as arxiv_id,
        bool_or(not reports.is_preprint) as has_published_article,
        min(reports.published_at) as first_seen_at,
        min(reports.first_harvested_window_end) as first_harvested_window_end,
        max(reports.harvested_window_end) as last_harvested_window_end,
        min(reports.harvested_at) as first_harvested_at,
        any_value(reports.record_key) filter (where reports.is_representative) as representative_record_key
    from reports
    inner join changed_studies on reports.study_id = changed_studies.study_id
    group by reports.study_id

),

final as (

    select
        -- ids
        changed_facts.study_id,
        changed_facts.representative_record_key,
        representatives.source,
        changed_facts.arxiv_id,
        representatives.report_doi as doi,
        changed_facts.dois,
        changed_facts.record_keys,

        -- text of the representative report
        representatives.title,
        abstracts.abstract,
        representatives.authors,
        representatives.categories,
        representatives.primary_category,
        representatives.journal_ref,
        representatives.url,

        -- what the reports add up to
        changed_facts.sources,
        changed_facts.report_count,
        changed_facts.has_published_article,

        -- timestamps
        representatives.published_at,
        changed_facts.first_seen_at,
        changed_facts.first_harvested_window_end,
        changed_facts.last_harvested_window_end,
        changed_facts.first_harvested_at,

        -- when to recompute: the study, and its rule screening (macros/incremental_screening.sql)
        changed_facts.study_fingerprint,
        md5(coalesce(representatives.title, '') || chr(31) || coalesce(abstracts.abstract, '')) as text_fingerprint

    from changed_facts
    inner join report_texts as representatives
        on changed_facts.representative_record_key = representatives.record_key
    left join report_abstracts as abstracts
        on changed_facts.representative_record_key = abstracts.record_key

)

select * from final
