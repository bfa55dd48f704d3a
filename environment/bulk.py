"""Writing readings straight to the driver: COPY on PostgreSQL, executemany on SQLite.

New readings go through the shared ``guji.files.bulk.insert_raw`` (docs/platform.md); readings
that may overlap stored ones need ON CONFLICT DO NOTHING, which COPY cannot do, so on PostgreSQL
they are copied into a temporary table first. Rows are tuples
``(sensor_id, time, temperature_c, rh, lux, uv, co2)`` with aware times.
"""

from datetime import UTC

from django.db import connection

from guji.files.bulk import insert_raw

COLUMNS = ("sensor_id", "time", "temperature_c", "rh", "lux", "uv", "co2")
TABLE = "environment_reading"
_COLS = ", ".join(COLUMNS)


def _sqlite_time(when) -> str:
    # What Django's SQLite backend stores for an aware datetime: UTC, naive, isoformat(" ").
    return str(when.astimezone(UTC).replace(tzinfo=None))


def write_readings(rows: list[tuple], *, skip_existing: bool) -> int:
    """Insert ``rows``; with ``skip_existing`` a (sensor, time) already stored is left as it is.

    Returns the number of rows written. Without ``skip_existing`` a duplicate raises
    IntegrityError (the caller checked there was none: the fast path).
    """
    if not rows:
        return 0
    connection.ensure_connection()
    if not skip_existing:
        if connection.vendor == "postgresql":
            insert_raw(TABLE, COLUMNS, rows)
        else:
            insert_raw(TABLE, COLUMNS, ((r[0], _sqlite_time(r[1]), *r[2:]) for r in rows))
        return len(rows)
    if connection.vendor == "postgresql":
        return _copy_skipping_existing(rows)
    sql = f"INSERT INTO {TABLE} ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
    cursor = connection.connection.cursor()
    try:
        before = connection.connection.total_changes
        cursor.executemany(sql, ((r[0], _sqlite_time(r[1]), *r[2:]) for r in rows))
        return connection.connection.total_changes - before
    finally:
        cursor.close()


def _copy_skipping_existing(rows: list[tuple]) -> int:
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS environment_reading_incoming "
            f"(LIKE {TABLE} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        cursor.execute("TRUNCATE environment_reading_incoming")
        with cursor.copy(f"COPY environment_reading_incoming ({_COLS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {TABLE} ({_COLS}) SELECT {_COLS} FROM environment_reading_incoming "
            "ON CONFLICT DO NOTHING"
        )
        written = cursor.rowcount
        cursor.execute("TRUNCATE environment_reading_incoming")
        return written
