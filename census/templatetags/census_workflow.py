from datetime import datetime

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from census.forms import SubmitForm
from census.models import CensusEntry, CorrectionRequest, LeafPhoto, SubmittedPhoto
from census.review import field_label as _field_label
from guji.models import Holding
from guji.permissions import can

register = template.Library()


@register.simple_tag
def photo_url(photo: LeafPhoto | SubmittedPhoto, variant: str) -> str:
    """The permission-checking download URL of a photograph (or of one as it was submitted),
    or "" while it has none."""
    name = "census:submitted_photo" if isinstance(photo, SubmittedPhoto) else "census:photo"
    try:
        return reverse(name, kwargs={"pk": photo.pk, "variant": variant})
    except NoReverseMatch:
        return ""


@register.filter
def waiting(since: datetime) -> str:
    """How long an entry has waited, in whole days (hours on its first day)."""
    delta = timezone.now() - since
    if delta.days >= 1:
        return ngettext("%(n)d day", "%(n)d days", delta.days) % {"n": delta.days}
    hours = delta.seconds // 3600
    if hours >= 1:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return _("under an hour")


@register.simple_tag
def field_label(name: str) -> str:
    return _field_label(name)


@register.inclusion_tag("census/holding_panel.html", takes_context=True)
def census_panel(context: template.Context, holding: Holding) -> dict:
    """The holding's census state for its page: what to do next, and why it came back."""
    user = context["request"].user
    entry = CensusEntry.objects.filter(holding=holding).first()
    last = (
        entry.rounds.select_related("decided_by", "submitted_by")
        .prefetch_related("field_comments")
        .order_by("-number")
        .first()
        if entry
        else None
    )
    registered = holding.status == Holding.Status.REGISTERED
    pending = (
        holding.correction_requests.filter(status=CorrectionRequest.Status.PENDING)
        .select_related("requested_by")
        .first()
        if registered
        else None
    )
    return {
        "holding": holding,
        "entry": entry,
        "last": last,
        "pending": pending,
        "may_catalogue": can(user, "catalogue", holding),
        "may_review": can(user, "review", holding),
        "submit_form": SubmitForm(),
        "csrf_token": context.get("csrf_token"),
    }
