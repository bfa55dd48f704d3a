"""Leaf photographs: verified, stored once by content hash, served only to who may see them."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from census import photos
from census.models import LeafPhoto
from census.photos import add_leaf_photos, delete_leaf_photo
from guji.files import images
from guji.models import RoleAssignment
from tests.factories import make_holding, make_institution, make_user

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role
Kind = LeafPhoto.Kind


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def huey_immediate():
    """The worker's tasks run as they are queued (a test below turns this off)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


@pytest.fixture
def holding():
    return make_holding(make_institution())


@pytest.fixture
def cataloguer(holding):
    return make_user(Role.CATALOGUER, holding.institution)


def image_file(
    name: str = "leaf.jpg", fmt: str = "JPEG", size=(800, 600), mode="RGB", **save
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    colour = {"RGB": (180, 150, 110), "RGBA": (180, 150, 110, 128), "I;16": 40000, "1": 1}[mode]
    Image.new(mode, size, colour).save(buffer, fmt, **save)
    return SimpleUploadedFile(name, buffer.getvalue())


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def attach(holding, by, *files, kind=Kind.FIRST_LEAF, reason="卷一首葉"):
    return add_leaf_photos(holding, uploads=list(files), kind=kind, by=by, reason=reason)


# --- attaching --------------------------------------------------------------------------------


def test_a_cataloguer_attaches_a_photograph_and_history_says_who_and_why(holding, cataloguer):
    (photo,) = attach(holding, cataloguer, image_file(), kind=Kind.TITLE_PAGE, reason="書名葉")

    assert (photo.holding, photo.institution, photo.kind) == (
        holding,
        holding.institution,
        Kind.TITLE_PAGE,
    )
    assert (photo.width, photo.height, photo.content_type) == (800, 600, "image/jpeg")
    version = photo.history.latest()
    assert (version.history_type, version.history_user, version.history_change_reason) == (
        "+",
        cataloguer,
        "書名葉",
    )


def test_files_are_stored_by_content_hash_with_derivatives(holding, cataloguer, media):
    (photo,) = attach(holding, cataloguer, image_file(size=(3000, 2000)))

    sha = photo.sha256
    assert photo.original == f"photos/{sha[:2]}/{sha[2:4]}/{sha}.jpg"
    with Image.open(media / photo.thumbnail) as thumb, Image.open(media / photo.preview) as prev:
        assert (thumb.format, thumb.size) == ("JPEG", (240, 160))
        assert (prev.format, prev.size) == ("JPEG", (1600, 1067))


def test_the_same_photograph_twice_shares_one_set_of_files(holding, cataloguer, media):
    first = attach(holding, cataloguer, image_file())[0]
    files = stored_files(media)

    second = attach(make_holding(holding.institution), cataloguer, image_file())[0]

    assert second.original == first.original
    assert stored_files(media) == files
    assert len(files) == 3


def test_derivatives_follow_the_exif_orientation(holding, cataloguer, media):
    exif = Image.Exif()
    exif[photos.ORIENTATION_TAG] = 6  # the camera was turned: display rotated a quarter
    upload = image_file(size=(800, 600), exif=exif)

    (photo,) = attach(holding, cataloguer, upload)

    assert (photo.width, photo.height) == (600, 800)
    with Image.open(media / photo.thumbnail) as thumb:
        assert thumb.size == (180, 240)


@pytest.mark.parametrize(
    ("upload", "content_type"),
    [
        (lambda: image_file("seal.png", "PNG", mode="RGBA"), "image/png"),
        (lambda: image_file("scan.tif", "TIFF", mode="I;16"), "image/tiff"),
        (lambda: image_file("leaf.webp", "WEBP"), "image/webp"),
    ],
    ids=["png-with-alpha", "tiff-16-bit", "webp"],
)
def test_png_tiff_and_webp_are_accepted(holding, cataloguer, media, upload, content_type):
    (photo,) = attach(holding, cataloguer, upload())

    assert photo.content_type == content_type
    with Image.open(media / photo.preview) as preview:
        assert (preview.format, preview.mode) == ("JPEG", "RGB")


def _bomb() -> SimpleUploadedFile:
    return image_file("bomb.png", "PNG", size=(11_000, 11_000), mode="1")  # 121 Mpx, a few kB


def _truncated() -> SimpleUploadedFile:
    data = image_file().read()
    return SimpleUploadedFile("cut.jpg", data[: len(data) // 2])


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: image_file("anim.gif", "GIF", mode="RGB"), "GIF images are not accepted"),
        (lambda: SimpleUploadedFile("notes.jpg", "不是圖片".encode()), "not an image"),
        (lambda: SimpleUploadedFile("empty.jpg", b""), "empty"),
        (_truncated, "damaged or truncated"),
        (_bomb, "more than 100 million pixels"),
    ],
    ids=["gif", "text", "empty", "truncated", "bomb"],
)
def test_a_bad_file_is_refused_with_its_name_and_nothing_is_stored(
    holding, cataloguer, media, upload, message, settings
):
    settings.LANGUAGE_CODE = "en"
    file = upload()

    with pytest.raises(ValidationError) as caught:
        attach(holding, cataloguer, file)

    (text,) = caught.value.messages
    assert text.startswith(f"{file.name}: ")
    assert message in text
    assert not LeafPhoto.objects.exists()
    assert stored_files(media) == []


