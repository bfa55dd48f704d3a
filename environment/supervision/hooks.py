"""Supervision's parts of the core: a menu entry and the overdue actions on the home page."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guji import registry
from guji.permissions import can_anywhere, scope_filter


def _overdue(request) -> dict | None:
    """Overdue corrective actions the user can see: the centre's and the institution's home."""
    from environment.supervision.models import CorrectiveAction

    user = request.user
    if not can_anywhere(user, "view"):
        return None
    actions = list(
        CorrectiveAction.objects.overdue()
        .filter(scope_filter(user, "view", "inspection__institution"))
        .select_related("inspection__institution")[:20]
    )
    if not actions:
        return None
    return {"actions": actions, "today": timezone.localdate()}


def _report(period, scope) -> list:
    from environment.supervision.report import report_section

    return report_section(period, scope)


def register() -> None:
    registry.register_report_section(
        registry.ReportSection("supervision", _("Storage supervision"), 60, _report)
    )
    registry.register_nav(
        registry.NavEntry(
            "inspections",
            _("Supervision"),
            "supervision:inspection_list",
            lambda u: can_anywhere(u, "view"),
            54,
        )
    )
    registry.register_home_section(
        registry.HomeSection("overdue_actions", "supervision/home_overdue.html", _overdue, 10)
    )
    registry.register_urls("supervision/", "environment.supervision.urls")
    registry.register_provider("room_compliance", _room_compliance)
    registry.register_demo(registry.DemoPart(key="supervision", load=_demo, after=("protection",)))


def _room_compliance(institution) -> list[dict]:
    from environment.supervision.compliance import room_compliance

    return room_compliance(institution)


def _demo() -> dict:
    from environment.supervision.demo import load_demo_part

    return load_demo_part()
