"""Census review in a real browser: return with field comments, correct, resubmit, accept."""

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from huey.contrib.djhuey import HUEY
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from census.models import CensusEntry, LeafPhoto
from census.photos import add_leaf_photos
from census.review import field_label
from census.services import accept_entry, return_entry, submit_entries
from tests.browser.conftest import CHROMIUM
from tests.census.workflow_factories import Role, make_campaign
from tests.factories import make_holding, make_institution, make_user

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: browser tests need it", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 768)


def comment_label(name: str) -> str:
    """The label of the reviewer's comment box for one field, as a zh-hans user reads it."""
    with translation.override("zh-hans"):
        return gettext("Comment on %(field)s") % {"field": field_label(name)}


@pytest.fixture
def page_for(browser, live_server):
    """A page in its own browser context and session per user, so two people work side by side.

    (A second force_login on one test client would end the first user's session.)
    """
    contexts = []

    def open_page(user) -> Page:
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def field(page: Page, label: str):
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def test_returned_entry_is_corrected_resubmitted_and_accepted_with_its_census_number(page_for, t):
    library = make_institution(name="杭州图书馆", short_name="杭图", code="0101")
    make_campaign(library, name="2026年全市古籍普查")
    cataloguer = make_user(Role.CATALOGUER, library, display_name="王编目")
    reviewer = make_user(Role.REVIEWER, display_name="李审核")
    holding = make_holding(
        library,
        by=cataloguer,
        call_number="善0457",
        title_juan="周易本義四卷",
        authors="（宋）朱熹撰",
        edition_statement="清刻本",
        volumes=2,
    )
    submit_entries([holding], by=cataloguer, reason="首批")

    # The reviewer returns it with a comment on the edition statement.
    rp = page_for(reviewer)
    rp.goto(reverse("census:review_queue"))
    rp.get_by_role("link", name="周易本義四卷").click()
    expect(rp.get_by_role("heading", level=1)).to_contain_text("周易本義四卷")
    rp.get_by_label(comment_label("edition_statement")).fill("牌记作康熙刻本，请核对")
    rp.get_by_label(t("Review comment")).fill("版本项需修改")
    rp.get_by_role("button", name=t("Return to the cataloguer")).click()
    expect(rp.get_by_role("status")).to_contain_text(
        t("Returned to the cataloguer with your comments.")
    )

    # The cataloguer sees what was returned and why, on the record and in their list.
    cp = page_for(cataloguer)
    cp.goto(reverse("census:returned_list"))
    returned = cp.get_by_role("article").filter(has_text="周易本義四卷")
    expect(returned).to_contain_text("版本项需修改")
    expect(returned.get_by_role("listitem")).to_contain_text(
        [f"{field_label('edition_statement')}: 牌记作康熙刻本，请核对"]
    )
    returned.get_by_role("link", name="周易本義四卷").click()
    note = cp.get_by_role("note")
    expect(note).to_contain_text("版本项需修改")
    expect(note).to_contain_text(field_label("edition_statement"))
    expect(note).to_contain_text("牌记作康熙刻本，请核对")

    # … corrects it with the ordinary edit page and resubmits.
    cp.get_by_role("link", name=t("Edit"), exact=True).click()
    field(cp, field_label("edition_statement")).fill("清康熙刻本")
    field(cp, t("Reason for the change")).fill("据牌记改")
    cp.get_by_role("button", name=t("Save")).click()
    expect(cp.get_by_role("status")).to_contain_text(t("Changes saved."))
    cp.get_by_role("button", name=t("Resubmit for review")).click()
    expect(cp.get_by_role("status")).to_contain_text(t("Submitted for census review."))

    # The reviewer sees what changed since round 1, beside the earlier comment, and accepts.
    rp.goto(reverse("census:holding_review", args=[holding.pk]))
    diff = rp.get_by_role("region", name=t("What changed since round %(n)s") % {"n": 1})
    row = diff.get_by_role("row").filter(has_text=field_label("edition_statement"))
    expect(row.get_by_role("cell")).to_have_text(
        [field_label("edition_statement"), "清刻本", "清康熙刻本"]
    )
    record = rp.get_by_role("region", name=t("The record as submitted in round %(n)s") % {"n": 2})
    beside = record.get_by_role("row").filter(has_text="牌记作康熙刻本，请核对")
    expect(beside).to_contain_text("清康熙刻本")  # round 1's comment beside the corrected value
    rp.get_by_label(t("Review comment")).fill("与牌记相符")
    rp.get_by_role("button", name=t("Accept and register")).click()
    expect(rp.get_by_role("status")).to_contain_text("330000-0101-0000001")

    # The census number is on the cataloguer's record, which is now locked.
    cp.goto(holding.get_absolute_url())
    expect(cp.get_by_role("paragraph").filter(has_text="330000-0101-0000001").first).to_be_visible()
    expect(cp.get_by_role("link", name=t("Edit"), exact=True)).to_have_count(0)
    expect(cp.get_by_role("link", name=t("Request a correction"))).to_be_visible()


