"""The repair base's parts of the core's pages, registered in ``ConservationConfig.ready()``."""

from django.utils.translation import gettext_lazy as _

from guji import registry
from guji.permissions import can, can_anywhere


def _panel(request, holding) -> dict:
    from conservation.models import RepairRequest
    from conservation.services import current_damage

    user = request.user
    return {
        "holding": holding,
        "current": current_damage(holding),
        "assessments": list(
            holding.assessments.select_related("assessed_by", "scheme").prefetch_related(
                "scheme__levels"
            )
        ),
        "plans": list(holding.repair_plans.all()),
        "open_request": holding.repair_requests.filter(status=RepairRequest.Status.OPEN)
        .select_related("requested_by")
        .first(),
        "may_assess": can(user, "assess", holding),
        "may_plan": can(user, "plan", holding),
        "may_request": can(user, "catalogue", holding),
    }


def _home(request) -> dict | None:
    if not can_anywhere(request.user, "assess"):
        return None
    from conservation.views import my_work_context

    return my_work_context(request)


def _timeline(holding) -> list:
    from conservation.timeline import holding_timeline

    return holding_timeline(holding)


def _demo() -> dict:
    from conservation.demo import load

    return load()


def _report(period, scope) -> list:
    from conservation.report import report_section

    return report_section(period, scope)


def register() -> None:
    registry.register_report_section(
        registry.ReportSection("conservation", _("Damage and repair"), 40, _report)
    )
    for entry in (
        registry.NavEntry(
            "repair_queue",
            _("Repair queue"),
            "conservation:queue",
            lambda u: can_anywhere(u, "assess"),
            40,
        ),
        registry.NavEntry(
            "repair_materials",
            _("Repair materials"),
            "conservation:batch_list",
            lambda u: can_anywhere(u, "materials"),
            41,
        ),
    ):
        registry.register_nav(entry)
    registry.register_holding_panel(
        registry.HoldingPanel("damage", "conservation/includes/holding_panel.html", _panel, 30)
    )
    registry.register_home_section(
        registry.HomeSection("repair_base", "conservation/includes/my_work.html", _home, 20)
    )
    registry.register_timeline_source("conservation", _timeline)
    registry.register_demo(registry.DemoPart("conservation", _demo, after=("census", "grades")))
    registry.register_urls("conservation/", "conservation.urls")
