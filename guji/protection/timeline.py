"""Graded protection's entries on a holding's timeline: proposals, decisions, applications,
list entries — each version with who, when and why."""

from django.utils.translation import gettext as _

from guji.history import version_changes
from guji.protection.models import GradeProposal, Listing, ListingApplication

HIDE = ("holding", "proposed_at", "created_at")


def holding_timeline(holding, *, limit: int = 200) -> list:
    changes = []
    for model, subject in (
        (GradeProposal, _("Grade proposal")),
        (ListingApplication, _("Listing application")),
        (Listing, _("Precious-books list entry")),
    ):
        by_row: dict[int, list] = {}
        versions = model.history.filter(holding_id=holding.pk).select_related("history_user")
        for v in versions.order_by("-history_date", "-history_id")[:limit]:
            by_row.setdefault(v.id, []).append(v)
        for rows in by_row.values():
            changes += version_changes(rows, subject=subject, hide=HIDE)
    return changes
