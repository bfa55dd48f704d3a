"""The period report in a real browser: the centre compiles a draft and watches its progress,
opens the PDF, submits it; the provincial viewer downloads exactly the frozen file.

Huey runs in immediate mode: the live server's thread compiles the draft as soon as it is
queued. The progress a user watches is tested on a job the test moves on itself, while the page
polls the status endpoint (static/reports/report.js).
"""

import hashlib

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from guji.files import jobs
from guji.models import RoleAssignment
from guji.reports.models import Report, ReportJob
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


def test_compile_open_submit_and_the_province_downloads_the_frozen_file(page_as, t, tmp_path):
    library = make_institution(name="桐溪图书馆")
    for _ in range(3):
        make_holding(library)
    admin = make_user(Role.CENTRE_ADMIN)
    page = page_as(admin)
    page.set_default_navigation_timeout(120_000)  # the compilation runs inside the POST here
    page.set_default_timeout(120_000)
    page.goto(reverse("reports:list"))
    page.get_by_label(t("Year")).fill("2026")
    page.get_by_role("button", name=t("Compile a draft")).click()

    expect(page.locator("#report-status")).to_have_text(t("Ready"))
    expect(page.locator("#report-progress-text")).to_contain_text("100%")
    expect(page.locator("#report-state")).to_have_text(t("Draft"))
    expect(page.locator("table[data-table=holdings_by_institution]")).to_be_visible()
    report = Report.objects.get(year=2026)

    pdf_link = page.get_by_role("link", name=t("Open the PDF"))
    pdf = page.request.get(pdf_link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    assert hashlib.sha256(pdf.body()).hexdigest() == report.pdf_sha256
    expect(page.locator("#pdf-sha256")).to_contain_text(report.pdf_sha256)

    page.get_by_label(t("Note to the province")).fill("2026 年度报告")
    page.get_by_role("button", name=t("Submit to the province")).click()
    expect(page.locator("#report-state")).to_have_text(t("Submitted"))
    expect(page.get_by_role("button", name=t("Submit to the province"))).to_have_count(0)
    expect(page.get_by_role("button", name=t("Compile again"))).to_have_count(0)
    report.refresh_from_db()
    assert report.status == "submitted" and report.submitted_by == admin

    viewer = page_as(make_user(Role.PROVINCIAL))
    viewer.goto(reverse("reports:list"))
    viewer.get_by_role("link", name=str(report)).click()
    expect(viewer.locator("#report-submitted")).to_contain_text(admin.username)
    with viewer.expect_download() as download:
        viewer.get_by_role("link", name=t("Download the workbook (.xlsx)")).click()
    saved = tmp_path / "report.xlsx"
    download.value.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == report.xlsx_sha256
    pdf = viewer.request.get(
        viewer.get_by_role("link", name=t("Open the PDF")).get_attribute("href")
    )
    assert hashlib.sha256(pdf.body()).hexdigest() == report.pdf_sha256
    expect(viewer.get_by_role("button", name=t("Submit to the province"))).to_have_count(0)


def test_the_page_follows_a_compilation_until_it_finishes(page_as, t):
    admin = make_user(Role.CENTRE_ADMIN)
    report = Report.objects.create(year=2025)
    job = ReportJob.objects.create(report=report, user=admin, status=ReportJob.State.RUNNING)
    jobs.progress(job, 2, 8, phase="census")
    page = page_as(admin)

    page.goto(report.get_absolute_url())
    expect(page.locator("#report-status")).to_have_text(t("Running"))
    expect(page.locator("#report-progress-text")).to_contain_text("25%")
    jobs.progress(job, 6, 8, phase="pdf")
    expect(page.locator("#report-progress-text")).to_contain_text("75%")
    jobs.finish(job)

    expect(page.locator("#report-status")).to_have_text(t("Ready"))  # reloaded by itself
    expect(page.get_by_role("progressbar")).to_have_attribute("value", "8")
    expect(page.locator("#report-progress-text")).to_contain_text("100%")
