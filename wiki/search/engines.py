"""The full-text index behind one interface: SQLite FTS5, or PostgreSQL tsvector with GIN.

One document per page (its id is the page id) and one per talk comment (its id is minus
the comment id), each with a title (the page title or the topic subject), the text a reader
sees, and the page it belongs to. Deleted pages and redirects have no documents (nor has
the talk of a deleted page), so queries need no join. The index tables are created by
migration 0005 and kept out of the SQLAlchemy metadata (see `include_name`), because they
differ per engine.

User input never reaches SQL text: queries are parsed by `text.parse_query` and compiled
into an FTS5 expression or tsquery text made only of quoted words, passed as parameters.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy import JSON, Connection, TextClause, bindparam, text
from sqlalchemy.orm import Session

from .text import BODY_LABEL, TITLE_LABEL, Query, fts5_match, index_words, tsquery

TABLE = "search_index"
#: Title matches weigh this much more than body matches in SQLite's bm25.
TITLE_WEIGHT = 10.0
#: How many title matches and other matches are ranked (scoring costs per match); the rest
#: of the matches are left out. Result pages show search.service.MAX_PAGE × PER_PAGE = 1000.
RANKED_TITLES = 200
RANKED_MATCHES = 1000
#: Words are counted up to this many documents when choosing a spelling to suggest.
KNOWN_CAP = 1000
#: The reader's language and the site's (what a page without a language of its own is in).
Langs = tuple[str | None, str | None]
#: How far down its tier a title match goes, read from its page: 0 for an article in the
#: reader's language, 1 in another, 2 and 3 for a page in a namespace (a category, template
#: or file). A reader looking for "campaign" wants the campaign pages before
#: Category:Campaigns and Template:Campaign brief, and "Bottega Studio" before its Italian
#: translation if they read English. Worked out for the title matches only (at most
#: RANKED_TITLES): reading a title from FTS5 reads its row, which for a thousand other
#: matches doubled the search. :lang is the reader's, :site_lang what a page without one
#: is written in; a talk document (below 0) is no page.
_NAMESPACES = ("category", "template", "file", "image")
_AWAY = (
    "coalesce((SELECT 2 * (CASE WHEN "
    + " OR ".join(f"lower(page.title) LIKE '{name}:%'" for name in _NAMESPACES)
    + " THEN 1 ELSE 0 END) + (CASE WHEN coalesce(page.lang, :site_lang) = :lang "
    "THEN 0 ELSE 1 END) FROM page WHERE page.id = {document}), 0)"
)


def _away(document: str) -> str:
    """Return the SQL of how far down its tier a title match goes (see _AWAY)."""
    return _AWAY.replace("{document}", document)


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Keep the search tables (and FTS5's shadow tables) out of `flask db check`."""
    if type_ == "table" and name is not None:
        return name != TABLE and not name.startswith(TABLE + "_")
    return True


@dataclass(frozen=True)
class Doc:
    """One indexed document."""

    id: int
    page_id: int
    title: str
    body: str


class Engine(ABC):
    """What search needs from a database: keep documents, rank them, read them back."""

    name: str

    @abstractmethod
    def upsert(self, conn: Connection | Session, docs: Sequence[Doc]) -> None:
        """Add the documents, replacing any with the same ids."""

    def remove(self, conn: Connection | Session, doc_ids: Iterable[int]) -> None:
        """Remove the documents with these ids, if indexed."""
        ids = list(doc_ids)
        if ids:
            conn.execute(_removing(self.id_column), {"ids": ids})

    def remove_page(self, conn: Connection | Session, page_id: int) -> None:
        """Remove a page's document and those of its talk."""
        conn.execute(text(f"DELETE FROM {TABLE} WHERE page_id = :page_id"), {"page_id": page_id})

    def clear(self, conn: Connection | Session) -> None:
        """Remove every document."""
        conn.execute(text(f"DELETE FROM {TABLE}"))

    def start_bulk(self, conn: Connection | Session) -> None:  # noqa: B027 (optional hook)
        """Prepare for adding every document afresh (flask reindex)."""

    def merge_bulk(self, conn: Connection | Session) -> None:  # noqa: B027 (optional hook)
        """Fold in what was added in bulk so far, without stopping searches or saves."""

    def end_bulk(self, conn: Connection | Session) -> None:  # noqa: B027 (optional hook)
        """Finish adding documents in bulk: searches are as fast as before."""

    @abstractmethod
    def ranked(
        self,
        conn,
        query: Query,
        *,
        talk: bool,
        limit: int,
        offset: int,
        lang: Langs = (None, None),
    ) -> list[int]:
        """Return the ids of matching documents, title matches first, then by relevance;
        lang: the reader's language and the site's, so pages in the reader's come first."""

    @abstractmethod
    def titles(self, conn, query: Query, limit: int) -> list[int]:
        """Return the ids of pages whose titles match, best first."""

    def known(self, conn, words: Sequence[str], *, prefix: bool = False) -> dict[str, int]:
        """Return which of these folded words (letters only) the index holds, each with how
        many documents hold it (counted up to KNOWN_CAP); prefix: or a word starting so."""
        if not words:
            return {}
        found = list(conn.execute(self.KNOWN[prefix], {"words": list(words)}).scalars())
        counting = self.COUNTED[prefix]
        return {
            word: conn.execute(counting, {"word": word, "cap": KNOWN_CAP}).scalar_one()
            for word in found
        }

    #: By prefix (False/True): the statement keeping the :words the index holds (one index
    #: probe each), and the one counting the documents holding :word, up to :cap.
    KNOWN: dict[bool, TextClause]
    COUNTED: dict[bool, TextClause]

    def fetch(self, conn, doc_ids: Sequence[int]) -> dict[int, Doc]:
        """Return the documents with these ids."""
        if not doc_ids:
            return {}
        rows = conn.execute(_fetching(self.id_column), {"ids": list(doc_ids)})
        return {row[0]: Doc(*row) for row in rows}

    def count(self, conn) -> int:
        """Return how many documents are indexed."""
        return conn.execute(text(f"SELECT count(*) FROM {TABLE}")).scalar_one()

    @abstractmethod
    def size(self, conn) -> int:
        """Return the bytes the index takes on disk (tables and indexes)."""

    id_column = "id"


