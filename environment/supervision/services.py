"""Recording inspections and following their corrective actions to closure, with history."""

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from environment.supervision.models import CorrectiveAction, Finding, Inspection, InspectionPhoto
from guji.files import images
from guji.history import save_audited
from guji.models import Institution, User
from guji.permissions import require
from guji.protection.checklist import Requirement, Result


def _check(by: User | None, obj) -> None:
    if by is not None:
        require(by, "inspect", obj)


@transaction.atomic
def record_inspection(
    institution: Institution,
    *,
    date: date,
    inspectors: str,
    summary: str = "",
    findings: Mapping[str, tuple[str, str]],
    by: User | None,
    reason: str = "",
) -> Inspection:
    """An inspection and its findings: requirement → (result, note); unassessed ones left out."""
    _check(by, institution)
    if not inspectors.strip():
        raise ValidationError({"inspectors": _("Name who inspected.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("An inspection cannot be dated in the future.")})
    inspection = Inspection(
        institution=institution,
        date=date,
        inspectors=inspectors.strip(),
        summary=summary.strip(),
        created_by=by,
    )
    reason = reason or _("Inspection recorded")
    save_audited(inspection, by=by, reason=reason)
    for requirement, (result, note) in findings.items():
        if not result:
            continue
        finding = Finding(
            inspection=inspection,
            requirement=Requirement(requirement),
            result=Result(result),
            note=note.strip(),
        )
        save_audited(finding, by=by, reason=reason)
    return inspection


def add_photo(inspection: Inspection, *, image, caption: str, by: User | None) -> InspectionPhoto:
    _check(by, inspection.institution)
    images.verify_image(image)  # a clear error for a damaged, huge or non-image file
    image.seek(0)
    photo = InspectionPhoto(inspection=inspection, image=image, caption=caption)
    save_audited(photo, by=by, reason=_("Photograph added"))
    return photo


@transaction.atomic
def add_action(
    inspection: Inspection,
    *,
    requirement: str,
    description: str,
    owner: str,
    due_date: date,
    by: User | None,
    reason: str = "",
) -> CorrectiveAction:
    _check(by, inspection.institution)
    action = CorrectiveAction(
        inspection=inspection,
        requirement=Requirement(requirement),
        description=description.strip(),
        owner=owner.strip(),
        due_date=due_date,
    )
    action.full_clean()
    save_audited(action, by=by, reason=reason or _("Corrective action set"))
    return action


@transaction.atomic
def close_action(action: CorrectiveAction, *, note: str, by: User | None) -> CorrectiveAction:
    """Close an open action, saying how it was done (the centre checks before closing)."""
    _check(by, action.inspection.institution)
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    if action.closed_at is not None:
        raise ValidationError(_("This action is already closed; reload the page."), code="stale")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say how the action was carried out.")})
    action.closed_at = timezone.now()
    action.closed_by = by
    action.closing_note = note
    save_audited(action, by=by, reason=note)
    return action
