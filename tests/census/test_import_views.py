"""The import pages: template, upload and dry run, report, import in the background."""

import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from census import imports
from census.imports import COLUMNS
from census.models import ImportJob
from guji.files import bulk, jobs
from guji.models import Holding, RoleAssignment
from tests.census.import_files import HEADER, row, xlsx
from tests.factories import make_institution, make_user

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


@pytest.fixture(autouse=True)
def huey_immediate():
    """Tasks run as they are enqueued, in the test's thread, with Huey's in-memory storage."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def institution():
    return make_institution()


@pytest.fixture
def cataloguer(institution):
    return make_user(Role.CATALOGUER, institution)


def upload(client, path, institution, *, update=False, commit=None):
    with open(path, "rb") as f:
        data = {"file": SimpleUploadedFile(path.name, f.read()), "institution": institution.pk}
    if update:
        data["update_existing"] = "on"
    with commit(execute=True):
        return client.post(reverse("census:import_list"), data)


def test_template_has_the_census_columns_in_order_lists_and_an_example(client, cataloguer):
    client.force_login(cataloguer)

    response = client.get(reverse("census:import_template"))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = wb.worksheets[0]
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert HEADER[:3] == ["索书号", "分类", "题名卷数"]
    assert [c.value for c in sheet[2]][:3] == ["善001", "史部·纪传类", "史記一百三十卷"]
    validations = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert validations == {"B2:B5000": "'词表'!$A$2:$A$64", "G2:G5000": "'词表'!$B$2:$B$14"}
    lists = wb["词表"]
    assert lists.sheet_state == "hidden"
    column_a = [c.value for c in lists["A"][1:] if c.value]
    assert "史部·纪传类" in column_a and "经部" in column_a
    assert "线装" in [c.value for c in lists["B"][1:]]


def test_the_untouched_example_row_is_skipped_with_a_warning(
    client, tmp_path, cataloguer, institution
):
    client.force_login(cataloguer)
    template = client.get(reverse("census:import_template")).content
    wb = openpyxl.load_workbook(io.BytesIO(template))
    wb.worksheets[0].append(row(call_number="普100"))
    wb.save(tmp_path / "filled.xlsx")

    report = imports.import_spreadsheet(
        tmp_path / "filled.xlsx", institution=institution, by=cataloguer
    )

    assert report.outcome == "imported"
    assert [w.row for w in report.warnings] == [2]
    assert list(Holding.objects.values_list("call_number", flat=True)) == ["普100"]


def test_upload_checks_the_file_then_import_writes_it_with_history(
    client, tmp_path, institution, cataloguer, media_root, django_capture_on_commit_callbacks
):
    client.force_login(cataloguer)
    path = xlsx(tmp_path / "藏书.xlsx", [row(), row(call_number="善002")])

    response = upload(client, path, institution, commit=django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    assert job.status == ImportJob.Status.VALIDATED
    assert (media_root / "imports" / job.sha256).read_bytes() == path.read_bytes()
    assert not Holding.objects.exists()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "可以导入：新增 2 条" in page
    assert "立即导入" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("census:import_run", args=[job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.created, job.processed_rows, job.total_rows) == ("done", 2, 2, 2)
    holding = Holding.objects.get(call_number="善101")
    version = holding.history.get()
    assert (version.history_user, version.history_change_reason) == (
        cataloguer,
        f"导入 藏书.xlsx（上传：{cataloguer}）",
    )
    page = client.get(job.get_absolute_url()).content.decode()
    assert reverse("holding_detail", args=[holding.pk]) in page
    assert 'value="2"' in page  # the bar is full


def test_bad_rows_are_listed_with_file_row_column_value_and_message(
    client, tmp_path, institution, cataloguer, django_capture_on_commit_callbacks
):
    client.force_login(cataloguer)
    path = xlsx(
        tmp_path / "h.xlsx", [row(), row(call_number="善002", binding="胶装", volumes="很多")]
    )

    upload(client, path, institution, commit=django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REJECTED
    problems = [(p["file"], p["row"], p["column"], p["value"]) for p in job.report["problems"]]
    assert problems == [("h.xlsx", 3, "装帧", "胶装"), ("h.xlsx", 3, "册数", "很多")]
    page = client.get(job.get_absolute_url()).content.decode()
    assert "未知的装帧" in page and "册数须为" in page
    assert "立即导入" not in page
    response = client.post(reverse("census:import_run", args=[job.pk]))
    assert response.status_code == 302
    assert not Holding.objects.exists()


def test_file_over_the_limit_is_refused_by_the_form_and_not_stored(
    client, institution, cataloguer, settings, media_root, django_capture_on_commit_callbacks
):
    settings.GUJI_MAX_UPLOAD_BYTES = 1024
    client.force_login(cataloguer)
    data = {"file": SimpleUploadedFile("big.xlsx", b"x" * 2048), "institution": institution.pk}

    response = client.post(reverse("census:import_list"), data)

    assert response.status_code == 400
    assert "big.xlsx" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not (media_root / "imports").exists()


def test_uploaded_files_are_not_served_from_media(
    client, tmp_path, institution, cataloguer, django_capture_on_commit_callbacks
):
    client.force_login(cataloguer)
    upload(
        client,
        xlsx(tmp_path / "h.xlsx", [row()]),
        institution,
        commit=django_capture_on_commit_callbacks,
    )
    job = ImportJob.objects.get()

    response = client.get(f"/media/{job.stored_path}")

    assert job.stored_path == f"imports/{job.sha256}"
    assert response.status_code == 404


def test_reimport_of_the_same_file_says_nothing_changes_and_offers_no_import(
    client, tmp_path, institution, cataloguer, django_capture_on_commit_callbacks
):
    client.force_login(cataloguer)
    path = xlsx(tmp_path / "h.xlsx", [row()])
    upload(client, path, institution, commit=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("census:import_run", args=[ImportJob.objects.get().pk]))

    upload(client, path, institution, commit=django_capture_on_commit_callbacks)

    job = ImportJob.objects.order_by("-pk").first()
    assert job.status == ImportJob.Status.VALIDATED
    assert job.unchanged == 1
    page = client.get(job.get_absolute_url()).content.decode()
    assert "无需更改" in page
    assert "立即导入" not in page


def test_status_endpoint_reports_progress_while_running(client, institution, cataloguer):
    job = ImportJob.objects.create(
        institution=institution,
        user=cataloguer,
        filename="h.xlsx",
        sha256="0" * 64,
        status=ImportJob.Status.IMPORTING,
        total_rows=4000,
    )
    jobs.progress(job, 1000, 4000, phase="writing")
    client.force_login(cataloguer)

    data = json.loads(client.get(reverse("census:import_status", args=[job.pk])).content)

    assert data["running"] is True
    assert (data["phase"], data["done"], data["total"], data["percent"]) == (
        "writing",
        1000,
        4000,
        25,
    )
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'http-equiv="refresh"' in page and "census/import.js" in page


def test_a_task_that_fails_marks_the_job_failed_and_writes_nothing(
    client, tmp_path, institution, cataloguer, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(cataloguer)
    upload(
        client,
        xlsx(tmp_path / "h.xlsx", [row()]),
        institution,
        commit=django_capture_on_commit_callbacks,
    )
    job = ImportJob.objects.get()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(bulk, "insert_raw", broken)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("census:import_run", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "disk full" in job.message
    assert not Holding.objects.exists()


def test_import_pages_refuse_users_who_may_not_catalogue_there(
    client, tmp_path, institution, cataloguer, django_capture_on_commit_callbacks
):
    client.force_login(cataloguer)
    upload(
        client,
        xlsx(tmp_path / "h.xlsx", [row()]),
        institution,
        commit=django_capture_on_commit_callbacks,
    )
    job = ImportJob.objects.get()
    other = make_user(Role.CATALOGUER, make_institution())
    reviewer = make_user(Role.REVIEWER)
    run = reverse("census:import_run", args=[job.pk])

    client.force_login(other)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.post(run).status_code == 404
    data = {"file": SimpleUploadedFile("h.csv", b"a"), "institution": institution.pk}
    response = client.post(reverse("census:import_list"), data)
    assert response.status_code == 400  # not a choice for this user
    client.force_login(reviewer)
    assert client.get(job.get_absolute_url()).status_code == 200
    assert client.post(run).status_code == 403
    assert client.post(reverse("census:import_list"), data).status_code == 403

    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED
    assert not Holding.objects.exists()


def test_list_shows_only_jobs_the_user_may_see_in_bounded_queries(client, cataloguer, institution):
    other = make_institution()
    other_user = make_user(Role.CATALOGUER, other)
    for n in range(3):
        ImportJob.objects.create(
            institution=institution, user=cataloguer, filename=f"ours{n}.xlsx", sha256="0"
        )
    ImportJob.objects.create(institution=other, user=other_user, filename="theirs.xlsx", sha256="0")
    client.force_login(cataloguer)

    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("census:import_list")).content.decode()
    for n in range(3, 30):
        ImportJob.objects.create(
            institution=institution, user=cataloguer, filename=f"ours{n}.xlsx", sha256="0"
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("census:import_list"))

    assert "ours0.xlsx" in page and "theirs.xlsx" not in page
    assert len(few.captured_queries) == len(many.captured_queries)
