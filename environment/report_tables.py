"""The storage environment's section of the period report: compliance (share of measured time
within the room's limits) and TWPI per institution and per room, from the daily roll-ups
(environment.report's formulas: TWPI = ΣΔt / Σ(Δt/PI), storage.md B.2)."""

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from environment.models import DailyRollup, Excursion, Room
from environment.report import twpi
from environment.rollups import day_bounds
from guji.models import Institution
from guji.reports.tables import Column, Table, share

SUMS = {
    "seconds": Sum("seconds"),
    "measured": Sum("seconds_measured"),
    "in_range": Sum("seconds_in_range"),
    "pi_rate": Sum("pi_rate"),
    "mold": Sum("mold"),
}


def _rollups(period, scope):
    rows = DailyRollup.objects.filter(day__gte=period.start, day__lt=period.end)
    return scope.filter(rows, "sensor__room__institution")


def _excursions(period, scope):
    first, _x = day_bounds(period.start)
    last, _y = day_bounds(period.end)
    rows = Excursion.objects.filter(start__lt=last, end__gte=first)
    return scope.filter(rows, "room__institution")


def _twpi(r: dict) -> float | None:
    value = twpi(r.get("seconds"), r.get("pi_rate"))
    return None if value is None else round(value, 1)


def totals_of(period, scope) -> dict:
    return _rollups(period, scope).aggregate(**SUMS)


def institution_table(period, scope) -> Table:
    by = {
        r["sensor__room__institution"]: r
        for r in _rollups(period, scope)
        .order_by()
        .values("sensor__room__institution")
        .annotate(rooms_measured=Count("sensor__room", distinct=True), **SUMS)
    }
    rooms = dict(
        scope.filter(Room.objects.all(), "institution")
        .order_by()
        .values_list("institution")
        .annotate(n=Count("id"))
    )
    excursions = dict(
        _excursions(period, scope)
        .order_by()
        .values_list("room__institution")
        .annotate(n=Count("id"))
    )
    institutions = Institution.objects.filter(pk__in=set(rooms) | set(by)).order_by("code", "pk")
    rows = []
    for pk, name in institutions.values_list("pk", "name"):
        r = by.get(pk, {})
        rows.append(
            [
                name,
                rooms.get(pk, 0),
                r.get("rooms_measured", 0),
                share(r.get("in_range"), r.get("measured")),
                _twpi(r),
                excursions.get(pk, 0),
            ]
        )
    all_ = totals_of(period, scope)
    return Table(
        key="storage_by_institution",
        title=_("Storage compliance and TWPI by institution"),
        columns=[
            Column(_("Institution"), "text"),
            Column(_("Rooms"), "int"),
            Column(_("Rooms measured"), "int"),
            Column(_("Time within limits"), "pct"),
            Column(_("TWPI (years)"), "dec"),
            Column(_("Excursions"), "int"),
        ],
        rows=rows,
        chart=(0, 3),
        note=_("Share of the measured time within each room's limits, from daily roll-ups."),
    ).with_totals(c3=share(all_["in_range"], all_["measured"]), c4=_twpi(all_))


def room_table(period, scope) -> Table:
    by = {
        r["sensor__room"]: r
        for r in _rollups(period, scope)
        .order_by()
        .values("sensor__room")
        .annotate(days=Count("day", distinct=True), **SUMS)
    }
    excursions = dict(
        _excursions(period, scope).order_by().values_list("room").annotate(n=Count("id"))
    )
    rooms = (
        scope.filter(Room.objects.all(), "institution")
        .order_by("institution__code", "institution_id", "code")
        .values_list("pk", "institution__name", "code", "name")
    )
    rows = []
    for pk, institution, code, name in rooms:
        r = by.get(pk, {})
        rows.append(
            [
                institution,
                f"{code} {name}".strip(),
                r.get("days", 0),
                share(r.get("in_range"), r.get("measured")),
                _twpi(r),
                round(r["mold"], 2) if r.get("days") else None,
                excursions.get(pk, 0),
            ]
        )
    all_ = totals_of(period, scope)
    return Table(
        key="storage_by_room",
        title=_("Storage compliance and TWPI by room"),
        columns=[
            Column(_("Institution"), "text"),
            Column(_("Room"), "text"),
            Column(_("Days measured"), "int"),
            Column(_("Time within limits"), "pct"),
            Column(_("TWPI (years)"), "dec"),
            Column(_("Mold risk"), "dec"),
            Column(_("Excursions"), "int"),
        ],
        rows=rows,
        note=_("Mold risk: the sum of the days' exposure over days-to-mold (1 or more is a risk)."),
    ).with_totals(c1="", c3=share(all_["in_range"], all_["measured"]), c4=_twpi(all_), c5="")


def report_section(period, scope) -> list[Table]:
    return [institution_table(period, scope), room_table(period, scope)]
