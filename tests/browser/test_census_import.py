"""The spreadsheet import in a real browser: template, problems, fix, import, progress.

Huey runs in immediate mode here: the live server's thread runs each task as it is enqueued
(the page then shows the finished job). Progress the user watches is tested on a job the test
finishes itself, while the page polls the status endpoint (static/census/import.js).
"""

import openpyxl
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from census.imports import COLUMNS
from census.models import ImportJob
from guji.files import jobs
from guji.models import Holding, RoleAssignment
from tests.browser.conftest import CHROMIUM
from tests.census.import_files import row
from tests.factories import make_institution, make_user

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: browser tests need it", allow_module_level=True)

Role = RoleAssignment.Role
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VOLUMES = next(i for i, c in enumerate(COLUMNS, start=1) if c.key == "volumes")
BINDING = next(i for i, c in enumerate(COLUMNS, start=1) if c.key == "binding")


@pytest.fixture(autouse=True)
def huey_immediate(settings, tmp_path):
    from huey.contrib.djhuey import HUEY

    settings.MEDIA_ROOT = tmp_path / "media"
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


def upload(page, t, path) -> None:
    page.get_by_label(t("Spreadsheet"), exact=True).set_input_files(path)
    page.get_by_role("button", name=t("Check the file")).click()


def test_cataloguer_fills_the_template_sees_both_bad_rows_fixes_them_and_imports(
    page_as, t, tmp_path
):
    library = make_institution(name="杭州图书馆")
    page = page_as(make_user(Role.CATALOGUER, library))
    page.goto(reverse("census:import_list"))

    with page.expect_download() as download:
        page.get_by_role("link", name=t("Download the template (.xlsx)")).click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    wb = openpyxl.load_workbook(template)
    sheet = wb.worksheets[0]
    sheet.append(row(call_number="善101"))
    sheet.append(row(call_number="善102", binding="胶装"))
    sheet.append(row(call_number="善103", volumes="很多"))
    filled = tmp_path / "杭图普查.xlsx"
    wb.save(filled)

    upload(page, t, filled)

    problems = page.locator("#import-problems tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("4")
    expect(problems.nth(0)).to_contain_text("装帧")
    expect(problems.nth(0)).to_contain_text("未知的装帧")
    expect(problems.nth(1)).to_contain_text("5")
    expect(problems.nth(1)).to_contain_text("册数")
    expect(problems.nth(1)).to_contain_text("册数须为不小于 1 的整数")
    expect(page.get_by_role("status")).to_have_text(t("Rejected"))
    expect(page.get_by_role("button", name=t("Import now"))).to_have_count(0)
    assert not Holding.objects.exists()

    sheet.cell(row=4, column=BINDING, value="线装")
    sheet.cell(row=5, column=VOLUMES, value="十二")
    wb.save(filled)
    page.get_by_role("link", name=t("Spreadsheet import")).first.click()
    upload(page, t, filled)
    expect(page.get_by_role("status")).to_have_text(t("Ready to import"))
    expect(page.locator("#import-rows tbody tr")).to_have_count(3)
    page.get_by_role("button", name=t("Import now")).click()

    expect(page.get_by_role("status")).to_have_text(t("Imported"))
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("value", "3")
    expect(bar).to_have_attribute("max", "3")
    expect(page.locator("#import-progress-text")).to_contain_text("100%")
    page.get_by_role("link", name="善103").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("史記一百三十卷")
    assert Holding.objects.get(call_number="善103").volumes == 12
    assert Holding.objects.count() == 3


def test_the_page_follows_a_running_import_until_it_finishes(page_as, t):
    library = make_institution()
    cataloguer = make_user(Role.CATALOGUER, library)
    job = ImportJob.objects.create(
        institution=library,
        user=cataloguer,
        filename="大表.xlsx",
        sha256="0" * 64,
        status=ImportJob.Status.IMPORTING,
        total_rows=4000,
    )
    jobs.progress(job, 1000, 4000, phase="writing")
    page = page_as(cataloguer)

    page.goto(job.get_absolute_url())
    expect(page.get_by_role("status")).to_have_text(t("Importing"))
    expect(page.locator("#import-progress-text")).to_contain_text("25%")
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_class("job-progress state-running")
    running = bar.evaluate("e => getComputedStyle(e).borderTopColor")

    jobs.progress(job, 3000, 4000, phase="writing")
    expect(page.locator("#import-progress-text")).to_contain_text("75%")
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, processed_rows=4000, message="大表.xlsx 已导入"
    )

    expect(page.get_by_role("status")).to_have_text(t("Imported"))  # reloaded by itself
    expect(page.get_by_role("progressbar")).to_have_attribute("value", "4000")
    expect(bar).to_have_class("job-progress state-done")
    assert bar.evaluate("e => getComputedStyle(e).borderTopColor") != running
    expect(page.get_by_text("大表.xlsx 已导入")).to_be_visible()


def colours(locator) -> tuple[str, str]:
    return locator.evaluate(
        "e => [getComputedStyle(e).borderTopColor, getComputedStyle(e).backgroundColor]"
    )


def test_empty_cells_clear_only_when_chosen_and_a_failed_job_is_retried(page_as, t, tmp_path):
    library = make_institution()
    cataloguer = make_user(Role.CATALOGUER, library)
    page = page_as(cataloguer)
    first = tmp_path / "first.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append([c.header for c in COLUMNS])
    wb.active.append(row(seals="翰林院印", notes="有蟲蛀"))
    wb.save(first)
    page.goto(reverse("census:import_list"))
    upload(page, t, first)
    page.get_by_role("button", name=t("Import now")).click()
    expect(page.get_by_role("status")).to_have_text(t("Imported"))
    done_look = colours(page.get_by_role("status"))
    done_bar = colours(page.get_by_role("progressbar"))

    blank = tmp_path / "blank.xlsx"
    wb.active.delete_rows(2)
    wb.active.append(row(seals="", notes="有蟲蛀"))
    wb.save(blank)
    page.get_by_role("link", name=t("Spreadsheet import")).first.click()
    page.get_by_label(t("Update existing records")).check()
    page.get_by_label(t("Empty cells clear fields")).check()
    upload(page, t, blank)

    expect(page.get_by_role("status")).to_have_text(t("Ready to import"))
    expect(page.locator("#import-rows .clears")).to_have_text(f"{t('Clears:')} 钤印")
    job = ImportJob.objects.order_by("-pk").first()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, message="断电")
    page.reload()
    expect(page.get_by_role("status")).to_have_text(t("Failed"))
    assert colours(page.get_by_role("status")) != done_look
    assert colours(page.get_by_role("progressbar")) != done_bar

    page.get_by_role("button", name=t("Try again")).click()

    expect(page.get_by_role("status")).to_have_text(t("Ready to import"))
    page.get_by_role("button", name=t("Import now")).click()
    expect(page.get_by_role("status")).to_have_text(t("Imported"))
    holding = Holding.objects.get(call_number="善101")
    assert (holding.seals, holding.notes) == ("", "有蟲蛀")
