{#-
    The decision that counts for every study: human > model > rule. The model's vote counts where it
    differs from the rule's (it rescued an exclusion to `maybe`, or settled a `maybe`); a human
    decision always wins, and a conflict between reviewers leaves the study `maybe`.
    Same leading columns as int_records__screened, so the marts read either.
-#}
with

rules as (

    select * from {{ ref('int_records__screened') }}

),

votes as (

    select * from {{ ref('int_screening__model_votes') }}

),

humans as (

    select * from {{ ref('int_screening__human_decisions') }}

),

joined as (

    select
        rules.study_id,
        rules.decision as rule_decision,
        rules.score as rule_score,
        rules.reasons as rule_reasons,
        rules.criteria_version,
        rules.is_review_article as rule_is_review_article,
        votes.model_version,
        votes.model_probability,
        votes.model_decision,
        humans.decision as human_decision,
        humans.reason as human_reason,
        coalesce(humans.is_conflict, false) as is_conflict,
        coalesce(humans.reviewers, []) as reviewers,
        case
            when humans.study_id is not null then 'human'
            when votes.model_decision is not null and votes.model_decision <> rules.decision then 'model'
            else 'rule'
        end as actor
    from rules
    left join votes on rules.study_id = votes.study_id
    left join humans on rules.study_id = humans.study_id

),

decided as (

    select
        *,
        case actor
            when 'human' then human_decision
            when 'model' then model_decision
            else rule_decision
        end as decision
    from joined

),

final as (

    select
        study_id,
        decision,
        actor,
        criteria_version,
        rule_decision,
        rule_score,
        model_version,
        model_probability,
        model_decision,
        human_decision,
        is_conflict,
        reviewers,
        case actor
            when 'human' then null
            when 'model' then round(model_probability, 4)
            else rule_score
        end as score,
        case
            when decision = 'include' then []
            when actor = 'human' then case when human_reason is null then [] else [human_reason] end
            -- a rule inclusion the model overturned has no rule reason
            when rule_decision = 'include' then ['model_unlikely']
            else rule_reasons
        end as reasons,
        case
            when decision <> 'exclude' then null
            when actor = 'human' then human_reason
            when rule_decision = 'include' then 'model_unlikely'
            else rule_reasons[1]
        end as primary_reason,
        case actor
            when 'human' then coalesce(human_reason = 'review_article', false)
            else rule_is_review_article
        end as is_review_article
    from decided

)

select * from final
