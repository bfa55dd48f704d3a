"""Search over ``Holding.search_key``: substring semantics, with an index for short words.

What matches is the same on SQLite and PostgreSQL: the query is normalised as ``search_key`` is
(简体, lower case) and split on white space, and a holding matches when every word is a substring
of its ``search_key``.

``LIKE '%史记%'`` alone would read all 10⁶ keys, and trigram indexes (pg_trgm, FTS5's trigram
tokenizer) cannot serve the 1- and 2-character words that Chinese titles are searched by. So the
database indexes each key's *grams*: its distinct 1- and 2-character substrings that hold no
space. A word is a substring of a key only if the word's grams are all among the key's grams, so
the index narrows 10⁶ rows to the candidates and ``LIKE`` decides on those; the index never
changes a result, only how fast it comes.

The grams are made by the database from ``search_key`` (which ``guji.services.derive`` computes),
so every write path, bulk ones included, keeps them in step; migration 0002 sets them up:

* PostgreSQL: a GIN index on ``guji_grams(search_key)``, an immutable SQL function returning the
  grams as ``text[]``; a word's grams are matched with ``@>``.
* SQLite: a contentless FTS5 table ``guji_holding_grams`` kept by triggers on ``guji_holding``,
  each gram written as the hex of its UTF-8 bytes so that the ``unicode61`` tokenizer keeps it as
  one token; a word's grams are matched with ``MATCH '"e58fb2e8aeb0" AND …'``.
"""

from django.db import connections
from django.db.models import BooleanField, F, Func, QuerySet, TextField
from django.db.models.expressions import RawSQL

from guji.cataloguing import search_key

FTS_TABLE = "guji_holding_grams"


def words(query: str) -> list[str]:
    """The words a query is matched by, normalised as ``search_key`` is."""
    return search_key(query).split()


def grams(word: str) -> list[str]:
    """The grams that must all be in a key for ``word`` (no white space) to be a substring.

    A 1-character word is its own gram; a longer word needs its 2-character substrings. For
    words of 1 or 2 characters having the grams is the same as containing the word.
    """
    if len(word) == 1:
        return [word]
    return list(dict.fromkeys(word[i : i + 2] for i in range(len(word) - 1)))


def matching(holdings: QuerySet, query: str) -> QuerySet:
    """Keep the holdings whose ``search_key`` contains every word of ``query``.

    On SQLite this asks the index how many keys hold each word's grams (one quick query per
    word), because SQLite's planner cannot: see ``SQLITE_COMMON``.
    """
    vendor = connections[holdings.db].vendor
    for word in words(query):
        indexed = False
        if vendor == "postgresql":
            holdings = holdings.filter(
                _GramsContain(_Grams(F("search_key")), _text_array(grams(word)))
            )
            indexed = True
        elif vendor == "sqlite":
            match = " AND ".join(f'"{g.encode().hex()}"' for g in grams(word))
            if _sqlite_candidates(holdings.db, match) <= SQLITE_COMMON:
                holdings = holdings.filter(pk__in=RawSQL(_SQLITE_MATCH, (match,)))
                indexed = True
        if len(word) > 2 or not indexed:
            holdings = holdings.filter(search_key__contains=word)
    return holdings


# SQLite reads ``id IN (SELECT rowid … MATCH …)`` by first listing every candidate (~0.6 µs
# each, for the count and again for the page), while a LIKE on the rows walked newest-first
# stops as soon as the page and the capped count are full (1,000 matches: 1,000/density rows at
# ~1.3 µs). The two cost the same near 3% of the table; a word in more than 20,000 keys (2% of
# 10⁶) is matched by LIKE alone. PostgreSQL's planner makes this choice itself, from statistics.
SQLITE_COMMON = 20_000


def _sqlite_candidates(db: str, match: str) -> int:
    with connections[db].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({_SQLITE_MATCH} LIMIT {SQLITE_COMMON + 1})", [match])
        return cursor.fetchone()[0]


class _Grams(Func):
    function = "guji_grams"
    output_field = TextField()


class _GramsContain(Func):
    arg_joiner = " @> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _text_array(values: list[str]) -> RawSQL:
    return RawSQL("%s::text[]", (values,))


# --- schema (migration 0002) ------------------------------------------------------------------

# Longest search_key the SQLite triggers index (title_juan 400 + title 300 + authors 600 + call
# and census numbers, with separators, is under 1,400 characters).
MAX_KEY = 2000

_SQLITE_MATCH = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"


def _sqlite_grams(key: str) -> str:
    """SQL giving the hex grams of the expression ``key``, space-separated."""
    return f"""(SELECT group_concat(gram, ' ') FROM (
        SELECT hex(substr({key}, n, 1)) AS gram FROM guji_gram_position
         WHERE n <= length({key}) AND substr({key}, n, 1) <> ' '
        UNION ALL
        SELECT hex(substr({key}, n, 2)) FROM guji_gram_position
         WHERE n < length({key}) AND instr(substr({key}, n, 2), ' ') = 0
    ))"""


_INSERT_NEW = (
    f"INSERT INTO {FTS_TABLE} (rowid, grams) SELECT NEW.id, {_sqlite_grams('NEW.search_key')};"
)
_DELETE_OLD = (
    f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, grams) "
    f"SELECT 'delete', OLD.id, {_sqlite_grams('OLD.search_key')};"
)

SQLITE_SETUP = [
    "CREATE TABLE guji_gram_position (n INTEGER PRIMARY KEY)",
    f"WITH RECURSIVE p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < {MAX_KEY}) "
    "INSERT INTO guji_gram_position (n) SELECT n FROM p",
    # Contentless (the keys stay in guji_holding) and without positions: rowids are all we need.
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(grams, content='', detail='none')",
    f"CREATE TRIGGER guji_holding_grams_insert AFTER INSERT ON guji_holding "
    f"BEGIN {_INSERT_NEW} END",
    f"CREATE TRIGGER guji_holding_grams_delete AFTER DELETE ON guji_holding "
    f"BEGIN {_DELETE_OLD} END",
    "CREATE TRIGGER guji_holding_grams_update AFTER UPDATE OF search_key ON guji_holding "
    f"WHEN OLD.search_key IS NOT NEW.search_key BEGIN {_DELETE_OLD} {_INSERT_NEW} END",
    f"INSERT INTO {FTS_TABLE} (rowid, grams) SELECT id, {_sqlite_grams('search_key')} "
    "FROM guji_holding",
]
SQLITE_TEARDOWN = [
    "DROP TRIGGER guji_holding_grams_update",
    "DROP TRIGGER guji_holding_grams_delete",
    "DROP TRIGGER guji_holding_grams_insert",
    f"DROP TABLE {FTS_TABLE}",
    "DROP TABLE guji_gram_position",
]

POSTGRES_SETUP = [
    """CREATE FUNCTION guji_grams(key text) RETURNS text[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT gram), '{}') FROM (
            SELECT substr(key, n, 1) AS gram FROM generate_series(1, char_length(key)) AS n
             WHERE substr(key, n, 1) <> ' '
            UNION ALL
            SELECT substr(key, n, 2) FROM generate_series(1, char_length(key) - 1) AS n
             WHERE strpos(substr(key, n, 2), ' ') = 0
        ) AS grams
    $$""",
    "CREATE INDEX holding_search_grams ON guji_holding USING gin (guji_grams(search_key))",
]
POSTGRES_TEARDOWN = [
    "DROP INDEX holding_search_grams",
    "DROP FUNCTION guji_grams(text)",
]
