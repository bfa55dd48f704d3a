"""The census's parts of the core's pages, registered in ``CensusConfig.ready()``."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guji import registry
from guji.permissions import can, can_anywhere
from guji.services import is_writable


def _photos_panel(request, holding) -> dict:
    return {
        "holding": holding,
        "photos": holding.leaf_photos.all(),  # seen by whoever sees the holding
        # Photographs change as the record does: not while it is under review or registered.
        "may_edit": can(request.user, "catalogue", holding) and is_writable(holding),
    }


def _leaf_photo_sets(user, holding) -> list[registry.ImageSet]:
    """The leaf photographs for image viewers, served by census:photo (who sees the holding
    sees them, as on its page)."""
    from guji.files.images import VARIANTS, derivative_size

    if not can(user, "view", holding):
        return []
    images = []
    for photo in holding.leaf_photos.all():
        jpeg = photo.content_type == "image/jpeg"
        sizes = {
            name: derivative_size(photo.width, photo.height, VARIANTS[name].side, jpeg=jpeg)
            for name in ("thumbnail", "preview")
        }
        label = photo.get_kind_display() + (f" · {photo.caption}" if photo.caption else "")
        images.append(
            registry.ViewerImage(
                key=f"photo-{photo.pk}",
                label=label,
                width=photo.width,
                height=photo.height,
                urls={name: reverse("census:photo", args=[photo.pk, name]) for name in sizes},
                sizes=sizes,
            )
        )
    if not images:
        return []
    return [registry.ImageSet("leaf-photos", _("Leaf photographs"), images, order=10)]


def _census_panel(request, holding) -> dict:
    from census.templatetags.census_workflow import census_panel

    context = census_panel({"request": request}, holding)
    # The tag copies its caller's csrf_token; rendered on its own, the request supplies it.
    context.pop("csrf_token", None)
    return context


def _correction_url(holding) -> str:
    return reverse("census:holding_correction", args=[holding.pk])


def _timeline(holding) -> list:
    from census.timeline import holding_timeline

    return holding_timeline(holding)


def _bulk_submit(holdings, *, by, reason: str, data) -> registry.BulkResult:
    """Send the chosen drafts and returned records to review (one round each)."""
    from census.services import submit_entries
    from guji.models import Holding

    submittable = (Holding.Status.DRAFT, Holding.Status.RETURNED)
    chosen = list(holdings.filter(status__in=submittable).only("id", "institution_id"))
    others = holdings.exclude(status__in=submittable).count()
    if chosen:
        submit_entries(chosen, by=by, reason=reason)
    skipped = [_("%(n)s not draft or returned") % {"n": others}] if others else []
    return registry.BulkResult(done=len(chosen), skipped=skipped)


def _returned_notes(holding) -> dict[str, list[str]]:
    """A returned record's latest review: its comment, and each comment beside its field."""
    from census.models import ReviewRound
    from guji.models import Holding

    if holding.status != Holding.Status.RETURNED:
        return {}
    round_ = (
        ReviewRound.objects.filter(entry__holding=holding, decision=ReviewRound.Decision.RETURNED)
        .prefetch_related("field_comments")
        .order_by("-number")
        .first()
    )
    if round_ is None:
        return {}
    notes: dict[str, list[str]] = {"": [round_.comment] if round_.comment else []}
    for comment in round_.field_comments.all():
        notes.setdefault(comment.field, []).append(comment.comment)
    return notes


def _corrections_home(request) -> dict | None:
    """Pending correction requests, counted for whoever works through the correction list."""
    from census.models import CorrectionRequest
    from guji.permissions import scope_any

    user = request.user
    if not (can_anywhere(user, "review") or can_anywhere(user, "catalogue")):
        return None
    pending = CorrectionRequest.objects.filter(
        scope_any(user, ("review", "catalogue"), "institution"),
        status=CorrectionRequest.Status.PENDING,
    ).count()
    return {"pending": pending}


def _report(period, scope) -> list:
    from census.report import report_section

    return report_section(period, scope)


def register() -> None:
    from census.api import CensusEntryViewSet

    registry.register_api("census-entries", CensusEntryViewSet, "census_entry")
    registry.register_report_section(
        registry.ReportSection("census", _("Census progress"), 10, _report)
    )
    registry.register_field_notes("census", _returned_notes)
    registry.register_status_link(
        "submitted", "census:review_queue", lambda u: can_anywhere(u, "review")
    )
    registry.register_status_link(
        "returned", "census:returned_list", lambda u: can_anywhere(u, "catalogue")
    )
    registry.register_home_section(
        registry.HomeSection(
            "corrections", "census/includes/home_corrections.html", _corrections_home
        )
    )
    registry.register_bulk_action(
        registry.BulkAction(
            key="submit",
            label=_("Submit for review"),
            run=_bulk_submit,
            visible=lambda u: can_anywhere(u, "catalogue"),
            order=10,
        )
    )
    for entry in (
        registry.NavEntry("campaigns", _("Campaigns"), "census:campaign_list", lambda u: True, 30),
        registry.NavEntry(
            "review_queue",
            _("Review queue"),
            "census:review_queue",
            lambda u: can_anywhere(u, "review"),
            31,
        ),
        registry.NavEntry(
            "returned",
            _("Returned to me"),
            "census:returned_list",
            lambda u: can_anywhere(u, "catalogue"),
            32,
        ),
        registry.NavEntry(
            "imports",
            _("Spreadsheet import"),
            "census:import_list",
            lambda u: can_anywhere(u, "catalogue"),
            33,
        ),
        registry.NavEntry(
            "catalogue",
            _("Catalogue export"),
            "census:catalogue",
            lambda u: can_anywhere(u, "export"),
            34,
        ),
    ):
        registry.register_nav(entry)
    registry.register_holding_panel(
        registry.HoldingPanel(
            "census", "census/holding_panel.html", _census_panel, order=10, placement="summary"
        )
    )
    registry.register_holding_panel(
        registry.HoldingPanel("leaf_photos", "census/includes/photos_panel.html", _photos_panel, 20)
    )
    registry.register_timeline_source("census", _timeline)
    registry.register_image_source("census", _leaf_photo_sets)
    registry.register_urls("census/", "census.urls")
    registry.register_correction(
        lambda holding: reverse("census:holding_correction", args=[holding.pk])
    )
    registry.register_demo(registry.DemoPart(key="census", load=_demo, before=("grades",)))


def _demo() -> dict[str, int]:
    from census.demo import load

    return load()
