"""What a report covers: a period (a year or one of its quarters) and a scope of institutions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guji.models import Institution


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None  # 1–4; None for the whole year

    def __post_init__(self) -> None:
        if not 1900 <= self.year <= 2999:
            raise ValueError(f"Year out of range: {self.year}")
        if self.quarter is not None and self.quarter not in (1, 2, 3, 4):
            raise ValueError(f"Quarter out of range: {self.quarter}")

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1 + 3 * (self.quarter - 1) if self.quarter else 1, 1)

    @property
    def end(self) -> datetime.date:
        """The first day after the period (exclusive)."""
        if self.quarter is None or self.quarter == 4:
            return datetime.date(self.year + 1, 1, 1)
        return datetime.date(self.year, 1 + 3 * self.quarter, 1)

    @property
    def start_at(self) -> datetime.datetime:
        """The period's first moment, in the project's time zone (for datetime columns: a
        range on the column itself, which an index serves, instead of a cast to a date)."""
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def end_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.end, datetime.time.min))

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    def label(self) -> str:
        if self.quarter:
            return _("%(year)s, quarter %(quarter)s") % {"year": self.year, "quarter": self.quarter}
        return _("Year %(year)s") % {"year": self.year}

    def slug(self) -> str:
        return f"{self.year}" + (f"-Q{self.quarter}" if self.quarter else "")


@dataclass(frozen=True)
class Scope:
    """The institutions a report covers: ``None`` is the whole city (no filter at all, so a
    province-size register is read without an IN list of a thousand ids)."""

    institution_ids: tuple[int, ...] | None = None

    def filter(self, rows: QuerySet, path: str = "institution") -> QuerySet:
        if self.institution_ids is None:
            return rows
        return rows.filter(**{f"{path}__in": self.institution_ids})

    def institutions(self) -> QuerySet[Institution]:
        return self.filter(Institution.objects.all(), "pk")


CITYWIDE = Scope()
