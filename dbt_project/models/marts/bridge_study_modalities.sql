{#- Included studies × modality: one row per tagged value of fct_studies.modalities. -#}
{{ tag_bridge('modalities', 'modality') }}
