"""Index the grams of Holding.search_key for fast substring search (see guji/search.py).

A gram is a 1- or 2-character substring of the key holding no space; ``guji.search.grams`` is
the query side of the same definition. The SQL is written out here, not imported, so that this
migration keeps doing what it did whatever guji/search.py becomes.
"""

from django.db import migrations

FTS = "guji_holding_grams"
MAX_KEY = 2000  # longest key indexed on SQLite; title, juan, authors and numbers stay under 1,400


def _sqlite_grams(key: str) -> str:
    """SQL giving the grams of the expression ``key``, hex-encoded and space-separated."""
    return f"""(SELECT group_concat(gram, ' ') FROM (
        SELECT hex(substr({key}, n, 1)) AS gram FROM guji_gram_position
         WHERE n <= length({key}) AND substr({key}, n, 1) <> ' '
        UNION ALL
        SELECT hex(substr({key}, n, 2)) FROM guji_gram_position
         WHERE n < length({key}) AND instr(substr({key}, n, 2), ' ') = 0
    ))"""


_INSERT_NEW = f"INSERT INTO {FTS} (rowid, grams) SELECT NEW.id, {_sqlite_grams('NEW.search_key')};"
_DELETE_OLD = (
    f"INSERT INTO {FTS} ({FTS}, rowid, grams) "
    f"SELECT 'delete', OLD.id, {_sqlite_grams('OLD.search_key')};"
)

SQLITE = [
    "CREATE TABLE guji_gram_position (n INTEGER PRIMARY KEY)",
    f"WITH RECURSIVE p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < {MAX_KEY}) "
    "INSERT INTO guji_gram_position (n) SELECT n FROM p",
    # Contentless (the keys stay in guji_holding) and without positions: rowids are all we need.
    # Hex tokens: the unicode61 tokenizer keeps each gram whole, whatever its characters.
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(grams, content='', detail='none')",
    f"CREATE TRIGGER guji_holding_grams_insert AFTER INSERT ON guji_holding "
    f"BEGIN {_INSERT_NEW} END",
    f"CREATE TRIGGER guji_holding_grams_delete AFTER DELETE ON guji_holding "
    f"BEGIN {_DELETE_OLD} END",
    "CREATE TRIGGER guji_holding_grams_update AFTER UPDATE OF search_key ON guji_holding "
    f"WHEN OLD.search_key IS NOT NEW.search_key BEGIN {_DELETE_OLD} {_INSERT_NEW} END",
    f"INSERT INTO {FTS} (rowid, grams) SELECT id, {_sqlite_grams('search_key')} FROM guji_holding",
]
SQLITE_REVERSE = [
    "DROP TRIGGER guji_holding_grams_update",
    "DROP TRIGGER guji_holding_grams_delete",
    "DROP TRIGGER guji_holding_grams_insert",
    f"DROP TABLE {FTS}",
    "DROP TABLE guji_gram_position",
]

POSTGRESQL = [
    # Characters by string_to_array (C), pairs by unnest of the array against itself shifted by
    # one: ~80 µs a key, where generate_series and substr took ~300 µs. Duplicates are left in:
    # GIN keeps each distinct gram once. COST 10000 tells the planner that calling it per row
    # is dear, so it reads the GIN index instead of filtering rows walked in id order.
    """CREATE FUNCTION guji_grams(key text) RETURNS text[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 10000 AS $$
        SELECT array_remove(c, ' ') || ARRAY(
            SELECT a || b FROM unnest(c[:cardinality(c) - 1], c[2:]) AS pair(a, b)
             WHERE a <> ' ' AND b <> ' ')
        FROM string_to_array(key, NULL) AS c
    $$""",
    "CREATE INDEX holding_search_grams ON guji_holding USING gin (guji_grams(search_key))",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX holding_search_grams",
    "DROP FUNCTION guji_grams(text)",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("guji", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
