"""Monthly partitions of the readings table on PostgreSQL (a no-op elsewhere).

A month's partition is created the first time a reading of that month is about to be written;
dropping a month of readings is ``DROP TABLE environment_reading_yYYYYmMM``.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.db import connection


def month_of(when: datetime) -> tuple[int, int]:
    when = when.astimezone(UTC)
    return when.year, when.month


def partition_name(year: int, month: int) -> str:
    return f"environment_reading_y{year:04d}m{month:02d}"


def months_between(first: datetime, last: datetime) -> list[tuple[int, int]]:
    y, m = month_of(first)
    end = month_of(last)
    out = []
    while (y, m) <= end:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def ensure_partitions(months: Iterable[tuple[int, int]]) -> None:
    """Create the months' partitions unless they exist (one cheap statement a month; not cached,
    since a rolled-back transaction takes its new partitions with it)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for year, month in months:
            name = partition_name(year, month)
            ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF environment_reading "
                f"FOR VALUES FROM ('{year:04d}-{month:02d}-01 00:00:00+00') "
                f"TO ('{ny:04d}-{nm:02d}-01 00:00:00+00')"
            )
