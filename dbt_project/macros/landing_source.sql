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


{#-
    Incremental staging of landing records: the files a build must read, and nothing else.

    A landing file is known by (path, modification time): the harvest replaces a window's file
    atomically, so a re-harvested window has a new time. A full build reads every file; an incremental
    build reads the files it has not stored rows from (a new window, a re-harvested one, or a window
    whose every record a later window superseded, which costs a re-read and changes nothing). When a
    stored file has left the landing folder (a quarantined batch), the pre-hook
    `reset_if_landing_files_vanished` empties the table first and every file is read again: rows from
    a withdrawn file must go, and older copies of its reports may have to come back.

    Returns a subquery over the chosen files: the source's columns, `filename` and the file's
    `landing_file_modified_at`.
-#}
{% macro landing_records(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{- return(relation) -}}
    {%- endif -%}
    {%- set landing_glob = landing_glob_of(source_name, table_name) -%}
    {%- set files = landing_files_to_read(landing_glob) -%}
    {%- set file_list = "'/dev/null'" if files | length == 0 else "['" ~ files | join("', '") ~ "']" -%}
    {%- set records = relation | string | replace("'" ~ landing_glob ~ "'", file_list) -%}
    (
        select
            landed.*,
            {{ landing_file_key('landed.filename') }} as landing_file,
            landing_files.last_modified as landing_file_modified_at
        from {{ records }} as landed
        inner join read_blob({{ file_list }}) as landing_files
            on landed.filename = landing_files.filename
    )
{%- endmacro %}


{#- A landing file's key: `<source>/<window>/<file>`, relative to the landing folder, so a data dir
    that moves keeps its warehouse's knowledge of what it has read. -#}
{% macro landing_file_key(path) -%}
    regexp_extract({{ path }}, '[^/]+/[^/]+/[^/]+$')
{%- endmacro %}


{% macro landing_glob_of(source_name, table_name) -%}
    {%- set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] -%}
    {{- return(node.config.meta.landing_glob) -}}
{%- endmacro %}


{#- (path, modification time) of every file the glob matches, as SQL; an empty relation if none. -#}
{% macro landing_files_on_disk(landing_glob) -%}
    {%- if landing_file_count(landing_glob) == 0 -%}
        (select cast(null as varchar) as filename, cast(null as timestamptz) as last_modified where false)
    {%- else -%}
        (select filename, last_modified from read_blob('{{ landing_glob }}'))
    {%- endif -%}
{%- endmacro %}


{#-
    Files to read. Rendered when the model compiles, before its pre-hook runs: so when stored files
    vanished it already names every file, for the table the pre-hook is about to empty.
-#}
{% macro landing_files_to_read(landing_glob) -%}
    {%- set reload_all = not is_incremental() or landing_files_vanished(landing_glob) > 0 -%}
    {%- set query -%}
        select on_disk.filename
        from {{ landing_files_on_disk(landing_glob) }} as on_disk
        {%- if not reload_all %}
        anti join (select distinct landing_file, landing_file_modified_at from {{ this }}) as stored
            on {{ landing_file_key('on_disk.filename') }} = stored.landing_file
            and on_disk.last_modified = stored.landing_file_modified_at
        {%- endif %}
        order by on_disk.filename
    {%- endset -%}
    {{- return(run_query(query).columns[0].values() | list) -}}
{%- endmacro %}


{#- How many files the table holds rows from that have left the landing folder. -#}
{% macro landing_files_vanished(landing_glob) -%}
    {%- set query -%}
        select count(*)
        from (select distinct landing_file from {{ this }}) as stored
        anti join {{ landing_files_on_disk(landing_glob) }} as on_disk
            on stored.landing_file = {{ landing_file_key('on_disk.filename') }}
    {%- endset -%}
    {{- return(run_query(query).columns[0].values()[0]) -}}
{%- endmacro %}


{% macro reset_if_landing_files_vanished(source_name, table_name) -%}
    {%- if execute and is_incremental() and landing_files_vanished(landing_glob_of(source_name, table_name)) > 0 -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro %}
