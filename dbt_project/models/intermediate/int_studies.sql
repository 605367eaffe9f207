{#- One row per study: its representative report's text plus what all its reports add up to. -#}
with

reports as (

    select * from {{ ref('int_records__deduplicated') }}

),

representatives as (

    select * from reports
    where is_representative

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
        min(harvested_at) as first_harvested_at
    from reports
    group by study_id

),

final as (

    select
        -- ids
        representatives.study_id,
        representatives.record_key as representative_record_key,
        representatives.source,
        study_facts.arxiv_id,
        representatives.report_doi as doi,
        study_facts.dois,
        study_facts.record_keys,

        -- text of the representative report
        representatives.title,
        representatives.abstract,
        representatives.authors,
        representatives.categories,
        representatives.primary_category,
        representatives.journal_ref,
        representatives.url,

        -- what the reports add up to
        study_facts.sources,
        study_facts.report_count,
        study_facts.has_published_article,

        -- timestamps
        representatives.published_at,
        study_facts.first_seen_at,
        study_facts.first_harvested_window_end,
        study_facts.last_harvested_window_end,
        study_facts.first_harvested_at

    from representatives
    inner join study_facts on representatives.study_id = study_facts.study_id

)

select * from final
