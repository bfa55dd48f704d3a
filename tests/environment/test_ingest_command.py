"""`manage.py ingest_readings PATH --dry-run --json`: one JSON object, no sensor needed."""

import io
import json
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "loggers"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def run(*args: str) -> tuple[dict, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest_readings", *args, stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


def test_dry_run_json_summarises_a_file_in_its_zone():
    data, _err = run(str(FIXTURES / "hoboware_fahrenheit_latin1.csv"), "--dry-run", "--json")
    assert data == {
        "format": "hoboware",
        "readings": 12,
        "first": "2026-03-12T22:00:00+08:00",
        "last": "2026-03-13T03:30:00+08:00",
        "temperature_c": {"min": 18.0, "max": 19.2222},
        "rh": {"min": 52.1, "max": 53.2},
        "problems": [],
    }


def test_dry_run_json_lists_problems_and_prints_naive_times_when_no_zone_is_known():
    data, _err = run(str(FIXTURES / "rotronic_hw4_reset.txt"), "--dry-run", "--json")
    assert data["first"] == "2026-05-01T23:15:00+08:00"
    assert [(p["line"], p["column"]) for p in data["problems"]] == [(16, "Date + Time")]
    data, _err = run(str(FIXTURES / "cn_platform_gb18030.csv"), "--dry-run", "--json")
    assert (data["format"], data["first"], data["last"]) == (
        "cn_platform",
        "2026-09-01T23:20:00",
        "2026-09-02T00:50:00",
    )


def test_readings_count_only_rows_with_a_temperature_and_rh_may_be_null(tmp_path):
    path = tmp_path / "point.csv"
    path.write_text('"Timestamp","Value (°C)"\n"2026-03-01 10:00:00","20.5"\n', encoding="utf-8")
    data, _err = run(str(path), "--dry-run", "--json")
    assert (data["format"], data["readings"], data["rh"]) == ("bms", 1, None)
    path.write_text('"Timestamp","Value (%RH)"\n"2026-03-01 10:00:00","50"\n', encoding="utf-8")
    data, _err = run(str(path), "--dry-run", "--json")
    assert (data["readings"], data["temperature_c"]) == (0, None)
    assert data["rh"] == {"min": 50, "max": 50}


def test_the_format_can_be_named():
    data, _err = run(str(FIXTURES / "meaco_no_units.csv"), "--dry-run", "--json", "--format=meaco")
    assert data["format"] == "meaco"


def test_a_refused_file_prints_the_reason_as_json_and_fails(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("ingest_readings", str(path), "--dry-run", "--json", stdout=out)
    assert caught.value.returncode == 1
    assert json.loads(out.getvalue()) == {
        "file": "empty.csv",
        "error": "empty.csv: the file is empty.",
        "problems": [],
    }


def test_messages_follow_the_language_option(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="文件是空的"):
        call_command("ingest_readings", str(path), "--dry-run", "--language=zh-hans")


def test_a_refused_file_without_json_is_a_command_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n1,2\n")
    with pytest.raises(CommandError, match="no known logger format"):
        call_command("ingest_readings", str(path), "--dry-run")


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("ingest_readings", str(tmp_path / "nope.csv"), "--dry-run")


def test_writing_says_so_and_exits_2_while_storing_is_not_available(monkeypatch):
    monkeypatch.setitem(sys.modules, "environment.ingest", None)  # import fails
    err = io.StringIO()
    with pytest.raises(SystemExit) as caught:
        call_command("ingest_readings", str(FIXTURES / "generic.csv"), "--sensor", "S1", stderr=err)
    assert caught.value.code == 2
    assert "Storing readings is not available yet" in err.getvalue()
