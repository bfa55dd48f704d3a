"""Graded protection's section of the period report: precious-list entries and key units."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from guji.models import Institution
from guji.protection.models import Listing, ListLevel
from guji.reports.tables import Column, Table


def listings_table(scope) -> Table:
    listings = scope.filter(Listing.objects.all(), "holding__institution")
    rows = (
        listings.order_by()
        .values_list(
            "precious_list__level",
            "precious_list__name",
            "precious_list__batch",
            "precious_list__year",
        )
        .annotate(n=Count("id"))
    )
    levels = dict(ListLevel.choices)
    order = {v: i for i, v in enumerate(ListLevel.values)}
    out = sorted(rows, key=lambda r: (order.get(r[0], 9), r[3], r[2], r[1]))
    return Table(
        key="precious_list_entries",
        title=_("Entries on the precious ancient book lists"),
        columns=[
            Column(_("List level"), "text"),
            Column(_("List"), "text"),
            Column(_("Batch"), "int"),
            Column(_("Year"), "int"),
            Column(_("Entries"), "int"),
        ],
        rows=[[str(levels.get(lv, lv)), name, batch, year, n] for lv, name, batch, year, n in out],
        chart=(1, 4),
    ).with_totals(c2="", c3="")


def key_units_table(scope) -> Table:
    institutions = scope.institutions()
    levels = [k for k in Institution.KeyProtection if k.value]
    counts = institutions.aggregate(
        **{k.value: Count("id", filter=Q(key_protection=k.value)) for k in levels}
    )
    return Table(
        key="key_protection_units",
        title=_("Key protection units"),
        columns=[Column(_("Level"), "text"), Column(_("Institutions"), "int")],
        rows=[[str(k.label), counts[k.value]] for k in levels],
        chart=(0, 1),
    ).with_totals()


def report_section(period, scope) -> list[Table]:
    return [listings_table(scope), key_units_table(scope)]
