"""The repair base in a real browser: assess, plan, approve, log, photograph, compare, accept,
and download the archive."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from conservation.demo import leaf_image
from conservation.models import DamageScheme, RepairPlan
from guji.models import RoleAssignment
from tests.browser.conftest import CHROMIUM
from tests.factories import make_holding, make_institution, make_user

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: browser tests need it", allow_module_level=True)

Role = RoleAssignment.Role
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def huey_immediate(settings, tmp_path):
    from huey.contrib.djhuey import HUEY

    settings.MEDIA_ROOT = tmp_path / "media"
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


def field(page: Page, label: str):
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def photos(tmp_path, leaves, *, repaired):
    out = []
    for leaf in leaves:
        path = tmp_path / ("after" if repaired else "before") / f"1-{leaf}.jpg"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(leaf_image(leaf, repaired=repaired, size=(900, 620)))
        out.append(path)
    return out


def test_a_repair_from_assessment_to_archive(page_as, t, tmp_path, shots):
    library = make_institution(name="桐溪市图书馆", short_name="市馆")
    holding = make_holding(library, title_juan="本草綱目五十二卷", volumes=4, grade="2B")
    wang = make_user(Role.CONSERVATOR, username="wang", display_name="王修复")
    li = make_user(Role.CONSERVATOR, username="li", display_name="李验收")
    admin = make_user(Role.CENTRE_ADMIN, username="boss", display_name="陈主任")

    page = page_as(wang)
    page.goto(reverse("holding_detail", args=[holding.pk]))
    page.get_by_role("link", name=t("Assess damage")).click()
    scheme = DamageScheme.objects.get(code="DA/T 64.1-2017")
    field(page, t("Damage-level scheme")).select_option(value=str(scheme.pk))
    page.locator("#id_f-0-damage_type").select_option(label="缺损")
    page.locator("#id_f-0-area_pct").fill("25")
    page.get_by_role("button", name=t("Compute the level")).click()
    expect(page.get_by_role("status")).to_contain_text("严重破损")
    page.get_by_role("button", name=t("Save the assessment")).click()
    expect(page.locator("dl.fields")).to_contain_text("缺损")

    page.goto(reverse("holding_detail", args=[holding.pk]))
    expect(page.locator(".damage-panel")).to_contain_text("严重破损")
    page.get_by_role("link", name=t("New repair plan")).click()
    field(page, "修复目标").fill("补全缺损，溜口")
    field(page, "预计工时").fill("16")
    page.get_by_label("王修复").check()
    page.get_by_label("补/补破").check()
    page.get_by_role("button", name=t("Save the plan")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(t("Draft"))
    plan = RepairPlan.objects.get()
    page.screenshot(path=str(shots / "repair-plan-1280.png"), full_page=True)

    boss = page_as(admin)
    boss.goto(reverse("conservation:plan_detail", args=[plan.pk]))
    boss.get_by_role("button", name=t("Approve the plan")).click()
    expect(boss.get_by_role("heading", level=1)).to_contain_text(t("Approved"))

    page.goto(reverse("conservation:plan_detail", args=[plan.pk]))
    for day, hours in (("2026-05-06", "3"), ("2026-05-07", "2.5")):
        page.get_by_role("link", name=t("Log a work session")).click()
        field(page, "日期").fill(day)
        field(page, "修复叶数").fill("8")
        field(page, "修复册数").fill("1")
        field(page, "工时").fill(hours)
        page.get_by_role("button", name=t("Save the session")).click()
        expect(page.get_by_role("status")).to_contain_text(t("Work session logged."))
    expect(page.locator(".totals")).to_contain_text("5.5")

    for kind, repaired in (("修复前", False), ("修复后", True)):
        page.get_by_role("link", name=t("Add photographs")).click()
        page.locator("#id_files").set_input_files(photos(tmp_path, (3, 4), repaired=repaired))
        field(page, "组别").select_option(label=kind)
        page.get_by_role("button", name=t("Upload")).click()
        expect(page.get_by_role("status")).to_contain_text("2")

    page.get_by_role("link", name=re.compile("修复前后对比")).click()
    expect(page.get_by_role("img", name="修复前").first).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(shots / "repair-compare-side-1280.png"), full_page=True)
    page.get_by_role("button", name=t("Overlay")).click()
    slider = page.get_by_role("slider")
    slider.fill("80")
    top = page.locator("[data-top]")
    expect(top).to_have_attribute("style", re.compile(r"inset\(0(px)? 20%"))
    page.locator("[data-zoom]").select_option("2")
    page.screenshot(path=str(shots / "repair-compare-overlay-1280.png"), full_page=True)
    page.set_viewport_size({"width": 768, "height": 1000})
    page.screenshot(path=str(shots / "repair-compare-overlay-768.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.goto(reverse("conservation:plan_detail", args=[plan.pk]))
    page.get_by_role("button", name=t("Work finished")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(t("Work finished"))
    expect(page.get_by_role("link", name=t("Accept the repair"))).to_have_count(0)

    inspector = page_as(li)
    inspector.goto(reverse("conservation:plan_detail", args=[plan.pk]))
    inspector.get_by_role("link", name=t("Accept the repair")).click()
    field(inspector, "验收结果").select_option(label="优")
    inspector.get_by_label("叶序正确完整").check()
    inspector.get_by_role("button", name=t("Record the acceptance")).click()
    expect(inspector.get_by_role("heading", level=1)).to_contain_text(t("Accepted"))

    page.goto(reverse("conservation:plan_detail", args=[plan.pk]))
    page.get_by_role("link", name=t("Repair archive (PDF)")).click()
    page.get_by_role("button", name=t("Make the archive PDF")).click()
    link = page.get_by_role("link", name=t("Download"))
    expect(link).to_be_visible(timeout=120_000)
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    with open(path, "rb") as f:
        assert f.read(5) == b"%PDF-"
