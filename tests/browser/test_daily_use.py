"""The census in daily use, in a real browser: paging and sorting a filtered list, bulk
submission, the correction list, the inbox, variant-character search, and every list and form
at laptop and tablet widths."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from census.services import request_correction
from guji.models import Holding, RoleAssignment
from tests.browser.conftest import CHROMIUM
from tests.census.workflow_factories import make_entry
from tests.factories import make_holding, make_institution, make_user

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: browser tests need it", allow_module_level=True)

Role = RoleAssignment.Role
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def library(settings):
    settings.GUJI_PAGE_SIZE = 5
    library = make_institution(name="桐溪图书馆", short_name="桐图")
    for i in range(14):
        make_holding(library, title_juan=f"松雲堂詩集{i + 1}卷", volumes=i + 1)
    make_holding(library, title_juan="史記一百三十卷")
    return library


def _titles(page) -> list[str]:
    return page.locator("table.list tbody tr td:nth-child(2) a").all_inner_texts()


def test_a_filtered_list_pages_to_3_and_back_and_sorts(page_as, t, library):
    page = page_as(make_user(Role.CATALOGUER, library))
    page.goto(reverse("holding_list") + "?q=松云")
    first = _titles(page)
    assert len(first) == 5

    page.get_by_role("link", name=t("Next"), exact=True).click()
    page.get_by_role("link", name=t("Next"), exact=True).click()
    assert "page=3" in page.url and "q=" in page.url
    third = _titles(page)
    assert set(third).isdisjoint(first) and all("松雲堂" in x for x in third)
    page.get_by_role("link", name=t("Previous"), exact=True).click()
    page.get_by_role("link", name=t("Previous"), exact=True).click()
    assert _titles(page) == first

    sort_by_ce = page.locator("th a.sort", has_text=t("Ce"))
    sort_by_ce.click()
    assert _titles(page)[0] == "松雲堂詩集1卷"
    page.locator("th a.sort", has_text=t("Ce")).click()
    assert _titles(page)[0] == "松雲堂詩集14卷"


def test_bulk_submit_all_matching_drafts(page_as, t, library):
    page = page_as(make_user(Role.CATALOGUER, library))
    page.goto(reverse("holding_list") + "?q=松云")

    page.locator('input[name="scope"][value="all"]').check()  # "all 14 matching"
    page.get_by_label(t("Action")).select_option("submit")
    page.get_by_label(t("Reason (kept in each record's history)")).fill("第一批普查")
    page.get_by_role("button", name=t("Apply")).click()

    expect(page.locator(".messages")).to_be_visible()
    statuses = set(
        Holding.objects.filter(title_juan__startswith="松雲堂").values_list("status", flat=True)
    )
    assert statuses == {Holding.Status.SUBMITTED}
    assert Holding.objects.get(title_juan="史記一百三十卷").status == Holding.Status.DRAFT


def test_the_reviewer_opens_the_correction_list_and_decides(page_as, t, library):
    entry = make_entry("registered", institution=library)
    cataloguer = make_user(Role.CATALOGUER, library)
    request_correction(entry.holding, data={"volumes": 30}, by=cataloguer, reason="册数点错")
    page = page_as(make_user(Role.REVIEWER))

    page.goto(reverse("census:correction_list"))
    page.get_by_role("link", name=entry.holding.title_juan).click()
    page.get_by_label(t("Reason"), exact=False).first.fill("与原书核对无误")
    page.get_by_role("button", name=t("Accept the correction"), exact=True).click()
    expect(page.locator(".messages")).to_be_visible()

    entry.holding.refresh_from_db()
    assert entry.holding.volumes == 30


def test_the_inbox_shows_the_return_to_the_cataloguer(page_as, t, library):
    cataloguer = make_user(Role.CATALOGUER, library)
    entry = make_entry("returned", institution=library, cataloguer=cataloguer)
    page = page_as(cataloguer)

    page.goto(reverse("home"))
    badge = page.locator(".inbox-link .unread")
    expect(badge).to_have_text("1")
    page.locator(".inbox-link").click()
    page.get_by_role("link", name=entry.holding.call_number, exact=False).click()

    assert page.url.endswith(reverse("holding_edit", args=[entry.holding.pk]))
    expect(page.locator(".field-note").first).to_contain_text("卷数有误")


def test_a_search_by_a_variant_character_finds_the_record(page_as, t, library):
    make_holding(library, title_juan="雲峯集四卷")
    page = page_as(make_user(Role.CATALOGUER, library))
    page.goto(reverse("holding_list"))

    page.get_by_label(
        t("Search title, author, edition, annotations, seals, call or census number")
    ).fill("云峰")
    page.get_by_role("search").get_by_role("button", name=t("Search"), exact=True).click()

    assert _titles(page) == ["雲峯集四卷"]


PAGES = [
    ("holding_list", {}),
    ("holding_create", {}),
    ("help", {}),
    ("inbox", {}),
    ("deleted_list", {}),
    ("census:review_queue", {}),
    ("census:correction_list", {}),
    ("census:returned_list", {}),
    ("census:submit_list", {}),
    ("census:campaign_list", {}),
    ("census:catalogue", {}),
    ("census:import_list", {}),
]


@pytest.mark.parametrize("width", [1280, 768])
def test_lists_and_forms_fit_laptop_and_tablet(page_as, shots, library, width):
    make_entry("returned", institution=library)
    admin = make_user(Role.CENTRE_ADMIN)
    page = page_as(admin)
    page.set_viewport_size({"width": width, "height": 900})
    holding = Holding.objects.filter(institution=library).first()
    urls = [reverse(name, kwargs=kwargs) for name, kwargs in PAGES] + [
        reverse("holding_edit", args=[holding.pk]),
        reverse("holding_print", args=[holding.pk]),
        reverse("institution_edit", args=[library.pk]),
        reverse("institution_detail", args=[library.pk]),
    ]
    for url in urls:
        page.goto(url)
        sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert sideways <= 0, f"{url} scrolls sideways by {sideways}px at {width}px"
        name = url.strip("/").replace("/", "_") or "home"
        page.screenshot(path=str(shots / f"daily-{name}-{width}.png"), full_page=True)
    page.goto(reverse("holding_list"))
    # A tablet keeps the table: its header row is shown, and fifty rows are not a long column.
    expect(page.locator("table.list thead")).to_be_visible()
