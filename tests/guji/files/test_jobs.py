"""guji.files.jobs: the abstract background job and its lifecycle."""

from datetime import timedelta

import pytest
from django.db import connection, models
from django.utils import timezone

from guji.files import jobs
from guji.files.jobs import Job
from tests.factories import make_user


class SampleJob(Job):
    """A concrete job for these tests only; its table is made by the fixture below."""

    topic = models.CharField(max_length=20, blank=True)

    class Meta:
        app_label = "guji_files"


class PhasedJob(Job):
    """A job whose statuses refine the generic states, as the census import's do."""

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        CHECKING = "checking", "checking"
        REJECTED = "rejected", "rejected"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    STATE_OF = {"checking": "running", "rejected": "done"}
    status = models.CharField(max_length=16, choices=Status, default=Status.QUEUED)

    class Meta:
        app_label = "guji_files"


@pytest.fixture(scope="module")
def tables(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            editor.create_model(SampleJob)
            editor.create_model(PhasedJob)
        yield
        with connection.schema_editor() as editor:
            editor.delete_model(SampleJob)
            editor.delete_model(PhasedJob)


@pytest.fixture
def job(tables, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return SampleJob.objects.create(user=make_user())


@pytest.fixture
def kv():
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True  # in-memory storage for the key-value store
    yield HUEY
    HUEY.immediate = False


def test_a_job_is_claimed_once(job):
    assert jobs.start(job) is True
    assert jobs.start(SampleJob.objects.get(pk=job.pk)) is False

    job.refresh_from_db()
    assert (job.status, job.state, job.is_running) == ("running", "running", True)
    assert job.started_at is not None and job.heartbeat_at is not None


def test_progress_is_live_in_the_store_and_reaches_the_row_with_the_heartbeat(job, kv, monkeypatch):
    jobs.start(job)
    monkeypatch.setattr(jobs, "ROW_EVERY_SECONDS", 0)

    jobs.progress(job, 30, 120, phase="laying out")

    row = SampleJob.objects.get(pk=job.pk)
    assert (row.done_units, row.total_units, row.progress) == (30, 120, 25)
    assert jobs.read_progress(row) == {
        "phase": "laying out",
        "done": 30,
        "total": 120,
        "percent": 25,
    }


def test_finish_stores_the_result_through_the_storage_api(job, kv, tmp_path):
    jobs.start(job)
    jobs.progress(job, 3, 10)

    jobs.finish(job, content=b"%PDF-", filename="report.pdf", topic="done with")

    row = SampleJob.objects.get(pk=job.pk)
    assert (row.status, row.topic, row.progress) == ("done", "done with", 100)
    assert jobs.result_file(row) == f"jobs/guji_files.samplejob/{job.pk}/report.pdf"
    assert (tmp_path / jobs.result_file(row)).read_bytes() == b"%PDF-"
    assert row.finished_at is not None
    assert jobs.read_progress(row)["percent"] == 100


def test_fail_keeps_the_reason(job, kv):
    jobs.start(job)

    jobs.fail(job, RuntimeError("disk full"))

    row = SampleJob.objects.get(pk=job.pk)
    assert (row.status, row.state, row.message, row.is_running) == (
        "failed",
        "failed",
        "disk full",
        False,
    )
    assert jobs.start(row) is True  # a failed job may be run again


def test_a_running_job_without_a_heartbeat_is_stale(job):
    jobs.start(job)
    assert not jobs.is_stale(job)

    SampleJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    job.refresh_from_db()
    assert jobs.is_stale(job)

    jobs.heartbeat(job)
    job.refresh_from_db()
    assert not jobs.is_stale(job)


def test_a_subclass_refines_the_states_with_its_own_statuses(tables, db):
    job = PhasedJob.objects.create(user=make_user())

    assert jobs.start(job, status=PhasedJob.Status.CHECKING)
    assert (job.status, job.state, job.is_running) == ("checking", "running", True)

    jobs.finish(job, status=PhasedJob.Status.REJECTED, message="3 problems")
    job.refresh_from_db()
    assert (job.status, job.state, job.is_running, job.progress) == ("rejected", "done", False, 100)
