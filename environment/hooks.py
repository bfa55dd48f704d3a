"""The environment's parts of the core's pages, registered in ``EnvironmentConfig.ready()``."""

from django.utils.translation import gettext_lazy as _

from guji import registry
from guji.permissions import can, holds_globally, roles_of


def _holding_panel(request, holding) -> dict | None:
    """The holding's room and its recent climate (last 30 days, from daily roll-ups)."""
    from environment import report
    from environment.models import Placement

    placement = Placement.objects.select_related("room").filter(holding=holding).first()
    may_manage = can(request.user, "manage", holding.institution)
    if placement is None:
        return (
            {"placement": None, "may_manage": may_manage, "holding": holding}
            if (may_manage)
            else None
        )
    start, end = report.last_days(30)
    return {
        "holding": holding,
        "placement": placement,
        "room": placement.room,
        "summary": report.room_summary(placement.room, start, end),
        "may_manage": may_manage,
    }


def _timeline(holding) -> list:
    from environment.models import Placement
    from guji.history import version_changes

    versions = list(
        Placement.history.filter(holding_id=holding.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    return version_changes(versions, subject=str(_("Storage placement")), hide=("id", "holding"))


def _has_unread(user) -> bool:
    """The menu shows Notifications while the user has unread ones (one indexed query)."""
    from environment.models import Notification

    return Notification.objects.filter(user=user, read_at=None).exists()


def _home(request) -> dict | None:
    from environment.models import Notification

    unread = list(Notification.objects.filter(user=request.user, read_at=None)[:5])
    return {"notifications": unread} if unread else None


def _demo() -> dict:
    from environment.demo import load_demo_part

    return load_demo_part()


def _report(period, scope) -> list:
    from environment.report_tables import report_section

    return report_section(period, scope)


def register() -> None:
    from environment.api import DailyClimateViewSet, RoomViewSet

    registry.register_api("rooms", RoomViewSet, "room")
    registry.register_api("daily-climate", DailyClimateViewSet, "daily_climate")
    registry.register_report_section(
        registry.ReportSection("environment", _("Storage environment"), 50, _report)
    )
    registry.register_nav(
        registry.NavEntry(
            "rooms", _("Storage rooms"), "environment:room_list", lambda u: bool(roles_of(u)), 50
        )
    )
    registry.register_nav(
        registry.NavEntry(
            "compliance",
            _("Storage compliance"),
            "environment:compliance",
            lambda u: holds_globally(u, "view"),
            51,
        )
    )
    registry.register_nav(
        registry.NavEntry(
            "notifications",
            _("Notifications"),
            "environment:notification_list",
            _has_unread,
            52,
        )
    )
    registry.register_holding_panel(
        registry.HoldingPanel("climate", "environment/holding_panel.html", _holding_panel, 40)
    )
    registry.register_home_section(
        registry.HomeSection("notifications", "environment/home_notifications.html", _home, 5)
    )
    registry.register_timeline_source("environment", _timeline)
    registry.register_demo(registry.DemoPart("environment", _demo, after=("census", "grades")))
    registry.register_urls("environment/", "environment.urls")
