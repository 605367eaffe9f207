{#-
    Screening and tagging: THE one implementation.

    Plain Jinja only (no dbt builtins such as ref, var, run_query or adapter), so the same text renders
    in dbt (models/intermediate/int_records__screened.sql and int_records__tagged.sql, through the thin
    wrapper in screening_criteria.sql) and in Python (livingreview/screening.py renders it with jinja2
    and runs it in DuckDB on any table). Editing this file changes the screening criteria: bump
    seeds/screening_criteria_versions.csv (a test compares its sha256 with the seeds and this file).

    screen_records(relation, criteria) selects from `relation` (columns study_id, title, abstract) and
    returns one row per record. `criteria` is a mapping:
      version           the criteria version stamped on every decision
      screening_terms   rows of seeds/screening_terms.csv   (signal, field, weight, match_case, pattern)
      tag_terms         rows of seeds/tag_terms.csv         (dimension, value, match_case, pattern)
      datasets          rows of seeds/medical_imaging_datasets.csv (dataset_id, aliases, match_case)

    Terms are inlined as constant RE2 patterns, one combined alternation per (signal, field, weight),
    so DuckDB compiles each regex once per query.
-#}

{%- macro _sql_string(text) -%}
'{{ text | replace("'", "''") }}'
{%- endmacro -%}

{#- One RE2 alternation: case-insensitive terms wrapped in (?i:...), exact-case terms in (?:...). -#}
{%- macro _alternation(terms) -%}
{%- for term in terms -%}
{{ '(?i:' if term['match_case'] == 'ignore' else '(?:' }}{{ term['pattern'] }}){{ '|' if not loop.last }}
{%- endfor -%}
{%- endmacro -%}

{#- A dataset alias as a regex: metacharacters escaped, and '-', '_' and ' ' interchangeable or absent
    (ChestX-ray14 = ChestXray14 = ChestX ray14). -#}
{%- macro _alias_pattern(alias) -%}
{{ alias | replace('\\', '\\\\') | replace('.', '\\.') | replace('+', '\\+') | replace('(', '\\(')
   | replace(')', '\\)') | replace('_', '-') | replace(' ', '-') | replace('-', '[-_ ]?') }}
{%- endmacro -%}

{#- Word-boundary aware: an alias must stand alone, optionally followed by a four-digit year
    (BraTS2021, ISIC 2019), so 'KiTS23' never also counts as 'KiTS' and 'ACDC' never matches 'ACDCs'. -#}
{%- macro _dataset_pattern(dataset) -%}
{%- set aliases = dataset['aliases'].split('|') -%}
{{ '(?i)' if dataset['match_case'] == 'ignore' }}\b(?:{% for alias in aliases %}{{ _alias_pattern(alias) }}{{ '|' if not loop.last }}{% endfor %})(?:[-_ ]?(?:19|20)\d\d)?\b
{%- endmacro -%}

{#- A scan runs one combined regex over the text and keeps the distinct matched phrases as a short
    ' | '-separated string; the per-signal and per-value patterns then run on that string, not on the
    abstract. RE2 costs one pass over the text per regex, so the number of scans sets the speed. -#}
{%- macro _scan(text_column, pattern) -%}
' | ' || array_to_string(list_distinct(regexp_extract_all({{ text_column }}, {{ _sql_string(pattern) }})), ' | ') || ' | '
{%- endmacro -%}

{%- macro _tag_list(tag_terms, dimension) -%}
list_sort(list_distinct([
{%- for value, terms in tag_terms | selectattr('dimension', 'equalto', dimension) | groupby('value') %}
            case when regexp_matches(tags_{{ dimension }}, {{ _sql_string(_alternation(terms)) }}) then '{{ value }}' end{{ ',' if not loop.last }}
{%- endfor %}
        ]))
{%- endmacro -%}

{%- macro _dataset_alternation(datasets) -%}
{%- for dataset in datasets -%}
{{ _dataset_pattern(dataset) }}{{ '|' if not loop.last }}
{%- endfor -%}
{%- endmacro -%}

{#- Evidence for one signal: sum over its groups of weight x number of distinct matched terms. -#}
{%- macro _evidence(groups, signal) -%}
(0.0{% for group in groups if group['signal'] == signal %} + {{ group['weight'] }} * len(regexp_extract_all(scan_{{ group['scan'] }}, {{ _sql_string(group['pattern']) }})){% endfor %})
{%- endmacro -%}

{%- macro screen_records(relation, criteria) -%}
{%- set groups = [] -%}
{%- for scan, scan_terms in criteria['screening_terms'] | groupby('scan') -%}
    {%- for signal, signal_terms in scan_terms | groupby('signal') -%}
        {%- for weight, weight_terms in signal_terms | groupby('weight') -%}
            {%- set _ = groups.append({'scan': scan, 'signal': signal, 'weight': weight,
                                      'pattern': _alternation(weight_terms)}) -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endfor -%}
{%- set tag_dimensions = criteria['tag_terms'] | map(attribute='dimension') | unique | list -%}
with

records as (
    select
        study_id,
        coalesce(title, '') as title,
        -- line breaks become spaces so multi-word terms match across the wrapped lines of listings
        -- (a literal replace: a regexp_replace over every abstract would cost as much as a scan)
        replace(replace(replace(coalesce(title, '') || ' . ' || coalesce(abstract, ''),
            chr(13), ''), chr(10), ' '), chr(9), ' ') as full_text
    from {{ relation }}
),

scanned as materialized (
    select
        study_id,
        full_text,
{%- for scan, scan_terms in criteria['screening_terms'] | groupby('scan') %}
        {{ _scan('title' if scan == 'title' else 'full_text', _alternation(scan_terms)) }} as scan_{{ scan }}{{ ',' if not loop.last }}
{%- endfor %}
    from records
),

evidence as (
    select
        study_id,
        full_text,
        {{ _evidence(groups, 'foundation_model') }} as foundation_model,
        {{ _evidence(groups, 'fm_support') }} as fm_support,
        {{ _evidence(groups, 'medical_imaging') }} as medical_imaging,
        {{ _evidence(groups, 'medical_context') }} as medical_context,
        {{ _evidence(groups, 'medical_text') }} as medical_text,
        {{ _evidence(groups, 'non_imaging_biomedical') }} as non_imaging_biomedical,
        {{ _evidence(groups, 'non_medical_context') }} as non_medical_context,
        {{ _evidence(groups, 'conventional_model') }} as conventional_model,
        {{ _evidence(groups, 'review') }} > 0 and {{ _evidence(groups, 'review_exception') }} = 0
            as is_review_article
    from scanned
),

strengths as (
    select
        *,
        least(1.0, foundation_model + 0.25 * fm_support) as fm_strength,
        least(1.0, medical_imaging + 0.25 * medical_context) as imaging_strength,
        -- text-only and non-imaging vocabulary outweighing the imaging words marks a look-alike
        medical_text >= 2 and medical_text > medical_imaging as text_dominates,
        non_imaging_biomedical >= 1 and non_imaging_biomedical > medical_imaging as signals_dominate,
        non_medical_context >= 2 and medical_imaging < 2 as natural_images_dominate
    from evidence
),

decided as (
    select
        *,
        case
            when is_review_article then 'exclude'
            when foundation_model >= 1 and medical_imaging >= 1
                and not (text_dominates or signals_dominate or natural_images_dominate) then 'include'
            when foundation_model >= 0.5 and medical_imaging >= 0.6
                and not (text_dominates or signals_dominate) then 'maybe'
            when foundation_model < 0.5 and fm_support >= 1 and medical_imaging >= 1
                and conventional_model = 0 then 'maybe'
            else 'exclude'
        end as decision
    from strengths
),

reasoned as (
    select
        *,
        case
            when decision = 'include' then []
            when is_review_article and fm_strength + imaging_strength > 0 then ['review_article']
            when is_review_article then ['review_article', 'off_topic']
            when decision = 'maybe' and foundation_model < 1 then ['no_foundation_model']
            when decision = 'maybe' then ['not_medical_imaging']
            when foundation_model >= 0.5 and (text_dominates or (medical_imaging = 0 and medical_text >= 1))
                then ['medical_text_only']
            when (foundation_model >= 0.5 or medical_context > 0) and non_imaging_biomedical >= 1
                and (signals_dominate or medical_imaging = 0) then ['non_imaging_biomedical']
            when foundation_model >= 0.5 and medical_imaging = 0 and medical_context >= 1
                then ['medical_text_only']
            when foundation_model >= 0.5 then ['not_medical_imaging']
            when medical_imaging >= 0.6 then ['no_foundation_model']
            else ['off_topic']
        end as reasons
    from decided
),

tagged as (
    select
        *,
        decision != 'exclude' or is_review_article as tags_apply
    from reasoned
),

tag_scans as materialized (
    select
        *,
{%- for dimension in tag_dimensions %}
        case when tags_apply then {{ _scan('full_text', _alternation(criteria['tag_terms'] | selectattr('dimension', 'equalto', dimension))) }} end
            as tags_{{ dimension }},
{%- endfor %}
        case when tags_apply then {{ _scan('full_text', _dataset_alternation(criteria['datasets'])) }} end as tags_dataset
    from tagged
),

final as (
    select
        study_id,
        decision,
        round(fm_strength * imaging_strength, 4)::double as score,
        reasons,
        case when decision != 'include' then reasons[1] end as primary_reason,
        'rule' as actor,
        {{ _sql_string(criteria['version']) }} as criteria_version,
        is_review_article,
        case
            when not tags_apply or foundation_model < 0.5 then null
            when tags_fm_type != ' |  | ' then 'vision_language'
            else 'vision_only'
        end as fm_type,
        case when tags_apply then {{ _tag_list(criteria['tag_terms'], 'modality') }} else [] end as modalities,
        case when tags_apply then {{ _tag_list(criteria['tag_terms'], 'task') }} else [] end as tasks,
        case when tags_apply then {{ _tag_list(criteria['tag_terms'], 'training_strategy') }} else [] end
            as training_strategies,
        case when tags_apply then list_sort(list_distinct([
{%- for dataset in criteria['datasets'] %}
            case when regexp_matches(tags_dataset, {{ _sql_string(_dataset_pattern(dataset)) }}) then '{{ dataset['dataset_id'] }}' end{{ ',' if not loop.last }}
{%- endfor %}
        ])) else [] end as datasets,
        case when tags_apply then {{ _tag_list(criteria['tag_terms'], 'anatomy') }} else [] end as anatomies
    from tag_scans
)

select * from final
{%- endmacro -%}
