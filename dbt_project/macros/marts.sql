{#- Helpers shared by the marts. -#}

{#- `2025.11.03`: a review version is named after the end of its weekly window. -#}
{% macro review_version(window_end) -%}
    strftime({{ window_end }}, '%Y.%m.%d')
{%- endmacro %}


{#- The grains trends are reported at. -#}
{% macro period_grains() -%}
    {{ return(['month', 'quarter', 'year']) }}
{%- endmacro %}


{#- `2025-10` / `2025-Q4` / `2025` for a period start at a grain (a column holding the grain name). -#}
{% macro period_label(period_grain, period_start) -%}
    case {{ period_grain }}
        when 'month' then strftime({{ period_start }}, '%Y-%m')
        when 'quarter' then strftime({{ period_start }}, '%Y') || '-Q' || quarter({{ period_start }})
        else strftime({{ period_start }}, '%Y')
    end
{%- endmacro %}


{#- One row per included study and value of a multi-valued tag column of fct_studies. -#}
{% macro tag_bridge(tag_column, value_column) -%}
with

studies as (

    select * from {{ ref('fct_studies') }}

),

final as (

    select distinct
        study_id,
        unnest({{ tag_column }}) as {{ value_column }}
    from studies

)

select * from final
{%- endmacro %}


{#- Exclusion reason codes with a PRISMA column each (the exclusion_reasons seed vocabulary). -#}
{% macro exclusion_reason_codes() -%}
    {{ return([
        'review_article', 'no_foundation_model', 'not_medical_imaging',
        'medical_text_only', 'non_imaging_biomedical', 'off_topic', 'model_unlikely',
    ]) }}
{%- endmacro %}


{#- The additive PRISMA counts (summed into cumulative rows). -#}
{% macro prisma_count_columns() -%}
    {%- set columns = [
        'identified_arxiv', 'identified_medrxiv', 'identified_biorxiv', 'identified_europepmc',
        'records_identified', 'duplicates_removed', 'records_screened', 'records_excluded',
        'excluded_by_automation', 'excluded_by_humans',
    ] -%}
    {%- for reason in exclusion_reason_codes() -%}
        {%- do columns.append('excluded_' ~ reason) -%}
    {%- endfor -%}
    {%- do columns.extend(['awaiting_classification', 'studies_included']) -%}
    {{ return(columns) }}
{%- endmacro %}


{#- fct_studies list columns of tags, with the trend dimension each one feeds. -#}
{% macro multi_valued_tags() -%}
    {{ return([
        ('modalities', 'modality'), ('tasks', 'task'),
        ('training_strategies', 'training_strategy'), ('anatomies', 'anatomy'),
    ]) }}
{%- endmacro %}
