"""Leaf photographs: verified by Pillow, stored once by content hash, derivatives made by Huey.

The checks and the storage are ``guji.files.images``: a file is accepted only if Pillow reads
it as a JPEG, PNG, TIFF or WebP image within the size and pixel limits; it is stored as
``photos/ab/cd/<sha256>.<ext>`` through the storage API. Its thumbnail and preview are made by
the worker (``census.tasks.make_photo_derivatives``), never in the request: a page shows a
placeholder until they exist. The same photograph uploaded twice shares its files, and on one
holding it is one photograph.

Photographs are part of the record: they change only as the record itself may change
(``guji.services.check_writable``): not while it waits for review, and once it is registered
only through the correction path (``correction=True``, in a reviewer's name). A submission
keeps its own copy of the set (``SubmittedPhoto``), which the reviewer sees.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from census.models import LeafPhoto, ReviewRound, SubmittedPhoto
from guji.files import images
from guji.files.images import ORIENTATION_TAG, VerifiedImage  # noqa: F401  (census's API)
from guji.history import delete_audited, save_audited
from guji.models import Holding, User
from guji.permissions import require
from guji.services import check_writable

PREFIX = "photos"


class AddedPhotos(list):
    """The photographs added, and the names of the files the holding already had (``already``)."""

    def __init__(self, photos=(), already=()):
        super().__init__(photos)
        self.already = list(already)


def verify_image(upload: UploadedFile) -> VerifiedImage:
    """Read an uploaded file as a leaf photograph, or raise ValidationError naming it."""
    return images.verify_image(upload)


def store_image(image: VerifiedImage) -> dict[str, str]:
    """Store the original unless already there; return the stored names of it and its derivatives.

    The derivatives are made by the worker: the task is queued only when they are missing (the
    original is stored before, so the task needs nothing of this request's transaction).
    """
    from census.tasks import make_photo_derivatives

    original = images.store_original(image, prefix=PREFIX)
    names = {variant: images.derivative_name(original, variant) for variant in images.VARIANTS}
    if not all(default_storage.exists(name) for name in names.values()):
        make_photo_derivatives(original)
    return {"original": original, **names}


def derivative_ready(name: str) -> bool:
    """Whether the worker has made this derivative yet (pages show a placeholder until then)."""
    return default_storage.exists(name)


def _lock(holding: Holding, *, by: User, correction: bool) -> Holding:
    require(by, "review" if correction else "catalogue", holding)
    holding = Holding.objects.select_for_update().get(pk=holding.pk)
    check_writable(holding, correction=correction)
    return holding


@transaction.atomic
def add_leaf_photos(
    holding: Holding,
    *,
    uploads: Sequence[UploadedFile],
    kind: str,
    caption: str = "",
    by: User,
    reason: str,
    correction: bool = False,
) -> AddedPhotos:
    """Attach photographs to a holding: all of them, or none if any file is refused.

    A file the holding already has (same content) is not added again; its name is in the
    result's ``already``.
    """
    holding = _lock(holding, by=by, correction=correction)
    if kind not in LeafPhoto.Kind.values:
        raise ValidationError(_("Choose what the photograph shows."), code="kind")
    verified = verify_uploads(uploads)
    entries, already = new_photos(holding, verified, kind=kind, caption=caption)
    photos = [attach_stored(holding, entry, by=by, reason=reason) for entry in entries]
    return AddedPhotos(photos, already)


def verify_uploads(uploads: Sequence[UploadedFile]) -> list[VerifiedImage]:
    """Every upload verified, or one ValidationError naming each refused file."""
    verified, problems = [], []
    for upload in uploads:
        try:
            verified.append(verify_image(upload))
        except ValidationError as exc:
            problems.append(exc)
    if problems:
        raise ValidationError(problems)
    if not verified:
        raise ValidationError(_("Choose at least one photograph."), code="no_file")
    return verified


def new_photos(
    holding: Holding, verified: Sequence[VerifiedImage], *, kind: str, caption: str
) -> tuple[list[dict], list[str]]:
    """Store the files the holding does not have yet; return their photographs-to-be (plain
    values, as a correction request keeps them) and the names of the files it already has."""
    if kind not in LeafPhoto.Kind.values:
        raise ValidationError(_("Choose what the photograph shows."), code="kind")
    had = set(LeafPhoto.objects.filter(holding=holding).values_list("sha256", flat=True))
    entries, already = [], []
    for image in verified:
        if image.sha256 in had:
            already.append(image.name)
            continue
        had.add(image.sha256)
        entries.append(
            {
                "name": image.name,
                "kind": kind,
                "caption": caption.strip(),
                "sha256": image.sha256,
                "content_type": image.content_type,
                "width": image.width,
                "height": image.height,
                **store_image(image),
            }
        )
    return entries, already


def attach_stored(
    holding: Holding, entry: dict, *, by: User, reason: str, uploaded_by: User | None = None
) -> LeafPhoto:
    """Save one photograph whose files are stored (``new_photos``); the caller holds the lock.

    ``by`` acts (history); ``uploaded_by`` took the photograph, when someone else did.
    """
    photo = LeafPhoto(
        holding=holding,
        institution_id=holding.institution_id,
        uploaded_by=uploaded_by or by,
        **{name: value for name, value in entry.items() if name != "name"},
    )
    save_audited(
        photo,
        by=by,
        reason=reason or _("Leaf photograph added: %(file)s") % {"file": entry["name"]},
    )
    return photo


@transaction.atomic
def delete_leaf_photo(photo: LeafPhoto, *, by: User, reason: str, correction: bool = False) -> None:
    """Remove a photograph; its files go too once no photograph nor submission refers to them."""
    holding = Holding.objects.get(pk=photo.holding_id)
    _lock(holding, by=by, correction=correction)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the photograph is removed."), code="reason_required")
    sha256, paths = photo.sha256, [photo.original, photo.preview, photo.thumbnail]
    delete_audited(photo, by=by, reason=reason)
    transaction.on_commit(lambda: _delete_files_if_unused(sha256, paths))


def snapshot_photos(round_: ReviewRound, holding: Holding, *, by: User, reason: str) -> None:
    """Keep the photographs as submitted with the round (call inside the submission)."""
    for photo in LeafPhoto.objects.filter(holding=holding).order_by("kind", "id"):
        copy = SubmittedPhoto(
            round=round_,
            institution_id=holding.institution_id,
            photo_id=photo.pk,
            **{name: getattr(photo, name) for name in SubmittedPhoto.COPIED},
        )
        save_audited(copy, by=by, reason=reason)


def _delete_files_if_unused(sha256: str, paths: Sequence[str]) -> None:
    if LeafPhoto.objects.filter(sha256=sha256).exists():
        return
    if SubmittedPhoto.objects.filter(sha256=sha256).exists():
        return  # a reviewer may still look at it as submitted
    if _proposed(sha256):
        return  # a correction request still waiting proposes it
    images.delete_files(paths)


def _proposed(sha256: str) -> bool:
    from census.models import CorrectionRequest

    waiting = CorrectionRequest.objects.filter(
        status=CorrectionRequest.Status.PENDING, changes__has_key="photos_add"
    ).values_list("changes", flat=True)
    return any(e.get("sha256") == sha256 for c in waiting for e in c["photos_add"])


def release_proposed(entries: Sequence[dict]) -> None:
    """After a photo correction is refused: remove the files it stored for photographs that
    never became the record's (unless a photograph, a submitted copy or another waiting
    request uses the same file)."""
    for entry in entries:
        paths = [entry["original"], *(entry.get(v) for v in images.VARIANTS if entry.get(v))]
        sha256 = entry["sha256"]
        transaction.on_commit(
            lambda sha256=sha256, paths=paths: _delete_files_if_unused(sha256, paths)
        )
