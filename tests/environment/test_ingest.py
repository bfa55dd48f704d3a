from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail

from environment import metrics
from environment.ingest import BatchReading, ingest_file
from environment.models import DailyRollup, Excursion, Ingest, Notification, Reading
from environment.thresholds import override_limit
from guji.models import RoleAssignment
from tests.environment.factories import batch, make_room, make_sensor, steady
from tests.factories import make_user

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def test_readings_are_written_once_however_often_a_file_overlaps():
    sensor = make_sensor()
    first = ingest_file(sensor, batch(steady(T0, minutes=120)), user=None, reason="测试")
    again = ingest_file(
        sensor, batch(steady(T0 + timedelta(minutes=60), minutes=120)), user=None, reason="测试"
    )
    assert (first.written, again.received, again.written) == (12, 12, 6)
    assert Reading.objects.filter(sensor=sensor).count() == 18
    assert Ingest.objects.filter(sensor=sensor).count() == 2


def test_duplicate_instants_in_one_file_are_kept_once():
    sensor = make_sensor()
    readings = steady(T0, minutes=30) + steady(T0, minutes=30, t=30.0)
    result = ingest_file(sensor, batch(readings), user=None, reason="测试")
    assert result.written == 3
    assert set(Reading.objects.filter(sensor=sensor).values_list("temperature_c", flat=True)) == {
        19.0
    }


def test_naive_times_are_read_in_the_project_time_zone():
    sensor = make_sensor()
    ingest_file(
        sensor,
        batch([BatchReading(datetime(2025, 3, 1, 8, 0), 19.0, 50.0)]),
        user=None,
        reason="测试",
    )
    assert Reading.objects.get(sensor=sensor).time == datetime(2025, 3, 1, 0, 0, tzinfo=UTC)


def test_a_run_out_of_range_is_one_excursion_with_its_peak():
    sensor = make_sensor()
    readings = (
        steady(T0, minutes=60)
        + [
            BatchReading(T0 + timedelta(minutes=60 + i * 10), 19.0, rh)
            for i, rh in enumerate([63.0, 68.5, 66.0])
        ]
        + steady(T0 + timedelta(minutes=90), minutes=30)
    )
    result = ingest_file(sensor, batch(readings), user=None, reason="测试")
    (excursion,) = Excursion.objects.filter(sensor=sensor)
    assert len(result.new_excursions) == 1
    assert (excursion.parameter, excursion.high, excursion.peak, excursion.limit) == (
        "rh",
        True,
        68.5,
        60.0,
    )
    assert (excursion.start, excursion.end) == (
        T0 + timedelta(minutes=60),
        T0 + timedelta(minutes=80),
    )
    assert excursion.room == sensor.room


def test_an_overlapping_upload_extends_the_excursion_instead_of_repeating_it():
    sensor = make_sensor()
    hot = [BatchReading(T0 + timedelta(minutes=10 * i), 25.0, 50.0) for i in range(6)]
    ingest_file(sensor, batch(hot[:4]), user=None, reason="测试")
    result = ingest_file(sensor, batch(hot[2:]), user=None, reason="测试")
    (excursion,) = Excursion.objects.filter(sensor=sensor)
    assert (result.new_excursions, result.extended_excursions) == ([], 1)
    assert excursion.end == T0 + timedelta(minutes=50)


def test_a_room_override_replaces_the_default_limit():
    room = make_room()
    sensor = make_sensor(room)
    override_limit(
        room,
        "rh",
        minimum=40,
        maximum=70,
        max_daily_change=None,
        by=None,
        reason="樟木柜内，经中心同意",
    )
    ingest_file(sensor, batch(steady(T0, rh=65.0)), user=None, reason="测试")
    assert not Excursion.objects.filter(sensor=sensor).exists()


def test_an_override_needs_a_reason():
    with pytest.raises(ValueError):
        override_limit(
            make_room(), "rh", minimum=40, maximum=70, max_daily_change=None, by=None, reason=" "
        )


