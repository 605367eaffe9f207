{#- Included studies × anatomy: one row per tagged value of fct_studies.anatomies. -#}
{{ tag_bridge('anatomies', 'anatomy') }}
