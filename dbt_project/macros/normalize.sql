{#- Cleaning expressions shared by the staging models (one rule, one place). -#}

{#- DOI lower-case, without `https://doi.org/`, `dx.doi.org/` or `doi:`; empty / NA -> null. -#}
{% macro normalize_doi(expression) -%}
    nullif(
        lower(trim(regexp_replace(trim({{ expression }}), '^(https?://(dx\.)?doi\.org/|doi:\s*)', '', 'i'))),
        ''
    )
{%- endmacro %}


{#- The end date of the window in a `<source>:<start>_<end>` search_run_id (exclusive, UTC). -#}
{% macro window_end_of(search_run_id) -%}
    try_cast(split_part(split_part({{ search_run_id }}, ':', 2), '_', 2) as date)
{%- endmacro %}


{#- Whitespace runs collapsed to one space; empty -> null. -#}
{% macro clean_text(expression) -%}
    {#- The same as replacing every `\s+` with ' ', five times faster in RE2: single spaces are left
        alone instead of being replaced one by one (a 1M-record backfill spent minutes here). -#}
    nullif(trim(regexp_replace({{ expression }}, '\s\s+|[\t\n\f\r]', ' ', 'g')), '')
{%- endmacro %}


{#-
    Select from `relation` the latest harvested copy of each report (source, source_id, version),
    with the window that first saw it. A report re-listed in several windows stays one row;
    PRISMA counts it in its first window. Needs the `harvested_window_end` column.
-#}
{% macro latest_harvested_copy(relation) -%}
    {#- an incremental build weighs the newly read copies against the stored one of the same report -#}
    select
        * exclude (first_seen_window_end),
        min(first_seen_window_end) over (
            partition by source, source_id, version
        ) as first_harvested_window_end
    from (
        select
            *,
            harvested_window_end as first_seen_window_end
        from {{ relation }}
        {%- if is_incremental() %}
        union all by name
        select
            * exclude (first_harvested_window_end),
            first_harvested_window_end as first_seen_window_end
        from {{ this }} as stored
        semi join {{ relation }} as loaded
            on stored.source = loaded.source
            and stored.source_id = loaded.source_id
            and stored.version = loaded.version
        {%- endif %}
    ) as copies
    qualify row_number() over (
        partition by source, source_id, version
        -- a re-harvested window's new file beats its stored copy
        order by harvested_window_end desc, landing_file_modified_at desc
    ) = 1
{%- endmacro %}


{#- A title reduced for comparison: ASCII letters and digits, lower-case, single spaces. -#}
{% macro normalize_title(expression) -%}
    nullif(trim(regexp_replace(lower(strip_accents({{ expression }})), '[^a-z0-9]+', ' ', 'g')), '')
{%- endmacro %}


{#-
    Surname of a display name, lower-case ASCII letters only. Sources write names three ways:
    `Maria Zhang` (arXiv), `Zhang, M.` (CSHL), `Zhang M` / `Zhang MJ` (Europe PMC).
-#}
{% macro author_surname(expression) -%}
    nullif(regexp_replace(lower(strip_accents(
        case
            when {{ expression }} like '%,%' then split_part({{ expression }}, ',', 1)
            when regexp_matches(trim({{ expression }}), '^\S+(\s+\S+)*\s+[A-Z]{1,3}\.?$')
                then regexp_extract(trim({{ expression }}), '^(.*\S)\s+[A-Z]{1,3}\.?$', 1)
            else regexp_extract(trim({{ expression }}), '(\S+)$', 1)
        end
    )), '[^a-z]+', '', 'g'), '')
{%- endmacro %}


{#- Words a title can gain or lose without naming a different paper (fuzzy_title dedup rule). -#}
{% macro title_stop_words() -%}
    ['a', 'an', 'the', 'of', 'for', 'and', 'in', 'on', 'with', 'via', 'to', 'by', 'from', 'using', 'towards', 'toward']
{%- endmacro %}


{#- Strength of a dedup rule, 1 = strongest (dedup_links keeps the strongest rule per pair). -#}
{% macro dedup_rule_rank(rule) -%}
    case {{ rule }}
        when 'same_arxiv_id' then 1
        when 'same_doi' then 2
        when 'preprint_published_doi' then 3
        when 'fuzzy_title' then 4
    end
{%- endmacro %}


{#- First initial of a display name, lower-case (same three name shapes as author_surname). -#}
{% macro author_initial(expression) -%}
    nullif(left(regexp_replace(lower(strip_accents(
        case
            when {{ expression }} like '%,%' then trim(split_part({{ expression }}, ',', 2))
            when regexp_matches(trim({{ expression }}), '^\S+(\s+\S+)*\s+[A-Z]{1,3}\.?$')
                then regexp_extract(trim({{ expression }}), '\s([A-Z]{1,3})\.?$', 1)
            else trim({{ expression }})
        end
    )), '[^a-z]+', '', 'g'), 1), '')
{%- endmacro %}
