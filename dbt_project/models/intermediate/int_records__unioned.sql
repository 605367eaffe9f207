-- Incremental: only reports whose kept copy changed since the last build (a new report, a copy from a
-- newer window or a re-harvested file, an earlier first window) are normalised again; the post-hook drops
-- reports the staging tables no longer hold.
{{ config(
    materialized='incremental',
    unique_key='record_key',
    incremental_strategy='delete+insert',
    post_hook="{{ prune_unioned_records() }}",
) }}

with

arxiv_records as (

    select * from {{ ref('stg_arxiv__records') }}

),

medrxiv_records as (

    select * from {{ ref('stg_medrxiv__records') }}

),

biorxiv_records as (

    select * from {{ ref('stg_biorxiv__records') }}

),

europepmc_records as (

    select * from {{ ref('stg_europepmc__records') }}

),

search_runs as (

    select * from {{ ref('stg_landing__search_runs') }}

),

unioned as (

    select * from arxiv_records
    union all by name
    select * from medrxiv_records
    union all by name
    select * from biorxiv_records
    union all by name
    select * from europepmc_records

),

with_runs as (

    select
        unioned.*,
        search_runs.finished_at as harvested_at,
        unioned.source || ':' || unioned.source_id || 'v' || unioned.version as record_key
    from unioned
    left join search_runs
        on unioned.search_run_id = search_runs.search_run_id

),

changed as (

    select * from with_runs
    {%- if is_incremental() %}
    anti join {{ this }} as stored
        on with_runs.record_key = stored.record_key
        and with_runs.landing_file = stored.landing_file
        and with_runs.landing_file_modified_at = stored.landing_file_modified_at
        and with_runs.first_harvested_window_end = stored.first_harvested_window_end
        and with_runs.harvested_at is not distinct from stored.harvested_at
    {%- endif %}

),

final as (

    select
        -- ids
        unioned.record_key,
        unioned.source,
        unioned.source_id,
        unioned.version,
        unioned.doi,
        unioned.datacite_doi,
        -- the DOI that names this report itself (arXiv: its DataCite DOI, not the journal's)
        coalesce(unioned.datacite_doi, unioned.doi) as report_doi,
        unioned.arxiv_id,
        unioned.published_doi,
        -- a DOI quoted in a journal reference points at the published version too
        nullif(
            regexp_extract(lower(unioned.journal_ref), '(10\.\d{4,9}/[^\s,;]+[^\s,;.)])', 1), ''
        ) as journal_ref_doi,
        unioned.search_run_id,

        -- text
        unioned.title,
        -- the abstract stays in the staging tables (int_studies reads its representatives' from there):
        -- a third full copy of every abstract made the warehouse a third larger and publishing slower
        unioned.authors,
        unioned.categories,
        unioned.primary_category,
        unioned.journal_ref,
        unioned.comment,
        unioned.url,

        -- match keys for the fuzzy dedup rule
        {{ normalize_title('unioned.title') }} as title_normalized,
        {{ author_surname('unioned.authors[1]') }} as first_author_surname,
        {{ author_initial('unioned.authors[1]') }} as first_author_initial,
        -- normalizing the first 600 characters, not the whole abstract, costs a fraction and gives the
        -- same 300 unless over half of those 600 are punctuation (normalizing only collapses those)
        left({{ normalize_title('left(unioned.abstract, 600)') }}, 300) as abstract_opening,
        year(unioned.published_at) as publication_year,

        -- flags
        unioned.is_preprint,

        -- timestamps
        unioned.published_at,
        unioned.updated_at,
        unioned.harvested_window_end,
        unioned.first_harvested_window_end,
        unioned.harvested_at,

        -- lineage
        unioned.landing_file,
        unioned.landing_file_modified_at

    from changed as unioned

)

select * from final
