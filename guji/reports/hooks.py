"""The reports' parts of the core: actions, menu entries, pages and the holdings section."""

from django.utils.translation import gettext_lazy as _

from guji import registry
from guji.permissions import can_anywhere, register_actions

# Codenames declared on Report.Meta.permissions; the provincial viewer reads submitted reports.
ACTIONS = {
    "compile_report": "guji_reports.compile_report",
    "submit_report": "guji_reports.submit_report",
    "view_report": "guji_reports.read_submitted_report",
}
ROLES = {
    "centre_admin": tuple(ACTIONS),
    "provincial": ("view_report",),
}


def _may_see_reports(user) -> bool:
    return can_anywhere(user, "compile_report") or can_anywhere(user, "view_report")


def _holdings(period, scope) -> list:
    from guji.reports.holdings import report_section

    return report_section(period, scope)


def register() -> None:
    register_actions(ACTIONS, ROLES)
    registry.register_nav(
        registry.NavEntry("reports", _("Reports"), "reports:list", _may_see_reports, 70)
    )
    registry.register_nav(
        registry.NavEntry(
            "statistics",
            _("Statistics"),
            "statistics:index",
            lambda u: can_anywhere(u, "view"),
            69,
        )
    )
    registry.register_urls("reports/", "guji.reports.urls")
    registry.register_urls("statistics/", "guji.reports.statistics_urls")
    registry.register_report_section(
        registry.ReportSection("holdings", _("Holdings in the register"), 20, _holdings)
    )
