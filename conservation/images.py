"""Repair photographs: uploaded many at once into a set, checked and stored through the shared
images module (guji.files.images), derivatives made by the worker."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image

from conservation.models import RepairImage, RepairPlan
from guji.files import images
from guji.files.images import Variant
from guji.history import Change, save_audited
from guji.models import User
from guji.permissions import require

PREFIX = "repairs"
# The shared thumbnail and preview, and a large one for zooming in the comparison view.
VARIANTS = {**images.VARIANTS, "large": Variant(4000, "large.jpg")}
MAX_BYTES = 60 * 1024 * 1024  # a 12-megapixel TIFF from a copy stand; 100 MB is refused
# "3-12.jpg", "03_012b.tif": 册 3, 叶 12 (b); anything else leaves 册 and 叶 as the form says.
FILENAME = re.compile(r"^(\d{1,3})[-_](\d{1,4}[ab]?)$", re.IGNORECASE)


def variant_name(image: RepairImage, variant: str) -> str:
    if variant == "original":
        return image.original
    return images.derivative_name(image.original, variant, VARIANTS)


def make_derivatives(original: str) -> dict[str, str]:
    return images.make_derivatives(original, variants=VARIANTS)


def _verify(upload: UploadedFile) -> images.VerifiedImage:
    image = images.verify_image(upload, max_bytes=MAX_BYTES)
    if image.format == "TIFF":
        with Image.open(io.BytesIO(image.data)) as tiff:
            if getattr(tiff, "n_frames", 1) > 1:
                raise ValidationError(
                    _("%(file)s: a TIFF with %(n)d pages; upload one photograph per file.")
                    % {"file": image.name, "n": tiff.n_frames},
                    code="multi_page",
                )
    return image


def place_from_filename(name: str) -> tuple[int | None, str]:
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    m = FILENAME.match(stem)
    if not m:
        return None, ""
    return int(m.group(1)), m.group(2).lstrip("0") or "0"


@transaction.atomic
def add_images(
    plan: RepairPlan,
    *,
    uploads: Sequence[UploadedFile],
    kind: str,
    by: User,
    volume: int | None = None,
    leaf: str = "",
    caption: str = "",
) -> list[RepairImage]:
    """Add photographs to a plan's set: all of them, or none if any file is refused."""
    require(by, "repair", plan)
    if kind not in RepairImage.Kind.values:
        raise ValidationError(_("Choose the set the photographs belong to."), code="kind")
    verified, problems = [], []
    for upload in uploads:
        try:
            verified.append(_verify(upload))
        except ValidationError as exc:
            problems.append(exc)
    if problems:
        raise ValidationError(problems)
    if not verified:
        raise ValidationError(_("Choose at least one photograph."), code="no_file")
    added = []
    for image in verified:
        original = images.store_original(image, prefix=PREFIX)
        from_name = place_from_filename(image.name)
        row = RepairImage(
            plan=plan,
            institution_id=plan.institution_id,
            kind=kind,
            volume=volume if volume is not None else from_name[0],
            leaf=(leaf or from_name[1]).strip(),
            caption=caption.strip(),
            filename=image.name[:200],
            sha256=image.sha256,
            original=original,
            content_type=image.content_type,
            width=image.width,
            height=image.height,
            uploaded_by=by,
        )
        save_audited(
            row, by=by, reason=_("Repair photograph added: %(file)s") % {"file": image.name}
        )
        added.append(row)
        transaction.on_commit(lambda name=original: _derivatives_later(name))
    return added


def _derivatives_later(original: str) -> None:
    from conservation.tasks import make_repair_derivatives

    make_repair_derivatives(original)


@dataclass(frozen=True)
class Pair:
    volume: int | None
    leaf: str
    before: RepairImage
    after: RepairImage


def pairs(plan: RepairPlan) -> list[Pair]:
    """Before and after photographs of the same 册 and 叶 (the first of each), in leaf order."""
    first: dict[tuple, dict[str, RepairImage]] = {}
    for image in plan.images.filter(kind__in=["before", "after"]).order_by("id"):
        if image.volume is None and not image.leaf:
            continue
        first.setdefault((image.volume, image.leaf), {}).setdefault(image.kind, image)
    out = [
        Pair(volume, leaf, found["before"], found["after"])
        for (volume, leaf), found in first.items()
        if "before" in found and "after" in found
    ]
    return sorted(out, key=lambda p: (p.volume or 0, _leaf_key(p.leaf)))


def _leaf_key(leaf: str) -> tuple:
    m = re.match(r"(\d+)(.*)", leaf)
    return (int(m.group(1)), m.group(2)) if m else (10**9, leaf)


def derivative_ready(image: RepairImage, variant: str) -> bool:
    return default_storage.exists(variant_name(image, variant))


def image_changes(plan_ids) -> list[Change]:
    """Photographs added and removed, for the holding's timeline (one query)."""
    out = []
    versions = RepairImage.history.filter(plan_id__in=plan_ids).exclude(history_type="~")
    for v in versions.select_related("history_user"):
        kind = dict(RepairImage.Kind.choices).get(v.kind, v.kind)
        subject = (
            _("Repair photograph added: %(kind)s")
            if v.history_type == "+"
            else _("Repair photograph removed: %(kind)s")
        ) % {"kind": kind}
        where = " ".join(
            filter(None, [f"{v.volume}" and _("ce %(n)s") % {"n": v.volume} if v.volume else "",
                          _("leaf %(n)s") % {"n": v.leaf} if v.leaf else ""])
        )  # fmt: skip
        out.append(
            Change(
                when=v.history_date,
                user=v.history_user,
                reason=v.history_change_reason or "",
                kind=v.history_type,
                subject=subject,
                comment=where,
            )
        )
    return out
