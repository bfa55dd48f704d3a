"""Leaf photographs: verified by Pillow, stored once by content hash, derivatives made once.

A file is accepted only if Pillow reads it as a JPEG, PNG, TIFF or WebP image within the size
and pixel limits; it is stored as ``photos/ab/cd/<sha256>.<ext>`` under MEDIA_ROOT with a
thumbnail and a preview beside it, so the same photograph uploaded twice shares its files.
"""

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from census.models import LeafPhoto
from guji.history import delete_audited, save_audited
from guji.models import Holding, User
from guji.permissions import require

# Pillow format name → (extension, content type).
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "TIFF": ("tif", "image/tiff"),
    "WEBP": ("webp", "image/webp"),
}
# 100 megapixels holds a leaf shot on a medium-format back; a decompression bomb is far larger.
MAX_PIXELS = 100_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow warns above this and refuses above twice it
ORIENTATION_TAG = 0x0112  # EXIF
VARIANTS = {"thumbnail": 240, "preview": 1600}  # longest side in pixels, JPEG
JPEG_QUALITY = 85


@dataclass(frozen=True)
class VerifiedImage:
    name: str  # as uploaded, for messages
    data: bytes
    sha256: str
    extension: str
    content_type: str
    width: int  # as displayed, after the EXIF orientation
    height: int
    derivatives: dict[str, bytes]  # variant → JPEG bytes; empty when already stored


def _reject(name: str, message: str, code: str) -> ValidationError:
    return ValidationError(
        _("%(file)s: %(problem)s") % {"file": name, "problem": message}, code=code
    )


def verify_image(upload: UploadedFile) -> VerifiedImage:
    """Read an uploaded file as an image and make its derivatives, or raise ValidationError.

    Everything that can fail (reading, decoding, scaling) happens here, before anything is
    stored; the message names the file and says what is wrong with it.
    """
    name = upload.name or _("(unnamed file)")
    data = _read_within_limit(upload, name)
    # WeasyPrint sets this on import, for its own images: a truncated photograph must fail here.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            _check_pixels(name, *probe.size)
            probe.verify()
        if fmt not in FORMATS:
            raise _reject(
                name,
                _("%(format)s images are not accepted; use JPEG, PNG, TIFF or WebP.")
                % {"format": fmt},
                "format",
            )
        with Image.open(io.BytesIO(data)) as image:  # verify() leaves the image unusable
            width, height = image.size
            if image.getexif().get(ORIENTATION_TAG) in (5, 6, 7, 8):  # turned a quarter
                width, height = height, width
        extension, content_type = FORMATS[fmt]
        sha256 = hashlib.sha256(data).hexdigest()
        paths = storage_paths(sha256, extension)
        derivatives = {
            variant: _derivative(data, side)
            for variant, side in VARIANTS.items()
            if not default_storage.exists(paths[variant])
        }
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _reject(name, _too_many_pixels(), "too_many_pixels") from None
    except UnidentifiedImageError:
        raise _reject(
            name, _("this is not an image Pillow can read (JPEG, PNG, TIFF or WebP)."), "not_image"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _reject(
            name, _("the image is damaged or truncated (%(error)s).") % {"error": exc}, "damaged"
        ) from None
    return VerifiedImage(
        name=name,
        data=data,
        sha256=sha256,
        extension=extension,
        content_type=content_type,
        width=width,
        height=height,
        derivatives=derivatives,
    )


def _read_within_limit(upload: UploadedFile, name: str) -> bytes:
    limit = settings.GUJI_MAX_UPLOAD_BYTES
    too_large = _("the file is larger than the limit of %(limit)s MB.") % {
        "limit": _megabytes(limit)
    }
    if upload.size is not None and upload.size > limit:
        raise _reject(name, too_large, "too_large")
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:  # the declared size can lie
        raise _reject(name, too_large, "too_large")
    if not data:
        raise _reject(name, _("the file is empty."), "empty")
    return data


def _check_pixels(name: str, width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise _reject(name, _too_many_pixels(), "too_many_pixels")


def _too_many_pixels() -> str:
    return _("the image has more than %(n)s million pixels (a possible decompression bomb).") % {
        "n": MAX_PIXELS // 1_000_000
    }


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".removesuffix(".0")


def storage_paths(sha256: str, extension: str) -> dict[str, str]:
    base = f"photos/{sha256[:2]}/{sha256[2:4]}/{sha256}"
    return {
        "original": f"{base}.{extension}",
        "preview": f"{base}.preview.jpg",
        "thumbnail": f"{base}.thumb.jpg",
    }


def _store_once(name: str, content: bytes) -> None:
    """Write ``content`` at ``name`` unless it is there already (content-addressed: same bytes)."""
    if default_storage.exists(name):
        return
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:  # another upload of the same bytes won the race: keep one copy
        default_storage.delete(saved)


def _derivative(data: bytes, longest_side: int) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        if image.format == "JPEG":
            image.draft("RGB", (longest_side, longest_side))  # decode at a reduced scale
        image = ImageOps.exif_transpose(image)
        image = _as_rgb(image)
        image.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        return out.getvalue()


def _as_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit scans
        image = image.point(lambda v: v / 256).convert("L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA"):
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def store_image(image: VerifiedImage) -> dict[str, str]:
    """Store the original and its derivatives unless already there; return the paths."""
    paths = storage_paths(image.sha256, image.extension)
    _store_once(paths["original"], image.data)
    for variant, content in image.derivatives.items():
        _store_once(paths[variant], content)
    return paths


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
    for path in paths:
        default_storage.delete(path)
