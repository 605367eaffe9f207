-- Every value a tag term can produce is in its dimension's vocabulary seed.
with

tag_terms as (
    select * from {{ ref('tag_terms') }}
),

vocabulary as (
    select 'fm_type' as dimension, fm_type as value from {{ ref('fm_types') }}
    union all
    select 'modality' as dimension, modality as value from {{ ref('modalities') }}
    union all
    select 'task' as dimension, task as value from {{ ref('tasks') }}
    union all
    select 'training_strategy' as dimension, training_strategy as value from {{ ref('training_strategies') }}
    union all
    select 'anatomy' as dimension, anatomy as value from {{ ref('anatomies') }}
)

select tag_terms.dimension, tag_terms.value
from tag_terms
left join vocabulary
    on tag_terms.dimension = vocabulary.dimension and tag_terms.value = vocabulary.value
where vocabulary.value is null
