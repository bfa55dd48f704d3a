"""The repair queue and the statistics pages read here; nothing is written."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, Exists, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth

from conservation.models import Finding, RepairLog, RepairPlan, RepairRequest
from guji.models import Holding

ACTIVE = (RepairPlan.Status.DRAFT, RepairPlan.Status.APPROVED, RepairPlan.Status.FINISHED)


def queue(filters: dict | None = None):
    """Holdings waiting for repair: assessed as damaged or asked for by their institution, and
    without a plan under way. Worst damage first, then 善本 before 普本 by grade, then oldest."""
    filters = filters or {}
    open_request = RepairRequest.objects.filter(
        holding=OuterRef("pk"), status=RepairRequest.Status.OPEN
    )
    active_plan = RepairPlan.objects.filter(holding=OuterRef("pk"), status__in=ACTIVE)
    rows = (
        Holding.objects.annotate(requested=Exists(open_request), planned=Exists(active_plan))
        .filter(Q(damage__level__isnull=False) | Q(requested=True), planned=False)
        .select_related("institution", "damage")
        .annotate(
            level_order=Coalesce("damage__level", Value(99)),
            grade_order=Case(When(grade="", then=Value("9")), default="grade"),
        )
    )
    if filters.get("institution"):
        rows = rows.filter(institution=filters["institution"])
    if filters.get("level"):
        rows = rows.filter(damage__level=filters["level"])
    grade = filters.get("grade")
    if grade == "shanben":
        rows = rows.filter(grade__regex=r"^[123]")
    elif grade:
        rows = rows.filter(grade=grade)
    if filters.get("damage_type"):
        rows = rows.filter(
            Exists(
                Finding.objects.filter(
                    assessment__holding=OuterRef("pk"), damage_type=filters["damage_type"]
                )
            )
        )
    return rows.order_by("level_order", "grade_order", "id")


def open_requests_by_holding(holding_ids) -> dict[int, RepairRequest]:
    return {
        r.holding_id: r
        for r in RepairRequest.objects.filter(
            holding_id__in=holding_ids, status=RepairRequest.Status.OPEN
        ).select_related("requested_by")
    }


def hours_in_month(user, today: datetime.date) -> Decimal:
    start = today.replace(day=1)
    total = RepairLog.objects.filter(conservator=user, worked_on__gte=start).aggregate(
        h=Sum("hours")
    )["h"]
    return total or Decimal(0)


def workload(year: int | None = None) -> list[dict]:
    """Hours, 册 and 叶 per conservator and month (from the logs), newest month first."""
    logs = RepairLog.objects.all()
    if year:
        logs = logs.filter(worked_on__year=year)
    rows = (
        logs.annotate(month=TruncMonth("worked_on"))
        .values("month", "conservator")
        .annotate(
            hours=Sum("hours"),
            volumes=Sum("volume_count"),
            leaves=Sum("leaf_count"),
        )
        .order_by("-month", "conservator")
    )
    from guji.models import User

    names = {u.pk: str(u) for u in User.objects.filter(pk__in={r["conservator"] for r in rows})}
    out = []
    for r in rows:
        month = r["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        out.append(
            {
                "month": month.strftime("%Y-%m"),
                "conservator": names.get(r["conservator"], ""),
                "hours": r["hours"] or Decimal(0),
                "volumes": r["volumes"] or 0,
                "leaves": r["leaves"] or 0,
            }
        )
    return out


def workload_totals(rows: list[dict]) -> dict[str, dict]:
    totals: dict[str, dict] = defaultdict(lambda: {"hours": Decimal(0), "volumes": 0, "leaves": 0})
    for r in rows:
        t = totals[r["conservator"]]
        t["hours"] += r["hours"]
        t["volumes"] += r["volumes"]
        t["leaves"] += r["leaves"]
    return dict(totals)
