"""Census workflow: campaigns, submission and review rounds, census numbers, corrections.

Every transition is here and nowhere else: views, admin actions and commands call these
functions, which check permission, lock the rows they change, and write history with the
acting user and the reason or comment.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from census import notices, photos
from census.models import (
    Campaign,
    CensusCounter,
    CensusEntry,
    CorrectionRequest,
    FieldComment,
    LeafPhoto,
    Participation,
    ReviewRound,
)
from census.review import SNAPSHOT_FIELDS, snapshot
from guji.cataloguing import Statement, catalogue_form, parse_statements, search_key
from guji.concurrency import check_version
from guji.history import delete_audited, required_reason, save_audited
from guji.models import Binding, Holding, Institution, SibuClass, User
from guji.permissions import require
from guji.services import EDITABLE_FIELDS, check_call_number, update_holding

SERIAL_DIGITS = 7


# --- campaigns ----------------------------------------------------------------------------


def _require_centre_admin(by: User) -> None:
    require(by, "manage_campaign")


@transaction.atomic
def open_campaign(
    *,
    name: str,
    starts_on: date,
    ends_on: date,
    participants: Mapping[Institution, int],
    description: str = "",
    by: User,
    reason: str = "",
) -> Campaign:
    """Open a census campaign with its institutions and each one's estimated holdings."""
    _require_centre_admin(by)
    if not participants:
        raise ValidationError(_("Name at least one participating institution."), code="empty")
    campaign = Campaign(name=name, starts_on=starts_on, ends_on=ends_on, description=description)
    campaign.full_clean()
    reason = reason or _("Campaign opened")
    save_audited(campaign, by=by, reason=reason)
    _sync_participants(campaign, participants, by=by, reason=reason)
    return campaign


@transaction.atomic
def update_campaign(
    campaign: Campaign,
    *,
    data: Mapping[str, object],
    participants: Mapping[Institution, int],
    by: User,
    reason: str,
    expected_version: int | None = None,
) -> Campaign:
    """Change a campaign's period, description, open state or institutions.

    ``expected_version`` is the version the editor read (``guji.concurrency``).
    """
    _require_centre_admin(by)
    reason = required_reason(reason, _("Say why you are making this change."), "reason_required")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    check_version(campaign, expected_version)
    allowed = {"name", "starts_on", "ends_on", "description", "is_open"}
    if unknown := set(data) - allowed:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    for name, value in data.items():
        setattr(campaign, name, value)
    campaign.full_clean()
    save_audited(campaign, by=by, reason=reason)
    _sync_participants(campaign, participants, by=by, reason=reason)
    return campaign


def _sync_participants(
    campaign: Campaign, participants: Mapping[Institution, int], *, by: User, reason: str
) -> None:
    existing = {p.institution_id: p for p in campaign.participations.all()}
    wanted = {inst.pk: estimate for inst, estimate in participants.items()}
    dropped = set(existing) - set(wanted)
    busy = set(
        CensusEntry.objects.filter(campaign=campaign, institution_id__in=dropped).values_list(
            "institution__name", flat=True
        )
    )
    if busy:
        raise ValidationError(
            _("%(names)s already submitted entries to this campaign and stays in it.")
            % {"names": "、".join(sorted(busy))},
            code="participant_busy",
        )
    for institution_id in dropped:
        delete_audited(existing[institution_id], by=by, reason=reason)
    for institution_id, estimate in wanted.items():
        row = existing.get(institution_id)
        if row is not None and row.estimated_holdings == estimate:
            continue
        row = row or Participation(campaign=campaign, institution_id=institution_id)
        row.estimated_holdings = estimate
        save_audited(row, by=by, reason=reason)


# --- submission ---------------------------------------------------------------------------


def _lock_holdings(ids: Iterable[int]) -> list[Holding]:
    # of=("self",): the vocabulary joins are outer joins PostgreSQL cannot lock.
    return list(
        Holding.objects.select_for_update(of=("self",))
        .select_related("sibu_class", "binding")
        .filter(pk__in=list(ids))
        .order_by("pk")
    )


