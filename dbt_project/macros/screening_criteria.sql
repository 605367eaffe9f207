{#-
    The dbt side of screening: reads the criteria seeds at execution time and hands them, as plain
    lists of dicts, to screen_records() in screening.sql (which livingreview/screening.py also renders).
-#}

{% macro screening_criteria() %}
    {%- set seed_names = ['screening_terms', 'tag_terms', 'medical_imaging_datasets', 'screening_criteria_versions'] -%}
    {%- if not execute -%}
        {#- parse time: the refs make dbt build the seeds before the screening models -#}
        {%- for name in seed_names -%}
            {%- do ref(name) -%}
        {%- endfor -%}
        {{ return({'version': 'unparsed', 'screening_terms': [], 'tag_terms': [], 'datasets': []}) }}
    {%- endif -%}
    {%- set versions = _seed_rows('screening_criteria_versions', order_by="released_on desc, cast(string_split(criteria_version, '.') as integer[]) desc") -%}
    {{ return({
        'version': versions[0]['criteria_version'],
        'screening_terms': _seed_rows('screening_terms'),
        'tag_terms': _seed_rows('tag_terms'),
        'datasets': _seed_rows('medical_imaging_datasets'),
    }) }}
{% endmacro %}

{#- A seed's rows as plain dicts, in file order unless told otherwise. Unit tests compile the model
    without the seeds among their inputs, so there the built seed table is read directly. -#}
{% macro _seed_rows(name, order_by=none) %}
    {%- if model.resource_type == 'unit_test' -%}
        {%- set relation = api.Relation.create(database=target.database, schema=target.schema, identifier=name) -%}
    {%- else -%}
        {%- set relation = ref(name) -%}
    {%- endif -%}
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
