import json
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from environment import api
from environment.models import Excursion, Ingest, Reading, Sensor, UploadJob
from guji.models import RoleAssignment
from tests.environment.factories import make_room, make_sensor
from tests.factories import make_user

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role

CSV = (
    "time,temperature_c,rh\n"
    "2025-03-01T08:00:00+08:00,19.0,50\n"
    "2025-03-01T08:10:00+08:00,19.2,51\n"
    "2025-03-01T08:20:00+08:00,24.5,51\n"
    "2025-03-01T08:30:00+08:00,19.1,50\n"
)


@pytest.fixture
def huey_immediate():
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_uploaded_file_is_ingested_in_the_background(
    client, huey_immediate, media, django_capture_on_commit_callbacks
):
    sensor = make_sensor()
    manager = make_user(Role.MANAGER, sensor.room.institution)
    client.force_login(manager)
    upload = SimpleUploadedFile("hobo.csv", CSV.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("environment:sensor_upload", args=[sensor.pk]),
            {"file": upload, "format": "auto", "reason": "三月导出"},
        )
    job = UploadJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == UploadJob.Status.DONE, job.message
    assert (job.result["written"], job.result["new_excursions"]) == (4, 1)
    assert Reading.objects.filter(sensor=sensor).count() == 4
    ingest = Ingest.objects.get()
    assert (ingest.user, ingest.reason, ingest.filename) == (manager, "三月导出", "hobo.csv")
    page = client.get(job.get_absolute_url()).content.decode()
    assert "hobo.csv" in page and 'id="upload-excursions">1<' in page
    status = client.get(reverse("environment:upload_status", args=[job.pk])).json()
    assert (status["running"], status["percent"]) == (False, 100)


def test_a_file_in_no_known_format_is_refused_whole(
    client, huey_immediate, media, django_capture_on_commit_callbacks
):
    sensor = make_sensor()
    client.force_login(make_user(Role.MANAGER, sensor.room.institution))
    upload = SimpleUploadedFile("notes.txt", b"hello\nworld\n")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("environment:sensor_upload", args=[sensor.pk]),
            {"file": upload, "format": "auto", "reason": "x"},
        )
    job = UploadJob.objects.get()
    assert job.status == UploadJob.Status.REJECTED
    assert "notes.txt" in job.message
    assert not Reading.objects.exists()


def _token(sensor: Sensor) -> str:
    token = sensor.issue_token()
    sensor.save()
    return token


def _post(client, sensor, body, token, content_type="application/json"):
    return client.post(
        reverse("environment:api_ingest", args=[sensor.code]),
        data=body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {token}"},
    )


BATCH = {
    "readings": [
        {"time": "2025-03-01T08:00:00+08:00", "temperature_c": 19.0, "rh": 50},
        {"time": "2025-03-01T08:05:00+08:00", "temperature_c": 19.1, "rh": 66},
    ]
}


def test_a_json_batch_is_written_once_however_often_it_is_sent(client):
    sensor = make_sensor()
    token = _token(sensor)
    first = _post(client, sensor, json.dumps(BATCH), token)
    again = _post(client, sensor, json.dumps(BATCH), token)
    assert first.status_code == 200 and first.json()["written"] == 2
    assert again.status_code == 200 and again.json()["written"] == 0
    assert Reading.objects.filter(sensor=sensor).count() == 2
    assert Excursion.objects.filter(sensor=sensor, parameter="rh").count() == 1
    assert Ingest.objects.filter(sensor=sensor, source=Ingest.Source.API).count() == 2


def test_a_csv_batch_is_read_as_the_generic_format(client):
    sensor = make_sensor()
    response = _post(client, sensor, CSV, _token(sensor), content_type="text/csv")
    assert response.status_code == 200 and response.json()["written"] == 4


def test_a_revoked_or_wrong_token_is_refused(client):
    sensor = make_sensor()
    token = _token(sensor)
    assert _post(client, sensor, json.dumps(BATCH), "wrong").status_code == 401
    sensor.revoke_token()
    sensor.save()
    assert _post(client, sensor, json.dumps(BATCH), token).status_code == 401
    assert not Reading.objects.exists()


def test_a_batch_with_a_bad_reading_is_refused_whole_naming_each_problem(client):
    sensor = make_sensor()
    body = {
        "readings": [
            {"time": "2025-03-01T08:00:00+08:00", "temperature_c": 19.0, "rh": 140},
            {"time": "yesterday", "temperature_c": 19.0},
            {"time": "2025-03-01T08:10:00+08:00", "temperature_c": "warm"},
            {"time": "2025-03-01T08:15:00+08:00", "temperature_c": 19.0},
        ]
    }
    response = _post(client, sensor, json.dumps(body), _token(sensor))
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert [(p["line"], p["column"]) for p in problems] == [
        (0, "rh"),
        (1, "time"),
        (2, "temperature_c"),
        (2, None),
    ]
    assert "140" in problems[0]["message"]
    assert not Reading.objects.exists()


def test_the_endpoint_is_rate_limited_per_sensor(client, monkeypatch):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(api, "RATE_LIMIT", 2)
    sensor, other = make_sensor(), make_sensor()
    token, other_token = _token(sensor), _token(other)
    statuses = [_post(client, sensor, json.dumps(BATCH), token).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert _post(client, other, json.dumps(BATCH), other_token).status_code == 200


def test_a_manager_issues_a_token_shown_once_and_revokes_it(client):
    sensor = make_sensor(make_room())
    client.force_login(make_user(Role.MANAGER, sensor.room.institution))
    client.post(reverse("environment:sensor_token", args=[sensor.pk]), {"action": "issue"})
    page = client.get(reverse("environment:sensor_upload", args=[sensor.pk])).content.decode()
    token = page.split('id="sensor-token">')[1].split("<")[0]
    sensor.refresh_from_db()
    assert sensor.token_matches(token)
    again = client.get(reverse("environment:sensor_upload", args=[sensor.pk])).content.decode()
    assert token not in again
    client.post(reverse("environment:sensor_token", args=[sensor.pk]), {"action": "revoke"})
    sensor.refresh_from_db()
    assert not sensor.token_matches(token)
    assert sensor.history.first().history_change_reason


def test_readings_keep_utc_times(client):
    sensor = make_sensor()
    _post(client, sensor, json.dumps(BATCH), _token(sensor))
    first = Reading.objects.filter(sensor=sensor).order_by("time").first()
    assert first.time == datetime(2025, 3, 1, 0, 0, tzinfo=UTC)
