{#- Included studies × task: one row per tagged value of fct_studies.tasks. -#}
{{ tag_bridge('tasks', 'task') }}