def test_a_new_excursion_notifies_the_managers_in_the_app_and_by_mail(
    django_capture_on_commit_callbacks,
):
    room = make_room()
    manager = make_user(RoleAssignment.Role.MANAGER, room.institution, email="m@example.org")
    cataloguer = make_user(RoleAssignment.Role.CATALOGUER, room.institution)
    hot = [BatchReading(T0 + timedelta(minutes=10 * i), 25.0, 50.0) for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        ingest_file(make_sensor(room), batch(hot), user=None, reason="测试")
    (note,) = Notification.objects.filter(user=manager)
    assert room.name in note.title and note.url.endswith("/excursions/")
    assert not Notification.objects.filter(user=cataloguer).exists()
    assert [m.to for m in mail.outbox] == [["m@example.org"]]


def test_a_continued_excursion_notifies_nobody_again(django_capture_on_commit_callbacks):
    room = make_room()
    make_user(RoleAssignment.Role.MANAGER, room.institution, email="m@example.org")
    sensor = make_sensor(room)
    hot = [BatchReading(T0 + timedelta(minutes=10 * i), 25.0, 50.0) for i in range(6)]
    with django_capture_on_commit_callbacks(execute=True):
        ingest_file(sensor, batch(hot[:3]), user=None, reason="测试")
        ingest_file(sensor, batch(hot[3:]), user=None, reason="测试")
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1


def test_daily_rollups_summarise_each_local_day():
    sensor = make_sensor()
    start = datetime(2025, 3, 1, 16, 0, tzinfo=UTC)  # 00:00 on 2 March in Shanghai
    readings = [
        BatchReading(start + timedelta(minutes=10 * i), 18.0 + (i % 2) * 2, 50.0 + (i % 3))
        for i in range(144 * 3)
    ]
    ingest_file(sensor, batch(readings), user=None, reason="测试")
    days = {r.day: r for r in DailyRollup.objects.filter(sensor=sensor)}
    assert sorted(days) == [date(2025, 3, 2), date(2025, 3, 3), date(2025, 3, 4)]
    for r in days.values():
        assert (r.count, r.t_min, r.t_max, r.rh_min, r.rh_max) == (144, 18.0, 20.0, 50.0, 52.0)
        assert r.t_mean == pytest.approx(19.0)
        assert r.seconds == pytest.approx(86400)
        assert r.seconds_in_range == pytest.approx(86400)
    # TWPI from the roll-up equals the time-weighted harmonic mean of PI over the day.
    day = days[date(2025, 3, 3)]
    pis = [metrics.pi(r.temperature_c, r.rh) for r in readings[144:288]]
    assert day.seconds / day.pi_rate == pytest.approx(len(pis) / sum(1 / p for p in pis), rel=1e-3)


def test_rollups_of_an_overlapping_upload_count_each_reading_once():
    sensor = make_sensor()
    start = datetime(2025, 3, 1, 16, 0, tzinfo=UTC)
    readings = [BatchReading(start + timedelta(minutes=10 * i), 19.0, 50.0) for i in range(288)]
    ingest_file(sensor, batch(readings[:200]), user=None, reason="测试")
    ingest_file(sensor, batch(readings[100:]), user=None, reason="测试")
    counts = dict(DailyRollup.objects.filter(sensor=sensor).values_list("day", "count"))
    assert counts == {date(2025, 3, 2): 144, date(2025, 3, 3): 144}


def test_time_out_of_range_is_counted_in_the_rollup():
    sensor = make_sensor()
    start = datetime(2025, 3, 1, 16, 0, tzinfo=UTC)
    readings = [
        BatchReading(start + timedelta(hours=i), 19.0 if i < 18 else 24.0, 50.0) for i in range(24)
    ]
    ingest_file(sensor, batch(readings), user=None, reason="测试")
    (day,) = DailyRollup.objects.filter(sensor=sensor)
    assert day.seconds_in_range == pytest.approx(18 * 3600)
    assert day.seconds_measured == pytest.approx(24 * 3600)


def test_a_reading_stands_for_at_most_an_hour():
    sensor = make_sensor()
    start = datetime(2025, 3, 1, 16, 0, tzinfo=UTC)
    readings = [
        BatchReading(start, 19.0, 50.0),
        BatchReading(start + timedelta(hours=5), 19.0, 50.0),
    ]
    ingest_file(sensor, batch(readings), user=None, reason="测试")
    (day,) = DailyRollup.objects.filter(sensor=sensor)
    assert day.seconds == pytest.approx(7200)
