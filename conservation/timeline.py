"""The repair base's entries in a holding's timeline, read from the history rows."""

from django.utils.translation import gettext as _

from conservation.models import Acceptance, Assessment, RepairLog, RepairPlan, RepairRequest
from guji.history import Change

CREATED, CHANGED = "+", "~"


def holding_timeline(holding) -> list[Change]:
    """Requests, assessments, plans (drawn up, approved, revised, finished), work sessions and
    acceptances, in one query per kind of record."""
    out: list[Change] = []
    for v in RepairRequest.history.filter(holding_id=holding.pk, history_type=CREATED):
        out.append(_change(v, _("Repair requested"), v.description))
    for v in Assessment.history.filter(holding_id=holding.pk, history_type=CREATED):
        level = v.override_level if v.override_level is not None else v.computed_level
        subject = _("Damage assessed: level %(level)s") % {"level": level or "—"}
        out.append(_change(v, subject, v.computed_rule))
    plan_versions = list(
        RepairPlan.history.filter(holding_id=holding.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    previous = None
    for v in plan_versions:
        before = previous if previous is not None and previous.id == v.id else None
        subject = _plan_subject(v, before)
        if subject:
            out.append(_change(v, subject))
        previous = v
    plan_ids = {v.id for v in plan_versions}
    for v in RepairLog.history.filter(plan_id__in=plan_ids, history_type=CREATED):
        subject = _("Work session on repair plan #%(plan)d: %(hours)s h") % {
            "plan": v.plan_id,
            "hours": v.hours,
        }
        out.append(_change(v, subject, v.findings))
    for v in Acceptance.history.filter(plan_id__in=plan_ids, history_type=CREATED).select_related(
        "result"
    ):
        subject = _("Repair plan #%(plan)d: acceptance, %(result)s") % {
            "plan": v.plan_id,
            "result": v.result,
        }
        out.append(_change(v, subject, v.remarks))
    from conservation.images import image_changes

    out += image_changes(plan_ids)
    return out


def _plan_subject(v, before) -> str:
    n = v.id
    if before is None:
        return _("Repair plan #%(plan)d drawn up") % {"plan": n}
    if v.status != before.status:
        return {
            RepairPlan.Status.APPROVED: _("Repair plan #%(plan)d approved"),
            RepairPlan.Status.FINISHED: _("Repair plan #%(plan)d: work finished"),
            RepairPlan.Status.ACCEPTED: _("Repair plan #%(plan)d accepted"),
            RepairPlan.Status.DRAFT: _("Repair plan #%(plan)d changed"),
        }[v.status] % {"plan": n}
    if v.revision != before.revision:
        return _("Repair plan #%(plan)d revised (revision %(rev)d)") % {
            "plan": n,
            "rev": v.revision,
        }
    return ""


def _change(v, subject: str, comment: str = "") -> Change:
    return Change(
        when=v.history_date,
        user=v.history_user,
        reason=v.history_change_reason or "",
        kind=v.history_type,
        subject=subject,
        comment=comment or "",
    )