def test_a_truncated_file_is_refused_even_after_weasyprint_was_loaded(holding, cataloguer):
    import weasyprint  # noqa: F401  (sets PIL.ImageFile.LOAD_TRUNCATED_IMAGES on import)
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True

    with pytest.raises(ValidationError, match=r"cut\.jpg"):
        attach(holding, cataloguer, _truncated())


def test_a_file_over_the_size_limit_is_refused(holding, cataloguer, settings):
    settings.GUJI_MAX_UPLOAD_BYTES = 1000
    settings.LANGUAGE_CODE = "en"

    with pytest.raises(ValidationError, match=r"big\.jpg: the file is larger than the limit"):
        attach(holding, cataloguer, image_file("big.jpg", size=(400, 400)))


def test_pillows_own_bomb_guard_is_a_refusal_too(holding, cataloguer, monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 10**9)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # Pillow raises above twice this

    with pytest.raises(ValidationError, match=r"leaf\.jpg"):
        attach(holding, cataloguer, image_file(size=(100, 100)))


def test_one_bad_file_refuses_the_whole_batch(holding, cataloguer, media):
    with pytest.raises(ValidationError) as caught:
        attach(holding, cataloguer, image_file("good.jpg"), SimpleUploadedFile("bad.jpg", b"x"))

    assert [m.replace("：", ":").split(":")[0] for m in caught.value.messages] == ["bad.jpg"]
    assert not LeafPhoto.objects.exists()
    assert stored_files(media) == []


def test_only_a_cataloguer_of_the_institution_may_attach(holding, media):
    for outsider in (make_user(Role.CATALOGUER, make_institution()), make_user(Role.REVIEWER)):
        with pytest.raises(PermissionDenied):
            attach(holding, outsider, image_file())
    assert stored_files(media) == []


# --- removing ---------------------------------------------------------------------------------


def test_removing_keeps_files_another_photograph_shares(
    holding, cataloguer, media, django_capture_on_commit_callbacks
):
    first = attach(holding, cataloguer, image_file())[0]
    first_id = first.pk
    attach(make_holding(holding.institution), cataloguer, image_file())

    with django_capture_on_commit_callbacks(execute=True):
        delete_leaf_photo(first, by=cataloguer, reason="重複")

    assert len(stored_files(media)) == 3
    version = LeafPhoto.history.filter(id=first_id).latest()
    assert (version.history_type, version.history_user, version.history_change_reason) == (
        "-",
        cataloguer,
        "重複",
    )


def test_removing_the_last_user_of_a_file_deletes_it(
    holding, cataloguer, media, django_capture_on_commit_callbacks
):
    (photo,) = attach(holding, cataloguer, image_file())

    with django_capture_on_commit_callbacks(execute=True):
        delete_leaf_photo(photo, by=cataloguer, reason="拍錯了")

    assert stored_files(media) == []


def test_removing_needs_a_reason_and_the_right(holding, cataloguer):
    (photo,) = attach(holding, cataloguer, image_file())

    with pytest.raises(ValidationError):
        delete_leaf_photo(photo, by=cataloguer, reason=" ")
    with pytest.raises(PermissionDenied):
        delete_leaf_photo(photo, by=make_user(Role.REVIEWER), reason="x")
    assert LeafPhoto.objects.filter(pk=photo.pk).exists()


# --- pages and downloads ----------------------------------------------------------------------


def test_the_upload_page_adds_several_photographs(client, holding, cataloguer):
    client.force_login(cataloguer)
    url = reverse("census:photo_upload", args=[holding.pk])

    response = client.post(
        url,
        {"photos": [image_file("a.jpg"), image_file("b.png", "PNG")], "kind": Kind.SEAL},
    )

    assert response.status_code == 302
    assert list(holding.leaf_photos.values_list("kind", flat=True)) == [Kind.SEAL, Kind.SEAL]
    assert client.get(url).content.count(b'class="photo-delete"') == 2


