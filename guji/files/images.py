"""Images: verified by Pillow, stored once by content hash, derivatives made once.

    image = verify_image(upload)                       # ValidationError naming the file
    original = store_original(image, prefix="photos")  # photos/ab/cd/<sha256>.jpg
    derivatives = make_derivatives(original)           # best in a Huey task (the worker's
    # memory, not the web process's): guji.files.tasks.make_image_derivatives(original)

A file is accepted only if Pillow reads it completely as one of the allowed formats within the
size and pixel limits. Every file goes through Django's storage API (``default_storage`` unless
another storage is given), so media may live on disk or on S3-compatible storage. Stored names
are content addressed: the same bytes uploaded twice share one original and one set of
derivatives, and a derivative is made only when it is not there yet.
"""

import hashlib
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

# Pillow format name → (extension, content type).
FORMATS: Mapping[str, tuple[str, str]] = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "TIFF": ("tif", "image/tiff"),
    "WEBP": ("webp", "image/webp"),
}
# 100 megapixels holds a leaf shot on a medium-format back; a decompression bomb is far larger.
MAX_PIXELS = 100_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow warns above this and refuses above twice it
# A JPEG is decoded at a reduced scale (draft) to check it; other formats are decoded whole only
# up to this many pixels (about 64 MB), so that a request's memory stays bounded. A larger PNG
# is checked by its structure and chunk checksums (verify), and decoded by the worker.
DECODE_IN_REQUEST_PIXELS = 16_000_000
ORIENTATION_TAG = 0x0112  # EXIF


@dataclass(frozen=True)
class Variant:
    """A derivative: a JPEG whose longest side is at most ``side``, named ``<stem>.<suffix>``."""

    side: int
    suffix: str


VARIANTS: Mapping[str, Variant] = {
    "thumbnail": Variant(240, "thumb.jpg"),
    "preview": Variant(1600, "preview.jpg"),
}
JPEG_QUALITY = 85


@dataclass(frozen=True)
class VerifiedImage:
    name: str  # as uploaded, for messages
    data: bytes
    sha256: str
    format: str  # Pillow's name, e.g. "JPEG"
    extension: str
    content_type: str
    width: int  # as displayed, after the EXIF orientation
    height: int


def _reject(name: str, message: str, code: str) -> ValidationError:
    return ValidationError(
        _("%(file)s: %(problem)s") % {"file": name, "problem": message}, code=code
    )


