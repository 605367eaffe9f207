{#-
    Screening and tagging: THE one implementation.

    Plain Jinja only (no dbt builtins such as ref, var, run_query or adapter), so the same text renders
    in dbt (models/intermediate/int_records__screened.sql and int_records__tagged.sql, through the thin
    wrapper in screening_criteria.sql) and in Python (livingreview/screening.py renders it with jinja2
    and runs it in DuckDB on any table). Editing this file changes the screening criteria: add a row to
    seeds/screening_criteria_versions.csv (a test compares its sha256 with the seeds and this file).

    screen_records(relation, criteria) selects from `relation` (columns study_id, title, abstract) and
    returns one row per record. `criteria` is a mapping:
      version           the criteria version stamped on every decision
      screening_terms   rows of seeds/screening_terms.csv  (scan, signal, weight, match_case, pattern)
      tag_terms         rows of seeds/tag_terms.csv        (dimension, value, match_case, pattern)
      datasets          rows of seeds/medical_imaging_datasets.csv (dataset_id, aliases, match_case)

    Speed: RE2 costs one pass over the text per regex, whatever the regex, so the text is read by a few
    SCANS only: each is one constant alternation of many terms (compiled once per query) whose distinct
    matches are kept as a short string of tokens, '|tok1||tok2|'. Each (scan, signal, weight) group then
    counts the tokens it matches whole, and each tag value tests its tokens: cheap regexes on a few dozen
    bytes instead of on the abstract. Tag scans run only for records that are kept (or are reviews).
-#}

{%- macro _sql_string(text) -%}
'{{ text | replace("'", "''") }}'
{%- endmacro -%}

{#- One RE2 alternation: case-insensitive terms wrapped in (?i:...), exact-case terms in (?:...). -#}
{%- macro _alternation(terms) -%}
{%- for term in terms -%}
{{ '(?i:' if term['match_case'] == 'ignore' else '(?:' }}{{ term['pattern'] }}){{ '|' if not loop.last }}
{%- endfor -%}
{%- endmacro -%}

{#- A dataset alias as a regex: metacharacters escaped, and '-', '_' and ' ' interchangeable or absent
    (ChestX-ray14 = ChestXray14 = ChestX ray14). -#}
{%- macro _alias_pattern(alias) -%}
{{ alias | replace('\\', '\\\\') | replace('.', '\\.') | replace('+', '\\+') | replace('(', '\\(')
   | replace(')', '\\)') | replace('_', '-') | replace(' ', '-') | replace('-', '[-_ ]?') }}
{%- endmacro -%}

{#- Word-boundary aware: an alias must stand alone, optionally followed by a four-digit year
    (BraTS2021, ISIC 2019), so 'KiTS23' never also counts as 'KiTS' and 'ACDC' never matches 'ACDCs'. -#}
{%- macro _dataset_pattern(dataset) -%}
{%- set aliases = dataset['aliases'].split('|') -%}
{{ '(?i:' if dataset['match_case'] == 'ignore' else '(?:' }}\b(?:{% for alias in aliases %}{{ _alias_pattern(alias) }}{{ '|' if not loop.last }}{% endfor %})(?:[-_ ]?(?:19|20)\d\d)?\b)
{%- endmacro -%}

{#- The distinct matches of one scan as '|tok1||tok2|'; lower-cased (and so deduplicated across case)
    unless an exact-case group needs the original spelling. -#}
{%- macro _tokens(matches, lower_case=true) -%}
{%- if lower_case -%}
'|' || array_to_string(list_distinct(string_split(lower(array_to_string({{ matches }}, chr(31))), chr(31))), '||') || '|'
{%- else -%}
'|' || array_to_string(list_distinct({{ matches }}), '||') || '|'
{%- endif -%}
{%- endmacro -%}

{#- How many scanned tokens the terms match whole. -#}
{%- macro _count_tokens(tokens, terms) -%}
case when {{ tokens }} = '||' then 0 else len(regexp_extract_all({{ tokens }}, {{ _sql_string('\\|(?:' ~ _alternation(terms) ~ ')\\|') }})) end
{%- endmacro -%}

{#- Evidence for one signal: sum over its (scan, weight) groups of weight x distinct matched terms. -#}
{%- macro _evidence(terms, signal) -%}
(0.0
{%- for scan, scan_terms in terms | selectattr('signal', 'equalto', signal) | groupby('scan') -%}
    {%- for weight, weight_terms in scan_terms | groupby('weight') -%}
        {%- for match_case, case_terms in weight_terms | groupby('match_case') %}
            + {{ weight }} * {{ _count_tokens('tokens_' ~ scan ~ ('_exact' if match_case == 'exact' else ''), case_terms) }}
        {%- endfor -%}
    {%- endfor -%}
{%- endfor %})
{%- endmacro -%}

{%- macro _tag_list(tag_terms, dimension) -%}
list_sort(list_distinct([
{%- for value, value_terms in tag_terms | selectattr('dimension', 'equalto', dimension) | groupby('value') %}
            case when regexp_matches(tags_{{ dimension }}, {{ _sql_string(_alternation(value_terms)) }}) then '{{ value }}' end{{ ',' if not loop.last }}
{%- endfor %}
        ]))
{%- endmacro -%}

{%- macro _dataset_alternation(datasets) -%}
{%- for dataset in datasets -%}
{{ _dataset_pattern(dataset) }}{{ '|' if not loop.last }}
{%- endfor -%}
{%- endmacro -%}

{#- Values named in the title or mentioned at least twice: the study's subject, not a passing remark. -#}
{%- macro _salient_list(tag_terms, dimension) -%}
list_sort(list_distinct([
{%- for value, value_terms in tag_terms | selectattr('dimension', 'equalto', dimension) | groupby('value') %}
            case when regexp_matches(title, {{ _sql_string(_alternation(value_terms)) }})
                or len(regexp_extract_all(tags_{{ dimension }}, {{ _sql_string(_alternation(value_terms)) }})) >= 2
                then '{{ value }}' end{{ ',' if not loop.last }}
{%- endfor %}
        ]))
{%- endmacro -%}

{#- The catalog's modality or anatomy of each dataset found. -#}
{%- macro _dataset_attribute_list(datasets, attribute) -%}
list_distinct([
{%- for dataset in datasets if dataset[attribute] %}
            case when list_contains(datasets, '{{ dataset['dataset_id'] }}') then '{{ dataset[attribute] }}' end{{ ',' if not loop.last }}
{%- endfor %}
        ])
{%- endmacro -%}

{%- macro _dataset_list(datasets) -%}
list_sort(list_distinct([
{%- for dataset in datasets %}
            case when regexp_matches(tags_dataset, {{ _sql_string(_dataset_pattern(dataset)) }}) then '{{ dataset['dataset_id'] }}' end{{ ',' if not loop.last }}
{%- endfor %}
        ]))
{%- endmacro -%}

{%- macro screen_records(relation, criteria) -%}
{%- set terms = criteria['screening_terms'] -%}
{%- set tag_terms = criteria['tag_terms'] -%}
{%- set tag_dimensions = tag_terms | map(attribute='dimension') | unique | list -%}
{%- set first_scans = ['fm', 'medical', 'title'] -%}
with

records as (
    select
        study_id,
        coalesce(title, '') as title,
        -- line breaks become spaces so multi-word terms match across the wrapped lines of listings
        -- (a literal replace: a regexp_replace over every abstract would cost as much as a scan)
        replace(replace(replace(coalesce(title, '') || ' . ' || coalesce(abstract, ''),
            chr(13), ''), chr(10), ' '), chr(9), ' ') as full_text
    from {{ relation }}
),

first_scans as (
    select
        study_id,
        title,
        full_text,
{%- for scan, scan_terms in terms | groupby('scan') if scan in first_scans %}
        regexp_extract_all({{ 'title' if scan == 'title' else 'full_text' }}, {{ _sql_string(_alternation(scan_terms)) }}) as matches_{{ scan }}{{ ',' if not loop.last }}
{%- endfor %}
    from records
),

-- the other scans (the look-alike classes) only matter when a model or medical word was found; the
-- baselines scan ("outperforms ... foundation models", costly word gaps) only where the fm scan found a
-- generic foundation-model word (about 5% of records); the domains scan (an evaluation across domains
-- naming medicine: long word gaps, a fifth of the screening time when run on everything) only where both
-- first scans found something, the only records whose decision it can change
scans as (
    select
        *,
{%- for scan, scan_terms in terms | groupby('scan') if scan not in first_scans %}
    {%- if scan == 'baselines' %}
        case when regexp_matches(array_to_string(matches_fm, chr(31)),
                {{ _sql_string(_alternation(terms | selectattr('signal', 'equalto', 'foundation_model'))) }})
    {%- elif scan == 'domains' %}
        case when len(matches_fm) > 0 and len(matches_medical) > 0
    {%- else %}
        case when len(matches_fm) + len(matches_medical) > 0
    {%- endif %}
            then regexp_extract_all(full_text, {{ _sql_string(_alternation(scan_terms)) }})
            else []
        end as matches_{{ scan }}{{ ',' if not loop.last }}
{%- endfor %}
    from first_scans
),

tokens as materialized (
    select
        study_id,
        title,
        full_text,
{%- for scan, scan_terms in terms | groupby('scan') %}
        {{ _tokens('matches_' ~ scan) }} as tokens_{{ scan }},
    {%- if scan_terms | selectattr('match_case', 'equalto', 'exact') | list %}
        {{ _tokens('matches_' ~ scan, lower_case=false) }} as tokens_{{ scan }}_exact,
    {%- endif %}
{%- endfor %}
    from scans
),

evidence as (
    select
        study_id,
        title,
        full_text,
        {{ _evidence(terms, 'vision_fm') }} as vision_fm,
        {{ _evidence(terms, 'foundation_model') }} as generic_fm,
        {{ _evidence(terms, 'large_scale_model') }} as large_scale_model,
        {{ _evidence(terms, 'language_fm') }} as language_fm,
        {{ _evidence(terms, 'fm_support') }} as fm_support,
        {{ _evidence(terms, 'visual_task') }} as visual_task,
        {{ _evidence(terms, 'fm_baseline') }} as fm_baseline,
        {{ _evidence(terms, 'fm_mention') }} as fm_mention,
        {{ _evidence(terms, 'medical_imaging') }} as imaging_words,
        {{ _evidence(terms, 'imaging_ambiguous') }} as imaging_ambiguous,
        {{ _evidence(terms, 'imaging_weak') }} + {{ _evidence(terms, 'imaging_microscopy') }} as imaging_weak,
        {{ _evidence(terms, 'imaging_microscopy') }} as imaging_microscopy,
        {{ _evidence(terms, 'imaging_specialty') }} as imaging_specialty,
        {{ _evidence(terms, 'imaging_if_medical') }} as imaging_if_medical,
        {{ _evidence(terms, 'medical_context') }} as medical_context,
        {{ _evidence(terms, 'cross_domain') }} as cross_domain,
        {{ _evidence(terms, 'medical_text') }} as medical_text,
        {{ _evidence(terms, 'non_imaging_biomedical') }} as non_imaging_biomedical,
        {{ _evidence(terms, 'non_medical_context') }} as non_medical_abstract,
        {{ _evidence(terms, 'non_patient_images') }} as non_patient_images,
        {{ _evidence(terms, 'non_medical_title') }} as non_medical_title,
        {{ _evidence(terms, 'conventional_model') }} as conventional_model,
        {{ _evidence(terms, 'review') }} as review,
        {{ _evidence(terms, 'review_exception') }} as review_exception,
        -- an imaging phrase that itself says medical ('medical image segmentation', 'biomedical images')
        contains(tokens_medical, '|medical ') or contains(tokens_medical, '|biomedical ') as says_medical_imaging
    from tokens
),

combined as (
    select
        *,
        -- generic FM words that only name the baselines a method beats are no FM evidence
        case when fm_baseline > 0 and fm_mention = 0 then 0.0 else generic_fm end + large_scale_model
            as foundation_model,
        -- every imaging word found; words that are imaging evidence only next to a medical word ('slides',
        -- 'report generation') count here (reviews and look-alike comparisons use this sum)
        imaging_words + imaging_ambiguous + imaging_weak + imaging_specialty
            + case when medical_context > 0
                    or imaging_words + imaging_ambiguous + imaging_weak + imaging_specialty > 0
                then imaging_if_medical else 0 end as imaging_mentioned,
        -- imaging evidence for a decision needs (a) a concrete imaging word: a specialty, 'slides' or 'report
        -- generation' alone is the vocabulary of text-only work on reports and charts; (b) an anchor in medicine:
        -- a medical-setting word, an unambiguous imaging word (MRI, endoscopy, fundus...) or two ambiguous ones
        -- (a specialty counts half). One 'CT', 'X-ray', 'fMRI', 'eye' or 'medical imaging' and no medical word
        -- names an application (X-ray baggage scans, X-ray diffraction, brain encoding, 'from medical imaging
        -- to satellites'); weak words (scans, microscopy) never anchor.
        case when imaging_words + imaging_ambiguous + imaging_weak > 0
                and (medical_context > 0 or imaging_words > 0
                    or imaging_ambiguous + imaging_specialty >= 1.5)
            then imaging_words + imaging_ambiguous + imaging_weak + imaging_specialty + imaging_if_medical
            else 0.0
        end as medical_imaging,
        -- a non-medical domain named in the title counts twice (title scan and abstract scan)
        non_medical_abstract + non_medical_title as non_medical_context
    from evidence
),

signals as (
    select
        *,
        vision_fm + foundation_model + language_fm as any_fm,
        -- a language model alone, with no vision FM or generic FM word and no task done on images (VQA,
        -- captioning): text-only unless images show up
        language_fm > 0 and vision_fm = 0 and foundation_model = 0 and visual_task = 0 as language_only,
        -- reviews are listed when they touch medicine; other surveys are just out of scope
        review > 0 and review_exception = 0 and (imaging_mentioned >= 0.6 or medical_context >= 0.5)
            as is_review_article
    from combined
),

lookalikes as (
    select
        *,
        -- the look-alike classes share the vocabulary; each wins when its own words outweigh the images
        language_only and medical_text >= 1 and medical_text >= medical_imaging as is_text_only,
        -- (an FM trained on microscopy images is imaging work, whatever omics words come with it)
        non_imaging_biomedical >= 1 and non_imaging_biomedical > medical_imaging
            and (vision_fm = 0 or medical_imaging = 0)
            and not (imaging_microscopy > 0 and vision_fm + foundation_model >= 1) as is_non_imaging,
        non_medical_context >= 2 and imaging_mentioned < 2 and medical_context < 1 as is_natural_image,
        -- without a single imaging word, one non-medical domain (documents, operating-room scenes, food
        -- photos, GUIs) is enough to say the images are not patient images
        non_medical_context >= 2 or (imaging_mentioned = 0 and non_patient_images > 0) as is_other_domain,
        least(1.0, vision_fm + foundation_model + language_fm + 0.25 * fm_support) as fm_strength,
        -- imaging words without an anchor in medicine count a quarter, like medical-setting words
        least(1.0, medical_imaging + 0.25 * medical_context
            + case when medical_imaging = 0 then 0.25 * (imaging_ambiguous + imaging_weak) else 0 end)
            as imaging_strength
    from signals
),

decided as (
    select
        *,
        case
            when is_review_article then 'exclude'
            when is_text_only or is_non_imaging then 'exclude'
            when any_fm >= 1 and medical_imaging >= 1 and not is_natural_image then 'include'
            -- a vision or multimodal FM in a medical setting needs no modality word ("medical MLLMs")
            when vision_fm >= 1 and medical_context >= 0.5 and not is_other_domain then 'include'
            -- a foundation model of (cell or tissue) microscopy: medical microscopy is medical imaging
            when vision_fm + foundation_model >= 1 and imaging_microscopy > 0 and non_medical_context < 2
                then 'include'
            -- an FM evaluated across domains that names medicine as one of them ("10 datasets spanning
            -- everyday scenes to medical imaging"): the labelling guide includes these, the words cannot tell
            -- a medical test set from a passing mention, so a human looks. Not for language models alone
            -- (LLMs "in high-stakes domains such as medicine") nor surveys listing medicine among applications.
            when (vision_fm >= 0.5 or foundation_model >= 1) and cross_domain > 0 and review = 0 then 'maybe'
            -- a cross-domain FM evaluated on medical images among other domains, none of them in the title
            when any_fm >= 1 and medical_imaging >= 1 and medical_context >= 0.5 and non_medical_title = 0
                then 'maybe'
            -- a generic FM in a medical setting of an imaging specialty ("renal pathology foundation model")
            when foundation_model >= 1 and medical_context >= 1 and imaging_specialty > 0
                and medical_text < 1 and non_medical_context < 2 then 'maybe'
            -- a vision or generic FM whose only imaging words are 'medical image(s)/imaging', with no
            -- medical-setting word and no other domain: too little to include, too explicit to drop
            when vision_fm + foundation_model >= 1 and says_medical_imaging and non_medical_context = 0
                then 'maybe'
            when any_fm >= 0.5 and medical_imaging >= 0.6 and non_medical_context < 2 then 'maybe'
            when vision_fm >= 0.5 and medical_context >= 0.5 and not is_other_domain then 'maybe'
            else 'exclude'
        end as decision
    from lookalikes
),

reasoned as (
    select
        *,
        case
            when decision = 'include' then []
            when is_review_article then ['review_article']
            when decision = 'maybe' and any_fm < 1 then ['no_foundation_model']
            when decision = 'maybe' then ['not_medical_imaging']
            when is_text_only then ['medical_text_only']
            when is_non_imaging then ['non_imaging_biomedical']
            -- imaging words with no anchor in medicine: an FM on X-ray baggage, diffraction or brain-encoding data
            when any_fm >= 0.5 and medical_imaging = 0 and imaging_mentioned > 0 and medical_context = 0
                then ['not_medical_imaging']
            when any_fm >= 0.5 and medical_imaging = 0 and non_imaging_biomedical >= 1
                then ['non_imaging_biomedical']
            when any_fm >= 0.5 and medical_imaging = 0 and (medical_context >= 1 or medical_text >= 1)
                then ['medical_text_only']
            when any_fm >= 0.5 then ['not_medical_imaging']
            when medical_imaging >= 0.6 then ['no_foundation_model']
            when non_imaging_biomedical >= 1 and medical_context > 0 then ['non_imaging_biomedical']
            else ['off_topic']
        end as reasons,
        -- inclusion evidence; look-alikes and reviews keep a low score so rankings put them last
        round(case
            when is_review_article then 0.0
            when is_text_only or is_non_imaging or is_natural_image then 0.2 * fm_strength * imaging_strength
            else fm_strength * imaging_strength
        end, 4)::double as score
    from decided
),

tag_scans as materialized (
    select
        *,
        decision != 'exclude' or is_review_article as tags_apply,
{%- for dimension in tag_dimensions %}
        case when decision != 'exclude' or is_review_article
            then '|' || array_to_string(regexp_extract_all(full_text, {{ _sql_string(_alternation(tag_terms | selectattr('dimension', 'equalto', dimension))) }}), '||') || '|'
        end as tags_{{ dimension }},
{%- endfor %}
        case when decision != 'exclude' or is_review_article
            then {{ _tokens('regexp_extract_all(full_text, ' ~ _sql_string(_dataset_alternation(criteria['datasets'])) ~ ')', lower_case=false) }}
        end as tags_dataset
    from reasoned
),

tag_lists as (
    select
        *,
        case when tags_apply then {{ _dataset_list(criteria['datasets']) }} else [] end as datasets,
        case when tags_apply then {{ _salient_list(tag_terms, 'modality') }} else [] end as salient_modalities,
        case when tags_apply then {{ _tag_list(tag_terms, 'modality') }} else [] end as mentioned_modalities,
        case when tags_apply then {{ _salient_list(tag_terms, 'task') }} else [] end as salient_tasks,
        case when tags_apply then {{ _tag_list(tag_terms, 'task') }} else [] end as mentioned_tasks,
        case when tags_apply then {{ _tag_list(tag_terms, 'training_strategy') }} else [] end
            as training_strategies,
        case when tags_apply then {{ _tag_list(tag_terms, 'anatomy') }} else [] end as mentioned_anatomies
    from tag_scans
),

-- salient values when there are any, else every mention; datasets add their catalog modality/anatomy
tag_choices as (
    select
        *,
        list_sort(list_distinct(list_concat(
            case when len(salient_modalities) > 0 then salient_modalities else mentioned_modalities end,
            {{ _dataset_attribute_list(criteria['datasets'], 'modality') }}
        ))) as found_modalities,
        case when len(salient_tasks) > 0 then salient_tasks else mentioned_tasks end as tasks,
        list_sort(list_distinct(list_concat(
            mentioned_anatomies, {{ _dataset_attribute_list(criteria['datasets'], 'anatomy') }}
        ))) as anatomies
    from tag_lists
),

final as (
    select
        study_id,
        decision,
        score,
        reasons,
        case when decision != 'include' then reasons[1] end as primary_reason,
        'rule' as actor,
        {{ _sql_string(criteria['version']) }} as criteria_version,
        is_review_article,
        case
            when not tags_apply or any_fm < 0.5 then null
            when tags_fm_type != '||' then 'vision_language'
            else 'vision_only'
        end as fm_type,
        -- a kept foundation-model study that names no modality is a generalist one
        case
            when tags_apply and any_fm >= 0.5 and len(found_modalities) = 0 then ['multi']
            else found_modalities
        end as modalities,
        tasks,
        training_strategies,
        datasets,
        anatomies
    from tag_choices
)

select * from final
{%- endmacro -%}