def test_the_upload_page_names_each_refused_file(client, holding, cataloguer):
    client.force_login(cataloguer)

    response = client.post(
        reverse("census:photo_upload", args=[holding.pk]),
        {
            "photos": [SimpleUploadedFile("甲.jpg", b"no"), SimpleUploadedFile("乙.tif", b"no")],
            "kind": Kind.SEAL,
        },
    )

    assert response.status_code == 400
    errors = response.context["form"].errors["photos"]
    assert [e.split("：")[0].split(":")[0] for e in errors] == ["甲.jpg", "乙.tif"]
    assert not LeafPhoto.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("reviewer", 403), ("other", 404)])
def test_the_upload_page_refuses_who_may_not_catalogue_there(client, holding, who, status):
    user = (
        make_user(Role.REVIEWER)
        if who == "reviewer"
        else make_user(Role.CATALOGUER, make_institution())
    )
    client.force_login(user)

    assert client.get(reverse("census:photo_upload", args=[holding.pk])).status_code == status


def test_the_delete_page_removes_with_the_reason_given(client, holding, cataloguer):
    (photo,) = attach(holding, cataloguer, image_file())
    client.force_login(cataloguer)

    response = client.post(reverse("census:photo_delete", args=[photo.pk]), {"reason": "模糊"})

    assert response.status_code == 302
    assert not LeafPhoto.objects.exists()
    assert LeafPhoto.history.latest().history_change_reason == "模糊"


@pytest.mark.parametrize(
    ("variant", "content_type", "attachment"),
    [
        ("thumbnail", "image/jpeg", False),
        ("preview", "image/jpeg", False),
        ("original", "image/png", True),
    ],
)
def test_who_sees_the_holding_downloads_its_photographs(
    client, holding, cataloguer, variant, content_type, attachment
):
    (photo,) = attach(holding, cataloguer, image_file("seal.png", "PNG"))
    client.force_login(make_user(Role.PROVINCIAL))

    response = client.get(reverse("census:photo", args=[photo.pk, variant]))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment" if attachment else "inline")
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert image.format == ("PNG" if variant == "original" else "JPEG")


def test_photographs_of_another_institution_are_not_found(client, holding, cataloguer):
    (photo,) = attach(holding, cataloguer, image_file())
    client.force_login(make_user(Role.CATALOGUER, make_institution()))

    for variant in ("thumbnail", "preview", "original"):
        assert client.get(reverse("census:photo", args=[photo.pk, variant])).status_code == 404


def test_strangers_are_sent_to_log_in_and_unknown_variants_are_not_found(
    client, holding, cataloguer
):
    (photo,) = attach(holding, cataloguer, image_file())
    url = reverse("census:photo", args=[photo.pk, "thumbnail"])

    assert client.get(url).status_code == 302
    client.force_login(cataloguer)
    assert client.get(reverse("census:photo", args=[photo.pk, "huge"])).status_code == 404


def test_in_production_the_web_server_sends_the_file(client, holding, cataloguer, settings):
    settings.GUJI_SENDFILE_HEADER = "X-Accel-Redirect"
    settings.GUJI_SENDFILE_PREFIX = "/protected-media/"
    (photo,) = attach(holding, cataloguer, image_file())
    client.force_login(cataloguer)

    response = client.get(reverse("census:photo", args=[photo.pk, "preview"]))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{photo.preview}"
    assert response.content == b""


def test_the_holding_page_shows_thumbnails_and_offers_adding_to_cataloguers(
    client, holding, cataloguer
):
    (photo,) = attach(holding, cataloguer, image_file(), kind=Kind.SEAL)
    thumbnail = reverse("census:photo", args=[photo.pk, "thumbnail"])
    upload = reverse("census:photo_upload", args=[holding.pk])

    client.force_login(cataloguer)
    page = client.get(holding.get_absolute_url()).content.decode()
    assert thumbnail in page and upload in page

    client.force_login(make_user(Role.REVIEWER))
    page = client.get(holding.get_absolute_url()).content.decode()
    assert thumbnail in page and upload not in page


def test_adding_and_removing_photographs_appears_on_the_holding_timeline(
    holding, cataloguer, django_capture_on_commit_callbacks
):
    from guji.views import holding_changes

    photo = attach(holding, cataloguer, image_file(), kind=Kind.SEAL, reason="钤印书影")[0]
    with django_capture_on_commit_callbacks(execute=True):
        delete_leaf_photo(photo, by=cataloguer, reason="拍摄模糊，重拍")

    entries = [c for c in holding_changes(holding) if "书影" in c.subject]
    # Each says what happened in its subject, once (no "· added" after "added").
    assert [(c.kind, c.user, c.reason) for c in entries] == [
        ("event", cataloguer, "拍摄模糊，重拍"),
        ("event", cataloguer, "钤印书影"),
    ]
    assert ["删除" in entries[0].subject, "添加" in entries[1].subject] == [True, True]
    assert all("钤印" in c.subject for c in entries)
