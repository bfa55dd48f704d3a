"""IIIF Presentation 3 manifests of a holding's photographs, and the images they name."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from census.models import LeafPhoto
from census.photos import add_leaf_photos
from conservation.images import add_images
from conservation.services import approve_plan, create_plan
from guji.models import Binding, RoleAssignment
from tests.census.test_photos import image_file
from tests.conservation.images import leaf_photo
from tests.factories import make_holding, make_institution, make_user

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role
CONTEXT = "http://iiif.io/api/presentation/3/context.json"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _worker_at_once(huey_immediate):
    """Photo derivatives are made by the worker's task: here it runs as soon as it is queued."""


@pytest.fixture
def holding():
    return make_holding(binding=Binding.objects.get(code="xianzhuang"))


@pytest.fixture
def photographed(holding):
    cataloguer = make_user(Role.CATALOGUER, holding.institution)
    add_leaf_photos(
        holding,
        uploads=[image_file("a.jpg", size=(2400, 1801)), image_file("b.png", "PNG", (1000, 1500))],
        kind=LeafPhoto.Kind.FIRST_LEAF,
        caption="卷一首叶",
        by=cataloguer,
        reason="书影",
    )
    return holding


def _get_manifest(client, holding, key="leaf-photos"):
    response = client.get(reverse("exchange:manifest", args=[holding.pk, key]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    return response.json()


def _served_size(client, url) -> tuple[int, int]:
    response = client.get(url)
    assert response.status_code == 200
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        return image.size


def test_leaf_photographs_manifest_is_a_right_to_left_presentation_3_manifest(client, photographed):
    client.force_login(make_user(Role.CATALOGUER, photographed.institution))

    manifest = _get_manifest(client, photographed)

    assert manifest["@context"] == CONTEXT
    assert manifest["type"] == "Manifest"
    assert manifest["id"].endswith(
        reverse("exchange:manifest", args=[photographed.pk, "leaf-photos"])
    )
    assert manifest["viewingDirection"] == "right-to-left"
    assert manifest["label"] == {"zh-Hans": ["史記一百三十卷 · 书影"]}
    canvases = manifest["items"]
    assert len(canvases) == 2
    for canvas in canvases:
        assert canvas["type"] == "Canvas"
        assert canvas["width"] > 0 and canvas["height"] > 0
        assert "zh-Hans" in canvas["label"]
        (page,) = canvas["items"]
        assert page["type"] == "AnnotationPage"
        (annotation,) = page["items"]
        assert annotation["type"] == "Annotation"
        assert annotation["motivation"] == "painting"
        assert annotation["target"] == canvas["id"]
        body = annotation["body"]
        assert body["type"] == "Image"
        assert body["format"] == "image/jpeg"
        assert (body["width"], body["height"]) == (canvas["width"], canvas["height"])


def test_images_are_served_at_the_sizes_the_manifest_names(client, photographed):
    client.force_login(make_user(Role.REVIEWER))
    manifest = _get_manifest(client, photographed)

    for canvas in manifest["items"]:
        body = canvas["items"][0]["items"][0]["body"]
        assert _served_size(client, body["id"]) == (body["width"], body["height"])
        (thumb,) = canvas["thumbnail"]
        assert _served_size(client, thumb["id"]) == (thumb["width"], thumb["height"])
    sizes = [(c["width"], c["height"]) for c in manifest["items"]]
    assert (1600, 1201) in sizes and (1000, 1500) in sizes


def test_a_book_not_bound_right_to_left_has_no_viewing_direction(client):
    holding = make_holding(binding=Binding.objects.get(code="juanzhou"))
    cataloguer = make_user(Role.CATALOGUER, holding.institution)
    add_leaf_photos(holding, uploads=[image_file()], kind="seal", by=cataloguer, reason="书影")
    client.force_login(cataloguer)

    manifest = _get_manifest(client, holding)

    assert "viewingDirection" not in manifest


def test_repair_photograph_sets_have_manifests_too(client, holding):
    admin = make_user(Role.CENTRE_ADMIN)
    conservator = make_user(Role.CONSERVATOR)
    plan = create_plan(
        holding,
        data={"condition_summary": "虫蛀", "goals": "补破", "estimated_hours": 10},
        operations=[],
        conservators=[conservator],
        by=admin,
    )
    approve_plan(plan, by=admin)
    add_images(plan, uploads=[leaf_photo("1-1.jpg"), leaf_photo("1-2.jpg")], kind="before",
               by=conservator)  # fmt: skip
    add_images(plan, uploads=[leaf_photo("1-1.jpg", seed=3)], kind="after", by=conservator)
    client.force_login(conservator)

    before = _get_manifest(client, holding, f"repair-{plan.pk}-before")
    after = _get_manifest(client, holding, f"repair-{plan.pk}-after")

    assert len(before["items"]) == 2 and len(after["items"]) == 1
    assert before["viewingDirection"] == "right-to-left"
    body = before["items"][0]["items"][0]["items"][0]["body"]
    assert _served_size(client, body["id"]) == (body["width"], body["height"]) == (800, 600)


def test_strangers_get_no_manifest_and_no_viewer(client, photographed):
    client.force_login(make_user(Role.CATALOGUER, make_institution()))

    manifest = client.get(reverse("exchange:manifest", args=[photographed.pk, "leaf-photos"]))
    viewer = client.get(reverse("exchange:viewer", args=[photographed.pk]))

    assert manifest.status_code == viewer.status_code == 404


def test_an_unknown_image_set_is_not_found(client, photographed):
    client.force_login(make_user(Role.CENTRE_ADMIN))

    response = client.get(reverse("exchange:manifest", args=[photographed.pk, "repair-1-after"]))

    assert response.status_code == 404


def test_the_viewer_page_names_the_manifest_and_loads_scripts_from_the_project(
    client, photographed
):
    client.force_login(make_user(Role.CATALOGUER, photographed.institution))

    response = client.get(reverse("exchange:viewer", args=[photographed.pk]))

    html = response.content.decode()
    manifest_url = reverse("exchange:manifest", args=[photographed.pk, "leaf-photos"])
    assert f'data-manifest-url="{manifest_url}"' in html
    assert "exchange/vendor/tify/tify.js" in html
    assert "<script>" not in html and " style=" not in html


def test_the_holding_page_offers_downloads_and_the_viewer(client, photographed):
    client.force_login(make_user(Role.CATALOGUER, photographed.institution))

    html = client.get(photographed.get_absolute_url()).content.decode()

    assert reverse("exchange:holding_export", args=[photographed.pk, "marc21"]) in html
    assert reverse("exchange:holding_export", args=[photographed.pk, "dc"]) in html
    assert reverse("exchange:viewer", args=[photographed.pk]) in html


def test_the_holding_list_offers_the_list_exports(client, holding):
    client.force_login(make_user(Role.CATALOGUER, holding.institution))

    html = client.get(reverse("holding_list"), {"q": "史記"}).content.decode()

    assert reverse("exchange:list_export", args=["marc21"]) + "?q=" in html
