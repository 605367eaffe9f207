{#-
    The dbt side of screening: reads the criteria seeds at execution time and hands them, as plain
    lists of dicts, to screen_records() in screening.sql (which livingreview/screening.py also renders).
    The refs run at parse time too, so dbt orders the seeds before the screening models.
-#}

{% macro screening_criteria() %}
    {%- set seeds = {
        'screening_terms': ref('screening_terms'),
        'tag_terms': ref('tag_terms'),
        'datasets': ref('medical_imaging_datasets'),
        'versions': ref('screening_criteria_versions'),
    } -%}
    {%- if not execute -%}
        {{ return({'version': 'unparsed', 'screening_terms': [], 'tag_terms': [], 'datasets': []}) }}
    {%- endif -%}
    {%- set versions = _seed_rows(seeds['versions'], order_by='released_on desc') -%}
    {{ return({
        'version': versions[0]['criteria_version'],
        'screening_terms': _seed_rows(seeds['screening_terms']),
        'tag_terms': _seed_rows(seeds['tag_terms']),
        'datasets': _seed_rows(seeds['datasets']),
    }) }}
{% endmacro %}

{#- A seed's rows as plain dicts, in file order unless told otherwise. -#}
{% macro _seed_rows(relation, order_by=none) %}
    {%- set table = run_query('select * from ' ~ relation ~ (' order by ' ~ order_by if order_by else '')) -%}
    {%- set rows = [] -%}
    {%- for row in table.rows -%}
        {%- set record = {} -%}
        {%- for column in table.column_names -%}
            {%- do record.update({column: row[column]}) -%}
        {%- endfor -%}
        {%- do rows.append(record) -%}
    {%- endfor -%}
    {{ return(rows) }}
{% endmacro %}
