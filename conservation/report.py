"""The repair base's section of the period report: damage levels, the repair queue, and the
period's repair output (部/册/叶, hours) and materials, each one aggregate query."""

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from conservation.models import (
    HoldingDamage,
    MaterialBatch,
    RepairLog,
    RepairPlan,
)
from conservation.queue import queue
from guji.models import Institution
from guji.reports.tables import Column, Table


def damage_table(scope) -> Table:
    rows = (
        scope.filter(HoldingDamage.objects.all(), "holding__institution")
        .order_by()
        .values_list("level", "level_name")
        .annotate(n=Count("holding"))
    )
    out = sorted(rows, key=lambda r: (r[0] is None, r[0] or 0, r[1]))
    return Table(
        key="damage_levels",
        title=_("Assessed holdings by damage level"),
        columns=[Column(_("Damage level"), "text"), Column(_("Holdings (bu)"), "int")],
        rows=[[name or _("No damage level reached"), n] for _lv, name, n in out],
        chart=(0, 1),
        note=_("Each holding at its current damage level (its latest assessment)."),
    ).with_totals()


def queue_table(scope) -> Table:
    rows = (
        scope.filter(queue(), "institution")
        .order_by()
        .values_list("damage__level", "damage__level_name")
        .annotate(n=Count("id"))
    )
    out = sorted(rows, key=lambda r: (r[0] is None, r[0] or 0))
    return Table(
        key="repair_queue",
        title=_("Repair queue by damage level"),
        columns=[Column(_("Damage level"), "text"), Column(_("Holdings waiting"), "int")],
        rows=[[name or _("Requested, not assessed"), n] for _lv, name, n in out],
        chart=(0, 1),
        note=_("Holdings assessed as damaged or asked for, without a repair plan under way."),
    ).with_totals()


def logs_in(period, scope):
    return scope.filter(
        RepairLog.objects.filter(worked_on__gte=period.start, worked_on__lt=period.end),
        "plan__institution",
    )


def output_table(period, scope) -> Table:
    logs = logs_in(period, scope)
    rows = list(
        logs.order_by()
        .values_list("plan__institution")
        .annotate(
            bu=Count("plan__holding", distinct=True),
            ce=Sum("volume_count"),
            ye=Sum("leaf_count"),
            hours=Sum("hours"),
        )
    )
    names = dict(Institution.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "name"))
    accepted = dict(
        scope.filter(
            RepairPlan.objects.filter(
                acceptances__accepted_on__gte=period.start,
                acceptances__accepted_on__lt=period.end,
                status=RepairPlan.Status.ACCEPTED,
            ),
            "institution",
        )
        .order_by()
        .values_list("institution")
        .annotate(n=Count("id", distinct=True))
    )
    table_rows = sorted(
        [
            [names[i], bu, ce or 0, ye or 0, float(hours or 0), accepted.get(i, 0)]
            for i, bu, ce, ye, hours in rows
        ]
    )
    worked = {r[0] for r in rows}
    idle = Institution.objects.filter(pk__in=[i for i in accepted if i not in worked])
    for pk, name in idle.order_by("name").values_list("pk", "name"):
        table_rows.append([name, 0, 0, 0, 0.0, accepted[pk]])
    return Table(
        key="repair_output",
        title=_("Repair output in the period"),
        columns=[
            Column(_("Institution"), "text"),
            Column(_("Holdings worked on (bu)"), "int"),
            Column(_("Ce treated"), "int"),
            Column(_("Leaves treated (ye)"), "int"),
            Column(_("Hours"), "dec"),
            Column(_("Repairs accepted"), "int"),
        ],
        rows=table_rows,
        chart=(0, 4),
        note=_("From the repair logs dated in the period."),
    ).with_totals()


def materials_table(period, scope) -> Table:
    through = RepairLog.materials.through
    rows = (
        through.objects.filter(repairlog__in=logs_in(period, scope).values("pk"))
        .order_by()
        .values_list("materialbatch__kind", "materialbatch__name", "materialbatch__unit")
        .annotate(batches=Count("materialbatch", distinct=True), logs=Count("repairlog"))
    )
    kinds = dict(MaterialBatch.Kind.choices)
    return Table(
        key="repair_materials",
        title=_("Repair materials used in the period"),
        columns=[
            Column(_("Kind"), "text"),
            Column(_("Material"), "text"),
            Column(_("Unit"), "text"),
            Column(_("Batches"), "int"),
            Column(_("Log entries"), "int"),
        ],
        rows=sorted([str(kinds.get(k, k)), name, unit, b, n] for k, name, unit, b, n in rows),
        chart=(1, 4),
    ).with_totals()


def report_section(period, scope) -> list[Table]:
    return [
        damage_table(scope),
        queue_table(scope),
        output_table(period, scope),
        materials_table(period, scope),
    ]