def _require_each_institution(by: User, action: str, rows: Iterable) -> None:
    seen = {}
    for row in rows:
        seen.setdefault(row.institution_id, row)
    for row in seen.values():
        require(by, action, row)


@transaction.atomic
def submit_entries(holdings: Iterable[Holding], *, by: User, reason: str = "") -> list[CensusEntry]:
    """Send draft or returned records to review, each as its next numbered round.

    All or nothing: one record that may not be submitted stops the whole batch.
    """
    ids = {h.pk for h in holdings}
    locked = _lock_holdings(ids)
    if len(locked) != len(ids):
        raise ValidationError(_("A record in the batch no longer exists."), code="missing")
    _require_each_institution(by, "catalogue", locked)
    submittable = (Holding.Status.DRAFT, Holding.Status.RETURNED)
    if blocked := [h for h in locked if h.status not in submittable]:
        raise ValidationError(
            _("Only draft or returned records can be submitted: %(records)s")
            % {
                "records": "、".join(f"{h.call_number} ({h.get_status_display()})" for h in blocked)
            },
            code="not_submittable",
        )
    campaigns = _open_campaigns({h.institution_id for h in locked})
    entries = {e.holding_id: e for e in CensusEntry.objects.filter(holding__in=locked)}
    reason = (reason or "").strip()
    history_reason = reason or _("Submitted for census review")
    now = timezone.now()
    out = []
    for holding in locked:
        entry = entries.get(holding.pk) or CensusEntry(
            holding=holding, institution_id=holding.institution_id
        )
        if entry.campaign_id is None:
            entry.campaign_id = campaigns.get(holding.institution_id)
        entry.round += 1
        entry.submitted_at = now
        save_audited(entry, by=by, reason=history_reason)
        round_ = ReviewRound(
            entry=entry,
            institution_id=holding.institution_id,
            number=entry.round,
            submitted_by=by,
            submitted_at=now,
            note=reason,
            snapshot=snapshot(holding),
        )
        save_audited(round_, by=by, reason=history_reason)
        photos.snapshot_photos(round_, holding, by=by, reason=history_reason)
        holding.status = Holding.Status.SUBMITTED
        save_audited(holding, by=by, reason=history_reason, fields=["status", "updated_at"])
        out.append(entry)
    notices.entries_submitted(locked, by=by)
    return out


def _open_campaigns(institution_ids: set[int]) -> dict[int, int]:
    """Each institution's open campaign (the latest started, when several are open)."""
    found: dict[int, int] = {}
    rows = (
        Participation.objects.filter(institution_id__in=institution_ids, campaign__is_open=True)
        .order_by("-campaign__starts_on", "-campaign_id")
        .values_list("institution_id", "campaign_id")
    )
    for institution_id, campaign_id in rows:
        found.setdefault(institution_id, campaign_id)
    return found


# --- review -------------------------------------------------------------------------------


def _lock_for_review(
    entry: CensusEntry, *, by: User, expected_version: int | None = None
) -> tuple[CensusEntry, Holding, ReviewRound]:
    """Lock an entry under review; ``expected_version`` is the holding's version the reviewer
    read: a decision on a record that changed since is refused (``guji.concurrency``)."""
    require(by, "review", entry)
    entry = CensusEntry.objects.select_for_update().get(pk=entry.pk)
    holding = (
        Holding.objects.select_for_update(of=("self",))
        .select_related("institution")
        .get(pk=entry.holding_id)
    )
    check_version(holding, expected_version)
    if holding.status != Holding.Status.SUBMITTED:
        raise ValidationError(
            _("Only a submitted entry can be reviewed; %(record)s is %(status)s.")
            % {"record": holding.call_number, "status": holding.get_status_display()},
            code="not_submitted",
        )
    round_ = ReviewRound.objects.select_for_update().get(entry=entry, number=entry.round)
    return entry, holding, round_


