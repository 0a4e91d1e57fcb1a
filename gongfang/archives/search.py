"""Full-text search over documents' titles and extracted text, on SQLite and on PostgreSQL.

One interface (:func:`index_document`, :func:`remove_document`, :func:`search`) over two
engines chosen by ``connection.vendor``: an FTS5 virtual table on SQLite (the embedded default)
and a table of ``tsvector`` chunks with a GIN index on PostgreSQL (both made by the hand-written
migration ``0002_search_index``).

Neither engine splits Chinese into words, so the text is segmented here, the same way for both
and for indexing and querying alike: a run of Chinese characters becomes its overlapping
character bigrams (办公用房 → 办公 公用 用房) plus its last character alone, and any other word
(letters, digits) stays whole, lower-cased. A query term becomes the phrase of its tokens, so
"用房" is found inside "办公用房" and "公房" is not found in "办公 用房"-less text; a one-character
term is a prefix query (办 matches 办公 and the lone 办). Whitespace between two Chinese
characters is dropped when indexing, since a PDF breaks lines inside phrases; in a query it
separates terms (a user types "办公用房 维修" for both words).

Titles weigh more than text (FTS5 ``bm25`` column weights; PostgreSQL weight A against B).
Only current versions the user may see are returned: the engine ranks every match, then the
best candidates are checked against the documents' scope (the subject's ``restrict``, as
``Document.objects.restrict``) a chunk at a time until enough are visible — scope applies before
the limit. Snippets are escaped text with the matches in ``<mark>``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, transaction
from django.db.models import QuerySet
from django.db.models.functions import Substr
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Document
from .subjects import subject_spec

SQLITE_TABLE = "archives_document_fts"
POSTGRES_TABLE = "archives_document_search"
TITLE_WEIGHT = 5.0  # FTS5 bm25 weight of the title column against 1.0 for the text

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
MAX_WORD_CHARS = 60  # a longer "word" (a hash, a base64 blob) is cut, not indexed whole
# PostgreSQL keeps positions up to 16383 and a tsvector under 1 MB: long texts are split into
# chunks, overlapping so that a phrase across a boundary is still found in one of them.
CHUNK_TOKENS = 12_000
CHUNK_OVERLAP = 64
SNIPPET_CHARS = 120
SNIPPET_SCAN = 20_000  # characters of the text searched for the snippet's match
# Candidates checked against the scope per query, best first, until enough are visible.
SCOPE_CHUNK = 500
# Matches the engine ranks first; the rest only when too few of these are in scope.
FIRST_PAGE = 1000

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_GAP = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")
# A run of Chinese characters, or a run of other word characters (no underscore).
_RUN = re.compile(f"([{_CJK}]+)|((?:(?![{_CJK}])[^\\W_])+)")


def _normalise(text: str) -> str:
    """Full-width letters and digits as ASCII (ＡＢ１ → ab1), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _runs(text: str) -> Iterator[tuple[bool, str]]:
    """(is_chinese, run) in order."""
    for match in _RUN.finditer(text):
        if match.group(1):
            yield True, match.group(1)
        else:
            yield False, match.group(2)[:MAX_WORD_CHARS]


def tokens(text: str) -> list[str]:
    """The index tokens of ``text``: Chinese bigrams plus each run's last character, words."""
    text = _CJK_GAP.sub("", _normalise(text or ""))
    out: list[str] = []
    for chinese, run in _runs(text):
        if chinese:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
            out.append(run[-1])
        else:
            out.append(run)
    return out


@dataclass(frozen=True)
class Term:
    """One query term: a phrase of tokens, the last one a prefix when it is a lone character."""

    tokens: tuple[str, ...]
    prefix: bool
    text: str  # what the user typed, normalised: for highlighting


def parse_query(query: str) -> list[Term]:
    """The terms of a query; punctuation, operators and symbols of the engines are plain text."""
    terms: list[Term] = []
    for word in _normalise((query or "")[:MAX_QUERY_CHARS]).split():
        runs = list(_runs(word))
        if not runs:
            continue
        phrase: list[str] = []
        for index, (chinese, run) in enumerate(runs):
            if not chinese:
                phrase.append(run)
                continue
            phrase.extend(run[i : i + 2] for i in range(len(run) - 1))
            # Inside a term the run's last character is indexed alone too; at the end of the
            # term it is not required (用房 matches 用房间) — unless it is the only one.
            if index < len(runs) - 1 or len(run) == 1:
                phrase.append(run[-1])
        last_chinese, last_run = runs[-1]
        terms.append(Term(tuple(phrase), last_chinese and len(last_run) == 1, word))
        if len(terms) == MAX_TERMS:
            break
    return terms


