{#- Included studies × dataset_id: one row per tagged value of fct_studies.datasets. -#}
{{ tag_bridge('datasets', 'dataset_id') }}
