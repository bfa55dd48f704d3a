"""The repair base's parts of the core's pages, registered in ``ConservationConfig.ready()``."""

from django.urls import reverse
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


def _repair_image_sets(user, holding) -> list[registry.ImageSet]:
    """Each repair plan's photographs, one set per kind (before, during, after …), for image
    viewers; served by conservation:image to whoever may see them there."""
    from conservation.images import VARIANTS
    from conservation.models import RepairImage
    from guji.files.images import derivative_size

    images = (
        RepairImage.objects.visible_to(user)
        .filter(plan__holding=holding)
        .order_by("plan_id", "kind", "volume", "leaf", "id")
    )
    kinds = dict(RepairImage.Kind.choices)
    order = list(kinds)
    sets: dict[tuple[int, str], list[registry.ViewerImage]] = {}
    for image in images:
        jpeg = image.content_type == "image/jpeg"
        sizes = {
            name: derivative_size(image.width, image.height, VARIANTS[name].side, jpeg=jpeg)
            for name in ("thumbnail", "preview", "large")
        }
        sets.setdefault((image.plan_id, image.kind), []).append(
            registry.ViewerImage(
                key=f"image-{image.pk}",
                label=image.caption or str(image),
                width=image.width,
                height=image.height,
                urls={n: reverse("conservation:image", args=[image.pk, n]) for n in sizes},
                sizes=sizes,
            )
        )
    return [
        registry.ImageSet(
            key=f"repair-{plan_id}-{kind}",
            label=_("Repair plan #%(plan)s · %(set)s") % {"plan": plan_id, "set": kinds[kind]},
            images=found,
            order=20 + order.index(kind),
        )
        for (plan_id, kind), found in sets.items()
    ]


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


def damage_levels(holdings) -> list[tuple[str, int]]:
    """Holdings among ``holdings`` by current damage level, worst first: [(level name, n)].

    The ``damage_levels`` provider (graded protection's statistics and the period report read
    it); holdings never assessed are left out. One grouped query.
    """
    from django.db.models import Count

    from conservation.models import HoldingDamage

    rows = (
        HoldingDamage.objects.filter(holding__in=holdings)
        .values("level", "level_name")
        .annotate(n=Count("pk"))
        .order_by("level", "level_name")
    )
    return [(r["level_name"] or str(_("Not graded")), r["n"]) for r in rows]


def _report(period, scope) -> list:
    from conservation.report import report_section

    return report_section(period, scope)


def register() -> None:
    registry.register_provider("damage_levels", damage_levels)
    from conservation.api import AssessmentViewSet, RepairViewSet

    registry.register_api("damage-assessments", AssessmentViewSet, "damage_assessment")
    registry.register_api("repairs", RepairViewSet, "repair")
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
    registry.register_image_source("conservation", _repair_image_sets)
    registry.register_demo(registry.DemoPart("conservation", _demo, after=("census", "grades")))
    registry.register_urls("conservation/", "conservation.urls")
