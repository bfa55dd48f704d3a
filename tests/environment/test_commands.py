import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from environment.ingest import BatchReading, ingest_file
from environment.models import Ingest, Reading
from tests.environment.factories import batch, make_room, make_sensor

pytestmark = pytest.mark.django_db

CSV = (
    "time,temperature_c,rh\n2025-03-01T08:00:00+08:00,19.0,50\n2025-03-01T08:10:00+08:00,23.0,51\n"
)


def _run(*args) -> dict:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_ingest_readings_writes_once_for_the_sensor(tmp_path):
    sensor = make_sensor()
    path = tmp_path / "hobo.csv"
    path.write_text(CSV)
    first = _run("ingest_readings", str(path), "--sensor", sensor.code, "--json")
    again = _run("ingest_readings", str(path), "--sensor", sensor.code, "--json")
    assert (first["written"], again["written"], again["duplicates"]) == (2, 0, 2)
    assert first["new_excursions"] == 1
    assert Reading.objects.filter(sensor=sensor).count() == 2
    assert Ingest.objects.filter(source=Ingest.Source.COMMAND).count() == 2


def test_ingest_readings_needs_a_sensor_to_write(tmp_path):
    path = tmp_path / "hobo.csv"
    path.write_text(CSV)
    with pytest.raises(CommandError, match="--sensor"):
        call_command("ingest_readings", str(path))
    with pytest.raises(CommandError, match="nope"):
        call_command("ingest_readings", str(path), "--sensor", "nope")


def test_ingest_readings_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "hobo.csv"
    path.write_text(CSV)
    out = _run("ingest_readings", str(path), "--dry-run", "--json")
    assert out["readings"] == 2 and out["temperature_c"] == {"min": 19.0, "max": 23.0}
    assert not Reading.objects.exists()


def test_environment_report_summarises_a_room(tmp_path):
    room = make_room(code="TX-SB1")
    start = datetime(2025, 3, 1, 16, 0, tzinfo=UTC)  # 2 March, 00:00 in Shanghai
    readings = [
        BatchReading(start + timedelta(hours=i), 19.0 if i % 24 < 20 else 23.0, 50.0)
        for i in range(48)
    ]
    ingest_file(make_sensor(room), batch(readings), user=None, reason="测试")
    out = _run(
        "environment_report",
        "--room",
        "TX-SB1",
        "--start",
        "2025-03-02",
        "--end",
        "2025-03-03",
        "--json",
    )
    assert out["days_with_readings"] == 2
    assert out["temperature_c"] == {"min": 19.0, "max": 23.0, "mean": pytest.approx(19.67, 0.01)}
    assert out["time_in_range_percent"] == pytest.approx(100 * 20 / 24, abs=0.1)
    assert out["days_over_temperature_fluctuation"] == 2
    assert out["excursions"] == 2
    assert out["twpi"]["rating"] in ("GOOD", "OK", "RISK") and out["twpi"]["value"] > 0
    assert out["mold_risk"] == {"value": 0, "rating": "GOOD"}


def test_environment_report_refuses_an_unknown_room():
    with pytest.raises(CommandError, match="NOPE"):
        call_command(
            "environment_report", "--room", "NOPE", "--start", "2025-01-01", "--end", "2025-01-31"
        )
