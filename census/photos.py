"""Leaf photographs: verified by Pillow, stored once by content hash, derivatives made once.

The checks and the storage are ``guji.files.images``: a file is accepted only if Pillow reads
it as a JPEG, PNG, TIFF or WebP image within the size and pixel limits; it is stored as
``photos/ab/cd/<sha256>.<ext>`` through the storage API with a thumbnail and a preview beside
it, so the same photograph uploaded twice shares its files.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from census.models import LeafPhoto
from guji.files import images
from guji.files.images import ORIENTATION_TAG, VerifiedImage  # noqa: F401  (census's API)
from guji.history import delete_audited, save_audited
from guji.models import Holding, User
from guji.permissions import require

PREFIX = "photos"


def verify_image(upload: UploadedFile) -> VerifiedImage:
    """Read an uploaded file as a leaf photograph, or raise ValidationError naming it."""
    return images.verify_image(upload)


def store_image(image: VerifiedImage) -> dict[str, str]:
    """Store the original and its derivatives unless already there; return the stored names.

    The derivatives are made here, in the request, so that the page that follows shows them;
    ``images.make_derivatives`` would make them in a Huey task just as well.
    """
    original = images.store_original(image, prefix=PREFIX)
    return {"original": original, **images.make_derivatives(original)}


@transaction.atomic
def add_leaf_photos(
    holding: Holding,
    *,
    uploads: Sequence[UploadedFile],
    kind: str,
    caption: str = "",
    by: User,
    reason: str,
) -> list[LeafPhoto]:
    """Attach photographs to a holding: all of them, or none if any file is refused."""
    require(by, "catalogue", holding)
    if kind not in LeafPhoto.Kind.values:
        raise ValidationError(_("Choose what the photograph shows."), code="kind")
    images, problems = [], []
    for upload in uploads:
        try:
            images.append(verify_image(upload))
        except ValidationError as exc:
            problems.append(exc)
    if problems:
        raise ValidationError(problems)
    if not images:
        raise ValidationError(_("Choose at least one photograph."), code="no_file")
    photos = []
    for image in images:
        paths = store_image(image)
        photo = LeafPhoto(
            holding=holding,
            institution_id=holding.institution_id,
            kind=kind,
            caption=caption.strip(),
            sha256=image.sha256,
            content_type=image.content_type,
            width=image.width,
            height=image.height,
            uploaded_by=by,
            **paths,
        )
        save_audited(
            photo,
            by=by,
            reason=reason or _("Leaf photograph added: %(file)s") % {"file": image.name},
        )
        photos.append(photo)
    return photos


@transaction.atomic
def delete_leaf_photo(photo: LeafPhoto, *, by: User, reason: str) -> None:
    """Remove a photograph; its files go too once no other photograph shares them."""
    require(by, "catalogue", photo)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the photograph is removed."), code="reason_required")
    sha256, paths = photo.sha256, [photo.original, photo.preview, photo.thumbnail]
    delete_audited(photo, by=by, reason=reason)
    transaction.on_commit(lambda: _delete_files_if_unused(sha256, paths))


def _delete_files_if_unused(sha256: str, paths: Sequence[str]) -> None:
    if LeafPhoto.objects.filter(sha256=sha256).exists():
        return
    images.delete_files(paths)
