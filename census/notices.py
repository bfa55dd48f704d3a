"""Who hears of what in the census workflow, through the shared ``guji.notifications``.

* reviewers: new submissions (one message per batch) and correction requests;
* the cataloguer who submitted: a return (with the reviewer's comment), a decided correction;
* the institution's managers: its returns.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from guji.models import RoleAssignment, User
from guji.notifications import notify, notify_all

Role = RoleAssignment.Role


def field_label(name: str) -> str:
    """A record field's label (``authors`` is the responsibility statements)."""
    from django.core.exceptions import FieldDoesNotExist

    from guji.models import Holding

    if name == "authors":
        return _("Responsibility")
    try:
        return str(Holding._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _reviewers():
    return User.objects.filter(is_active=True, role_assignments__role=Role.REVIEWER).distinct()


def _managers(institution_id: int):
    return User.objects.filter(
        is_active=True,
        role_assignments__role=Role.MANAGER,
        role_assignments__institution_id=institution_id,
    ).distinct()


def entries_submitted(holdings: list, *, by: User) -> None:
    """One message per reviewer for a batch, whatever its size (two queries)."""
    from guji.models import Institution

    if not holdings:
        return
    names = Institution.objects.filter(pk__in={h.institution_id for h in holdings})
    subject = _("%(n)s entries submitted for review by %(who)s") % {"n": len(holdings), "who": by}
    body = (
        "、".join(sorted(str(i) for i in names))
        + "\n"
        + "\n".join(f"{h.call_number} {h.title_juan}" for h in holdings[:20])
    )
    notify_all(_reviewers(), subject, body, reverse("census:review_queue"))


def entry_returned(entry, round_, *, by: User) -> None:
    holding = entry.holding
    subject = _("Returned for correction: %(title)s (%(number)s)") % {
        "title": holding.title_juan,
        "number": holding.call_number,
    }
    notes = [round_.comment] if round_.comment else []
    notes += [f"{field_label(c.field)}：{c.comment}" for c in round_.field_comments.all()]
    url = reverse("holding_edit", args=[holding.pk])
    told = set()
    if round_.submitted_by_id and round_.submitted_by_id != by.pk:
        notify(round_.submitted_by, subject, "\n".join(notes), url)
        told.add(round_.submitted_by_id)
    notify_all(
        _managers(holding.institution_id).exclude(pk__in=told | {by.pk}),
        subject,
        "\n".join(notes),
        url,
    )


def correction_requested(correction, *, by: User) -> None:
    holding = correction.holding
    subject = _("Correction requested: %(title)s (%(number)s)") % {
        "title": holding.title_juan,
        "number": holding.call_number,
    }
    url = reverse("census:holding_correction", args=[holding.pk])
    notify_all(_reviewers().exclude(pk=by.pk), subject, correction.reason, url)


def correction_decided(correction, *, by: User) -> None:
    holding = correction.holding
    accepted = correction.status == correction.Status.ACCEPTED
    subject = (
        _("Correction accepted: %(title)s (%(number)s)")
        if accepted
        else _("Correction refused: %(title)s (%(number)s)")
    ) % {"title": holding.title_juan, "number": holding.call_number}
    if correction.requested_by_id and correction.requested_by_id != by.pk:
        notify(
            correction.requested_by,
            subject,
            correction.decision_reason,
            reverse("census:holding_correction", args=[holding.pk]),
        )
