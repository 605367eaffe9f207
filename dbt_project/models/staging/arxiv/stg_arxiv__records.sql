-- Incremental: a build reads only the landing files it has not loaded yet (macros/landing_source.sql)
-- and keeps each report's latest harvested copy (macros/normalize.sql: latest_harvested_copy).
{{ config(
    materialized='incremental',
    unique_key=['source', 'source_id', 'version'],
    incremental_strategy='delete+insert',
    pre_hook="{{ reset_if_landing_files_vanished('landing', 'arxiv_records') }}",
) }}

with

source as (

    select * from {{ landing_records('landing', 'arxiv_records') }}

),

renamed as (

    select
        -- ids
        source,
        source_id,
        version,
        -- arXiv's own `doi` field is the DOI of the journal version, not of the preprint
        {{ normalize_doi('doi') }} as doi,
        '10.48550/arxiv.' || lower(source_id) as datacite_doi,
        source_id as arxiv_id,
        coalesce({{ normalize_doi('published_doi') }}, {{ normalize_doi('doi') }}) as published_doi,
        search_run_id,

        -- text
        {{ clean_text('title') }} as title,
        {{ clean_text('abstract') }} as abstract,
        authors,
        categories,
        primary_category,
        {{ clean_text('journal_ref') }} as journal_ref,
        {{ clean_text('comment') }} as comment,
        url,

        -- flags
        true as is_preprint,

        -- timestamps
        {{ to_utc_timestamp('published_at') }} as published_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        {{ window_end_of('search_run_id') }} as harvested_window_end,

        -- lineage: the landing file this copy was read from
        landing_file,
        landing_file_modified_at

    from source

),

latest_copy as (

    {{ latest_harvested_copy('renamed') }}

)

select * from latest_copy