@dataclass(frozen=True)
class Hit:
    document: Document
    score: float
    title: SafeString  # the title, escaped, matches marked
    snippet: SafeString  # a passage of the text around the first match, escaped, marked


# Indexing -----------------------------------------------------------------------------------------
def index_document(document: Document) -> None:
    """(Re)index one document; a superseded version leaves the index with it."""
    index_documents([document])


def index_documents(documents: Iterable[Document]) -> int:
    """(Re)index many documents in bulk (one statement per batch); the count indexed."""
    rows = []
    stale = []
    for document in documents:
        if document.supersedes_id:
            stale.append(document.supersedes_id)
        if document.is_current:
            rows.append((document.pk, " ".join(tokens(document.title)), tokens(document.text)))
        else:
            stale.append(document.pk)
    _delete([pk for pk, _, _ in rows] + stale)
    if not rows:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.executemany(
                f"INSERT INTO {POSTGRES_TABLE} (document_id, chunk, vector) "
                "VALUES (%s, %s, %s::tsvector)",
                [
                    (pk, number, vector)
                    for pk, title, body in rows
                    for number, vector in enumerate(_tsvectors(title.split(), body))
                ],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {SQLITE_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",
                [(pk, title, " ".join(body)) for pk, title, body in rows],
            )
    return len(rows)


def remove_document(document: Document) -> None:
    """Take a document out of the index (deleted, or no longer to be found)."""
    _delete([document.pk])


def _delete(pks: list[int]) -> None:
    if not pks:
        return
    marks = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DELETE FROM {POSTGRES_TABLE} WHERE document_id IN ({marks})", pks)
        else:
            cursor.execute(f"DELETE FROM {SQLITE_TABLE} WHERE rowid IN ({marks})", pks)


def clear_index() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table()}")


def prune(sender=None, using: str = "default", **kwargs) -> None:
    """Index rows of documents that no longer exist (left by a flush, which empties the
    documents' table but not the index it does not know) go; post_migrate after every migrate
    and flush."""
    documents = Document._meta.db_table
    connection_ = connections[using]
    index = POSTGRES_TABLE if connection_.vendor == "postgresql" else SQLITE_TABLE
    if index not in connection_.introspection.table_names():
        return  # migrated backwards: no index
    with connection_.cursor() as cursor:
        if connection_.vendor == "postgresql":
            cursor.execute(
                f"DELETE FROM {POSTGRES_TABLE} s WHERE NOT EXISTS"
                f" (SELECT 1 FROM {documents} d WHERE d.id = s.document_id)"
            )
        else:
            cursor.execute(
                f"DELETE FROM {SQLITE_TABLE} WHERE rowid NOT IN (SELECT id FROM {documents})"
            )


def rebuild_index(*, batch: int = 500) -> int:
    """Index every current document again (after a restore, or a change of segmentation), in
    one transaction: searches see the old index until the new one is complete."""
    count = 0
    queryset = Document.objects.filter(is_current=True).only(
        "pk", "title", "text", "is_current", "supersedes"
    )
    with transaction.atomic():
        clear_index()
        for start in range(0, queryset.count(), batch):
            count += index_documents(queryset.order_by("pk")[start : start + batch])
    return count


def _table() -> str:
    return POSTGRES_TABLE if connection.vendor == "postgresql" else SQLITE_TABLE


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsvectors(title: list[str], body: list[str]) -> Iterator[str]:
    """``tsvector`` literals (title weight A, text weight B), one per chunk of the text.

    Written as literals rather than through ``to_tsvector('simple', …)``: the tokens are final,
    and PostgreSQL's parser would split Chinese by the database's locale (nothing under "C").
    """
    step = CHUNK_TOKENS - CHUNK_OVERLAP
    starts = range(0, max(len(body), 1), step)
    for number, start in enumerate(starts):
        positions: dict[str, list[str]] = {}
        position = 0
        if number == 0:
            for position, token in enumerate(title, start=1):
                positions.setdefault(token, []).append(f"{position}A")
            position += 1  # a gap: a phrase never runs from the title into the text
        for offset, token in enumerate(body[start : start + CHUNK_TOKENS], start=position + 1):
            positions.setdefault(token, []).append(f"{offset}B")
        yield " ".join(f"{_lexeme(token)}:{','.join(p[:256])}" for token, p in positions.items())
        if start + CHUNK_TOKENS >= len(body):
            return