@cache
def _fetching(id_column: str) -> TextClause:
    """Return the SELECT of documents by id, made once (every search runs it)."""
    statement = text(
        f"SELECT {id_column}, page_id, title, body FROM {TABLE} WHERE {id_column} IN :ids"
    )
    return statement.bindparams(bindparam("ids", expanding=True))


@cache
def _removing(id_column: str) -> TextClause:
    """Return the DELETE of documents by id, made once (every save runs it)."""
    statement = text(f"DELETE FROM {TABLE} WHERE {id_column} IN :ids")
    return statement.bindparams(bindparam("ids", expanding=True))


def _then(prefix: bool, mark: str) -> str:
    """Return the SQL appending a prefix search's mark to a quoted word, if prefix."""
    return f" || '{mark}'" if prefix else ""


#: Made once, as every save runs them.
_FTS5_INSERT = text(
    f"INSERT INTO {TABLE} (rowid, title, body, page_id) VALUES (:id, :title, :body, :page_id)"
)


_TSV_UPSERT = text(
    f"INSERT INTO {TABLE} (id, page_id, title, body, title_tsv, tsv) VALUES "
    "(:id, :page_id, :title, :body, to_tsvector('simple', :title_words), "
    f"setweight(to_tsvector('simple', :title_words), '{TITLE_LABEL}') || "
    f"setweight(to_tsvector('simple', :body_words), '{BODY_LABEL}')) "
    "ON CONFLICT (id) DO UPDATE SET page_id = excluded.page_id, "
    "title = excluded.title, body = excluded.body, "
    "title_tsv = excluded.title_tsv, tsv = excluded.tsv"
)


