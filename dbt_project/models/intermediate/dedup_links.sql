{#-
    Pairs of reports of the same study, with the rule that linked them. Link, never delete:
    int_records__deduplicated groups reports through these links into studies.
    Rules, strongest first (a pair keeps its strongest rule):
      same_arxiv_id           versions of one arXiv paper (or its Europe PMC copy via the DataCite DOI)
      same_doi                the same DOI (CSHL versions; a Europe PMC copy of a preprint)
      preprint_published_doi  a preprint's published DOI (CSHL `published`, arXiv journal DOI,
                              a DOI in the journal_ref) is the other report's DOI, or both name it
      fuzzy_title             no identifier in common: same publication year, same first author
                              (surname and initial), different sources, the same title word for word
                              once case, punctuation, stop words and plural -s are set aside, and
                              (when both have one) abstracts that open alike with the same numbers.
                              Biased to zero false positives: a title differing in any content word
                              (CT vs X-ray, abdominal vs pelvic, Part 1 vs Part 2) or in word order
                              stays apart. Recall is traded away: a typo or a retitled paper is missed.
-#}
with

records as (

    select * from {{ ref('int_records__unioned') }}

),

same_arxiv_id as (

    select
        left_report.record_key as record_key_a,
        right_report.record_key as record_key_b,
        'same_arxiv_id' as rule
    from records as left_report
    inner join records as right_report
        on left_report.arxiv_id = right_report.arxiv_id
        and left_report.record_key < right_report.record_key

),

same_doi as (

    select
        left_report.record_key as record_key_a,
        right_report.record_key as record_key_b,
        'same_doi' as rule
    from records as left_report
    inner join records as right_report
        on left_report.report_doi = right_report.report_doi
        and left_report.record_key < right_report.record_key

),

published_dois as (

    select
        record_key,
        published_doi as pointed_doi
    from records
    where published_doi is not null
    union
    select
        record_key,
        journal_ref_doi as pointed_doi
    from records
    where journal_ref_doi is not null

),

preprint_to_published as (

    select
        least(published_dois.record_key, published_reports.record_key) as record_key_a,
        greatest(published_dois.record_key, published_reports.record_key) as record_key_b,
        'preprint_published_doi' as rule
    from published_dois
    inner join records as published_reports
        on published_dois.pointed_doi = published_reports.report_doi
        and published_dois.record_key <> published_reports.record_key

    union all

    -- two preprints naming the same published article (which may not be harvested)
    select
        left_report.record_key as record_key_a,
        right_report.record_key as record_key_b,
        'preprint_published_doi' as rule
    from published_dois as left_report
    inner join published_dois as right_report
        on left_report.pointed_doi = right_report.pointed_doi
        and left_report.record_key < right_report.record_key

),

title_words as (

    select
        record_key,
        source,
        publication_year,
        first_author_surname,
        first_author_initial,
        title_normalized,
        abstract_opening,
        list_transform(
            list_filter(
                string_split(title_normalized, ' '),
                lambda word: not list_contains({{ title_stop_words() }}, word)
            ),
            lambda word: if(length(word) > 3 and suffix(word, 's'), left(word, length(word) - 1), word)
        ) as content_words
    from records
    where title_normalized is not null

),

fuzzy_title as (

    select
        left_report.record_key as record_key_a,
        right_report.record_key as record_key_b,
        'fuzzy_title' as rule,
        jaro_winkler_similarity(
            left_report.title_normalized, right_report.title_normalized
        ) as title_similarity
    from title_words as left_report
    inner join title_words as right_report
        on left_report.publication_year = right_report.publication_year
        and left_report.first_author_surname = right_report.first_author_surname
        and left_report.first_author_initial = right_report.first_author_initial
        and left_report.source <> right_report.source
        and left_report.record_key < right_report.record_key
    where
        left_report.content_words = right_report.content_words
        and len(left_report.content_words) >= {{ var('fuzzy_title_min_words') }}
        -- template-like titles recur across unrelated papers: when both have an abstract, its
        -- opening must read alike and quote the same numbers (a cohort of 7108 is not one of 86227)
        and coalesce(
            jaro_winkler_similarity(left_report.abstract_opening, right_report.abstract_opening)
            >= {{ var('fuzzy_abstract_min_similarity') }}
            and regexp_extract_all(left_report.abstract_opening, '\d+')
            = regexp_extract_all(right_report.abstract_opening, '\d+'),
            true
        )

),

all_links as (

    {% for links in ['same_arxiv_id', 'same_doi', 'preprint_to_published'] %}
        select
            record_key_a,
            record_key_b,
            rule,
            cast(null as double) as title_similarity
        from {{ links }}
        union all
    {% endfor %}
    select
        record_key_a,
        record_key_b,
        rule,
        title_similarity
    from fuzzy_title

),

final as (

    select
        record_key_a,
        record_key_b,
        rule,
        title_similarity
    from all_links
    qualify row_number() over (
        partition by record_key_a, record_key_b
        order by {{ dedup_rule_rank('rule') }}
    ) = 1

)

select * from final
