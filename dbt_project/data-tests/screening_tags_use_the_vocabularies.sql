-- Every tag on a study is a vocabulary value or a catalog dataset id.
with

tagged as (
    select * from {{ ref('int_records__tagged') }}
),

tags as (
    select 'modality' as dimension, unnest(modalities) as value from tagged
    union all
    select 'task' as dimension, unnest(tasks) as value from tagged
    union all
    select 'training_strategy' as dimension, unnest(training_strategies) as value from tagged
    union all
    select 'anatomy' as dimension, unnest(anatomies) as value from tagged
    union all
    select 'dataset' as dimension, unnest(datasets) as value from tagged
),

known as (
    select 'modality' as dimension, modality as value from {{ ref('modalities') }}
    union all
    select 'task' as dimension, task as value from {{ ref('tasks') }}
    union all
    select 'training_strategy' as dimension, training_strategy as value from {{ ref('training_strategies') }}
    union all
    select 'anatomy' as dimension, anatomy as value from {{ ref('anatomies') }}
    union all
    select 'dataset' as dimension, dataset_id as value from {{ ref('medical_imaging_datasets') }}
)

select distinct tags.dimension, tags.value
from tags
left join known on tags.dimension = known.dimension and tags.value = known.value
where known.value is null
