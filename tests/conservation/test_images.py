"""Repair photographs: sets, 册/叶, refusals, derivatives, the comparison view."""

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conservation import images as repair_images
from conservation.images import add_images, pairs, place_from_filename
from conservation.models import RepairImage
from tests.conservation.factories import centre_admin, conservator, plan_for
from tests.conservation.images import SVG, leaf_photo, multipage_tiff, png_claiming
from tests.factories import make_holding

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def huey_immediate():
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture
def people():
    return {"admin": centre_admin(), "wang": conservator(), "li": conservator()}


@pytest.fixture
def plan(people):
    return plan_for(
        make_holding(), by=people["admin"], conservators=[people["wang"]],
        approve_by=people["admin"],
    )  # fmt: skip


def stored(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def test_many_photographs_at_once_keep_the_original_bytes(plan, people, media):
    files = [leaf_photo("1-3.jpg"), leaf_photo("1-4.jpg", seed=1)]
    originals = [f.read() for f in files]
    for f in files:
        f.seek(0)

    added = add_images(plan, uploads=files, kind="before", by=people["wang"])

    assert [(i.volume, i.leaf) for i in added] == [(1, "3"), (1, "4")]
    for image, data in zip(added, originals, strict=True):
        assert (media / image.original).read_bytes() == data
        assert image.original.startswith("repairs/")
    assert added[0].history.first().history_user == people["wang"]


def test_the_form_s_volume_and_leaf_win_over_the_file_name(plan, people):
    (image,) = add_images(
        plan, uploads=[leaf_photo("2-9.jpg")], kind="after", volume=5, leaf="12b",
        by=people["wang"],
    )  # fmt: skip
    assert (image.volume, image.leaf) == (5, "12b")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("3-12.jpg", (3, "12")), ("03_012b.tif", (3, "12b")), ("IMG_0001.jpg", (None, "")),
     ("leaf.jpg", (None, "")), ("1-2-3.jpg", (None, ""))],
)  # fmt: skip
def test_volume_and_leaf_are_read_from_the_file_name_only_when_clear(name, expected):
    assert place_from_filename(name) == expected


def test_derivatives_are_made_by_the_worker(
    plan, people, media, huey_immediate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        (image,) = add_images(plan, uploads=[leaf_photo()], kind="before", by=people["wang"])
        assert not (media / repair_images.variant_name(image, "preview")).exists()

    assert len(callbacks) == 1

    for variant in ("thumbnail", "preview", "large"):
        assert (media / repair_images.variant_name(image, variant)).exists()


def _big():
    f = leaf_photo("big.jpg")
    f.size = 100 * 1024 * 1024
    return f


def _truncated():
    data = leaf_photo().read()
    return SimpleUploadedFile("cut.jpg", data[: len(data) // 2])


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: SimpleUploadedFile("notes.jpg", "修复记录".encode()), "not an image"),
        (_truncated, "damaged or truncated"),
        (lambda: png_claiming(50_000, 50_000), "million pixels"),
        (_big, "larger than the limit"),
        (multipage_tiff, "2 pages"),
        (lambda: SimpleUploadedFile("drawing.svg", SVG), "not an image"),
    ],
    ids=["text-as-jpg", "truncated", "50000x50000", "100MB", "multipage-tiff", "svg"],
)
def test_a_bad_file_is_refused_clearly_and_nothing_is_stored(
    plan, people, media, upload, message, settings
):
    settings.LANGUAGE_CODE = "en"
    bad = upload()

    with pytest.raises(ValidationError) as caught:
        add_images(plan, uploads=[leaf_photo("good.jpg"), bad], kind="before", by=people["wang"])

    (text,) = caught.value.messages
    assert text.startswith(f"{bad.name}: ")
    assert message in text
    assert not RepairImage.objects.exists()
    assert stored(media) == []


def test_only_who_works_on_the_plan_adds_photographs(plan, people):
    with pytest.raises(PermissionDenied):
        add_images(plan, uploads=[leaf_photo()], kind="before", by=people["li"])


def test_pairs_match_before_and_after_of_the_same_leaf(plan, people):
    add_images(
        plan, uploads=[leaf_photo("1-10.jpg"), leaf_photo("1-2.jpg"), leaf_photo("2-1.jpg")],
        kind="before", by=people["wang"],
    )  # fmt: skip
    add_images(
        plan, uploads=[leaf_photo("1-2.jpg", damaged=False), leaf_photo("1-10.jpg", seed=3)],
        kind="after", by=people["wang"],
    )  # fmt: skip

    assert [(p.volume, p.leaf) for p in pairs(plan)] == [(1, "2"), (1, "10")]


def test_the_upload_page_and_the_comparison_view(client, plan, people):
    client.force_login(people["wang"])
    r = client.post(
        reverse("conservation:image_upload", args=[plan.pk]),
        {"kind": "before", "files": [leaf_photo("1-5.jpg"), leaf_photo("1-6.jpg")]},
    )
    assert r.status_code == 302
    client.post(
        reverse("conservation:image_upload", args=[plan.pk]),
        {"kind": "after", "files": [leaf_photo("1-5.jpg", damaged=False)]},
    )

    page = client.get(reverse("conservation:compare", args=[plan.pk])).content.decode()
    before, after = (
        RepairImage.objects.get(kind="before", leaf="5"),
        RepairImage.objects.get(kind="after"),
    )
    assert reverse("conservation:image", args=[before.pk, "large"]) in page
    assert reverse("conservation:image", args=[after.pk, "large"]) in page
    assert "data-slider" in page and "style=" not in page and "<script>" not in page
    r = client.get(reverse("conservation:image", args=[after.pk, "large"]))
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"


def test_the_upload_page_names_each_refused_file(client, plan, people, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(people["wang"])
    r = client.post(
        reverse("conservation:image_upload", args=[plan.pk]),
        {"kind": "before", "files": [SimpleUploadedFile("x.svg", SVG), multipage_tiff()]},
    )
    page = r.content.decode()
    assert r.status_code == 200
    assert "x.svg:" in page and "scan.tif:" in page
    assert not RepairImage.objects.exists()


def test_photographs_of_another_institution_are_not_found(client, plan, people):
    from guji.models import RoleAssignment
    from tests.factories import make_institution, make_user

    (image,) = add_images(plan, uploads=[leaf_photo()], kind="before", by=people["wang"])
    stranger = make_user(RoleAssignment.Role.CATALOGUER, make_institution())
    client.force_login(stranger)

    assert client.get(reverse("conservation:image", args=[image.pk, "preview"])).status_code == 404
