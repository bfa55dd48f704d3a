"""A cataloguer sees, in the browser, what the readers could not read with confidence."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from guji.models import RoleAssignment
from tests.browser.conftest import CHROMIUM
from tests.factories import make_holding, make_institution, make_user

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: browser tests need it", allow_module_level=True)

Role = RoleAssignment.Role
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [768, 1280])
def test_warnings_on_the_record_and_the_form_and_an_extent_as_catalogues_write_it(
    page_as, shots, t, width
):
    library = make_institution(name="桐溪市图书馆")
    holding = make_holding(
        library,
        title_juan="紅樓夢一百二十回",
        authors="(清)曹霑撰 (清) 高鶚",
        edition_statement="不詳",
    )
    page = page_as(make_user(Role.CATALOGUER, library))
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(reverse("holding_detail", args=[holding.pk]))
    expect(page.get_by_role("note").filter(has_text="未注著作方式")).to_be_visible()
    expect(page.get_by_role("note").filter(has_text="视为未著录")).to_be_visible()
    page.screenshot(path=shots / f"cataloguing-detail-{width}.png", full_page=True)

    page.goto(reverse("holding_edit", args=[holding.pk]))
    expect(page.get_by_role("note").filter(has_text="高鶚")).to_be_visible()
    page.get_by_label(re.compile(rf"^{t('Number of ce')}( \*)?$")).fill("10冊；2函")
    page.get_by_label(re.compile(rf"^{t('Reason for the change')}( \*)?$")).fill("按实物著录")
    page.screenshot(path=shots / f"cataloguing-form-{width}.png", full_page=True)
    page.get_by_role("button", name=t("Save")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("紅樓夢一百二十回")
    holding.refresh_from_db()
    assert (holding.volumes, holding.cases) == (10, 2)
    scroll = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert scroll <= 0
