"""The report's pages: the centre compiles a draft (in the background) and submits it; the
provincial viewer downloads exactly the frozen file; other roles are refused."""

import hashlib

import pytest
from django.urls import reverse

from guji.models import RoleAssignment
from guji.reports.models import Report
from tests.factories import make_holding, make_institution, make_user

Role = RoleAssignment.Role
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def huey_immediate():
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def admin():
    library = make_institution()
    for _ in range(3):
        make_holding(library)
    return make_user(Role.CENTRE_ADMIN)


def compile_draft(client, admin, year=2026) -> Report:
    client.force_login(admin)
    with_callbacks = client.post(reverse("reports:list"), {"year": year, "quarter": ""})
    assert with_callbacks.status_code == 302
    return Report.objects.get(year=year, quarter=None)


def test_the_centre_compiles_a_draft_and_submits_it(
    client, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = compile_draft(client, admin)
    report.refresh_from_db()
    assert report.status == "draft" and report.pdf and report.xlsx
    page = client.get(reverse("reports:detail", args=[report.pk]))
    assert page.status_code == 200
    assert report.pdf_sha256 in page.content.decode()
    status = client.get(reverse("reports:status", args=[report.pk])).json()
    assert status["running"] is False and status["percent"] == 100
    pdf = client.get(reverse("reports:pdf", args=[report.pk]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF-")

    refused = client.post(reverse("reports:submit", args=[report.pk]), {"reason": ""})
    assert refused.status_code == 302
    assert Report.objects.get(pk=report.pk).status == "draft"
    client.post(reverse("reports:submit", args=[report.pk]), {"reason": "2026 年度报告"})
    report.refresh_from_db()
    assert report.status == "submitted" and report.submitted_by == admin
    again = client.post(reverse("reports:compile", args=[report.pk]))
    assert again.status_code == 302
    assert Report.objects.get(pk=report.pk).compiled_at == report.compiled_at


def test_the_provincial_viewer_downloads_the_frozen_files_and_nothing_else(
    client, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = compile_draft(client, admin)
        draft = compile_draft(client, admin, year=2025)
    report.refresh_from_db()
    client.post(reverse("reports:submit", args=[report.pk]), {"reason": "报送"})
    provincial = make_user(Role.PROVINCIAL)
    client.force_login(provincial)

    listing = client.get(reverse("reports:list")).content.decode()
    assert str(report) in listing and str(draft) not in listing
    for kind, sha in (("pdf", report.pdf_sha256), ("xlsx", report.xlsx_sha256)):
        response = client.get(reverse(f"reports:{kind}", args=[report.pk]))
        assert response.status_code == 200
        assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == sha
    assert client.get(reverse("reports:pdf", args=[draft.pk])).status_code == 404
    assert client.get(reverse("reports:detail", args=[draft.pk])).status_code == 404
    assert client.post(reverse("reports:list"), {"year": 2024}).status_code == 403
    assert (
        client.post(reverse("reports:submit", args=[draft.pk]), {"reason": "x"}).status_code == 404
    )


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.CONSERVATOR, Role.CATALOGUER, Role.MANAGER])
def test_other_roles_are_refused(client, admin, role, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = compile_draft(client, admin)
    report.refresh_from_db()
    client.post(reverse("reports:submit", args=[report.pk]), {"reason": "报送"})
    user = make_user(role, make_institution() if role in (Role.CATALOGUER, Role.MANAGER) else None)
    client.force_login(user)
    for url in (
        reverse("reports:list"),
        reverse("reports:detail", args=[report.pk]),
        reverse("reports:pdf", args=[report.pk]),
        reverse("reports:xlsx", args=[report.pk]),
    ):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize(
    "data", [{"year": "abc"}, {"year": 2026, "quarter": "7"}, {}, {"year": 99999}]
)
def test_a_bad_period_is_a_form_error(client, admin, data):
    client.force_login(admin)
    response = client.post(reverse("reports:list"), data)
    assert response.status_code == 400
    assert not Report.objects.exists()