def allocate_census_number(institution: Institution) -> str:
    """The institution's next census number; call inside the accepting transaction.

    The counter row is locked until that transaction ends, so concurrent acceptances at one
    institution take consecutive serials, and a rolled-back acceptance gives its serial back.
    """
    CensusCounter.objects.get_or_create(institution=institution)
    counter = CensusCounter.objects.select_for_update().get(pk=institution.pk)
    counter.last_serial += 1
    if counter.last_serial >= 10**SERIAL_DIGITS:
        raise ValidationError(
            _("%(institution)s has used every census serial.") % {"institution": institution},
            code="serials_exhausted",
        )
    counter.save(update_fields=["last_serial"])
    return f"{institution.region_code}-{institution.code}-{counter.last_serial:0{SERIAL_DIGITS}d}"


@transaction.atomic
def accept_entry(
    entry: CensusEntry, *, by: User, comment: str = "", expected_version: int | None = None
) -> Holding:
    """Register the record, lock it and give it its census number (kept if it has one)."""
    entry, holding, round_ = _lock_for_review(entry, by=by, expected_version=expected_version)
    comment = (comment or "").strip()
    now = timezone.now()
    fields = ["status", "updated_at"]
    if not holding.census_number:
        holding.census_number = allocate_census_number(holding.institution)
        # Only the number joins the search key: a full derive() could move other fields.
        holding.search_key = search_key(holding.search_key, holding.census_number)
        fields += ["census_number", "search_key"]
    holding.status = Holding.Status.REGISTERED
    reason = comment or _("Accepted in census review")
    save_audited(holding, by=by, reason=reason, fields=fields)
    round_.decision = ReviewRound.Decision.ACCEPTED
    round_.decided_by, round_.decided_at, round_.comment = by, now, comment
    save_audited(round_, by=by, reason=reason)
    entry.accepted_at = now
    save_audited(entry, by=by, reason=reason)
    return holding


@transaction.atomic
def return_entry(
    entry: CensusEntry,
    *,
    by: User,
    comment: str,
    field_comments: Mapping[str, str] | None = None,
    expected_version: int | None = None,
) -> CensusEntry:
    """Send the record back to its cataloguer with a comment and comments on named fields."""
    entry, holding, round_ = _lock_for_review(entry, by=by, expected_version=expected_version)
    comment = (comment or "").strip()
    notes = {k: v.strip() for k, v in (field_comments or {}).items() if v and v.strip()}
    if unknown := set(notes) - set(SNAPSHOT_FIELDS):
        raise ValueError(f"No such field to comment on: {', '.join(sorted(unknown))}")
    if not comment and not notes:
        raise ValidationError(
            _("Say what needs correcting: a comment, or a comment on a field."),
            code="comment_required",
        )
    reason = comment or _("Returned with comments on fields")
    holding.status = Holding.Status.RETURNED
    save_audited(holding, by=by, reason=reason, fields=["status", "updated_at"])
    round_.decision = ReviewRound.Decision.RETURNED
    round_.decided_by, round_.decided_at, round_.comment = by, timezone.now(), comment
    save_audited(round_, by=by, reason=reason)
    for name in SNAPSHOT_FIELDS:  # form order
        if name in notes:
            save_audited(
                FieldComment(round=round_, field=name, comment=notes[name]), by=by, reason=reason
            )
    notices.entry_returned(entry, round_, by=by)
    return entry


@dataclass
class BatchResult:
    done: list[CensusEntry] = field(default_factory=list)
    problems: list[tuple[CensusEntry, str]] = field(default_factory=list)


def review_entries(
    entries: Sequence[CensusEntry], *, by: User, accept: bool, comment: str
) -> BatchResult:
    """Accept or return several entries with one comment, each in its own transaction.

    Permission is checked for the whole batch first; an entry another reviewer decided in the
    meantime is reported, not fatal to the rest.
    """
    _require_each_institution(by, "review", entries)
    if not accept:
        required_reason(comment, _("Say why the entries are returned."), "comment_required")
    result = BatchResult()
    for entry in entries:
        try:
            if accept:
                accept_entry(entry, by=by, comment=comment)
            else:
                return_entry(entry, by=by, comment=comment)
        except ValidationError as exc:
            result.problems.append((entry, " ".join(exc.messages)))
        else:
            result.done.append(entry)
    return result


# --- corrections to registered records ------------------------------------------------------


