{#
    `source()` for a landing table that tolerates a missing landing folder.

    DuckDB's read_json fails on a glob that matches no file, but a source with no harvested
    window yet (a new source, a fresh data dir) must read as zero rows of the declared types.
    When the table's `landing_glob` matches nothing, the same read_json call is pointed at
    /dev/null instead: one declaration of the columns, and an empty relation of exactly those types.
#}
{% macro landing_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{- return(relation) -}}
    {%- endif -%}
    {%- set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] -%}
    {%- set landing_glob = node.config.meta.landing_glob -%}
    {%- if landing_file_count(landing_glob) > 0 -%}
        {{- return(relation) -}}
    {%- endif -%}
    {{- return(relation | string | replace(landing_glob, '/dev/null')) -}}
{%- endmacro %}


{% macro landing_file_count(landing_glob) -%}
    {%- set result = run_query("select count(*) from glob('" ~ landing_glob ~ "')") -%}
    {{- return(result.columns[0].values()[0]) -}}
{%- endmacro %}


{#- An ISO-8601 string (with or without offset, or a bare date) as a UTC timestamp; null if unparsable. -#}
{% macro to_utc_timestamp(expression) -%}
    (try_cast({{ expression }} as timestamptz) at time zone 'UTC')
{%- endmacro %}
