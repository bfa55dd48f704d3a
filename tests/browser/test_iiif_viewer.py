"""The project's IIIF viewer in a real browser: it opens the holding's manifest and shows the
photograph, with nothing refused by the Content-Security-Policy."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from census.models import LeafPhoto
from census.photos import add_leaf_photos
from guji.models import Binding, RoleAssignment
from tests.browser.conftest import CHROMIUM
from tests.census.test_photos import image_file
from tests.factories import make_holding, make_user

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: browser tests need it", allow_module_level=True)

Role = RoleAssignment.Role
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _worker_at_once(huey_immediate):
    """Photo derivatives are made by the worker's task: here it runs as soon as it is queued."""


def test_the_viewer_opens_the_manifest_and_loads_the_photograph(page_as, t, shots):
    holding = make_holding(binding=Binding.objects.get(code="xianzhuang"))
    cataloguer = make_user(Role.CATALOGUER, holding.institution)
    (photo,) = add_leaf_photos(
        holding,
        uploads=[image_file("leaf.jpg", size=(1200, 900))],
        kind=LeafPhoto.Kind.FIRST_LEAF,
        by=cataloguer,
        reason="书影",
    )
    page = page_as(cataloguer)
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    preview = reverse("census:photo", args=[photo.pk, "preview"])

    page.goto(holding.get_absolute_url())
    with page.expect_response(lambda r: r.url.endswith(preview) and r.ok) as loaded:
        page.locator(f'a[href="{reverse("exchange:viewer", args=[holding.pk])}"]').click()
        expect(page.get_by_role("heading", name=t("Image viewer"))).to_be_visible()

    assert loaded.value.headers["content-type"] == "image/jpeg"
    manifest = reverse("exchange:manifest", args=[holding.pk, "leaf-photos"])
    expect(page.locator(".iiif-viewer")).to_have_attribute("data-manifest-url", manifest)
    expect(page.locator(".iiif-viewer canvas").first).to_be_visible()
    page.screenshot(path=shots / "iiif-viewer.png")
    assert not refused