def _as_json(value: object) -> object:
    return value.pk if hasattr(value, "pk") else value


def _same(old: object, new: object) -> bool:
    return old == new or (old in (None, "") and new in (None, ""))


_RELATED = {"sibu_class": SibuClass, "binding": Binding}


@transaction.atomic
def request_correction(
    holding: Holding,
    *,
    data: Mapping[str, object],
    statements: Sequence[Statement] | None = None,
    by: User,
    reason: str,
    expected_version: int | None = None,
) -> CorrectionRequest:
    """Propose changes to a registered (locked) record; nothing changes until a reviewer accepts.

    ``expected_version`` is the record's version the requester read (``guji.concurrency``).
    """
    require(by, "catalogue", holding)
    reason = required_reason(reason, _("Say why the record needs correcting."), "reason_required")
    if unknown := set(data) - set(EDITABLE_FIELDS):
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    holding = Holding.objects.select_for_update().get(pk=holding.pk)
    check_version(holding, expected_version)
    _check_correctable(holding)
    changes, previous = {}, {}
    for name, value in data.items():
        old = getattr(holding, f"{name}_id" if name in _RELATED else name)
        new = _as_json(value)
        if not _same(old, new):
            changes[name], previous[name] = new, old
    if statements is not None:
        text = catalogue_form(list(statements))
        if text != holding.authors_text:
            changes["authors"], previous["authors"] = text, holding.authors_text
    if not changes:
        raise ValidationError(
            _("The proposed values are the record's own: nothing to correct."), code="no_change"
        )
    if "call_number" in changes:
        check_call_number(
            Holding(
                pk=holding.pk,
                institution_id=holding.institution_id,
                call_number=changes["call_number"],
            )
        )
    correction = CorrectionRequest(
        holding=holding,
        institution_id=holding.institution_id,
        changes=changes,
        previous=previous,
        reason=reason,
        requested_by=by,
    )
    save_audited(correction, by=by, reason=reason)
    notices.correction_requested(correction, by=by)
    return correction


PHOTO_CHANGES = ("photos_add", "photos_remove")


@transaction.atomic
def request_photo_correction(
    holding: Holding,
    *,
    uploads: Sequence = (),
    kind: str = "",
    caption: str = "",
    remove: Sequence[LeafPhoto] = (),
    by: User,
    reason: str,
) -> CorrectionRequest:
    """Propose adding or removing photographs of a registered record; a reviewer decides.

    The files to add are verified and stored now (their thumbnails made by the worker), and
    become photographs of the record only when the request is accepted.
    """
    require(by, "catalogue", holding)
    reason = required_reason(reason, _("Say why the record needs correcting."), "reason_required")
    holding = Holding.objects.select_for_update().get(pk=holding.pk)
    _check_correctable(holding)
    changes: dict[str, list] = {}
    if uploads:
        entries, already = photos.new_photos(
            holding, photos.verify_uploads(uploads), kind=kind, caption=caption
        )
        if already and not entries:
            raise ValidationError(
                _("%(files)s: already photographs of this record.") % {"files": "、".join(already)},
                code="no_change",
            )
        changes["photos_add"] = entries
    if remove:
        if any(p.holding_id != holding.pk for p in remove):
            raise ValueError("A photograph of another record")
        changes["photos_remove"] = [
            {"id": p.pk, "sha256": p.sha256, "label": _photo_label(p)} for p in remove
        ]
    if not changes:
        raise ValidationError(_("Choose at least one photograph."), code="no_file")
    correction = CorrectionRequest(
        holding=holding,
        institution_id=holding.institution_id,
        changes=changes,
        previous={},
        reason=reason,
        requested_by=by,
    )
    save_audited(correction, by=by, reason=reason)
    notices.correction_requested(correction, by=by)
    return correction


def _photo_label(photo: LeafPhoto) -> str:
    return f"{photo.get_kind_display()}{'：' + photo.caption if photo.caption else ''}"