def leaf_jpeg(*, seal: bool) -> SimpleUploadedFile:
    """A page-like photograph: columns of 'text' on paper, with a red seal if asked."""
    image = Image.new("RGB", (600, 800), (236, 224, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 560, 760), outline=(60, 40, 30), width=4)
    for x in range(80, 540, 46):
        for y in range(70, 720, 34):
            draw.rectangle((x, y, x + 22, y + 24), fill=(50, 40, 35))
    if seal:
        draw.rectangle((380, 520, 520, 660), fill=(176, 38, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return SimpleUploadedFile("leaf.jpg", out.getvalue(), content_type="image/jpeg")


def busy_city():
    """A campaign with several institutions, entries of every age and state, a duplicate."""
    names = ["杭州图书馆", "浙江大学图书馆", "西泠印社", "灵隐寺藏经楼", "杭州博物馆"]
    institutions = [make_institution(name=n, short_name=n[:4]) for n in names]
    campaign = make_campaign(*institutions, name="2026年全市古籍普查", estimate=0)
    for p, estimate in zip(
        campaign.participations.order_by("institution__code"), (40, 25, 12, 8, 15), strict=True
    ):
        p.estimated_holdings = estimate
        p.save()
    reviewer = make_user(Role.REVIEWER, display_name="李审核")
    titles = [
        ("史記一百三十卷", "（漢）司馬遷撰 （南朝宋）裴駰集解", "清乾隆四年（1739）武英殿刻本"),
        ("漢書一百卷", "（漢）班固撰 （唐）顏師古注", "明崇禎十五年（1642）毛氏汲古閣刻本"),
        ("周易本義四卷", "（宋）朱熹撰", "清刻本"),
        ("［萬曆］金華府志三十卷", "（明）王懋德 （明）陸鳳儀纂修", "明萬曆刻本"),
        ("資治通鑑二百九十四卷", "（宋）司馬光撰", "清同治八年（1869）江蘇書局刻本"),
    ]
    ages = [0, 2, 10, 45, 0, 5]
    n = 0
    for i, inst in enumerate(institutions):
        cataloguer = make_user(Role.CATALOGUER, inst)
        for j in range(6 - i):
            title, authors, edition = titles[(i + j) % len(titles)]
            n += 1
            h = make_holding(
                inst,
                by=cataloguer,
                call_number=f"善{n:04d}",
                title_juan=title,
                authors=authors,
                edition_statement=edition,
            )
            if j == 5:
                continue  # a draft
            (entry,) = submit_entries([h], by=cataloguer)
            CensusEntry.objects.filter(pk=entry.pk).update(
                submitted_at=timezone.now() - timedelta(days=ages[j], hours=3)
            )
            if j == 0:
                accept_entry(entry, by=reviewer, comment="无误")
            elif j == 4:
                return_entry(
                    entry,
                    by=reviewer,
                    comment="请补著者",
                    field_comments={"authors_text": "缺著作方式"},
                )
    first = institutions[0]
    dup = make_holding(
        first,
        call_number="善9999",
        title_juan="史记一百三十卷",
        authors="（汉）司马迁撰",
        edition_statement="清乾隆四年（1739）武英殿刻本",
    )
    cataloguer = make_user(Role.CATALOGUER, first)
    HUEY.immediate = True  # the worker makes the previews as the photographs are added
    try:
        for kind, seal in ((LeafPhoto.Kind.TITLE_PAGE, False), (LeafPhoto.Kind.SEAL, True)):
            add_leaf_photos(
                dup, uploads=[leaf_jpeg(seal=seal)], kind=kind, by=cataloguer, reason="拍照"
            )
    finally:
        HUEY.immediate = False
    # Photographed while a draft: the submission keeps them as the reviewer sees them.
    submit_entries([dup], by=cataloguer, reason="另一部")
    return campaign, reviewer, dup


def test_queue_review_page_and_dashboard_fit_wide_and_narrow_screens(
    page_as, t, shots, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    campaign, reviewer, dup = busy_city()
    page = page_as(reviewer)
    pages = {
        "queue": reverse("census:review_queue"),
        "review": reverse("census:holding_review", args=[dup.pk]),
        "dashboard": campaign.get_absolute_url(),
    }
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, url in pages.items():
            page.goto(url)
            page.screenshot(path=str(shots / f"census-{name}-{width}.png"), full_page=True)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} at {width}px scrolls sideways by {overflow}px"

    page.goto(pages["review"])
    expect(page.get_by_role("note").filter(has_text=t("Possible duplicate"))).to_be_visible()
    photos = page.get_by_role("complementary").get_by_role("img")
    expect(photos).to_have_count(2)
    assert all(photos.nth(i).evaluate("i => i.naturalWidth > 0") for i in range(2))
    page.goto(pages["dashboard"])
    expect(page.get_by_role("img", name=re.compile("杭州图书馆"))).to_be_visible()
