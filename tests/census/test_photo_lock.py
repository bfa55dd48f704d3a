"""Photographs follow the record's lock, the reviewer sees them as submitted, one file is one
photograph per holding, and their derivatives are made by the worker, not in the request."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from huey.contrib.djhuey import HUEY
from huey.storage import MemoryStorage
from PIL import Image

from census.models import LeafPhoto, SubmittedPhoto
from census.photos import add_leaf_photos, delete_leaf_photo
from census.services import return_entry, submit_entries
from guji.files import images
from guji.models import Holding
from tests.census.workflow_factories import Role, make_entry
from tests.factories import make_holding, make_institution, make_user

pytestmark = pytest.mark.django_db
S = Holding.Status
Kind = LeafPhoto.Kind


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def huey_immediate():
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


@pytest.fixture
def huey_queue(monkeypatch):
    """The worker is not running: tasks wait in a queue the test can look at."""
    assert not HUEY.immediate
    monkeypatch.setattr(HUEY, "storage", MemoryStorage("test-queue"))
    return HUEY


def jpeg(name="leaf.jpg", colour=(180, 150, 110), size=(800, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue())


def attach(holding, by, *files, **kwargs):
    return add_leaf_photos(holding, uploads=list(files), kind=Kind.SEAL, by=by, reason="书影")


# --- the lock ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.SUBMITTED, S.REGISTERED])
def test_photographs_of_a_submitted_or_registered_record_cannot_be_added_or_removed(
    status, huey_immediate
):
    entry = make_entry(S.DRAFT)
    cataloguer = make_user(Role.CATALOGUER, entry.institution)
    (photo,) = attach(entry.holding, cataloguer, jpeg())
    entry = _take_to(entry.holding, status, cataloguer)

    with pytest.raises(ValidationError):
        attach(entry.holding, cataloguer, jpeg("other.jpg", colour=(10, 20, 30)))
    with pytest.raises(ValidationError):
        delete_leaf_photo(photo, by=cataloguer, reason="重拍")
    assert list(LeafPhoto.objects.values_list("pk", flat=True)) == [photo.pk]


def test_the_upload_page_of_a_submitted_record_refuses_and_says_why(client, huey_immediate):
    entry = make_entry(S.DRAFT)
    cataloguer = make_user(Role.CATALOGUER, entry.institution)
    (photo,) = attach(entry.holding, cataloguer, jpeg())
    _take_to(entry.holding, S.SUBMITTED, cataloguer)
    client.force_login(cataloguer)
    url = reverse("census:photo_upload", args=[entry.holding_id])

    assert b'class="photo-delete"' not in client.get(url).content
    response = client.post(url, {"photos": [jpeg("b.jpg", colour=(1, 2, 3))], "kind": Kind.SEAL})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()  # why: it waits for census review
    client.post(reverse("census:photo_delete", args=[photo.pk]), {"reason": "重拍"})
    assert LeafPhoto.objects.count() == 1


def test_a_registered_records_photographs_change_through_the_correction_path(huey_immediate):
    entry = make_entry(S.DRAFT)
    cataloguer = make_user(Role.CATALOGUER, entry.institution)
    (photo,) = attach(entry.holding, cataloguer, jpeg())
    _take_to(entry.holding, S.REGISTERED, cataloguer)
    reviewer = make_user(Role.REVIEWER)

    add_leaf_photos(
        entry.holding,
        uploads=[jpeg("b.jpg", colour=(1, 2, 3))],
        kind=Kind.SEAL,
        by=reviewer,
        reason="更正",
        correction=True,
    )
    delete_leaf_photo(photo, by=reviewer, reason="更正", correction=True)

    assert LeafPhoto.objects.get().caption == "" and LeafPhoto.objects.count() == 1


def _take_to(holding, status, cataloguer):
    (entry,) = submit_entries([holding], by=cataloguer)
    if status == S.REGISTERED:
        from census.services import accept_entry

        accept_entry(entry, by=make_user(Role.REVIEWER))
    return entry


# --- the review shows the photographs as submitted ----------------------------------------------


def test_the_review_page_shows_the_photographs_as_submitted(client, huey_immediate):
    entry = make_entry(S.DRAFT)
    cataloguer = make_user(Role.CATALOGUER, entry.institution)
    (first,) = attach(entry.holding, cataloguer, jpeg())
    _take_to(entry.holding, S.SUBMITTED, cataloguer)
    (submitted,) = SubmittedPhoto.objects.all()
    # Changed behind the workflow's back (a repair in the database): the review must not follow.
    LeafPhoto.objects.filter(pk=first.pk).update(caption="后改的", kind=Kind.OTHER)
    client.force_login(make_user(Role.REVIEWER))

    page = client.get(reverse("census:holding_review", args=[entry.holding_id]))

    html = page.content.decode()
    assert reverse("census:submitted_photo", args=[submitted.pk, "preview"]) in html
    assert reverse("census:photo", args=[first.pk, "preview"]) not in html
    assert "后改的" not in html
    assert (submitted.sha256, submitted.kind) == (first.sha256, Kind.SEAL)


def test_a_photograph_removed_after_a_round_is_still_seen_as_submitted(
    client, huey_immediate, media, django_capture_on_commit_callbacks
):
    entry = make_entry(S.DRAFT)
    cataloguer = make_user(Role.CATALOGUER, entry.institution)
    (first,) = attach(entry.holding, cataloguer, jpeg())
    (entry,) = submit_entries([entry.holding], by=cataloguer)
    return_entry(entry, by=make_user(Role.REVIEWER), comment="换一张")
    with django_capture_on_commit_callbacks(execute=True):
        delete_leaf_photo(first, by=cataloguer, reason="换一张")

    (submitted,) = SubmittedPhoto.objects.all()
    assert default_storage.exists(submitted.original)  # the round still refers to its files
    client.force_login(make_user(Role.REVIEWER))
    response = client.get(reverse("census:submitted_photo", args=[submitted.pk, "preview"]))
    assert response.status_code == 200
    outsider = make_user(Role.CATALOGUER, make_institution())
    client.force_login(outsider)
    response = client.get(reverse("census:submitted_photo", args=[submitted.pk, "preview"]))
    assert response.status_code == 404


# --- one file, one photograph -------------------------------------------------------------------


def test_the_same_file_twice_on_one_holding_is_one_photograph(client, huey_immediate):
    holding = make_holding(make_institution())
    cataloguer = make_user(Role.CATALOGUER, holding.institution)
    attach(holding, cataloguer, jpeg())
    client.force_login(cataloguer)

    response = client.post(
        reverse("census:photo_upload", args=[holding.pk]),
        {"photos": [jpeg("again.jpg"), jpeg("new.jpg", colour=(9, 9, 9))], "kind": Kind.SEAL},
        follow=True,
    )

    assert LeafPhoto.objects.filter(holding=holding).count() == 2
    said = " ".join(str(m) for m in response.context["messages"])
    assert "again.jpg" in said


def test_the_same_file_twice_in_one_upload_is_one_photograph(huey_immediate):
    holding = make_holding(make_institution())
    cataloguer = make_user(Role.CATALOGUER, holding.institution)

    added = attach(holding, cataloguer, jpeg("a.jpg"), jpeg("b.jpg"))

    assert len(added) == 1 and added.already == ["b.jpg"]
    assert LeafPhoto.objects.count() == 1


# --- uploads do not block the web process -------------------------------------------------------


def test_derivatives_are_made_by_the_worker_not_in_the_request(client, huey_queue, media):
    holding = make_holding(make_institution())
    cataloguer = make_user(Role.CATALOGUER, holding.institution)
    client.force_login(cataloguer)

    response = client.post(
        reverse("census:photo_upload", args=[holding.pk]),
        {"photos": [jpeg(size=(3000, 2000))], "kind": Kind.SEAL},
    )

    assert response.status_code == 302
    photo = LeafPhoto.objects.get()
    assert default_storage.exists(photo.original)
    assert not default_storage.exists(photo.thumbnail)
    assert not default_storage.exists(photo.preview)
    [queued] = huey_queue.pending()
    assert (queued.name, queued.args) == ("make_photo_derivatives", (photo.original,))
    thumbnail = reverse("census:photo", args=[photo.pk, "thumbnail"])
    placeholder = client.get(thumbnail)
    assert placeholder.status_code == 302 and placeholder["Location"].endswith("photo-pending.svg")

    huey_queue.execute(queued)  # the worker runs it

    response = client.get(thumbnail)
    assert response.status_code == 200
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert image.size == (240, 160)


def test_a_large_png_is_not_decoded_whole_in_the_request(monkeypatch):
    buffer = io.BytesIO()
    Image.new("RGB", (5000, 4000), (200, 190, 170)).save(buffer, "PNG")
    loads = []
    real_load = Image.Image.load
    monkeypatch.setattr(Image.Image, "load", lambda im: loads.append(im.size) or real_load(im))
    monkeypatch.setattr(images, "DECODE_IN_REQUEST_PIXELS", 10_000_000)

    verified = images.verify_image(SimpleUploadedFile("big.png", buffer.getvalue()))

    assert (verified.width, verified.height) == (5000, 4000)
    assert (5000, 4000) not in loads


def test_one_upload_takes_a_bounded_number_of_files(client, settings):
    settings.GUJI_MAX_PHOTOS_PER_UPLOAD = 3
    holding = make_holding(make_institution())
    client.force_login(make_user(Role.CATALOGUER, holding.institution))

    files = [jpeg(f"{n}.jpg", colour=(n, n, n)) for n in range(4)]
    response = client.post(
        reverse("census:photo_upload", args=[holding.pk]), {"photos": files, "kind": Kind.SEAL}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["photos"]
    assert not LeafPhoto.objects.exists()


# --- a registered record's photographs change through a correction request -----------------


def _registered_with_photo():
    entry = make_entry(S.DRAFT)
    cataloguer = make_user(Role.CATALOGUER, entry.institution)
    (photo,) = attach(entry.holding, cataloguer, jpeg())
    _take_to(entry.holding, S.REGISTERED, cataloguer)
    return entry.holding, cataloguer, photo


def test_photographs_added_to_a_registered_record_wait_for_a_reviewer(client, huey_immediate):
    from census.models import CorrectionRequest

    holding, cataloguer, first = _registered_with_photo()
    client.force_login(cataloguer)
    upload = reverse("census:photo_upload", args=[holding.pk])

    response = client.post(
        upload,
        {"photos": [jpeg("seal.jpg", colour=(90, 10, 10))], "kind": Kind.SEAL, "reason": "补拍"},
    )

    correction_page = reverse("census:holding_correction", args=[holding.pk])
    assert response.status_code == 302 and response["Location"] == correction_page
    assert LeafPhoto.objects.filter(holding=holding).count() == 1  # not yet
    request = CorrectionRequest.objects.get(holding=holding)
    assert [e["name"] for e in request.changes["photos_add"]] == ["seal.jpg"]
    reviewer = make_user(Role.REVIEWER)
    client.force_login(reviewer)
    assert "seal.jpg" in client.get(correction_page).content.decode()

    client.post(correction_page, {"action": "accept", "reason": "核对无误"})

    added = LeafPhoto.objects.exclude(pk=first.pk).get(holding=holding)
    assert added.uploaded_by == cataloguer
    assert added.history.latest().history_user == reviewer


def test_a_photograph_removed_from_a_registered_record_goes_when_the_reviewer_accepts(
    client, huey_immediate
):
    holding, cataloguer, photo = _registered_with_photo()
    client.force_login(cataloguer)

    response = client.post(reverse("census:photo_delete", args=[photo.pk]), {"reason": "拍错了"})

    assert response.status_code == 302
    assert LeafPhoto.objects.filter(pk=photo.pk).exists()  # waits for the reviewer
    correction_page = reverse("census:holding_correction", args=[holding.pk])
    client.force_login(make_user(Role.REVIEWER))
    client.post(correction_page, {"action": "accept", "reason": "同意"})
    assert not LeafPhoto.objects.filter(pk=photo.pk).exists()
    assert LeafPhoto.history.filter(id=photo.pk).latest().history_type == "-"


def test_a_registered_record_takes_no_direct_photograph_change_while_a_request_waits(
    client, huey_immediate
):
    holding, cataloguer, photo = _registered_with_photo()
    client.force_login(cataloguer)
    client.post(reverse("census:photo_delete", args=[photo.pk]), {"reason": "拍错了"})

    response = client.post(
        reverse("census:photo_upload", args=[holding.pk]),
        {"photos": [jpeg("b.jpg", colour=(1, 2, 3))], "kind": Kind.SEAL, "reason": "补拍"},
    )

    assert response.status_code == 400
    assert LeafPhoto.objects.filter(holding=holding).count() == 1


def test_a_refused_photograph_correction_leaves_no_files_behind(
    huey_immediate, django_capture_on_commit_callbacks
):
    from census.services import refuse_correction, request_photo_correction

    holding, cataloguer, first = _registered_with_photo()
    kept = [first.original, first.preview, first.thumbnail]
    request = request_photo_correction(
        holding,
        uploads=[jpeg("seal.jpg", colour=(90, 10, 10))],
        kind=Kind.SEAL,
        by=cataloguer,
        reason="补拍",
    )
    (entry,) = request.changes["photos_add"]
    proposed = [entry["original"], *(entry[v] for v in images.VARIANTS)]
    assert all(default_storage.exists(name) for name in proposed)

    with django_capture_on_commit_callbacks(execute=True):
        refuse_correction(request, by=make_user(Role.REVIEWER), reason="不是本书")

    assert not any(default_storage.exists(name) for name in proposed)
    assert all(default_storage.exists(name) for name in kept)  # the record's own stay


def test_a_file_another_waiting_request_proposes_is_kept(
    huey_immediate, django_capture_on_commit_callbacks
):
    from census.services import refuse_correction, request_photo_correction

    holding, cataloguer, _first = _registered_with_photo()
    other, other_cataloguer, _ = _registered_with_photo()
    same = dict(colour=(90, 10, 10))
    refused = request_photo_correction(
        holding, uploads=[jpeg("a.jpg", **same)], kind=Kind.SEAL, by=cataloguer, reason="补拍"
    )
    request_photo_correction(
        other, uploads=[jpeg("b.jpg", **same)], kind=Kind.SEAL, by=other_cataloguer, reason="补拍"
    )
    (entry,) = refused.changes["photos_add"]

    with django_capture_on_commit_callbacks(execute=True):
        refuse_correction(refused, by=make_user(Role.REVIEWER), reason="不是本书")

    assert default_storage.exists(entry["original"])