def _check_correctable(holding: Holding) -> None:
    if holding.status != Holding.Status.REGISTERED:
        raise ValidationError(
            _("Only a registered record needs a correction request; edit this one directly."),
            code="not_registered",
        )
    if CorrectionRequest.objects.filter(
        holding=holding, status=CorrectionRequest.Status.PENDING
    ).exists():
        raise ValidationError(
            _("A correction request for this record is already waiting for review."),
            code="already_pending",
        )


def _apply_photo_changes(
    holding: Holding, changes: Mapping[str, list], *, by: User, reason: str, requester: User
) -> None:
    for entry in changes.get("photos_add", []):
        if not LeafPhoto.objects.filter(holding=holding, sha256=entry["sha256"]).exists():
            photos.attach_stored(holding, entry, by=by, reason=reason, uploaded_by=requester)
    for gone in changes.get("photos_remove", []):
        photo = LeafPhoto.objects.filter(pk=gone["id"], holding=holding).first()
        if photo is not None:
            photos.delete_leaf_photo(photo, by=by, reason=reason, correction=True)


def _lock_pending(
    correction: CorrectionRequest, *, by: User, expected_version: int | None = None
) -> CorrectionRequest:
    """Lock a pending request; ``expected_version`` is the version of the record the reviewer
    read: a decision on a record that changed since is refused (``guji.concurrency``)."""
    require(by, "review", correction)
    correction = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
    if expected_version not in (None, ""):
        holding = Holding.objects.select_for_update().get(pk=correction.holding_id)
        check_version(holding, expected_version)
    if correction.status != CorrectionRequest.Status.PENDING:
        raise ValidationError(
            _("This correction request was already %(status)s.")
            % {"status": correction.get_status_display()},
            code="decided",
        )
    return correction


@transaction.atomic
def accept_correction(
    correction: CorrectionRequest,
    *,
    by: User,
    reason: str = "",
    expected_version: int | None = None,
) -> Holding:
    """Apply the requested changes to the locked record, in the reviewer's name."""
    correction = _lock_pending(correction, by=by, expected_version=expected_version)
    changes = dict(correction.changes)
    photo_changes = {name: changes.pop(name) for name in PHOTO_CHANGES if name in changes}
    authors = changes.pop("authors", None)
    data = {}
    for name, value in changes.items():
        model = _RELATED.get(name)
        data[name] = model.objects.filter(pk=value).first() if model and value else value
    holding_reason = _("Correction request %(number)s: %(reason)s") % {
        "number": correction.pk,
        "reason": correction.reason,
    }
    holding = Holding.objects.get(pk=correction.holding_id)
    if holding.status != Holding.Status.REGISTERED:
        raise ValidationError(_("The record is no longer registered."), code="not_registered")
    if data or authors is not None:
        holding = update_holding(
            holding,
            data=data,
            statements=parse_statements(authors) if authors is not None else None,
            by=by,
            reason=holding_reason,
            correction=True,
        )
    if photo_changes:
        holding = Holding.objects.select_for_update().get(pk=holding.pk)
        _apply_photo_changes(
            holding, photo_changes, by=by, reason=holding_reason, requester=correction.requested_by
        )
    _decide(correction, CorrectionRequest.Status.ACCEPTED, by=by, reason=reason.strip())
    return holding


@transaction.atomic
def refuse_correction(
    correction: CorrectionRequest,
    *,
    by: User,
    reason: str,
    expected_version: int | None = None,
) -> CorrectionRequest:
    correction = _lock_pending(correction, by=by, expected_version=expected_version)
    reason = required_reason(reason, _("Say why the correction is refused."), "reason_required")
    _decide(correction, CorrectionRequest.Status.REFUSED, by=by, reason=reason)
    photos.release_proposed(correction.changes.get("photos_add", []))
    return correction


def _decide(correction: CorrectionRequest, status: str, *, by: User, reason: str) -> None:
    correction.status = status
    correction.decided_by, correction.decided_at = by, timezone.now()
    correction.decision_reason = reason
    default = (
        _("Correction accepted")
        if status == CorrectionRequest.Status.ACCEPTED
        else _("Correction refused")
    )
    save_audited(correction, by=by, reason=reason or default)
    notices.correction_decided(correction, by=by)
