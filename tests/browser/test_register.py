"""The register in a real browser: logging in, finding, editing, scoping, and narrow screens."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from guji.cataloguing import parse_statements
from guji.models import Binding, Grade, RoleAssignment, SibuClass
from guji.services import update_holding
from tests.browser.conftest import CHROMIUM
from tests.factories import make_holding, make_institution, make_user

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: browser tests need it", allow_module_level=True)

Role = RoleAssignment.Role
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def field(page: Page, label: str):
    """A form field by its label as shown, with or without the required-field star."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def search(page: Page, t, text: str) -> None:
    page.get_by_label(
        t("Search title, author, edition, annotations, seals, call or census number")
    ).fill(text)
    page.get_by_role("search").get_by_role("button", name=t("Search"), exact=True).click()


def test_a_cataloguer_logs_in_finds_a_record_by_its_traditional_title_and_edits_it(context, t):
    library = make_institution(name="杭州图书馆")
    make_user(Role.CATALOGUER, library, username="wangbm", display_name="王编目")
    make_holding(library, title_juan="史记一百三十卷", volumes=24, call_number="善0001")
    make_holding(library, title_juan="汉书一百卷", call_number="善0002")
    page = context.new_page()

    page.goto(reverse("holding_list"))
    page.get_by_label(t("Username")).fill("wangbm")
    page.get_by_label(t("Password")).fill("pw")
    page.get_by_role("button", name=t("Log in")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Holdings"))

    search(page, t, "史記")
    results = page.locator("table tbody")  # the header's links sort the columns
    expect(results.get_by_role("row")).to_have_count(1)
    results.get_by_role("link", name="史记一百三十卷").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("史记一百三十卷")

    page.get_by_role("link", name=t("Edit"), exact=True).click()
    field(page, "册数").fill("20")
    field(page, t("Reason for the change")).fill("清点实存二十册")
    page.get_by_role("button", name=t("Save")).click()
    expect(page.get_by_role("status")).to_contain_text(t("Changes saved."))

    page.get_by_role("link", name=t("Timeline")).click()
    entry = page.get_by_role("listitem").filter(has_text="清点实存二十册")
    expect(entry).to_contain_text("王编目")
    row = entry.get_by_role("row").filter(has=page.get_by_role("cell", name="册数", exact=True))
    expect(row.get_by_role("cell")).to_have_text(["册数", "24", "20"])


def test_a_cataloguer_cannot_open_another_institutions_holding(page_as, t):
    theirs = make_holding(make_institution(name="甲图书馆"), title_juan="资治通鉴二百九十四卷")
    library = make_institution(name="乙图书馆")
    make_holding(library, title_juan="汉书一百卷")
    page = page_as(make_user(Role.CATALOGUER, library))

    for name in ("holding_detail", "holding_edit", "holding_timeline"):
        response = page.goto(reverse(name, args=[theirs.pk]))
        assert response.status == 404, name
        expect(page.get_by_text("资治通鉴")).to_have_count(0)

    page.goto(reverse("holding_list"))
    expect(page.get_by_role("link", name="汉书一百卷")).to_be_visible()
    expect(page.get_by_role("link", name="资治通鉴二百九十四卷")).to_have_count(0)
    search(page, t, "资治通鉴")
    expect(page.get_by_role("table")).to_contain_text(t("No holding matches."))


# --- narrow and wide screens ------------------------------------------------------------------

LONG_HOLDING = {
    "call_number": "善本/史部/政書類/1726-1728/000123",
    "title_juan": "欽定古今圖書集成一萬卷目錄四十卷考證二十四卷",
    "authors": (
        "（清）陳夢雷原輯 （清）蔣廷錫等重輯 （清）允祉監修 （清）胤禛敕撰 （清）龍繼棟撰考證"
    ),
    "edition_statement": (
        "清雍正四年至六年（1726—1728）內府銅活字印本 "
        "清光緒十年至十六年（1884—1890）上海同文書局石印本配補"
    ),
    "layout": (
        "半葉九行二十字，小字雙行同，白口，四周雙邊，單黑魚尾，版心上鐫書名，"
        "中鐫卷次及葉次，下鐫“古今圖書集成”字樣；版框高二十一點五釐米，寬十四點三釐米"
    ),
    "series": "欽定四庫全書薈要·史部·政書類（乾隆四十三年寫本，文淵閣舊藏）",
    "volumes": 5020,
    "cases": 523,
    "extant": "存九千八百七十二卷（卷一至三千二百、卷三千二百五至一萬），目錄四十卷全，考證缺",
    "annotations": (
        "清錢大昕朱筆批校並題跋，卷末有清黃丕烈手書跋語一則，"
        "又有民國傅增湘觀款及張元濟一九二八年題記"
    ),
    "seals": (
        "「錢大昕印」白文方印\n「竹汀居士」朱文方印\n「黃丕烈印」白文方印\n"
        "「蕘圃過眼」朱文長方印\n「傅增湘」朱文方印\n「雙鑑樓藏書印」朱文長方印"
    ),
    "notes": "原為天一閣舊藏，一九五二年入藏；第三十六函水漬，第一百零二函蟲蛀，待修復。",
    "storage_location": "天目山分館三樓善本書庫 第12排 第3架 第5層 楠木書箱 甲-0001至甲-0036",
    "grade": Grade.L1B,
}


@pytest.fixture
def long_record(transactional_db):
    """A realistically long record, edited a few times, among a page of similar ones."""
    library = make_institution(
        name="浙江省杭州市临安区图书馆古籍特藏部（天目山分馆）",
        address="浙江省杭州市临安区锦城街道衣锦街398号天目山分馆三楼",
    )
    sibu = SibuClass.objects.filter(bu="史部", level=2).first()
    for n in range(8):
        make_holding(library, **{**LONG_HOLDING, "call_number": f"善本/史部/{n:06d}"})
    holding = make_holding(library, sibu_class=sibu, **LONG_HOLDING)
    update_holding(
        holding,
        data={
            "binding": Binding.objects.first(),
            "annotations": LONG_HOLDING["annotations"] + "；另有佚名墨筆圈點，未詳何人",
            "layout": LONG_HOLDING["layout"].replace("單黑魚尾", "雙黑魚尾"),
        },
        statements=parse_statements(LONG_HOLDING["authors"].replace("龍繼棟", "龍繼棟等")),
        by=make_user(Role.CATALOGUER, library, display_name="天目山分馆编目员张某某"),
        reason="据原书卷端、版心及书末跋语重新核对著录，改正鱼尾与批校题跋项，补著者",
    )
    return holding


def _horizontal_overflow(page: Page) -> dict:
    """How far the page, and any scrolling box inside it, is wider than its view."""
    return page.evaluate(
        """() => {
            const doc = document.documentElement;
            const boxes = [...document.querySelectorAll('.table-wrap, main, .card')]
                .filter(el => el.scrollWidth > el.clientWidth + 1)
                .map(el => el.className || el.tagName);
            return {page: doc.scrollWidth - doc.clientWidth, boxes};
        }"""
    )


@pytest.mark.parametrize("width", [768, 1280])
def test_register_pages_fit_the_screen_without_horizontal_scrolling(
    page_as, long_record, shots, t, width
):
    page = page_as(make_user(Role.CENTRE_ADMIN))
    page.set_viewport_size({"width": width, "height": 900})
    pages = {
        "holding_list": reverse("holding_list"),
        "holding_detail": reverse("holding_detail", args=[long_record.pk]),
        "holding_edit": reverse("holding_edit", args=[long_record.pk]),
        "holding_timeline": reverse("holding_timeline", args=[long_record.pk]),
    }

    overflowing = {}
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status == 200, name
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.get_by_text(t("Language"), exact=True)).to_be_hidden()  # the select says it
        page.screenshot(path=shots / f"{name}-{width}.png", full_page=True)
        overflow = _horizontal_overflow(page)
        if overflow["page"] > 0 or overflow["boxes"]:
            overflowing[name] = overflow

    assert not overflowing, f"Scrolls sideways at {width}px (see {shots}): {overflowing}"
