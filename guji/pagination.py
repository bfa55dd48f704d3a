"""Paging through big tables in two queries, whatever their size.

Django's ``Paginator`` counts every matching row (``COUNT(*)`` over 10⁶ rows, with the list's
joins) and reaches page 1000 by ``OFFSET 49950`` over the joined rows. Here:

* the count stops at ``COUNT_LIMIT`` matches (``SELECT COUNT(*) FROM (… LIMIT 1001)``): past
  that the page says "more than 1,000". Counting further costs a row read per match wherever
  no index covers the whole filter (10⁴ reads are ~50 ms on SQLite), and a list only needs to
  know that there are many; A whole table (no WHERE at all) is counted from what
  the database already knows: PostgreSQL's planner estimate (``pg_class.reltuples``, shown as
  "about 1,000,000"), SQLite's ``COUNT(*)``, which it answers from its smallest index;
* the page's ids are picked on the bare table (``ORDER BY … LIMIT 51 OFFSET …``, an index scan
  with no joins), and only those rows are read with the list's joins (a deferred join);
* one row past the page tells whether a next page exists, so "next" needs no count.
"""

from dataclasses import dataclass
from typing import Literal

from django.db import connections
from django.db.models import QuerySet

COUNT_LIMIT = 1_000

Accuracy = Literal["exact", "at_least", "about"]


@dataclass
class Page:
    """One page; ``count`` is exact, a lower bound (``at_least``) or an estimate (``about``)."""

    object_list: list
    number: int
    per_page: int
    count: int
    accuracy: Accuracy
    has_next: bool

    @property
    def paginator(self) -> "Page":
        """Templates written for Django's Page read ``page.paginator.count``/``num_pages``."""
        return self

    @property
    def num_pages(self) -> int | None:
        """Known only when the count is exact."""
        if self.accuracy != "exact":
            return None
        return max(1, -(-self.count // self.per_page))

    @property
    def count_is_exact(self) -> bool:
        return self.accuracy == "exact"

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def page_number(value: object) -> int:
    """The page asked for; anything that is not a positive whole number is page 1."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return 1
    return max(1, number)


def paginate(
    queryset: QuerySet,
    number: object,
    *,
    per_page: int,
    rows: QuerySet | None = None,
    count_limit: int | None = None,
) -> Page:
    """Page ``number`` of ``queryset`` (ordered as it is ordered).

    ``rows`` is the queryset the page's rows are read from (with the list's ``select_related``
    and ``only``); it defaults to ``queryset`` itself. Two queries, or three for a whole table
    on PostgreSQL, for any page of any table.
    """
    number = page_number(number)
    count, accuracy = count_rows(queryset, limit=count_limit or COUNT_LIMIT)
    if accuracy == "exact":
        number = min(number, max(1, -(-count // per_page)))  # past the end: the last page
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    offset = (number - 1) * per_page
    ids = queryset.order_by(*ordering).values("pk")[offset : offset + per_page + 1]
    source = queryset if rows is None else rows
    found = list(source.filter(pk__in=ids).order_by(*ordering))
    return Page(
        object_list=found[:per_page],
        number=number,
        per_page=per_page,
        count=count,
        accuracy=accuracy,
        has_next=len(found) > per_page,
    )


def count_rows(queryset: QuerySet, *, limit: int = COUNT_LIMIT) -> tuple[int, Accuracy]:
    """Count up to ``limit`` rows; past it say so, or estimate when it is the whole table.

    The queries run are the same whatever the table holds (a whole table on PostgreSQL always
    asks for the estimate too), so a page costs as many queries at 10³ rows as at 10⁶.
    """
    bare = queryset.order_by()
    whole_table = not bare.query.where
    if whole_table and connections[bare.db].vendor == "sqlite":
        return bare.count(), "exact"  # SQLite counts a whole table from its smallest index
    estimate = _table_estimate(bare) if whole_table else None
    n = bare.values("pk")[: limit + 1].count()
    if n <= limit:
        return n, "exact"
    if estimate is not None and estimate > limit:
        return estimate, "about"
    return limit, "at_least"


def _table_estimate(queryset: QuerySet) -> int | None:
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] >= 0 else None  # -1: never analysed