# Searching ----------------------------------------------------------------------------------------
def _fts5_query(terms: list[Term]) -> str:
    """Each term a quoted FTS5 phrase (tokens are letters and digits only, so no quoting
    escapes are needed; a ``"`` typed by the user never reaches here)."""
    return " AND ".join(
        '"' + " ".join(term.tokens) + '"' + (" *" if term.prefix else "") for term in terms
    )


def _tsquery(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        lexemes = [_lexeme(token) for token in term.tokens]
        if term.prefix:
            lexemes[-1] += ":*"
        parts.append("(" + " <-> ".join(lexemes) + ")")
    return " & ".join(parts)


def _matches(
    terms: list[Term], *, limit: int | None = None, offset: int = 0
) -> list[tuple[int, float]]:
    """(document pk, score) of the indexed documents matching all terms, best first, from
    ``offset`` (``limit`` of them, or all): the engine's own work, with no scope."""
    if limit is not None:
        page, paging = " LIMIT %s OFFSET %s", [limit, offset]
    elif connection.vendor == "postgresql":
        page, paging = " OFFSET %s", [offset]
    else:
        page, paging = " LIMIT -1 OFFSET %s", [offset]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The planner counts a sequential scan of the table cheap, not seeing that every
            # row's tsvector must be read from TOAST: 210 ms for 50,000 documents against 5 ms
            # through the GIN index. The index is made the only way for this one statement.
            cursor.execute("SET enable_seqscan = off")
            try:
                cursor.execute(
                    "SELECT document_id, MAX(ts_rank('{0.1, 0.2, 0.4, 1.0}', vector, q)) AS score"
                    f" FROM {POSTGRES_TABLE}, CAST(%s AS tsquery) q WHERE vector @@ q"
                    f" GROUP BY document_id ORDER BY score DESC, document_id DESC{page}",
                    [_tsquery(terms), *paging],
                )
                rows = cursor.fetchall()
            finally:
                cursor.execute("RESET enable_seqscan")
            return [(pk, float(score)) for pk, score in rows]
        else:
            cursor.execute(
                f"SELECT rowid, -bm25({SQLITE_TABLE}, {TITLE_WEIGHT}, 1.0) AS score"
                f" FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s"
                f" ORDER BY score DESC, rowid DESC{page}",
                [_fts5_query(terms), *paging],
            )
        return [(pk, float(score)) for pk, score in cursor.fetchall()]


def _first_visible(
    terms: list[Term], limit: int, visible: Callable[[list[int]], set[int]]
) -> list[tuple[int, float]]:
    """The best ``limit`` matches that ``visible`` keeps (scope applies before the limit).

    The engine ranks its best ``FIRST_PAGE`` matches, which a wide scope fills from; only when
    too few of them are visible (a unit's narrow scope) are the rest ranked too. Candidates
    are checked a chunk at a time, best first, until enough are found."""
    found: list[tuple[int, float]] = []
    ranked = _matches(terms, limit=FIRST_PAGE)
    pages = [ranked, None] if len(ranked) == FIRST_PAGE else [ranked]
    for page in pages:
        candidates = page if page is not None else _matches(terms, offset=FIRST_PAGE)
        start = 0
        while start < len(candidates):
            # A first chunk of twice the limit fills a wide scope; then larger ones.
            size = max(2 * limit, 20) if start == 0 and page is not None else SCOPE_CHUNK
            chunk = candidates[start : start + size]
            keep = visible([pk for pk, _ in chunk])
            found += [(pk, score) for pk, score in chunk if pk in keep]
            if len(found) >= limit:
                return found[:limit]
            start += size
    return found


def visible_ids(user, ids: list[int]) -> set[int]:
    """Which of ``ids`` are current documents ``user`` may see.

    The same rule as ``Document.objects.restrict(user, "view")`` (the subject's own
    ``restrict``; tested equal), asked from the candidates' side: one query for their subjects,
    then one per subject type over those subjects only. The document queryset's scope is one
    OR over every subject type, which SQLite answers by walking every subject in scope — 60 ms
    for 500 candidates among 2,000 documents — whatever the candidates."""
    if not (user and user.is_authenticated and user.is_active):
        return set()
    if not user.has_model_perm(Document, "view") or not ids:
        return set()
    by_type: dict[int, dict[int, list[int]]] = {}
    rows = Document.objects.filter(pk__in=ids, is_current=True).values_list(
        "pk", "subject_type_id", "subject_id"
    )
    for pk, type_id, subject_id in rows:
        by_type.setdefault(type_id, {}).setdefault(subject_id, []).append(pk)
    keep: set[int] = set()
    for type_id, subjects in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        spec = subject_spec(model) if model is not None else None
        if spec is None or spec.model is not model:
            continue
        seen = spec.readable(user).filter(pk__in=list(subjects)).values_list("pk", flat=True)
        for subject_id in seen:
            keep.update(subjects[subject_id])
    return keep


def search(user, query: str, *, limit: int = 50) -> list[Hit]:
    """Current documents ``user`` may see whose title or text holds every term of ``query``,
    best first; an empty or meaningless query finds nothing."""
    terms = parse_query(query)
    if not terms or limit <= 0 or not user.has_model_perm(Document, "view"):
        return []
    ranked = _first_visible(terms, limit, lambda ids: visible_ids(user, ids))
    # The snippet is looked for in the text's head: a long text is not read whole per hit.
    documents = (
        Document.objects.select_related("category")
        .defer("text")
        .annotate(text_head=Substr("text", 1, SNIPPET_SCAN))
        .in_bulk([pk for pk, _ in ranked])
    )
    pattern = _highlight_pattern(terms)
    return [
        Hit(
            document=documents[pk],
            score=score,
            title=highlight(documents[pk].title, pattern),
            snippet=snippet(documents[pk].text_head, pattern),
        )
        for pk, score in ranked
        if pk in documents
    ]


class DocumentTextFilter:
    """The global search box's way into documents (``registry.selectors.Searchable``): the
    scoped queryset it is given, narrowed to the best full-text matches in it."""

    LIMIT = 50

    def __init__(self, data: dict, queryset: QuerySet) -> None:
        self.queryset = queryset

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        terms = parse_query(value)
        scoped = queryset.filter(is_current=True)
        if not terms:
            return scoped.none()

        def visible(ids: list[int]) -> set[int]:
            return set(scoped.filter(pk__in=ids).values_list("pk", flat=True))

        ranked = _first_visible(terms, self.LIMIT, visible)
        return scoped.filter(pk__in=[pk for pk, _ in ranked])


# Highlighting -------------------------------------------------------------------------------------
def _highlight_pattern(terms: list[Term]) -> re.Pattern[str] | None:
    """A regex for the terms in the original text: case-insensitive, full-width forms and the
    line breaks a PDF puts between Chinese characters allowed."""
    alternatives = []
    for term in sorted(terms, key=lambda t: -len(t.text)):
        characters = [c for c in term.text if c.isalnum()]
        if not characters:
            continue
        alternatives.append(r"\s*".join(_char_class(c) for c in characters))
    return re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None


def _char_class(character: str) -> str:
    """``character`` or its full-width form (Ａ for a, １ for 1)."""
    if character.isascii():
        wide = chr(ord(character.upper()) + 0xFEE0) + chr(ord(character) + 0xFEE0)
        return f"[{re.escape(character)}{wide}]"
    return re.escape(character)


def highlight(text: str, pattern: re.Pattern[str] | None) -> SafeString:
    """``text`` escaped, its matches wrapped in ``<mark>`` (escaped too: no markup from data)."""
    if pattern is None:
        return mark_safe(escape(text))  # escaped just now
    out = []
    last = 0
    for match in pattern.finditer(text):
        if match.end() == match.start():
            continue
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # every piece escaped above


def snippet(
    text: str, pattern: re.Pattern[str] | None, *, width: int = SNIPPET_CHARS
) -> SafeString:
    """About ``width`` characters of ``text`` around its first match, highlighted."""
    text = text or ""
    match = pattern.search(text) if pattern is not None else None
    start = max(0, match.start() - width // 3) if match else 0
    # One space for any run of blanks, none between Chinese characters (a PDF's line breaks).
    passage = _CJK_GAP.sub("", " ".join(text[start : start + width].split()))
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(prefix + highlight(passage, pattern) + suffix)  # escaped


# Wiring -------------------------------------------------------------------------------------------
def _context(document: Document) -> str:
    return f"{document.category.name} · {document.original_name}"


def _on_delete(sender, instance: Document, **kwargs) -> None:
    remove_document(instance)


def register() -> None:
    """Documents in the header's search box (by full text); a deleted document leaves the index."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_migrate

    from ..registry.selectors import Searchable, register_search

    register_search(
        Searchable(Document, DocumentTextFilter, ("category",), "archives:search", _context)
    )
    post_delete.connect(_on_delete, sender=Document, dispatch_uid="archives.search.remove")
    post_migrate.connect(
        prune, sender=apps.get_app_config("archives"), dispatch_uid="archives.search.prune"
    )
