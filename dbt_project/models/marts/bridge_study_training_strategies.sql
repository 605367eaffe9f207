{#- Included studies × training_strategy: one row per tagged value of fct_studies.training_strategies. -#}
{{ tag_bridge('training_strategies', 'training_strategy') }}
