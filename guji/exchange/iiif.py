"""IIIF Presentation 3 manifests of a holding's image sets, built with iiif-prezi3.

The images come from the apps through ``guji.registry.image_sets`` (the census's leaf
photographs, the repair base's photograph sets): the core names no app. Each canvas is painted
with the image's "preview" size (a JPEG at most 1600 pixels on its longest side, served by the
app's permission-checked view) at exactly the pixel size that view serves, and carries the
"thumbnail" size as its thumbnail. Books whose leaves turn right to left (线装 and the other
codex bindings of RIGHT_TO_LEFT) are ``viewingDirection: right-to-left``. Labels are zh-Hans.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import translation
from iiif_prezi3 import KeyValueString, Manifest

from guji.models import Holding
from guji.registry import ImageSet

LANGUAGE = "zh-Hans"
PAINTED = "preview"
THUMBNAIL = "thumbnail"
# Binding codes (guji/data/binding.csv) of books read from the right-hand leaf to the left.
RIGHT_TO_LEFT = frozenset({"xianzhuang", "baobei", "hudie", "maozhuang", "jinxiangyu"})


def _label(text: str) -> dict:
    return {LANGUAGE: [text]}


def _pair(label: str, value: str) -> KeyValueString:
    return KeyValueString(label=_label(label), value=_label(value))


def right_to_left(holding: Holding) -> bool:
    return bool(holding.binding_id) and holding.binding.code in RIGHT_TO_LEFT


def manifest(
    holding: Holding, image_set: ImageSet, *, manifest_url: str, absolute: Callable[[str], str]
) -> str:
    """The manifest as JSON-LD text; ``absolute`` turns a path into a full URL."""
    with translation.override("zh-hans"):
        title = f"{holding.title_juan} · {image_set.label}"
        metadata = [
            _pair(str(translation.gettext("Institution")), holding.institution.name),
            _pair(str(translation.gettext("Call number")), holding.call_number),
        ]
        if holding.edition_statement:
            metadata.append(
                _pair(str(translation.gettext("Edition statement")), holding.edition_statement)
            )
    m = Manifest(id=manifest_url, label=_label(title), metadata=metadata)
    if right_to_left(holding):
        m.viewingDirection = "right-to-left"
    for n, image in enumerate(image_set.images, 1):
        width, height = image.sizes[PAINTED]
        canvas_id = f"{manifest_url}/canvas/{n}"
        canvas = m.make_canvas(id=canvas_id, label=_label(image.label), width=width, height=height)
        canvas.add_image(
            image_url=absolute(image.urls[PAINTED]),
            anno_page_id=f"{canvas_id}-page",
            anno_id=f"{canvas_id}-image",
            format=image.content_type,
            width=width,
            height=height,
        )
        thumb_w, thumb_h = image.sizes[THUMBNAIL]
        canvas.thumbnail = [
            {
                "id": absolute(image.urls[THUMBNAIL]),
                "type": "Image",
                "format": image.content_type,
                "width": thumb_w,
                "height": thumb_h,
            }
        ]
    return m.jsonld()
