-- PRISMA: every excluded study has exactly one reason code among the reported ones.
select
    review_version,
    scope,
    records_excluded
from {{ ref('mart_prisma_flow') }}
where records_excluded <> (
    {%- for reason in exclusion_reason_codes() %}
    excluded_{{ reason }}{{ ' +' if not loop.last }}
    {%- endfor %}
)
