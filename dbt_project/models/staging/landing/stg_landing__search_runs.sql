-- A table, not a view: every test and mart reading it would otherwise re-read every run.json.
{{ config(materialized='table') }}

with

source as (

    select * from {{ landing_source('landing', 'search_runs') }}

),

renamed as (

    select
        -- ids
        search_run_id,
        run_uuid,
        source,

        -- the search as sent (PRISMA-S)
        endpoint,
        query,
        params,
        protocol_version,
        code_version,

        -- window, half-open [start, end) in UTC
        cast({{ to_utc_timestamp('window_start') }} as date) as window_start,
        cast({{ to_utc_timestamp('window_end') }} as date) as window_end,

        -- counts
        api_reported_total,
        retrieved,
        pages,
        requests,
        retries,
        cast(coalesce(json_array_length(http_errors), 0) as integer) as http_error_count,
        http_errors,

        -- outcome
        status,
        error,

        -- timestamps
        {{ to_utc_timestamp('started_at') }} as started_at,
        {{ to_utc_timestamp('finished_at') }} as finished_at

    from source

),

latest_run as (

    -- a window folder holds the run that produced it; guard against a copy left beside it
    select * from renamed
    qualify row_number() over (partition by search_run_id order by finished_at desc nulls last) = 1

)

select * from latest_run
