{#- A row-level invariant: fails on every row where `expression` is not true. -#}
{% test expression_is_true(model, expression) %}

with

violations as (

    select * from {{ model }}
    where not coalesce({{ expression }}, false)

)

select * from violations

{% endtest %}
