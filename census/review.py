"""Reading for review: record snapshots and their diffs, the queue, likely duplicates, ages."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from census.models import CensusEntry
from guji.cataloguing import search_key
from guji.history import FieldChange
from guji.models import Holding, User
from guji.permissions import scope_filter
from guji.services import EDITABLE_FIELDS

# The catalogue fields a review round records and a reviewer may comment on, in form order.
SNAPSHOT_FIELDS: tuple[str, ...] = (
    *EDITABLE_FIELDS[: EDITABLE_FIELDS.index("juan_count") + 1],
    "authors_text",
    *EDITABLE_FIELDS[EDITABLE_FIELDS.index("juan_count") + 1 :],
)


def field_label(name: str) -> str:
    return str(Holding._meta.get_field(name).verbose_name)


def field_choices() -> list[tuple[str, str]]:
    return [(name, field_label(name)) for name in SNAPSHOT_FIELDS]


def snapshot(holding: Holding) -> dict[str, object]:
    """The record's catalogue fields as JSON: related vocabulary rows by their printed name."""
    values: dict[str, object] = {}
    for name in SNAPSHOT_FIELDS:
        field = Holding._meta.get_field(name)
        if field.is_relation:
            related = getattr(holding, name)
            values[name] = str(related) if related is not None else ""
        else:
            values[name] = getattr(holding, name)
    return values


def snapshot_rows(values: Mapping[str, object]) -> list[tuple[str, str, object]]:
    """(field, label, value) in form order, for showing a snapshot."""
    return [(name, field_label(name), values.get(name)) for name in SNAPSHOT_FIELDS]


def snapshot_diff(old: Mapping[str, object], new: Mapping[str, object]) -> list[FieldChange]:
    """What changed between two rounds' snapshots, in form order."""
    changes = []
    for name in SNAPSHOT_FIELDS:
        before, after = old.get(name), new.get(name)
        if (before in (None, "")) and (after in (None, "")):
            continue
        if before != after:
            changes.append(FieldChange(name, field_label(name), before, after))
    return changes


# --- the queue ----------------------------------------------------------------------------


def queue_entries(user: User) -> QuerySet[CensusEntry]:
    """Submitted entries the user may review, oldest first."""
    return (
        CensusEntry.objects.filter(
            scope_filter(user, "review", "institution"),
            holding__status=Holding.Status.SUBMITTED,
        )
        .select_related("holding", "institution", "campaign")
        .order_by("submitted_at", "pk")
    )


@dataclass(frozen=True)
class AgeBucket:
    key: str
    label: str
    newer_than: timedelta | None  # the bucket holds ages below this; None: no upper bound


AGE_BUCKETS = (
    AgeBucket("day", _("under 1 day"), timedelta(days=1)),
    AgeBucket("week", _("1–7 days"), timedelta(days=7)),
    AgeBucket("month", _("7–30 days"), timedelta(days=30)),
    AgeBucket("older", _("over 30 days"), None),
)


def age_bucket(submitted_at: datetime, *, now: datetime | None = None) -> AgeBucket:
    age = (now or timezone.now()) - submitted_at
    return next(b for b in AGE_BUCKETS if b.newer_than is None or age < b.newer_than)


def bucket_filters(*, now: datetime | None = None) -> dict[str, Q]:
    """One Q per age bucket on ``submitted_at``, for conditional counts."""
    now = now or timezone.now()
    filters, lower = {}, None
    for bucket in AGE_BUCKETS:
        q = Q()
        if bucket.newer_than is not None:
            q &= Q(submitted_at__gt=now - bucket.newer_than)
        if lower is not None:
            q &= Q(submitted_at__lte=now - lower)
        filters[bucket.key] = q
        lower = bucket.newer_than
    return filters


# --- likely duplicates ----------------------------------------------------------------------


def duplicate_key(holding: Holding) -> tuple:
    """Same title, 卷数 and edition, compared as search compares (繁/简 and variants match)."""
    return (
        holding.institution_id,
        search_key(holding.title or "").strip(),
        holding.juan_count,
        search_key(holding.edition_statement or "").strip(),
    )


def likely_duplicates(holdings: Iterable[Holding]) -> dict[int, list[Holding]]:
    """Other holdings of the same institution that look like the same 部, in one query.

    The database narrows by institution, 卷数 and the title inside the simplified search key;
    the exact comparison of the simplified title and edition is made here.
    """
    holdings = [h for h in holdings if h.title]
    if not holdings:
        return {}
    conditions = []
    for h in holdings:
        juan = Q(juan_count=h.juan_count) if h.juan_count is not None else Q(juan_count=None)
        title = search_key(h.title).strip()
        conditions.append(Q(institution_id=h.institution_id, search_key__contains=title) & juan)
    candidates = (
        Holding.objects.filter(reduce(or_, conditions))
        .only(
            "id",
            "institution_id",
            "title",
            "juan_count",
            "edition_statement",
            "call_number",
            "census_number",
            "status",
            "title_juan",
        )
        .order_by("id")
    )
    by_key: dict[tuple, list[Holding]] = {}
    for c in candidates:
        by_key.setdefault(duplicate_key(c), []).append(c)
    found = {}
    for h in holdings:
        others = [c for c in by_key.get(duplicate_key(h), []) if c.pk != h.pk]
        if others:
            found[h.pk] = others
    return found
