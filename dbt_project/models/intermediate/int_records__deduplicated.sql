{#-
    Every report with the study it belongs to. Link, never delete: studies are the connected
    components of dedup_links, found by propagating reachability from each report; a study is
    named after its smallest record_key, which stays put as later versions and copies join it.
-#}
with recursive

records as (

    select * from {{ ref('int_records__unioned') }}

),

links as (

    select * from {{ ref('dedup_links') }}

),

edges as (

    select
        record_key_a as from_key,
        record_key_b as to_key
    from links
    union all
    select
        record_key_b as from_key,
        record_key_a as to_key
    from links

),

-- only reports with a link can share a study: the walk starts from those alone (a small share of
-- the history), every other report is a study of its own
linked_reports as (

    select distinct from_key as record_key
    from edges

),

-- `union` (not `union all`) drops pairs already found, so the walk stops on cycles
reachable (record_key, linked_key) as (

    select
        record_key,
        record_key as linked_key
    from linked_reports
    union
    select
        reachable.record_key,
        edges.to_key as linked_key
    from reachable
    inner join edges on reachable.linked_key = edges.from_key

),

components as (

    select
        record_key,
        min(linked_key) as study_id
    from reachable
    group by record_key
    union all
    select
        records.record_key,
        records.record_key as study_id
    from records
    anti join linked_reports on records.record_key = linked_reports.record_key

),

link_ends as (

    select
        record_key_a as record_key,
        rule
    from links
    union all
    select
        record_key_b as record_key,
        rule
    from links

),

strongest_rule as (

    -- the strongest rule that tied this report to another one of its study
    select
        record_key,
        arg_min(rule, {{ dedup_rule_rank('rule') }}) as dedup_rule
    from link_ends
    group by record_key

),

-- the ranking reads a few narrow columns; the reports' text joins back once at the end (window
-- functions over the whole wide rows held every abstract in memory at once)
report_keys as (

    select
        record_key,
        source,
        source_id,
        version,
        is_preprint,
        published_at
    from records

),

grouped as (

    select
        report_keys.*,
        components.study_id,
        strongest_rule.dedup_rule,
        -- when the paper (all versions of one source id) was first posted
        min(report_keys.published_at) over (
            partition by components.study_id, report_keys.source, report_keys.source_id
        ) as paper_first_posted_at
    from report_keys
    inner join components on report_keys.record_key = components.record_key
    left join strongest_rule on report_keys.record_key = strongest_rule.record_key

),

ranked as (

    select
        record_key,
        study_id,
        dedup_rule,
        -- representative report: the published article if the study has one, otherwise the
        -- latest version of the earliest-posted preprint
        row_number() over (
            partition by study_id
            order by
                is_preprint asc,
                paper_first_posted_at asc nulls last,
                source_id asc,
                version desc,
                record_key asc
        ) = 1 as is_representative,
        count(*) over (partition by study_id) as study_report_count
    from grouped

),

final as (

    select
        -- ids and dates of the report; its text stays in int_records__unioned (this table is rebuilt
        -- whole every week, so it carries only what grouping and counting need)
        records.record_key,
        records.source,
        records.source_id,
        records.version,
        records.doi,
        records.datacite_doi,
        records.report_doi,
        records.arxiv_id,
        records.published_doi,
        records.journal_ref_doi,
        records.search_run_id,
        records.publication_year,
        records.is_preprint,
        records.published_at,
        records.updated_at,
        records.harvested_window_end,
        records.first_harvested_window_end,
        records.harvested_at,
        records.landing_file,
        records.landing_file_modified_at,
        -- the study
        ranked.study_id,
        ranked.dedup_rule,
        ranked.is_representative,
        ranked.study_report_count
    from records
    inner join ranked on records.record_key = ranked.record_key

)

select * from final
