"""Logger export files: every format the centre meets, read from fixtures written as the vendors'
software writes them; bad input refused or reported with line, column and reason."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from environment.loggers import FORMATS, LoggerFileError, parse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "loggers"
CST = timezone(timedelta(hours=8))


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def read(name: str, fmt: str = "auto"):
    return parse((FIXTURES / name).read_bytes(), name, fmt=fmt)


# file, format, zone, serial, readings, first (time, °C, %RH), last time
CASES = [
    ("hoboware_fahrenheit_latin1.csv", "hoboware", CST, "20451234", 12,
     (datetime(2026, 3, 12, 22, 0), 18.0, 52.1), datetime(2026, 3, 13, 3, 30)),
    ("hoboware_celsius_bom.csv", "hoboware", CST, "10934455", 8,
     (datetime(2026, 3, 14, 22, 0), 18.25, 54.8), datetime(2026, 3, 15, 1, 30)),
    ("hoboconnect_est.csv", "hoboconnect", timezone(timedelta(hours=-5)), "21788032", 10,
     (datetime(2026, 6, 30, 20, 0), 20.1, 48.5), datetime(2026, 7, 1, 5, 0)),
    ("tinytag_easyview.csv", "tinytag", None, "0712345", 9,
     (datetime(2026, 1, 30, 20, 0), 17.8, 56.2), datetime(2026, 1, 31, 4, 0)),
    ("tandd_excel_serial.csv", "tandd", None, "52A10877", 8,
     (datetime(2026, 4, 2, 9, 0), 19.7, 51.0), datetime(2026, 4, 2, 10, 10)),
    ("rotronic_hw4_reset.txt", "rotronic", CST, "61102233", 9,
     (datetime(2026, 5, 1, 23, 15), 20.1, 53.2), datetime(2026, 5, 2, 0, 30)),
    ("lascar_easylog.csv", "lascar", None, "012345678", 7,
     (datetime(2026, 2, 20, 23, 45), 21.0, 51.0), datetime(2026, 2, 21, 0, 15)),
    ("elitech_rc5_de.xls", "elitech", CST, "EF21A0387", 10,
     (datetime(2026, 11, 2, 21, 0), 21.0, 49.5), datetime(2026, 11, 3, 1, 30)),
    ("elitech_zh.xlsx", "elitech", None, "", 6,
     (datetime(2026, 11, 2, 21, 0), 18.3, 52.0), datetime(2026, 11, 2, 21, 50)),
    ("ibutton_ds1923_dmy.csv", "ibutton", CST, "8C0000004A7B2E41", 12,
     (datetime(2026, 3, 15, 9, 0), 19.5, 52.0), datetime(2026, 3, 16, 7, 0)),
    ("hanwell_time_first.csv", "hanwell", None, "HW070112", 8,
     (datetime(2026, 3, 9, 20, 0), 18.0, 54.6), datetime(2026, 3, 10, 3, 0)),
    ("meaco_no_units.csv", "meaco", None, "", 8,
     (datetime(2026, 8, 14, 20, 0), 24.3, 61.0), datetime(2026, 8, 15, 3, 0)),
    ("bms_niagara_rh_point.csv", "bms", CST, "", 8,
     (datetime(2026, 3, 31, 23, 30), None, 58.5), datetime(2026, 4, 1, 1, 15)),
    ("cn_platform_gb18030.csv", "cn_platform", None, "TX-ENV-0031", 10,
     (datetime(2026, 9, 1, 23, 20), 20.2, 57.0), datetime(2026, 9, 2, 0, 50)),
    ("generic.csv", "generic", ZoneInfo("Asia/Shanghai"), "GJ-0001", 6,
     (datetime(2026, 10, 1, 8, 0), 19.8, 50.8), datetime(2026, 10, 1, 13, 0)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "fmt", "zone", "serial", "count", "first", "last"), CASES, ids=[c[0] for c in CASES]
)
def test_each_vendor_format_is_detected_and_read(name, fmt, zone, serial, count, first, last):
    result = read(name)
    assert (result.format, result.serial, len(result.readings)) == (fmt, serial, count)
    assert result.format_label == str(FORMATS[fmt])
    assert result.timezone == zone
    head = result.readings[0]
    time, t_c, rh = first
    expected_time = time.replace(tzinfo=zone) if zone else time
    assert head.time == expected_time
    assert head.time.utcoffset() == (expected_time.utcoffset() if zone else None)
    assert (head.temperature_c, head.rh) == (pytest.approx(t_c) if t_c else None, rh)
    assert result.readings[-1].time.replace(tzinfo=None) == last
    times = [r.time for r in result.readings]
    assert times == sorted(times)


@pytest.mark.parametrize(("name", "fmt"), [(c[0], c[1]) for c in CASES])
def test_naming_the_format_reads_the_same(name, fmt):
    assert len(read(name, fmt=fmt).readings) == len(read(name).readings)


def test_fahrenheit_is_converted_to_celsius():
    result = read("hoboware_fahrenheit_latin1.csv")
    # 64.4 °F, then +0.2 °F a line
    assert [r.temperature_c for r in result.readings[:3]] == pytest.approx([18.0, 18.1111, 18.2222])
    assert read("hoboconnect_est.csv").readings[0].temperature_c == pytest.approx(20.1)


def test_event_rows_without_readings_are_left_out_silently():
    result = read("hoboware_fahrenheit_latin1.csv")
    assert result.problems == []
    assert all(r.temperature_c is not None for r in result.readings)


def test_statistics_columns_are_not_taken_for_the_reading():
    # HOBOconnect writes Max/Min/Avg beside the reading; the reading is the plain column.
    assert read("hoboconnect_est.csv").readings[0].temperature_c == pytest.approx(
        (68.18 - 32) * 5 / 9, abs=1e-3
    )


def test_hoboware_illuminance_column_is_read():
    assert read("hoboware_celsius_bom.csv").readings[0].lux == 0.0


def test_units_written_in_cells_and_decimal_commas_are_read():
    assert read("tinytag_easyview.csv").readings[1].temperature_c == pytest.approx(17.9)
    assert read("elitech_rc5_de.xls").readings[1].temperature_c == pytest.approx(21.1)
    after_reset = read("rotronic_hw4_reset.txt").readings[3]  # 23:50, the first after the reset
    assert (after_reset.line, after_reset.rh, after_reset.temperature_c) == (16, 53.4, 20.0)


def test_rows_written_newest_first_come_out_oldest_first():
    result = read("cn_platform_gb18030.csv")
    assert result.readings[0].line == 11  # the last line of the file is the oldest reading
    assert result.problems == []


def test_a_clock_reset_is_reported_and_the_readings_kept_in_time_order():
    result = read("rotronic_hw4_reset.txt")
    assert [(p.line, "clock reset" in p.message) for p in result.problems] == [(16, True)]
    assert len(result.readings) == 9


def test_the_generic_csv_reads_every_quantity():
    r = read("generic.csv").readings[0]
    assert (r.temperature_c, r.rh, r.lux, r.uv, r.co2) == (19.8, 50.8, 12.0, 20.0, 650.0)


def test_one_point_files_carry_only_their_quantity():
    result = read("bms_niagara_rh_point.csv")
    assert {r.temperature_c for r in result.readings} == {None}


# --- encodings and date orders -----------------------------------------------------------------

TEXT = "time,temperature_c,rh\n2026-03-01T10:00:00,20.5,50\n2026-03-01T10:10:00,20.6,51\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030", "latin-1"])
def test_text_encodings(encoding):
    result = parse(TEXT.encode(encoding), "x.csv")
    assert [r.temperature_c for r in result.readings] == [20.5, 20.6]


def test_chinese_headers_in_gb18030_are_decoded():
    data = "采集时间,温度(℃),湿度(%RH)\n2026-03-01 10:00:00,20.5,50\n".encode("gb18030")
    assert parse(data, "x.csv").readings[0].rh == 50


def csv_with_times(times: list[str]) -> bytes:
    rows = ["Meaco export", "Date Time,Temperature,Humidity"]
    rows += [f"{t},20.0,50" for t in times]
    return ("\n".join(rows) + "\n").encode()


def test_day_first_is_decided_from_a_day_above_twelve():
    result = parse(csv_with_times(["12/03/2026 10:00", "13/03/2026 10:00"]), "m.csv")
    assert [r.time.date().isoformat() for r in result.readings] == ["2026-03-12", "2026-03-13"]


def test_month_first_is_decided_from_a_day_above_twelve():
    result = parse(csv_with_times(["03/12/2026 10:00", "03/13/2026 10:00"]), "m.csv")
    assert [r.time.date().isoformat() for r in result.readings] == ["2026-03-12", "2026-03-13"]


def test_date_order_is_decided_from_the_steps_between_readings():
    # Both orders read every cell; only day-first gives 30-minute steps across midnight.
    times = ["01/02/2026 23:00", "01/02/2026 23:30", "02/02/2026 00:00", "02/02/2026 00:30"]
    result = parse(csv_with_times(times), "m.csv")
    assert result.readings[2].time == datetime(2026, 2, 2, 0, 0)


def test_an_undecidable_date_order_refuses_the_file():
    with pytest.raises(LoggerFileError) as caught:
        parse(csv_with_times(["01/02/2026 10:00", "01/02/2026 10:30"]), "m.csv")
    assert "date order cannot be decided" in caught.value.message
    assert "month/day/year" in caught.value.message
    assert "day/month/year" in caught.value.message


def test_iso_times_with_an_offset_give_the_files_zone():
    data = b"time,temperature_c\n2026-03-01T10:00:00+08:00,20\n2026-03-01T10:10:00+08:00,21\n"
    result = parse(data, "g.csv")
    assert result.readings[0].time == datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    assert result.readings[0].time.utcoffset() == timedelta(hours=8)


# --- bad input ---------------------------------------------------------------------------------


def problems(result):
    return [(p.line, p.column) for p in result.problems]


def test_an_empty_file_is_refused():
    for data in (b"", b"\xef\xbb\xbf", b"\r\n \r\n"):
        with pytest.raises(LoggerFileError, match=r"empty\.csv: the file is empty"):
            parse(data, "empty.csv")


def test_a_header_without_readings_is_refused():
    with pytest.raises(LoggerFileError, match="no readings"):
        parse(b"time,temperature_c,rh\n", "h.csv")


def test_an_unknown_format_is_refused_naming_what_was_recognised():
    data = "Zeitpunkt;Messwert A;Kanal\n01.03.2026 10:00;20,5;1\n".encode("latin-1")
    with pytest.raises(LoggerFileError) as caught:
        parse(data, "mystery.csv")
    message = caught.value.message
    assert "mystery.csv is in no known logger format" in message
    assert "separated by ';'" in message
    assert "a time column 'Zeitpunkt'" in message


def test_an_unknown_format_names_the_reading_columns_it_saw():
    data = b"Stamp,Temp C,Notes\n2026-03-01 10:00,20.5,x\n"
    with pytest.raises(LoggerFileError) as caught:
        parse(data, "odd.csv")
    assert "a temperature column 'Temp C'" in caught.value.message
    assert "no time column" not in caught.value.message


def test_a_truncated_last_line_is_skipped_and_the_rest_kept():
    data = TEXT.encode() + b"2026-03-01T10:20:00,20"
    result = parse(data, "cut.csv")
    assert len(result.readings) == 2
    assert problems(result) == [(4, None)]
    assert "truncated" in result.problems[0].message
    assert "the rest of the file is kept" in result.problems[0].message


def test_a_truncated_workbook_is_refused():
    data = (FIXTURES / "elitech_zh.xlsx").read_bytes()
    with pytest.raises(LoggerFileError, match=r"cut\.xlsx is a damaged zip archive"):
        parse(data[: len(data) // 2], "cut.xlsx")


def test_a_short_line_in_the_middle_is_skipped():
    data = b"time,temperature_c,rh\n2026-03-01T10:00:00,20.5,50\n2026-03-01T10:10:00\n" + (
        b"2026-03-01T10:20:00,20.7,52\n"
    )
    result = parse(data, "s.csv")
    assert [r.line for r in result.readings] == [2, 4]
    assert problems(result) == [(3, None)]


def test_duplicated_times_keep_the_first_and_report_the_repeat():
    data = TEXT.encode() + b"2026-03-01T10:10:00,20.9,52\n"
    result = parse(data, "d.csv")
    assert [r.temperature_c for r in result.readings] == [20.5, 20.6]
    assert problems(result) == [(4, "time")]
    assert "repeats line 3" in result.problems[0].message


def test_times_out_of_order_are_reported_and_sorted():
    data = TEXT.encode() + b"2026-03-01T09:50:00,19.9,49\n2026-03-01T10:20:00,20.0,50\n"
    result = parse(data, "o.csv")
    assert [r.line for r in result.readings] == [4, 2, 3, 5]
    assert problems(result) == [(4, "time")]
    assert "Time goes back" in result.problems[0].message


def test_a_time_in_the_daylight_saving_gap_is_skipped():
    data = (
        b"# timezone: Europe/Berlin\ntime,temperature_c\n"
        b"2026-03-29T01:30:00,20\n2026-03-29T02:30:00,20\n2026-03-29T03:30:00,20\n"
    )
    result = parse(data, "dst.csv")
    assert [r.line for r in result.readings] == [3, 5]
    assert result.readings[1].time.utcoffset() == timedelta(hours=2)
    assert problems(result) == [(4, "time")]
    assert "does not exist in Europe/Berlin" in result.problems[0].message


def test_the_repeated_autumn_hour_is_told_apart_by_order():
    data = (
        b"# timezone: Europe/Berlin\ntime,temperature_c\n"
        b"2026-10-25T01:30:00,20\n2026-10-25T02:30:00,21\n2026-10-25T02:30:00,22\n"
        b"2026-10-25T03:30:00,23\n"
    )
    result = parse(data, "dst.csv")
    assert result.problems == []
    assert [r.time.utcoffset() for r in result.readings] == [
        timedelta(hours=h) for h in (2, 2, 1, 1)
    ]


def test_relative_humidity_of_140_percent_is_skipped():
    data = TEXT.encode() + b"2026-03-01T10:20:00,20.7,140\n"
    result = parse(data, "rh.csv")
    assert len(result.readings) == 2
    assert problems(result) == [(4, "rh")]
    assert "140 is outside what the sensor can measure (0 to 100)" in result.problems[0].message


def test_text_in_a_number_column_is_skipped_with_its_column():
    data = TEXT.encode() + b"2026-03-01T10:20:00,warm,52\n2026-03-01T10:30:00,20.8,53\n"
    result = parse(data, "t.csv")
    assert [r.line for r in result.readings] == [2, 3, 5]
    assert problems(result) == [(4, "temperature_c")]
    assert "'warm' is not a number" in result.problems[0].message


def test_a_time_that_cannot_be_read_is_skipped():
    data = TEXT.encode() + b"yesterday,20.8,53\n"
    result = parse(data, "t.csv")
    assert len(result.readings) == 2
    assert problems(result) == [(4, "time")]


def test_a_file_with_no_readable_line_is_refused():
    with pytest.raises(LoggerFileError) as caught:
        parse(b"time,temperature_c\n2026-03-01T10:00:00,hot\n", "t.csv")
    assert [(p.line, p.column) for p in caught.value.problems] == [(2, "temperature_c")]


def test_naming_an_unknown_format_is_refused():
    with pytest.raises(LoggerFileError, match="Unknown format 'csv'"):
        parse(TEXT.encode(), "x.csv", fmt="csv")


def test_naming_the_wrong_format_is_refused_with_the_reason():
    with pytest.raises(LoggerFileError, match="Lascar"):
        parse((FIXTURES / "elitech_zh.xlsx").read_bytes(), "e.xlsx", fmt="lascar")


def test_messages_speak_chinese_by_default():
    with translation.override("zh-hans"), pytest.raises(LoggerFileError) as caught:
        parse(b"", "empty.csv")
    assert "文件是空的" in caught.value.message


def test_hoboware_with_date_and_time_in_separate_columns():
    data = (
        '"Plot Title: 20451234"\n'
        '"#","Date","Time, GMT-05:00","Temp, °C (LGR S/N: 20451234, SEN S/N: 20451234)"\n'
        "1,03/14/26,23:30:00,20.5\n2,03/15/26,00:00:00,20.6\n"
    ).encode("latin-1")
    result = parse(data, "hobo.csv")
    assert result.format == "hoboware"
    assert result.readings[1].time == datetime(2026, 3, 15, 5, 0, tzinfo=UTC)


def test_hanwell_time_and_date_columns_time_first():
    data = (
        b"Hanwell export\nTime,Date,Temperature,RH\n"
        b"23:30,14/03/2026,20.5,50\n00:00,15/03/2026,20.6,51\n"
    )
    result = parse(data, "h.csv")
    assert [r.time for r in result.readings] == [
        datetime(2026, 3, 14, 23, 30),
        datetime(2026, 3, 15, 0, 0),
    ]


def test_ibutton_in_fahrenheit_month_first():
    data = (
        b"1-Wire/iButton Part Number: DS1922L\n"
        b"1-Wire/iButton Registration Number: 2A00000031F65C41\n"
        b"Time zone: UTC\n\nDate/Time,Unit,Value\n"
        b"3/14/26 11:00:00 PM,F,68.0\n3/15/26 1:00:00 AM,F,69.8\n"
    )
    result = parse(data, "ib.csv")
    assert [(r.time, r.temperature_c, r.rh) for r in result.readings] == [
        (datetime(2026, 3, 14, 23, 0, tzinfo=UTC), 20.0, None),
        (datetime(2026, 3, 15, 1, 0, tzinfo=UTC), 21.0, None),
    ]


def test_missing_markers_are_not_measured():
    data = TEXT.encode() + b"2026-03-01T10:20:00,--,N/A\n2026-03-01T10:30:00,Err,53\n"
    result = parse(data, "m.csv")
    assert result.problems == []
    assert [(r.temperature_c, r.rh) for r in result.readings[2:]] == [(None, 53.0)]


def test_an_impossible_date_in_a_fixed_width_column_is_reported():
    data = b"time,temperature_c\n02/27/2026 10:00,20\n02/30/2026 10:00,21\n03/01/2026 10:00,22\n"
    result = parse(data, "g.csv")
    assert [r.line for r in result.readings] == [2, 4]
    assert problems(result) == [(3, "time")]


def test_naming_the_generic_format_for_another_file_says_what_is_missing():
    with pytest.raises(LoggerFileError, match="needs a header with a 'time' column"):
        read("bms_niagara_rh_point.csv", fmt="generic")


def test_a_formula_in_a_workbook_is_reported_and_never_evaluated(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "时间", "温度℃", "湿度%RH"])
    sheet.append(["1", "2026-03-01 10:00:00", "20.5", "50"])
    sheet.append(["2", "2026-03-01 10:10:00", "=B2", "51"])
    book.save(tmp_path / "f.xlsx")
    result = parse((tmp_path / "f.xlsx").read_bytes(), "f.xlsx")
    assert result.format == "elitech"
    assert [(p.line, p.column) for p in result.problems] == [(3, "C3")]
    assert "formula" in result.problems[0].message
    assert [(r.temperature_c, r.rh) for r in result.readings] == [(20.5, 50), (None, 51)]


def test_a_time_in_the_future_is_skipped():
    data = TEXT.encode() + b"2099-01-01T00:00:00,20.7,52\n"
    result = parse(data, "f.csv")
    assert len(result.readings) == 2
    assert problems(result) == [(4, "time")]
    assert "in the future" in result.problems[0].message