_FTS5_TITLE_IDS = text(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH :title_match LIMIT :titles")


@cache
def _fts5_ranked(talk: bool, with_titles: bool) -> TextClause:
    """Return the query ranking matches, title matches (ids given) first; made once.

    "+rowid" keeps SQLite from handing the id lists to FTS5 as rowid lookups (one search
    per id, 0.2 ms each).
    """
    only_pages = "" if talk else "AND rowid > 0"
    score = f"bm25({TABLE}, {TITLE_WEIGHT}, 1.0)"
    matching = f"SELECT rowid AS id, {score} AS score FROM {TABLE} WHERE {TABLE} MATCH :match"
    if not with_titles:
        return text(
            f"WITH others AS MATERIALIZED ({matching} {only_pages} LIMIT :matches) "
            "SELECT id FROM others ORDER BY score, id LIMIT :limit OFFSET :offset"
        )
    in_title = (
        f"SELECT rowid AS id, {score} AS score, {_away(TABLE + '.rowid')} AS away "
        f"FROM {TABLE} WHERE {TABLE} MATCH :match"
    )
    statement = text(
        f"WITH in_title AS MATERIALIZED ({in_title} {only_pages} AND +rowid IN :title_ids), "
        f"others AS MATERIALIZED ({matching} {only_pages} "
        "AND +rowid NOT IN :title_ids LIMIT :matches) "
        "SELECT id FROM (SELECT id, 1 AS in_title, away, score FROM in_title "
        "UNION ALL SELECT id, 0, 0, score FROM others) "
        "ORDER BY in_title DESC, away, score, id LIMIT :limit OFFSET :offset"
    )
    return statement.bindparams(bindparam("title_ids", expanding=True))


class SQLiteEngine(Engine):
    """FTS5 with the unicode61 tokenizer folding case and accents; ranked by bm25."""

    name = "sqlite"
    id_column = "rowid"

    def upsert(self, conn, docs: Sequence[Doc]) -> None:
        """Add the documents (FTS5 has no upsert: delete, then insert)."""
        if not docs:
            return
        self.remove(conn, [doc.id for doc in docs])
        conn.execute(
            _FTS5_INSERT,
            [{"id": d.id, "title": d.title, "body": d.body, "page_id": d.page_id} for d in docs],
        )

    def ranked(
        self,
        conn,
        query: Query,
        *,
        talk: bool,
        limit: int,
        offset: int,
        lang: Langs = (None, None),
    ) -> list[int]:
        """Return matching document ids, title matches first, then by bm25.

        bm25 reads the position lists of every row it scores (2.6 µs a row), so a word found
        on nearly every page would be scored on every page. As on PostgreSQL, only the title
        matches (up to RANKED_TITLES) and the first RANKED_MATCHES other matches are scored,
        all with the one MATCH expression, so scores compare. The title matches are found
        first: when there are none, the matches are read once instead of twice (for a phrase
        of two common words, reading them is half the query).
        """
        title_ids = list(
            conn.execute(
                _FTS5_TITLE_IDS,
                {"title_match": fts5_match(query, column="title"), "titles": RANKED_TITLES},
            ).scalars()
        )
        params = {
            "match": fts5_match(query),
            "matches": RANKED_MATCHES,
            "limit": limit,
            "offset": offset,
        }
        if title_ids:
            params |= {"title_ids": title_ids, "lang": lang[0], "site_lang": lang[1]}
        return list(conn.execute(_fts5_ranked(talk, bool(title_ids)), params).scalars())

    KNOWN = {
        prefix: text(
            "SELECT value FROM json_each(:words) WHERE EXISTS (SELECT 1 FROM "
            f"{TABLE} WHERE {TABLE} MATCH '\"' || value || '\"'{_then(prefix, '*')})"
        ).bindparams(bindparam("words", type_=JSON))
        for prefix in (False, True)
    }
    COUNTED = {
        prefix: text(
            f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH "
            f"'\"' || :word || '\"'{_then(prefix, '*')} LIMIT :cap)"
        )
        for prefix in (False, True)
    }

    def titles(self, conn, query: Query, limit: int) -> list[int]:
        """Return page ids whose titles match, best first."""
        statement = text(
            f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH :match AND rowid > 0 "
            f"ORDER BY bm25({TABLE}, 1.0, 0.0), rowid LIMIT :limit"
        )
        params = {"match": fts5_match(query, column="title"), "limit": limit}
        return list(conn.execute(statement, params).scalars())

    def size(self, conn) -> int:
        """Return the pages of the FTS5 table and its shadow tables (needs dbstat)."""
        statement = text("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE :names")
        return conn.execute(statement, {"names": f"{TABLE}%"}).scalar_one()


class PostgresEngine(Engine):
    """tsvector columns with GIN indexes; ranked by ts_rank, title words weighted A.

    Text is folded (case, accents) and split into words in Python before it is indexed and
    before it is searched, so no extension (unaccent) is needed and both engines agree on
    what a word is. The 'simple' configuration then only lower-cases, without stemming:
    pages mix Italian and English, and prefix matching stands in for stemming.

    ts_rank must read the whole tsvector of every document it ranks, so a word found on
    nearly every page would cost a read of the entire index. Only the title matches plus
    the first RANKED_MATCHES other matches are ranked; that is what the result pages can
    show anyway (search.service.MAX_PAGE × PER_PAGE).
    """

    name = "postgresql"
    #: GIN indexes of the table; they keep no pending list (migration 0018) except in bulk.
    GIN_INDEXES = ("ix_search_index_tsv", "ix_search_index_title_tsv")

    def start_bulk(self, conn) -> None:
        """Let the GIN indexes collect new entries in a pending list, merged in bulk: a
        reindex adding each document to them one by one took 6 ms a page."""
        for name in self.GIN_INDEXES:
            conn.execute(
                text(f"ALTER INDEX {name} SET (fastupdate = on, gin_pending_list_limit = 65536)")
            )

    def merge_bulk(self, conn) -> None:
        """Merge what the pending lists collected into the indexes (searches and saves go on
        meanwhile: this takes no lock that stops them)."""
        for name in self.GIN_INDEXES:
            conn.execute(
                text("SELECT gin_clean_pending_list(CAST(:name AS regclass))"), {"name": name}
            )

    def end_bulk(self, conn) -> None:
        """Stop collecting (every search would read the pending lists) and merge what came
        since merge_bulk. Altering an index locks it until the transaction ends: run this
        after merge_bulk, in a transaction of its own, so the lock is brief."""
        for name in self.GIN_INDEXES:
            conn.execute(text(f"ALTER INDEX {name} SET (fastupdate = off)"))
            conn.execute(text(f"ALTER INDEX {name} RESET (gin_pending_list_limit)"))
        self.merge_bulk(conn)

    def upsert(self, conn, docs: Sequence[Doc]) -> None:
        """Add the documents, replacing any with the same ids."""
        if not docs:
            return
        conn.execute(
            _TSV_UPSERT,
            [
                {
                    "id": d.id,
                    "page_id": d.page_id,
                    "title": d.title,
                    "body": d.body,
                    "title_words": index_words(d.title),
                    "body_words": index_words(d.body),
                }
                for d in docs
            ],
        )

    def ranked(
        self,
        conn,
        query: Query,
        *,
        talk: bool,
        limit: int,
        offset: int,
        lang: Langs = (None, None),
    ) -> list[int]:
        """Return matching document ids, title matches first, then by ts_rank."""
        _custom_plans(conn)
        only_pages = "" if talk else "AND id > 0"
        statement = text(
            "SELECT id FROM ("
            f"(SELECT id, true AS in_title, {_away(TABLE + '.id')} AS away, tsv FROM {TABLE} "
            "WHERE title_tsv @@ to_tsquery('simple', :title_q) "
            f"AND tsv @@ to_tsquery('simple', :q) {only_pages} LIMIT :titles) "
            "UNION ALL "
            f"(SELECT id, false, 0, tsv FROM {TABLE} WHERE tsv @@ to_tsquery('simple', :q) "
            f"AND NOT title_tsv @@ to_tsquery('simple', :title_q) {only_pages} LIMIT :matches)"
            ") AS candidates "
            "ORDER BY in_title DESC, away, ts_rank(tsv, to_tsquery('simple', :q), 1) DESC, id "
            "LIMIT :limit OFFSET :offset"
        )
        params = {
            "q": tsquery(query, fields=True),
            "title_q": tsquery(query, positive_only=True),
            "titles": RANKED_TITLES,
            "matches": RANKED_MATCHES,
            "limit": limit,
            "offset": offset,
            "lang": lang[0],
            "site_lang": lang[1],
        }
        return list(conn.execute(statement, params).scalars())

    KNOWN = {
        prefix: text(
            "SELECT w FROM unnest(CAST(:words AS text[])) AS w WHERE EXISTS (SELECT 1 FROM "
            f"{TABLE} WHERE tsv @@ to_tsquery('simple', quote_literal(w){_then(prefix, ':*')}))"
        )
        for prefix in (False, True)
    }
    COUNTED = {
        prefix: text(
            f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE tsv @@ to_tsquery('simple', "
            f"quote_literal(:word){_then(prefix, ':*')}) LIMIT :cap) AS s"
        )
        for prefix in (False, True)
    }

    def titles(self, conn, query: Query, limit: int) -> list[int]:
        """Return page ids whose titles match, best first."""
        _custom_plans(conn)
        statement = text(
            f"SELECT id FROM {TABLE} WHERE title_tsv @@ to_tsquery('simple', :q) AND id > 0 "
            "ORDER BY ts_rank(title_tsv, to_tsquery('simple', :q), 1) DESC, id LIMIT :limit"
        )
        params = {"q": tsquery(query, positive_only=True), "limit": limit}
        return list(conn.execute(statement, params).scalars())

    def size(self, conn) -> int:
        """Return the bytes of the table, its TOAST data and its indexes."""
        statement = text("SELECT pg_total_relation_size(CAST(:table AS regclass))")
        return conn.execute(statement, {"table": TABLE}).scalar_one()


_CUSTOM_PLANS = text("SET LOCAL plan_cache_mode = force_custom_plan")


def _custom_plans(conn) -> None:
    """Plan this transaction's searches for their own words.

    psycopg prepares a statement run five times on a connection, and PostgreSQL then plans
    it once for any words: a phrase of two common words, checked on every page, took 73 ms
    with that plan instead of 25 ms with its own (the planner weighs what a word costs
    only when it sees the word).
    """
    conn.execute(_CUSTOM_PLANS)


_ENGINES: dict[str, Engine] = {"sqlite": SQLiteEngine(), "postgresql": PostgresEngine()}


def engine_for(conn: Connection | Session) -> Engine:
    """Return the engine for the database a session or connection talks to."""
    dialect = conn.dialect if isinstance(conn, Connection) else conn.get_bind().dialect
    return _ENGINES[dialect.name]
