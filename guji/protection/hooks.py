"""Graded protection's parts of the core's pages, registered in ``ProtectionConfig.ready()``."""

from django.utils.translation import gettext_lazy as _

from guji import registry
from guji.permissions import can, can_anywhere


def _grade_panel(request, holding) -> dict:
    from guji.protection.models import GradeProposal, relic_level

    proposals = list(holding.grade_proposals.select_related("proposed_by", "decided_by")[:20])
    decided = next(
        (p for p in proposals if p.status in ("confirmed", "changed") and p.decided_grade), None
    )
    return {
        "holding": holding,
        "proposals": proposals,
        "relic": relic_level(holding.grade),
        "open": next((p for p in proposals if p.status == GradeProposal.Status.PROPOSED), None),
        "decided": decided if decided and decided.decided_grade == holding.grade else None,
        "listings": holding.listings.select_related("precious_list"),
        "may_propose": can(request.user, "propose_grade", holding),
        "may_confirm": can(request.user, "confirm_grade", holding),
    }


def _timeline(holding) -> list:
    from guji.protection.timeline import holding_timeline

    return holding_timeline(holding)


def register() -> None:
    registry.register_nav(
        registry.NavEntry(
            "protection",
            _("Graded protection"),
            "protection:proposal_list",
            lambda u: can_anywhere(u, "view"),
            50,
        )
    )
    registry.register_holding_panel(
        registry.HoldingPanel("grade", "protection/holding_panel.html", _grade_panel, order=15)
    )
    registry.register_timeline_source("protection", _timeline)
    registry.register_urls("protection/", "guji.protection.urls")
    registry.register_report_section(
        registry.ReportSection("protection", _("Graded protection"), 30, _report)
    )
    registry.register_demo(
        registry.DemoPart(key="protection", load=_demo, after=("census", "grades"))
    )


def _report(period, scope) -> list:
    from guji.protection.report import report_section

    return report_section(period, scope)


def _demo() -> dict:
    from guji.protection.demo import load_demo_part

    return load_demo_part()
