"""Supervision's section of the period report: the period's inspections, their findings by
result, and the corrective actions they raised (closed, still open, overdue)."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from environment.supervision.models import CorrectiveAction, Finding, Inspection
from guji.models import Institution
from guji.protection.checklist import Result
from guji.reports.tables import Column, Table


def inspections_in(period, scope):
    rows = Inspection.objects.filter(date__gte=period.start, date__lt=period.end)
    return scope.filter(rows, "institution")


def findings_table(period, scope) -> Table:
    inspections = inspections_in(period, scope)
    counts = {
        r["institution"]: r
        for r in inspections.order_by().values("institution").annotate(n=Count("id"))
    }
    findings = {
        r["inspection__institution"]: r
        for r in Finding.objects.filter(inspection__in=inspections.values("pk"))
        .order_by()
        .values("inspection__institution")
        .annotate(**{res.value: Count("id", filter=Q(result=res.value)) for res in Result})
    }
    actions = {
        r["inspection__institution"]: r
        for r in CorrectiveAction.objects.filter(inspection__in=inspections.values("pk"))
        .order_by()
        .values("inspection__institution")
        .annotate(
            raised=Count("id"),
            closed=Count("id", filter=Q(closed_at__isnull=False)),
            overdue=Count("id", filter=Q(closed_at__isnull=True, due_date__lt=period.end)),
        )
    }
    rows = []
    institutions = Institution.objects.filter(pk__in=list(counts)).order_by("code", "pk")
    for pk, name in institutions.values_list("pk", "name"):
        f, a = findings.get(pk, {}), actions.get(pk, {})
        raised, closed = a.get("raised", 0), a.get("closed", 0)
        rows.append(
            [
                name,
                counts[pk]["n"],
                *(f.get(res.value, 0) for res in Result),
                raised,
                closed,
                raised - closed,
                a.get("overdue", 0),
            ]
        )
    return Table(
        key="supervision",
        title=_("Storage supervision: findings and corrective actions"),
        columns=[
            Column(_("Institution"), "text"),
            Column(_("Inspections"), "int"),
            *(Column(str(res.label), "int") for res in Result),
            Column(_("Actions raised"), "int"),
            Column(_("Closed"), "int"),
            Column(_("Open"), "int"),
            Column(_("Overdue at the end of the period"), "int"),
        ],
        rows=rows,
        chart=(0, 1),
        note=_("Inspections dated in the period; their actions as they stand at compilation."),
    ).with_totals()


def report_section(period, scope) -> list[Table]:
    return [findings_table(period, scope)]
