"""Graded protection and supervision in a real browser: a cataloguer proposes a grade and sees
the clause, a reviewer confirms it; a reviewer records an inspection with a corrective action
and closes it."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from guji.protection.checklist import Requirement, Result
from tests.browser.conftest import CHROMIUM
from tests.factories import make_holding, make_institution, make_user
from tests.guji.conftest import Role

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: browser tests need it", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 768)


@pytest.fixture
def page_for(browser, live_server):
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


def label(page: Page, text: str):
    return page.get_by_label(re.compile(rf"^{re.escape(text)}( \*)?$"))


def shoot(page: Page, shots, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(shots / f"protection-{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name


def test_a_cataloguer_proposes_a_grade_with_its_clause_and_a_reviewer_confirms_it(
    page_for, t, shots
):
    library = make_institution(name="桐溪市图书馆", short_name="市图书馆")
    cataloguer = make_user(Role.CATALOGUER, library, display_name="林静")
    reviewer = make_user(Role.REVIEWER, display_name="周文瀚")
    holding = make_holding(
        library, title_juan="楚辭章句十七卷", edition_statement="明隆慶六年刻本", by=cataloguer
    )

    cp = page_for(cataloguer)
    cp.goto(holding.get_absolute_url())
    cp.get_by_role("link", name=t("Propose a grade")).click()
    hint = cp.get_by_role("note")
    expect(hint).to_contain_text("3.2")
    expect(hint).to_contain_text("明洪武元年至隆庆六年")
    expect(label(cp, t("Proposed grade"))).to_have_value("2C")
    shoot(cp, shots, "grade-form")
    label(cp, t("Proposed grade")).select_option("2B")
    label(cp, t("Academic value (学术资料性)")).fill("王逸注本之早期刻本")
    label(cp, t("Reason")).fill("按版本时代及学术价值")
    cp.get_by_role("button", name=t("Propose"), exact=True).click()
    expect(cp.get_by_role("status")).to_contain_text(
        t("Grade proposed; the centre will confirm it.")
    )

    rp = page_for(reviewer)
    rp.goto(reverse("protection:proposal_list"))
    rp.get_by_role("link", name="楚辭章句十七卷").click()
    expect(rp.locator("#proposed-grade")).to_contain_text("二级乙等")
    expect(rp.locator(".clause")).to_have_text("3.2")
    shoot(rp, shots, "proposal")
    rp.get_by_role("button", name=t("Decide the grade")).click()
    expect(rp.get_by_role("status")).to_contain_text(t("Grade decided."))

    cp.goto(holding.get_absolute_url())
    panel = cp.get_by_role("region", name=t("Grade"))
    expect(panel).to_contain_text("二级乙等")
    expect(panel).to_contain_text("二级珍贵文物")
    expect(panel).to_contain_text("周文瀚")
    cp.goto(reverse("holding_timeline", args=[holding.pk]))
    expect(cp.get_by_role("main")).to_contain_text("按版本时代及学术价值")


def test_a_reviewer_records_an_inspection_with_an_action_and_closes_it(page_for, t, shots):
    museum = make_institution(name="桐溪市博物馆", short_name="市博物馆")
    reviewer = make_user(Role.REVIEWER, display_name="周文瀚")
    manager = make_user(Role.MANAGER, museum, display_name="王岚")

    rp = page_for(reviewer)
    rp.goto(reverse("supervision:inspection_list"))
    rp.get_by_role("link", name=t("Record an inspection")).click()
    label(rp, t("Institution")).select_option(label="桐溪市博物馆")
    label(rp, t("Inspectors")).fill("周文瀚、陈立平")
    label(rp, str(Requirement.CLIMATE.label)).select_option(Result.PARTLY)
    rp.get_by_role("row", name=str(Requirement.CLIMATE.label)).get_by_role("textbox").fill(
        "湿度偏高"
    )
    shoot(rp, shots, "inspection-form")
    rp.get_by_role("button", name=t("Save the inspection")).click()
    expect(rp.get_by_role("status")).to_contain_text(t("Inspection recorded."))
    expect(rp.get_by_role("main")).to_contain_text("湿度偏高")

    label(rp, t("Requirement")).select_option(Requirement.CLIMATE)
    label(rp, t("Action required")).fill("一号书库加装除湿机")
    label(rp, t("Owner")).fill("王岚")
    label(rp, t("Due date")).fill("2020-01-31")  # long past: overdue
    rp.get_by_role("button", name=t("Add the action")).click()
    expect(rp.get_by_role("status")).to_contain_text(t("Corrective action set."))

    mp = page_for(manager)
    mp.goto(reverse("home"))
    overdue = mp.get_by_role("region", name=re.compile("整改措施已逾期"))
    expect(overdue).to_contain_text("一号书库加装除湿机")
    shoot(mp, shots, "home-overdue")

    rp.reload()
    shoot(rp, shots, "inspection")
    rp.get_by_label(t("How it was done")).fill("已加装两台除湿机，复查合格")
    rp.get_by_role("button", name=t("Close the action")).click()
    expect(rp.get_by_role("status")).to_contain_text(t("Corrective action closed."))
    expect(rp.get_by_role("main")).to_contain_text("已加装两台除湿机，复查合格")

    mp.goto(reverse("home"))
    expect(mp.get_by_role("region", name=re.compile("整改措施已逾期"))).to_have_count(0)
