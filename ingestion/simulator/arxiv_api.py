"""arXiv `/api/query`: search_query parsing, paging, and the 2025+ Atom wire format.

Supported query language (a subset of arXiv's, enough for any harvest and the manual's examples):
terms `field:value`, `field:"a phrase"`, `submittedDate:[YYYYMMDDHHMM TO YYYYMMDDHHMM]` (also
8-digit days and the server's own quoted form `submittedDate:"A TO B"`), combined with AND, OR,
ANDNOT and parentheses (AND/ANDNOT bind tighter than OR). Fields: cat, submittedDate,
lastUpdatedDate, ti, abs, au, co, jr, id, all. Ranges are inclusive at minute precision. Anything
else is the real HTTP 400 error feed.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, quote_plus

from ingestion.simulator.corpus import ArxivRecord, Corpus
from ingestion.simulator.reply import ATOM, CORRUPT, EMPTY_PAGE, Reply

MAX_RESULTS_CAP = 2000
DEFAULT_MAX_RESULTS = 10
SORT_KEYS: dict[str, Callable[[ArxivRecord], tuple]] = {
    "relevance": lambda r: (r.published, r.arxiv_id),  # no ranking here: a stable, documented order
    "submittedDate": lambda r: (r.published, r.arxiv_id),
    "lastUpdatedDate": lambda r: (r.updated, r.arxiv_id),
}
NEW_ID = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$")
OLD_ID = re.compile(r"^[a-z\-]+(\.[A-Z]{2})?/\d{7}(v\d+)?$")
ARXIV_CATEGORY = re.compile(r"^[a-z\-]+(\.[A-Za-z\-]+)?$")
TOKEN = re.compile(
    r"""\s*(?:
        (?P<open>\() | (?P<close>\)) |
        (?P<op>ANDNOT|AND|OR)(?=[\s()]|$) |
        (?P<field>[A-Za-z_]+):(?:\[(?P<range>[^\]]*)\]|"(?P<quoted>[^"]*)"|(?P<bare>[^\s()"]+)) |
        (?P<word>[^\s()":]+)
    )""",
    re.VERBOSE,
)
RANGE = re.compile(r"^\s*(\d{8}|\d{12}|\d{14})\s+TO\s+(\d{8}|\d{12}|\d{14})\s*$")


class QueryError(ValueError):
    def __init__(self, slug: str, message: str):
        super().__init__(message)
        self.slug = slug


Predicate = Callable[[ArxivRecord], bool]


@dataclass(frozen=True)
class DateRange:
    field: str
    low: int  # YYYYMMDDHHMM, inclusive
    high: int

    def contains(self, moment: datetime) -> bool:
        return self.low <= minute_key(moment) <= self.high


@dataclass(frozen=True)
class ParsedQuery:
    predicate: Predicate
    submitted: DateRange | None  # a top-level AND conjunct on submittedDate: lets us bisect
    echo: str  # the query as the server echoes it in the feed title


def minute_key(moment: datetime) -> int:
    return int(moment.strftime("%Y%m%d%H%M"))


# --- parsing ----------------------------------------------------------------------------------


def _tokens(text: str) -> list[re.Match]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QueryError("malformed_search_query", f"malformed search_query near {text[position:]!r}")
        tokens.append(match)
        position = match.end()
    return tokens


def _range_bound(digits: str, upper: bool) -> int:
    if len(digits) == 8:
        digits += "2359" if upper else "0000"
    return int(digits[:12])


def _date_term(field: str, spec: str) -> tuple[Predicate, DateRange]:
    match = RANGE.match(spec)
    if match is None:
        raise QueryError(
            f"invalid_{field}_range", f"invalid {field} range {spec!r}: use [YYYYMMDDHHMM TO YYYYMMDDHHMM]"
        )
    try:
        low, high = (_range_bound(match[1], False), _range_bound(match[2], True))
        for bound in (low, high):
            datetime.strptime(str(bound), "%Y%m%d%H%M")
    except ValueError:
        raise QueryError(f"invalid_{field}_range", f"invalid date in {field} range {spec!r}") from None
    date_range = DateRange(field, low, high)
    attribute = "published" if field == "submittedDate" else "updated"
    return (lambda r: date_range.contains(getattr(r, attribute))), date_range


def _unversioned(arxiv_id: str) -> str:
    return re.sub(r"v\d+$", "", arxiv_id)


def _text_of(field: str, record: ArxivRecord) -> str:
    parts = {
        "ti": [record.title or ""],
        "abs": [record.summary],
        "au": list(record.authors),
        "co": [record.comment or ""],
        "jr": [record.journal_ref or ""],
    }
    if field == "all":
        return " ".join(parts["ti"] + parts["abs"] + parts["au"] + parts["co"]).lower()
    return " ".join(parts[field]).lower()


def _term(match: re.Match) -> tuple[Predicate, DateRange | None]:
    field = match["field"] or "all"
    value = match["word"] or match["bare"] or match["quoted"]
    if field in ("submittedDate", "lastUpdatedDate"):
        spec = match["range"] if match["range"] is not None else value
        return _date_term(field, spec or "")
    if match["range"] is not None:
        raise QueryError("malformed_search_query", f"a [range] is only valid for dates, not {field}")
    if field == "cat":
        wanted = value.lower()
        if wanted.endswith("*"):
            return (lambda r: any(c.lower().startswith(wanted[:-1]) for c in r.categories)), None
        return (lambda r: any(c.lower() == wanted for c in r.categories)), None
    if field == "id":
        return (lambda r: r.arxiv_id == _unversioned(value)), None
    if field not in ("ti", "abs", "au", "co", "jr", "all"):
        raise QueryError("unknown_field", f"unknown search field {field!r}")
    needle = value.lower().replace("_", " ")
    return (lambda r: needle in _text_of(field, r)), None


class _Parser:
    def __init__(self, tokens: list[re.Match]):
        self.tokens = tokens
        self.position = 0
        self.top_level_ranges: list[DateRange] = []

    def peek(self, kind: str) -> bool:
        return self.position < len(self.tokens) and self.tokens[self.position][kind] is not None

    def take(self) -> re.Match:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self) -> Predicate:
        if not self.tokens:
            raise QueryError("empty_search_query", "empty search_query")
        predicate = self.disjunction(depth=0)
        if self.position != len(self.tokens):
            raise QueryError(
                "malformed_search_query", "unbalanced parentheses or dangling tokens in search_query"
            )
        return predicate

    def disjunction(self, depth: int) -> Predicate:
        terms = [self.conjunction(depth)]
        while self.peek("op") and self.tokens[self.position]["op"] == "OR":
            self.take()
            terms.append(self.conjunction(depth + 1))
        if len(terms) > 1:
            self.top_level_ranges = [] if depth == 0 else self.top_level_ranges
            return lambda r: any(term(r) for term in terms)
        return terms[0]

    def conjunction(self, depth: int) -> Predicate:
        predicate = self.unary(depth)
        while self.peek("op") and self.tokens[self.position]["op"] in ("AND", "ANDNOT"):
            negate = self.take()["op"] == "ANDNOT"
            right = self.unary(depth + 1 if negate else depth)
            predicate = _and(predicate, right, negate)
        return predicate

    def unary(self, depth: int) -> Predicate:
        if self.position >= len(self.tokens):
            raise QueryError("malformed_search_query", "search_query ends with an operator")
        token = self.take()
        if token["open"] is not None:
            inner = self.disjunction(depth + 1)
            if not self.peek("close"):
                raise QueryError("malformed_search_query", "unbalanced parentheses in search_query")
            self.take()
            return inner
        if token["field"] is None and token["word"] is None:
            raise QueryError(
                "malformed_search_query", f"unexpected {token.group().strip()!r} in search_query"
            )
        predicate, date_range = _term(token)
        if date_range is not None and date_range.field == "submittedDate" and depth == 0:
            self.top_level_ranges.append(date_range)
        return predicate


def _and(left: Predicate, right: Predicate, negate: bool) -> Predicate:
    if negate:
        return lambda r: left(r) and not right(r)
    return lambda r: left(r) and right(r)


def parse_query(text: str) -> ParsedQuery:
    parser = _Parser(_tokens(text))
    predicate = parser.parse()
    ranges = parser.top_level_ranges
    echo = re.sub(r"(submittedDate|lastUpdatedDate):\[([^\]]*)\]", r'\1:"\2"', text)
    return ParsedQuery(predicate, ranges[0] if len(ranges) == 1 else None, echo)


# --- searching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    search_query: str
    id_list: tuple[str, ...]
    start: int
    max_results: int
    sort_by: str
    sort_order: str


def parse_request(query: str) -> Request:
    params = {key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()}
    id_list = tuple(part.strip() for part in params.get("id_list", "").split(",") if part.strip())
    for arxiv_id in id_list:
        if not (NEW_ID.match(arxiv_id) or OLD_ID.match(arxiv_id)):
            raise QueryError(f"incorrect_id_format_for_{arxiv_id}", f"incorrect id format for {arxiv_id}")
    start = _integer(params, "start", 0)
    max_results = min(_integer(params, "max_results", DEFAULT_MAX_RESULTS), MAX_RESULTS_CAP)
    sort_by = params.get("sortBy", "relevance") or "relevance"
    sort_order = params.get("sortOrder", "descending") or "descending"
    if sort_by not in SORT_KEYS:
        raise QueryError(
            "sortby_must_be_in_relevance_lastupdateddate_submitteddate", f"unknown sortBy {sort_by!r}"
        )
    if sort_order not in ("ascending", "descending"):
        raise QueryError("sortorder_must_be_ascending_or_descending", f"unknown sortOrder {sort_order!r}")
    return Request(params.get("search_query", "").strip(), id_list, start, max_results, sort_by, sort_order)


def _integer(params: dict[str, str], name: str, default: int) -> int:
    text = params.get(name, "")
    if text == "":
        return default
    if not re.fullmatch(r"\d+", text.strip()):
        raise QueryError(f"{name}_must_be_a_non_negative_integer", f"{name} must be a non-negative integer")
    return int(text)


def search(corpus: Corpus, request: Request, parsed: ParsedQuery | None) -> list[ArxivRecord]:
    key = ("arxiv-search", request.search_query, request.id_list, request.sort_by, request.sort_order)
    return corpus.lru(key, lambda: _search(corpus, request, parsed))


def _search(corpus: Corpus, request: Request, parsed: ParsedQuery | None) -> list[ArxivRecord]:
    records = corpus.records("arxiv")
    if parsed is None and not request.id_list:
        return []
    if parsed is not None and parsed.submitted is not None:
        records = _submitted_slice(corpus, records, parsed.submitted)
    if request.id_list:
        wanted = {_unversioned(arxiv_id) for arxiv_id in request.id_list}
        records = [r for r in records if r.arxiv_id in wanted]
    if parsed is not None:
        records = [r for r in records if parsed.predicate(r)]
    key = SORT_KEYS[request.sort_by]
    return sorted(records, key=key, reverse=request.sort_order == "descending")


def _submitted_slice(corpus: Corpus, records: list[ArxivRecord], window: DateRange) -> list[ArxivRecord]:
    """Records are sorted by submission: bisect to the window instead of scanning 60k records."""
    minutes = corpus.derived("arxiv-minutes", lambda: [minute_key(r.published) for r in records])
    return records[bisect.bisect_left(minutes, window.low) : bisect.bisect_right(minutes, window.high)]


# --- corrupt pages: well-formed XML, bad records ----------------------------------------------


def corrupt_page(page: list[ArxivRecord], window: DateRange | None) -> list[ArxivRecord]:
    """First record: empty title; second: submitted outside the window; third: duplicate id."""
    bad = list(page)
    if bad:
        bad[0] = replace(bad[0], title="")
    if len(bad) > 1:
        before = (
            datetime.strptime(str(window.low), "%Y%m%d%H%M").replace(tzinfo=UTC) - timedelta(days=30)
            if window
            else datetime(1999, 1, 1, tzinfo=UTC)
        )
        bad[1] = replace(bad[1], published=before, updated=before)
    if len(bad) > 2:
        bad[2] = replace(bad[2], arxiv_id=bad[0].arxiv_id, version=bad[0].version)
    return bad


# --- rendering --------------------------------------------------------------------------------

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _esc(text: str | None) -> str:
    text = _INVALID_XML.sub("", text or "")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str | None) -> str:
    return _esc(text).replace('"', "&quot;")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def primary_category(record: ArxivRecord) -> str:
    """Upstream lists ACM/MSC codes among categories; the primary is the first real one."""
    return next((c for c in record.categories if ARXIV_CATEGORY.match(c)), record.primary_category)


def render_entry(record: ArxivRecord) -> str:
    versioned = f"{record.arxiv_id}v{record.version}"
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{versioned}</id>",
        f"    <title>{_esc(record.title)}</title>",
        f"    <updated>{_stamp(record.updated)}</updated>",
        f'    <link href="https://arxiv.org/abs/{versioned}" rel="alternate" type="text/html"/>',
        f'    <link href="https://arxiv.org/pdf/{versioned}" rel="related" type="application/pdf"'
        ' title="pdf"/>',
        f"    <summary>{_esc(record.summary)}</summary>",
        *(
            f'    <category term="{_attr(c)}" scheme="http://arxiv.org/schemas/atom"/>'
            for c in record.categories
        ),
        f"    <published>{_stamp(record.published)}</published>",
    ]
    if record.comment:
        lines.append(f"    <arxiv:comment>{_esc(record.comment)}</arxiv:comment>")
    lines.append(f'    <arxiv:primary_category term="{_attr(primary_category(record))}"/>')
    if record.journal_ref:
        lines.append(f"    <arxiv:journal_ref>{_esc(record.journal_ref)}</arxiv:journal_ref>")
    lines += [f"    <author>\n      <name>{_esc(name)}</name>\n    </author>" for name in record.authors]
    if record.doi:
        lines.append(f"    <arxiv:doi>{_esc(record.doi)}</arxiv:doi>")
        lines.append(f'    <link rel="related" href="https://doi.org/{_attr(record.doi)}" title="doi"/>')
    lines.append("  </entry>")
    return "\n".join(lines)


FEED_OPEN = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">'
)


def render_feed(request: Request, echo: str, total: int, entries: list[ArxivRecord]) -> str:
    ids = ",".join(request.id_list)
    paging = f"start={request.start}&max_results={request.max_results}"
    title = f"arXiv Query: search_query={echo}&id_list={ids}&{paging}"
    link = (
        f"https://arxiv.org/api/query?search_query={quote_plus(request.search_query, safe=':()[]')}"
        f"&start={request.start}&max_results={request.max_results}&id_list={ids}"
    )
    digest = hashlib.sha1(title.encode()).digest()[:20]
    feed_id = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    parts = [
        FEED_OPEN,
        f"  <id>https://arxiv.org/api/{feed_id}</id>",
        f"  <title>{_esc(title)}</title>",
        f"  <updated>{_stamp(datetime.now(UTC))}</updated>",
        f'  <link href="{_attr(link)}" type="application/atom+xml"/>',
        f"  <opensearch:itemsPerPage>{request.max_results}</opensearch:itemsPerPage>",
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>",
        f"  <opensearch:startIndex>{request.start}</opensearch:startIndex>",
        *(render_entry(record) for record in entries),
        "</feed>",
    ]
    return "\n".join(parts)


def render_error(error: QueryError) -> str:
    now = _stamp(datetime.now(UTC))
    slug = re.sub(r"[^A-Za-z0-9_.\-]", "_", error.slug)
    return "\n".join(
        [
            FEED_OPEN,
            "  <id>https://arxiv.org/</id>",
            "  <title>arXiv Search Results</title>",
            f"  <updated>{now}</updated>",
            "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>",
            "  <opensearch:totalResults>1</opensearch:totalResults>",
            "  <opensearch:startIndex>0</opensearch:startIndex>",
            "  <entry>",
            f"    <id>https://arxiv.org/api/errors#{slug}</id>",
            "    <title>Error</title>",
            f"    <updated>{now}</updated>",
            f'    <link href="https://arxiv.org/api/errors#{slug}" rel="alternate" type="text/html"/>',
            f"    <summary>{_esc(str(error))}</summary>",
            "    <author>\n      <name>arXiv api core</name>\n    </author>",
            "  </entry>",
            "</feed>",
        ]
    )


def handle(corpus: Corpus, path: str, query: str, mode: str | None) -> Reply:
    try:
        request = parse_request(query)
        parsed = parse_query(request.search_query) if request.search_query else None
    except QueryError as error:
        return Reply(400, ATOM, render_error(error).encode("utf-8"))
    results = search(corpus, request, parsed)
    page = results[request.start : request.start + request.max_results]
    if mode == EMPTY_PAGE:
        page = []
    elif mode == CORRUPT:
        page = corrupt_page(page, parsed.submitted if parsed else None)
    echo = parsed.echo if parsed else ""
    return Reply(200, ATOM, render_feed(request, echo, len(results), page).encode("utf-8"))
