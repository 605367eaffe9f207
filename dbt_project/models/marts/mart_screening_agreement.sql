{#-
    Cohen's kappa for every pair of human reviewers (on the studies both decided, each reviewer's
    latest decision) and for the rules and the model against the humans (on studies with an agreed
    human decision). Categories: include, exclude, maybe. kappa is null when chance agreement is 1
    (both raters used a single category), where it is undefined.
-#}
with

decisions as (

    select * from {{ ref('stg_review__human_decisions') }}

),

humans as (

    select * from {{ ref('int_screening__human_decisions') }}
    where not is_conflict

),

screening as (

    select * from {{ ref('int_screening__decisions') }}

),

latest_per_reviewer as (

    select * from decisions
    qualify row_number() over (
        partition by study_id, reviewer
        order by decided_at desc, import_file desc
    ) = 1

),

reviewer_pairs as (

    select
        'reviewer_pair' as comparison,
        first_rater.reviewer as rater_a,
        second_rater.reviewer as rater_b,
        first_rater.study_id,
        first_rater.decision as decision_a,
        second_rater.decision as decision_b
    from latest_per_reviewer as first_rater
    inner join latest_per_reviewer as second_rater
        on first_rater.study_id = second_rater.study_id
        and first_rater.reviewer < second_rater.reviewer

),

automation_vs_human as (

    select
        'automation_vs_human' as comparison,
        'rule' as rater_a,
        'human' as rater_b,
        humans.study_id,
        screening.rule_decision as decision_a,
        humans.decision as decision_b
    from humans
    inner join screening on humans.study_id = screening.study_id

    union all

    select
        'automation_vs_human' as comparison,
        'model' as rater_a,
        'human' as rater_b,
        humans.study_id,
        screening.model_decision as decision_a,
        humans.decision as decision_b
    from humans
    inner join screening on humans.study_id = screening.study_id
    where screening.model_decision is not null

),

paired as (

    select * from reviewer_pairs
    union all
    select * from automation_vs_human

),

totals as (

    select
        comparison,
        rater_a,
        rater_b,
        count(*) as studies,
        count(*) filter (where decision_a = decision_b) as agreements
    from paired
    group by comparison, rater_a, rater_b

),

categories as (

    select unnest(['include', 'exclude', 'maybe']) as decision

),

marginals as (

    -- how often each rater used each category
    select
        paired.comparison,
        paired.rater_a,
        paired.rater_b,
        count(*) filter (where paired.decision_a = categories.decision) as uses_a,
        count(*) filter (where paired.decision_b = categories.decision) as uses_b
    from paired
    cross join categories
    group by paired.comparison, paired.rater_a, paired.rater_b, categories.decision

),

chance as (

    -- expected agreement: sum over categories of the product of both raters' shares
    select
        marginals.comparison,
        marginals.rater_a,
        marginals.rater_b,
        sum(marginals.uses_a::double * marginals.uses_b) / (any_value(totals.studies)::double ^ 2)
            as expected_agreement
    from marginals
    inner join totals
        on marginals.comparison = totals.comparison
        and marginals.rater_a = totals.rater_a
        and marginals.rater_b = totals.rater_b
    group by marginals.comparison, marginals.rater_a, marginals.rater_b

),

final as (

    select
        totals.comparison,
        totals.rater_a,
        totals.rater_b,
        totals.studies,
        totals.agreements,
        chance.expected_agreement,
        totals.agreements / totals.studies as observed_agreement,
        case
            when chance.expected_agreement < 1
                then
                    (totals.agreements / totals.studies - chance.expected_agreement)
                    / (1 - chance.expected_agreement)
        end as kappa
    from totals
    inner join chance
        on totals.comparison = chance.comparison
        and totals.rater_a = chance.rater_a
        and totals.rater_b = chance.rater_b

)

select * from final
