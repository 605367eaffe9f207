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
    post_hook="delete from {{ this }} where study_id not in (select study_id from {{ ref('int_records__deduplicated') }})",
) }}

with

reports as (

    select * from {{ ref('int_records__deduplicated') }}

),

report_texts as (

    select * from {{ ref('int_records__unioned') }}

),

report_abstracts as (

    {%- for source in ['arxiv', 'medrxiv', 'biorxiv', 'europepmc'] %}
    select
        source || ':' || source_id || 'v' || version as record_key,
        abstract
    from {{ ref('stg_' ~ source ~ '__records') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

study_facts as (

    select
        study_id,
        count(*) as report_count,
        list_sort(list_distinct(list(source))) as sources,
        list_sort(list_distinct(list(record_key))) as record_keys,
        list_sort(list_distinct(list(report_doi) filter (where report_doi is not null))) as dois,
        min(arxiv_id) as arxiv_id,
        bool_or(not is_preprint) as has_published_article,
        min(published_at) as first_seen_at,
        min(first_harvested_window_end) as first_harvested_window_end,
        max(harvested_window_end) as last_harvested_window_end,
        min(harvested_at) as first_harvested_at,
        any_value(record_key) filter (where is_representative) as representative_record_key,
        md5(string_agg(
            concat_ws('|', record_key, landing_file, landing_file_modified_at, first_harvested_window_end, harvested_at),
            ',' order by record_key
        )) as study_fingerprint
    from reports
    group by study_id

),

changed_facts as (

    select * from study_facts
    {%- if is_incremental() %}
    anti join {{ this }} as stored
        on study_facts.study_id = stored.study_id
        and study_facts.study_fingerprint = stored.study_fingerprint
    {%- endif %}

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
        -- what rule screening reads (macros/incremental_screening.sql)
        md5(coalesce(representatives.title, '') || chr(31) || coalesce(abstracts.abstract, '')) as text_fingerprint,

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

        -- when to recompute
        changed_facts.study_fingerprint

    from changed_facts
    inner join report_texts as representatives
        on changed_facts.representative_record_key = representatives.record_key
    left join report_abstracts as abstracts
        on changed_facts.representative_record_key = abstracts.record_key

)

select * from final
