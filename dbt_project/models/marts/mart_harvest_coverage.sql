{#-
    Source × weekly window: was it searched, did it retrieve what the API reported, and how
    stale is the source. Every week between the first and the last landed window appears for
    every source, so a week nobody harvested shows as not searched.
-#}
with

sources as (

    select * from {{ ref('harvest_sources') }}

),

search_runs as (

    select * from {{ ref('stg_landing__search_runs') }}

),

weeks as (

    select
        cast(window_start as date) as window_start,
        cast(window_start + interval 7 day as date) as window_end
    from generate_series(
        (select cast(min(window_start) as timestamp) from search_runs),
        (select cast(max(window_start) as timestamp) from search_runs),
        interval 7 day
    ) as series (window_start)

),

grid as (

    select
        sources.source,
        weeks.window_start,
        weeks.window_end
    from sources
    cross join weeks

),

with_runs as (

    select
        grid.source,
        grid.window_start,
        grid.window_end,
        search_runs.status as run_status,
        search_runs.api_reported_total,
        search_runs.retrieved,
        search_runs.retries,
        search_runs.http_error_count,
        search_runs.finished_at,
        search_runs.search_run_id is not null as was_searched,
        -- the latest successful window of this source up to this one
        max(search_runs.window_end) filter (where search_runs.status = 'succeeded') over (
            partition by grid.source
            order by grid.window_end
            rows between unbounded preceding and current row
        ) as last_successful_window_end,
        max(search_runs.finished_at) filter (where search_runs.status = 'succeeded') over (
            partition by grid.source
            order by grid.window_end
            rows between unbounded preceding and current row
        ) as last_successful_harvest_at
    from grid
    left join search_runs
        on grid.source = search_runs.source
        and grid.window_start = search_runs.window_start
        and grid.window_end = search_runs.window_end

),

final as (

    select
        source,
        window_start,
        window_end,
        {{ review_version('window_end') }} as review_version,
        was_searched,
        run_status,
        api_reported_total,
        retrieved,
        greatest(api_reported_total - retrieved, 0) as shortfall,
        coalesce(retrieved < api_reported_total, false) as has_shortfall,
        retries,
        http_error_count,
        finished_at,
        last_successful_harvest_at,
        -- in days of data: 0 when this week was harvested, 7 when only last week was
        date_diff('day', last_successful_window_end, window_end) as days_since_last_successful_harvest
    from with_runs

)

select * from final
