{#-
    Incremental rule screening and tagging (int_records__rule_screened).

    screen_records() reads nothing but a study's title and abstract and the criteria, so a study's
    row only changes when (criteria version, title, abstract) does: its `screening_key` (md5 of the
    criteria version and int_studies.text_fingerprint). An
    incremental build screens the studies whose key it has not stored (new studies, a new
    representative text, a new criteria version) and replaces their rows (delete+insert on study_id);
    a post-hook drops studies that no longer exist (merged by dedup, quarantined). The table is then
    the same as a full rebuild's, which `dbt build --full-refresh` still does.
-#}

{% macro screening_key(text_fingerprint, criteria_version) -%}
    md5({{ "'" ~ criteria_version ~ "'" }} || chr(31) || {{ text_fingerprint }})
{%- endmacro %}


{#- The studies a build must (re)screen, with their key: all of them on a full build. The keys are
    compared first and the text is read only for the studies that pass. -#}
{% macro studies_to_screen(studies, criteria) -%}
    select
        studies.study_id,
        studies.title,
        studies.abstract,
        pending_keys.screening_key
    from {{ studies }} as studies
    inner join (
        select
            study_id,
            {{ screening_key('text_fingerprint', criteria['version']) }} as screening_key
        from {{ studies }}
    ) as pending_keys
        on studies.study_id = pending_keys.study_id
    {%- if is_incremental() %}
    anti join {{ this }} as screened
        on screened.study_id = pending_keys.study_id and screened.screening_key = pending_keys.screening_key
    {%- endif %}
{%- endmacro %}


{#- Post-hook of the incremental study tables (int_studies, int_records__rule_screened): drop the
    studies `studies` no longer holds (merged into another by a new link, withdrawn). -#}
{% macro prune_studies_missing_from(studies) -%}
    delete from {{ this }} where study_id not in (select study_id from {{ studies }})
{%- endmacro %}


{#- int_records__unioned's post-hook: drop reports no staging table holds any more. -#}
{% macro prune_unioned_records() -%}
    delete from {{ this }}
    where record_key not in (
        {%- for staging in ['stg_arxiv__records', 'stg_medrxiv__records', 'stg_biorxiv__records', 'stg_europepmc__records'] %}
        select source || ':' || source_id || 'v' || version from {{ ref(staging) }}
        {%- if not loop.last %} union all{% endif %}
        {%- endfor %}
    )
{%- endmacro %}