def verify_image(
    upload: UploadedFile,
    *,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
    formats: Mapping[str, tuple[str, str]] = FORMATS,
) -> VerifiedImage:
    """Read an uploaded file as an image, or raise ValidationError naming the file and the fault.

    The whole image is decoded here, before anything is stored, so a truncated or damaged file
    is refused now rather than when a derivative is made. ``max_bytes`` defaults to
    ``settings.GUJI_MAX_UPLOAD_BYTES``, ``max_pixels`` to :data:`MAX_PIXELS`.
    """
    name = upload.name or _("(unnamed file)")
    limit = max_pixels or MAX_PIXELS
    data = _read_within_limit(upload, name, max_bytes or settings.GUJI_MAX_UPLOAD_BYTES)
    # WeasyPrint sets this on import, for its own images: a truncated photograph must fail here.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            _check_pixels(name, *probe.size, limit=limit)
            probe.verify()
        if fmt not in formats:
            raise _reject(name, _not_accepted(fmt, formats), "format")
        with Image.open(io.BytesIO(data)) as image:  # verify() leaves the image unusable
            width, height = image.size
            if _orientation(image) in (5, 6, 7, 8):  # turned a quarter
                width, height = height, width
            if fmt == "JPEG":
                image.draft("RGB", (VARIANTS["preview"].side,) * 2)  # all data, fewer pixels
                image.load()  # decode it all: verify() does not find a truncated JPEG
            elif image.width * image.height <= DECODE_IN_REQUEST_PIXELS:
                image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _reject(name, _too_many_pixels(limit), "too_many_pixels") from None
    except UnidentifiedImageError:
        raise _reject(
            name, _("this is not an image Pillow can read (JPEG, PNG, TIFF or WebP)."), "not_image"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _reject(
            name, _("the image is damaged or truncated (%(error)s).") % {"error": exc}, "damaged"
        ) from None
    extension, content_type = formats[fmt]
    return VerifiedImage(
        name=name,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt,
        extension=extension,
        content_type=content_type,
        width=width,
        height=height,
    )


def _orientation(image: Image.Image) -> int | None:
    """The EXIF orientation, read without decoding the pixels."""
    if image.format == "PNG" and "exif" not in image.info:
        return None  # an eXIf chunk after the pixels: Pillow would decode them all to find it
    return image.getexif().get(ORIENTATION_TAG)


def _not_accepted(fmt: str | None, formats: Mapping[str, tuple[str, str]]) -> str:
    if formats is FORMATS:
        return _("%(format)s images are not accepted; use JPEG, PNG, TIFF or WebP.") % {
            "format": fmt
        }
    return _("%(format)s images are not accepted; use %(formats)s.") % {
        "format": fmt,
        "formats": ", ".join(sorted(formats)),
    }


def _read_within_limit(upload: UploadedFile, name: str, limit: int) -> bytes:
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


def _check_pixels(name: str, width: int, height: int, *, limit: int) -> None:
    if width * height > limit:
        raise _reject(name, _too_many_pixels(limit), "too_many_pixels")


def _too_many_pixels(limit: int) -> str:
    return _("the image has more than %(n)s million pixels (a possible decompression bomb).") % {
        "n": limit // 1_000_000
    }


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".removesuffix(".0")


# --- storing ----------------------------------------------------------------------------------


def original_name(sha256: str, extension: str, *, prefix: str) -> str:
    """``<prefix>/ab/cd/<sha256>.<extension>``: two levels keep directories small."""
    return f"{prefix}/{sha256[:2]}/{sha256[2:4]}/{sha256}.{extension}"


def derivative_name(original: str, variant: str, variants: Mapping[str, Variant] = VARIANTS) -> str:
    """``photos/ab/cd/<sha256>.jpg`` → ``photos/ab/cd/<sha256>.thumb.jpg``."""
    return f"{original.rsplit('.', 1)[0]}.{variants[variant].suffix}"


def store_once(name: str, content: bytes, *, storage: Storage | None = None) -> None:
    """Write ``content`` at ``name`` unless it is there already (content-addressed: same bytes)."""
    storage = storage or default_storage
    if storage.exists(name):
        return
    saved = storage.save(name, ContentFile(content))
    if saved != name:  # another upload of the same bytes won the race: keep one copy
        storage.delete(saved)


def store_original(image: VerifiedImage, *, prefix: str, storage: Storage | None = None) -> str:
    """Store the verified bytes by content hash (once) and return the stored name."""
    name = original_name(image.sha256, image.extension, prefix=prefix)
    store_once(name, image.data, storage=storage)
    return name


def make_derivatives(
    original: str,
    *,
    variants: Mapping[str, Variant] = VARIANTS,
    storage: Storage | None = None,
) -> dict[str, str]:
    """Make each missing derivative of a stored original; return {variant: stored name}.

    Idempotent and safe to run twice at once (content-addressed names), so it may run in the
    request or in a Huey task (``guji.files.tasks.make_image_derivatives``).
    """
    storage = storage or default_storage
    names = {variant: derivative_name(original, variant, variants) for variant in variants}
    missing = [v for v, name in names.items() if not storage.exists(name)]
    if missing:
        with storage.open(original, "rb") as f:
            data = f.read()
        for variant in missing:
            store_once(names[variant], derivative(data, variants[variant].side), storage=storage)
    return names


def derivative(data: bytes, longest_side: int) -> bytes:
    """A JPEG of the image turned upright (EXIF), flattened on white, within ``longest_side``."""
    with Image.open(io.BytesIO(data)) as image:
        if image.format == "JPEG":
            image.draft("RGB", (longest_side, longest_side))  # decode at a reduced scale
        else:  # halve by whole factors first (cheap box filter), then resample the rest
            factor = min(image.size) // (2 * longest_side) if min(image.size) else 0
            if factor > 1 and image.mode in ("L", "LA", "RGB", "RGBA", "CMYK", "I", "F"):
                image = image.reduce(factor)
        image = ImageOps.exif_transpose(image)
        image = _as_rgb(image)
        image.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        return out.getvalue()


def derivative_size(width: int, height: int, longest_side: int, *, jpeg: bool) -> tuple[int, int]:
    """The pixel size ``derivative`` gives an upright ``width`` × ``height`` image, without
    opening it (for image viewers that must be told sizes): Pillow's JPEG draft scale, then
    ``thumbnail``'s rounding, as in Pillow 12."""
    if jpeg:
        scale = min(width // longest_side, height // longest_side)
        step = next((s for s in (8, 4, 2) if scale >= s), 1)
        width, height = -(-width // step), -(-height // step)
    if width <= longest_side and height <= longest_side:
        return width, height
    aspect = width / height
    x = y = longest_side

    def nearest(number: float, key) -> int:
        return max(min(math.floor(number), math.ceil(number), key=key), 1)

    if x / y >= aspect:
        x = nearest(y * aspect, key=lambda n: abs(aspect - n / y))
    else:
        y = nearest(x / aspect, key=lambda n: 0 if n == 0 else abs(aspect - x / n))
    return x, y


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


def delete_files(names: Iterable[str], *, storage: Storage | None = None) -> None:
    """Delete stored files; a name already gone is no error. Callers check nothing shares them."""
    storage = storage or default_storage
    for name in names:
        storage.delete(name)
