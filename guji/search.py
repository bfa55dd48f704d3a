"""Search over ``Holding.search_key``: substring semantics, with an index for short words.

What matches is the same on SQLite and PostgreSQL: the query is normalised as ``search_key`` is
(简体, variant characters folded, lower case) and split on white space, and a holding matches
when every word is a substring of its ``search_key``. A word prefixed by a field (``钤印:汪士鐘``)
or searched with a field chosen must be in that field's section of the key (see
``guji.cataloguing.SEARCH_FIELDS``).

``LIKE '%史记%'`` alone would read all 10⁶ keys, and trigram indexes (pg_trgm, FTS5's trigram
tokenizer) cannot serve the 1- and 2-character words that Chinese titles are searched by. So the
database indexes each key's *grams*: its distinct 1- and 2-character substrings that hold no
space. A word is a substring of a key only if the word's grams are all among the key's grams, so
the index narrows 10⁶ rows to the candidates: for a word of 1 or 2 characters the grams decide,
for a longer one ``LIKE`` decides among the candidates. The index never changes a result, only
how fast it comes.

The grams are made by the database from ``search_key`` (which ``guji.services.derive`` computes),
so every write path, bulk ones included, keeps them in step; migration 0002 sets them up (its
SQL and ``grams`` below must agree on what a gram is):

* PostgreSQL: a GIN index on ``guji_grams(search_key)``, an immutable SQL function returning the
  grams as ``text[]``; a word's grams are matched with ``@>``.
* SQLite: a contentless FTS5 table ``guji_holding_grams`` kept by triggers on ``guji_holding``,
  each gram written as the hex of its UTF-8 bytes so that the ``unicode61`` tokenizer keeps it as
  one token; a word's grams are matched with ``MATCH '"e58fb2e8aeb0" AND …'``.
"""

import re

from django.db import connections
from django.db.models import BooleanField, F, Func, QuerySet, TextField
from django.db.models.expressions import RawSQL

from guji.cataloguing import SEARCH_FIELDS, SEARCH_MARKS, search_key

FTS_TABLE = "guji_holding_grams"  # created, with its triggers, by migration 0002
_SQLITE_MATCH = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"


def words(query: str) -> list[str]:
    """The words a query is matched by, normalised as ``search_key`` is."""
    return search_key(query).split()


# What a word may be prefixed by to look in one field only: ``题名:史记``, ``钤印：汪士鐘``.
FIELD_PREFIXES: dict[str, str] = {
    **{p: "title" for p in ("题名", "題名", "书名", "書名", "title", "t")},
    **{p: "author" for p in ("著者", "作者", "责任者", "責任者", "author", "a")},
    **{p: "edition" for p in ("版本", "出版", "刻书", "刻書", "edition", "e")},
    **{p: "annotations" for p in ("批校", "题跋", "題跋", "批校题跋", "批校題跋", "annotations")},
    **{p: "seals" for p in ("钤印", "鈐印", "印", "seals", "seal")},
    **{p: "number" for p in ("编号", "編號", "索书号", "索書號", "普查编号", "number", "n")},
}
_PREFIX = re.compile(r"^(?P<field>[^:：\s]+)[:：](?P<rest>.*)$")


def terms(query: str, field: str | None = None) -> list[tuple[str, str | None]]:
    """The query's words, each with the field it is restricted to (None: any field).

    ``field`` restricts the words that carry no prefix of their own; an unknown prefix is read
    as part of the word (``1:2`` stays a word).
    """
    out = []
    for raw in query.split():
        restricted = field
        m = _PREFIX.match(raw)
        if m and m.group("field").lower() in FIELD_PREFIXES:
            restricted, raw = FIELD_PREFIXES[m.group("field").lower()], m.group("rest")
        out += [(word, restricted) for word in words(raw)]
    return out


def grams(word: str) -> list[str]:
    """The grams that must all be in a key for ``word`` (no white space) to be a substring.

    A 1-character word is its own gram; a longer word needs its 2-character substrings. For
    words of 1 or 2 characters having the grams is the same as containing the word.
    """
    if len(word) == 1:
        return [word]
    return list(dict.fromkeys(word[i : i + 2] for i in range(len(word) - 1)))


def matching(holdings: QuerySet, query: str, field: str | None = None) -> QuerySet:
    """Keep the holdings whose ``search_key`` contains every word of ``query``.

    A word found in very many keys is matched by ``LIKE`` alone: walking the rows newest-first,
    a page and the capped count fill up after a few thousand rows, while the index would hand
    over every candidate first. How common a word is comes from the database, one quick query
    per word: SQLite counts the index's candidates up to ``SQLITE_COMMON``; PostgreSQL reads its
    own statistics of the grams (``pg_stats`` on the GIN index).
    """
    vendor = connections[holdings.db].vendor
    for word, restricted in terms(query, field):
        wanted, indexed = grams(word), False
        if vendor == "postgresql" and _postgres_share(holdings.db, wanted) <= POSTGRES_COMMON:
            holdings = holdings.filter(_GramsContain(_Grams(F("search_key")), _text_array(wanted)))
            indexed = True
        elif vendor == "sqlite":
            match = " AND ".join(f'"{g.encode().hex()}"' for g in wanted)
            if _sqlite_candidates(holdings.db, match) <= SQLITE_COMMON:
                holdings = holdings.filter(pk__in=RawSQL(_SQLITE_MATCH, (match,)))
                indexed = True
        if restricted:
            holdings = holdings.filter(search_key__regex=in_field(restricted, word))
        elif len(word) > 2 or not indexed:
            holdings = holdings.filter(search_key__contains=word)
    return holdings


def in_field(field: str, word: str) -> str:
    """A regular expression (Python's and PostgreSQL's alike) for ``word`` in one section."""
    return f"{SEARCH_FIELDS[field]}[^{SEARCH_MARKS}]*{re.escape(word)}"


# SQLite reads ``id IN (SELECT rowid … MATCH …)`` by first listing every candidate (~0.6 µs
# each, for the count and again for the page), while a LIKE on the rows walked newest-first
# stops as soon as the page and the capped count are full (1,000 matches: 1,000/density rows at
# ~1.3 µs). The two cost the same near 3% of the table; a word in more than 20,000 keys (2% of
# 10⁶) is matched by LIKE alone.
SQLITE_COMMON = 20_000
# PostgreSQL: a word whose rarest gram is in more than 2% of the keys (诗集 is in 4.5%) makes the
# planner walk rows newest-first computing guji_grams() on each (~100 ms for a page); LIKE alone
# does that walk in a few ms. Rarer words read the GIN index.
POSTGRES_COMMON = 0.02


def _sqlite_candidates(db: str, match: str) -> int:
    with connections[db].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({_SQLITE_MATCH} LIMIT {SQLITE_COMMON + 1})", [match])
        return cursor.fetchone()[0]


def _postgres_share(db: str, wanted: list[str]) -> float:
    """The share of keys holding the rarest of ``wanted``, as ANALYZE saw it (0 if unknown)."""
    with connections[db].cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'holding_search_grams'"
        )
        row = cursor.fetchone()
    if not row or not row[0]:
        return 0.0
    share = dict(zip(row[0], row[1], strict=False))  # freqs end with min, max and null share
    return min(share.get(g, 0.0) for g in wanted)


class _Grams(Func):
    function = "guji_grams"
    output_field = TextField()


class _GramsContain(Func):
    arg_joiner = " @> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _text_array(values: list[str]) -> RawSQL:
    return RawSQL("%s::text[]", (values,))
