"""Jobs die with their worker: a silent running job is marked failed and its partial files go;
old finished jobs lose their files after the retention period, and nothing still in use does."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from census.models import ExportJob
from guji.files.jobs import result_path
from guji.files.recovery import purge_old_files, reap_stale_jobs
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _job(status, *, heartbeat_minutes_ago=None, finished_days_ago=None) -> ExportJob:
    now = timezone.now()
    job = ExportJob.objects.create(
        user=make_user(), scope=ExportJob.Scope.CITY, format=ExportJob.Format.PDF, status=status,
        started_at=now - timedelta(hours=1),
        heartbeat_at=None if heartbeat_minutes_ago is None
        else now - timedelta(minutes=heartbeat_minutes_ago),
        finished_at=None if finished_days_ago is None else now - timedelta(days=finished_days_ago),
    )  # fmt: skip
    return job


def _put(job, name, data=b"x") -> str:
    return default_storage.save(result_path(job, name), ContentFile(data))


def test_a_running_job_whose_worker_went_silent_is_marked_failed_and_its_parts_removed():
    dead = _job(ExportJob.Status.RUNNING, heartbeat_minutes_ago=30)
    part = _put(dead, "parts/0001.pdf")
    alive = _job(ExportJob.Status.RUNNING, heartbeat_minutes_ago=1)
    alive_part = _put(alive, "parts/0001.pdf")

    reaped = reap_stale_jobs()

    dead.refresh_from_db()
    alive.refresh_from_db()
    assert reaped.jobs == [f"census.ExportJob {dead.pk}"]
    assert dead.status == ExportJob.Status.FAILED
    assert "stopped" in dead.message or "停止" in dead.message
    assert dead.finished_at is not None
    assert not default_storage.exists(part)
    assert alive.status == ExportJob.Status.RUNNING
    assert default_storage.exists(alive_part)


def test_a_queued_or_finished_job_is_not_reaped():
    queued = _job(ExportJob.Status.QUEUED)
    done = _job(ExportJob.Status.DONE, heartbeat_minutes_ago=300, finished_days_ago=0)

    assert reap_stale_jobs().jobs == []

    queued.refresh_from_db()
    done.refresh_from_db()
    assert (queued.status, done.status) == (ExportJob.Status.QUEUED, ExportJob.Status.DONE)


def test_files_of_long_finished_jobs_are_purged_and_recent_or_running_ones_kept():
    old = _job(ExportJob.Status.DONE, finished_days_ago=45)
    old.result = _put(old, "目录.pdf")
    old.save()
    recent = _job(ExportJob.Status.DONE, finished_days_ago=3)
    recent.result = _put(recent, "目录.pdf")
    recent.save()
    running = _job(ExportJob.Status.RUNNING, heartbeat_minutes_ago=0)
    running_part = _put(running, "parts/0001.pdf")

    purged = purge_old_files(days=30)

    old.refresh_from_db()
    assert purged.jobs == 1
    assert not old.result
    assert ExportJob.objects.filter(pk=old.pk).exists()  # the row (who exported what) stays
    assert default_storage.exists(recent.result.name)
    assert default_storage.exists(running_part)


def test_the_command_lists_what_it_would_remove_in_a_dry_run():
    old = _job(ExportJob.Status.FAILED, finished_days_ago=90)
    name = _put(old, "partial.pdf")
    out = StringIO()

    call_command("purge_files", "--dry-run", stdout=out)

    assert f"would remove {name}" in out.getvalue()
    assert default_storage.exists(name)
