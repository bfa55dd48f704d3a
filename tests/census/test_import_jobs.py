"""The import job on its pages: empty cells, the check kept to, who acted, retry, its states."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from census.models import ImportJob
from guji.files import bulk
from guji.files.jobs import result_path
from guji.files.recovery import reap_stale_jobs
from guji.models import Holding, RoleAssignment
from guji.services import update_holding
from tests.census.import_files import row, xlsx
from tests.factories import make_institution, make_user

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


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
def institution():
    return make_institution()


@pytest.fixture
def uploader(institution):
    return make_user(Role.CATALOGUER, institution, display_name="张三")


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST with the on-commit callbacks (the queued tasks) run."""

    def do(url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return do


def upload(post, path, institution, **options):
    with open(path, "rb") as f:
        data = {"file": SimpleUploadedFile(path.name, f.read()), "institution": institution.pk}
    data.update({k: "on" for k, v in options.items() if v})
    response = post(reverse("census:import_list"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.order_by("-pk").first()


def run(post, job):
    post(reverse("census:import_run", args=[job.pk]))
    job.refresh_from_db()
    return job


def section(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}".*?</table>', page, re.S)
    return match.group(0) if match else ""


@pytest.fixture
def imported(client, post, tmp_path, institution, uploader):
    """善101 and 善102 imported with seals and notes by the uploader."""
    client.force_login(uploader)
    path = xlsx(
        tmp_path / "first.xlsx",
        [row(seals="翰林院印", notes="有蟲蛀"), row(call_number="善102", notes="原装")],
    )
    job = run(post, upload(post, path, institution))
    assert job.status == ImportJob.Status.DONE, job.message
    return Holding.objects.order_by("call_number")


# --- empty cells ------------------------------------------------------------------------------


def test_empty_cells_clear_fields_only_when_chosen_and_the_check_lists_them(
    client, post, tmp_path, institution, imported
):
    path = xlsx(tmp_path / "blank.xlsx", [row(seals="", notes="")])

    kept = upload(post, path, institution, update_existing=True)

    assert (kept.status, kept.clear_empty, kept.unchanged) == ("validated", False, 1)
    cleared = upload(post, path, institution, update_existing=True, clear_empty=True)
    assert (cleared.clear_empty, cleared.report["counts"]["update"]) == (True, 1)
    assert cleared.report["rows"][0]["clears"] == ["钤印", "备注"]
    page = client.get(cleared.get_absolute_url()).content.decode()
    assert "将清空： 钤印、备注" in section(page, "import-rows")
    assert "空单元格清空字段" in page

    run(post, cleared)

    holding = Holding.objects.get(call_number="善101")
    assert (holding.seals, holding.notes) == ("", "")


# --- the run does what the check showed -------------------------------------------------------


def test_a_holding_edited_after_the_check_makes_the_run_refuse_and_write_nothing(
    client, post, tmp_path, institution, uploader, imported
):
    path = xlsx(
        tmp_path / "fix.xlsx",
        [row(volumes="20"), row(call_number="善102", volumes="30"), row(call_number="善103")],
    )
    job = upload(post, path, institution, update_existing=True)
    assert (job.status, job.report["counts"]["update"]) == ("validated", 2)
    edited = Holding.objects.get(call_number="善102")
    update_holding(edited, data={"notes": "他人所改"}, by=uploader, reason="校对")
    versions = Holding.history.count()

    job = run(post, job)

    assert job.status == ImportJob.Status.REJECTED
    assert "善102" in job.message or "善102" in json.dumps(job.report, ensure_ascii=False)
    problems = [p["message"] for p in job.report["problems"]]
    assert len(problems) == 1 and "善102" in problems[0] and "善101" not in problems[0]
    assert Holding.history.count() == versions
    assert Holding.objects.get(call_number="善101").volumes == 24
    assert not Holding.objects.filter(call_number="善103").exists()
    assert (job.created, job.updated) == (0, 0)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "善102" in section(page, "import-problems")


# --- history is the user who acted ------------------------------------------------------------


def test_the_user_who_runs_the_import_is_in_the_history_and_the_uploader_in_the_reason(
    client, post, tmp_path, institution, uploader, imported
):
    path = xlsx(tmp_path / "x.xlsx", [row(volumes="20"), row(call_number="善200")])
    job = upload(post, path, institution, update_existing=True)
    runner = make_user(Role.MANAGER, institution, display_name="李四")
    client.force_login(runner)

    job = run(post, job)

    assert job.status == ImportJob.Status.DONE, job.message
    assert (job.user, job.run_by) == (uploader, runner)
    reason = "导入 x.xlsx（上传：张三）"
    for number in ("善101", "善200"):
        latest = Holding.objects.get(call_number=number).history.first()
        assert (latest.history_user, latest.history_change_reason) == (runner, reason)
    assert job.history.first().history_user == runner
    assert "李四" in client.get(job.get_absolute_url()).content.decode()


# --- jobs that recover ------------------------------------------------------------------------


@pytest.fixture
def failed(client, post, tmp_path, institution, uploader, monkeypatch):
    """An import whose run failed (the disk filled up), with a file its attempt left behind."""
    client.force_login(uploader)
    job = upload(post, xlsx(tmp_path / "h.xlsx", [row()]), institution)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    with monkeypatch.context() as m:
        m.setattr(bulk, "insert_raw", broken)
        job = run(post, job)
    assert job.status == ImportJob.Status.FAILED
    leftover = default_storage.save(result_path(job, "attempt.part"), ContentFile(b"half"))
    return job, leftover


def test_a_failed_import_is_retried_from_its_page_by_a_user_who_may_run_it(
    client, post, institution, failed
):
    job, leftover = failed
    colleague = make_user(Role.CATALOGUER, institution)
    client.force_login(colleague)
    page = client.get(job.get_absolute_url()).content.decode()
    assert reverse("census:import_retry", args=[job.pk]) in page and "重试" in page

    response = post(reverse("census:import_retry", args=[job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.run_by) == ("validated", None)
    assert "disk full" not in job.message
    assert job.report["counts"]["create"] == 1
    assert not default_storage.exists(leftover)
    assert default_storage.exists(job.stored_path)  # the upload is kept for the new attempt
    assert job.history.get(history_change_reason="失败后重试").history_user == colleague
    job = run(post, job)
    assert job.status == ImportJob.Status.DONE
    assert Holding.objects.get(call_number="善101").history.get().history_user == colleague


def test_a_job_whose_worker_died_is_marked_failed_and_can_be_retried(
    client, post, tmp_path, institution, uploader
):
    client.force_login(uploader)
    job = upload(post, xlsx(tmp_path / "h.xlsx", [row()]), institution)
    long_ago = timezone.now() - timedelta(minutes=settings.GUJI_JOB_STALE_MINUTES + 5)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.IMPORTING, started_at=long_ago, heartbeat_at=long_ago
    )

    reap_stale_jobs()

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    page = client.get(job.get_absolute_url()).content.decode()
    assert "state-failed" in page and reverse("census:import_retry", args=[job.pk]) in page
    post(reverse("census:import_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED


def test_retry_is_refused_to_others_and_to_jobs_that_did_not_fail(
    client, post, institution, failed
):
    job, _leftover = failed
    retry = reverse("census:import_retry", args=[job.pk])

    client.force_login(make_user(Role.REVIEWER))  # sees imports, may not run them
    assert "重试" not in client.get(job.get_absolute_url()).content.decode()
    assert post(retry).status_code == 403
    client.force_login(make_user(Role.CATALOGUER, make_institution()))
    assert post(retry).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE)
    client.force_login(job.user)
    response = post(retry, {})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE


def test_retry_says_so_when_the_upload_is_gone(client, post, failed):
    job, _leftover = failed
    default_storage.delete(job.stored_path)
    client.force_login(job.user)

    response = post(reverse("census:import_retry", args=[job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    page = client.get(job.get_absolute_url()).content.decode()
    assert "只有失败且文件仍保留的导入才能重试" in page


def test_a_rejected_check_counts_and_shows_no_row_as_added(
    client, post, tmp_path, institution, uploader
):
    client.force_login(uploader)
    path = xlsx(tmp_path / "h.xlsx", [row(), row(call_number="善002", binding="胶装")])

    job = upload(post, path, institution)

    assert job.status == ImportJob.Status.REJECTED
    assert (job.created, job.updated, job.report["counts"]["create"]) == (0, 0, 0)
    assert [r["action"] for r in job.report["rows"]] == ["refused"]
    rows = section(client.get(job.get_absolute_url()).content.decode(), "import-rows")
    assert "善101" in rows and "未导入" in rows and "新增" not in rows
    listing = client.get(reverse("census:import_list")).content.decode()
    counts = r'<td class="num">2</td>\s*<td class="num">0</td>\s*<td class="num">0</td>'
    assert re.search(counts, listing)  # rows, new, updated


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (ImportJob.Status.QUEUED, "queued"),
        (ImportJob.Status.IMPORTING, "running"),
        (ImportJob.Status.FAILED, "failed"),
        (ImportJob.Status.REJECTED, "failed"),
        (ImportJob.Status.VALIDATED, "done"),
        (ImportJob.Status.DONE, "done"),
    ],
)
def test_the_bar_and_the_badge_show_each_state_differently(
    client, institution, uploader, status, state
):
    job = ImportJob.objects.create(
        institution=institution, user=uploader, filename="h.xlsx", sha256="0", status=status
    )
    client.force_login(uploader)

    page = client.get(job.get_absolute_url()).content.decode()
    listing = client.get(reverse("census:import_list")).content.decode()
    status_json = json.loads(client.get(reverse("census:import_status", args=[job.pk])).content)

    assert f'class="job-progress state-{state}"' in page
    assert f'class="badge job-{state}"' in page
    assert f'class="badge job-{state}"' in listing
    assert status_json["state"] == state
    assert "census/import.css" in page and "style=" not in page


def test_each_state_has_its_own_look_in_the_stylesheet():
    css = (Path(settings.BASE_DIR) / "static/census/import.css").read_text()
    looks = {}
    for state in ("queued", "running", "done", "failed"):
        rules = re.findall(rf"\.job-progress\.state-{state}[^{{]*\{{([^}}]*)\}}", css)
        badge = re.findall(rf"\.badge\.job-{state}\s*\{{([^}}]*)\}}", css)
        assert rules and badge, state
        looks[state] = ("".join(rules), "".join(badge))
    assert len(set(looks.values())) == 4
    assert len({badge for _bar, badge in looks.values()}) == 4
