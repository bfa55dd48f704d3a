"""guji.files.images: what Pillow accepts, where the bytes go, derivatives made once."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from guji.files import images


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def storage():
    return InMemoryStorage()


def upload(name="leaf.jpg", fmt="JPEG", size=(800, 600), mode="RGB", **save):
    buffer = io.BytesIO()
    colour = {"RGB": (180, 150, 110), "RGBA": (180, 150, 110, 128), "I;16": 40000, "1": 1}[mode]
    Image.new(mode, size, colour).save(buffer, fmt, **save)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_a_jpeg_is_verified_with_its_hash_type_and_size():
    image = images.verify_image(upload(size=(640, 480)))

    assert (image.format, image.extension, image.content_type) == ("JPEG", "jpg", "image/jpeg")
    assert (image.width, image.height) == (640, 480)
    assert len(image.sha256) == 64


def test_the_exif_orientation_turns_the_size_and_the_derivatives(storage):
    exif = Image.Exif()
    exif[images.ORIENTATION_TAG] = 6
    image = images.verify_image(upload(size=(800, 600), exif=exif))
    original = images.store_original(image, prefix="photos", storage=storage)

    names = images.make_derivatives(original, storage=storage)

    assert (image.width, image.height) == (600, 800)
    with Image.open(storage.open(names["thumbnail"])) as thumb:
        assert thumb.size == (180, 240)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: upload("anim.gif", "GIF"), "anim.gif: GIF images are not accepted"),
        (lambda: SimpleUploadedFile("notes.jpg", "不是圖片".encode()), "notes.jpg: this is not"),
        (lambda: SimpleUploadedFile("empty.jpg", b""), "empty.jpg: the file is empty"),
        (
            lambda: SimpleUploadedFile("cut.jpg", upload().read()[:2000]),
            "cut.jpg: the image is damaged or truncated",
        ),
        (
            lambda: upload("bomb.png", "PNG", size=(11_000, 11_000), mode="1"),
            "bomb.png: the image has more than 100 million pixels",
        ),
    ],
    ids=["gif", "text", "empty", "truncated", "bomb"],
)
def test_a_bad_file_is_refused_naming_the_file_and_the_fault(make, message):
    with pytest.raises(ValidationError) as caught:
        images.verify_image(make())

    assert caught.value.messages[0].startswith(message)


def test_limits_can_be_set_per_call():
    with pytest.raises(ValidationError, match="larger than the limit of 0 MB"):
        images.verify_image(upload(size=(2000, 2000)), max_bytes=1000)
    with pytest.raises(ValidationError, match="more than 1 million pixels"):
        images.verify_image(upload(size=(1200, 1000)), max_pixels=1_000_000)
    with pytest.raises(ValidationError, match="PNG images are not accepted; use JPEG"):
        images.verify_image(upload("a.png", "PNG"), formats={"JPEG": ("jpg", "image/jpeg")})


def test_the_same_bytes_are_stored_once_under_their_hash(storage):
    first = images.store_original(images.verify_image(upload()), prefix="photos", storage=storage)
    second = images.store_original(images.verify_image(upload()), prefix="photos", storage=storage)

    sha = first.rsplit("/", 1)[1].split(".")[0]
    assert first == second == f"photos/{sha[:2]}/{sha[2:4]}/{sha}.jpg"
    assert storage.listdir(f"photos/{sha[:2]}/{sha[2:4]}")[1] == [f"{sha}.jpg"]


def test_derivatives_are_made_once_and_kept(storage, monkeypatch):
    image = images.verify_image(upload("scan.tif", "TIFF", size=(3000, 2000), mode="I;16"))
    original = images.store_original(image, prefix="scans", storage=storage)
    made = []
    real = images.derivative
    monkeypatch.setattr(images, "derivative", lambda d, s: made.append(s) or real(d, s))

    names = images.make_derivatives(original, storage=storage)
    again = images.make_derivatives(original, storage=storage)

    assert (
        names
        == again
        == {
            "thumbnail": original.replace(".tif", ".thumb.jpg"),
            "preview": original.replace(".tif", ".preview.jpg"),
        }
    )
    assert made == [240, 1600]
    with Image.open(storage.open(names["preview"])) as preview:
        assert (preview.format, preview.mode, preview.size) == ("JPEG", "RGB", (1600, 1067))


def test_the_derivative_task_makes_them_in_a_worker(settings, tmp_path):
    from huey.contrib.djhuey import HUEY

    from guji.files.tasks import make_image_derivatives

    settings.MEDIA_ROOT = tmp_path
    original = images.store_original(images.verify_image(upload()), prefix="photos")
    HUEY.immediate = True
    try:
        names = make_image_derivatives(original).get()
    finally:
        HUEY.immediate = False

    assert sorted(p.name for p in (tmp_path / original).parent.iterdir()) == sorted(
        n.rsplit("/", 1)[1] for n in [original, *names.values()]
    )


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
@pytest.mark.parametrize(
    "size", [(4000, 3000), (3001, 4999), (1700, 1601), (1600, 900), (300, 200), (2411, 1617)]
)
def test_derivative_size_is_the_size_of_the_derivative_made(fmt, size):
    from guji.files.images import derivative, derivative_size

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 180, 150)).save(buf, fmt)
    for side in (240, 1600):
        with Image.open(io.BytesIO(derivative(buf.getvalue(), side))) as made:
            assert derivative_size(*size, side, jpeg=fmt == "JPEG") == made.size
