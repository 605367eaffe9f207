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

final as (

    select
        -- ids
        unioned.source || ':' || unioned.source_id || 'v' || unioned.version as record_key,
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
        unioned.abstract,
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
        search_runs.finished_at as harvested_at

    from unioned
    left join search_runs
        on unioned.search_run_id = search_runs.search_run_id

)

select * from final
