"""The shared machinery of the logger-file parsers: results, decoding, tables, times and numbers.

A format module only *describes* a file (a ``Layout``: where the header is, which column holds
the time and which the readings, their units, the zone, the serial); ``build`` turns any layout
into readings, column by column with pandas so that a million-row file parses in seconds.

Policy for bad input (also stated in docs/logger-files.md and in every message):
- a bad *line* (time not understood or not existing in the zone, text in a number column, a value
  outside what the sensor can measure, a duplicated time, a line cut short) is skipped and
  reported; the rest of the file is kept;
- the whole *file* is refused (``LoggerFileError``) when it is empty, in no known format, truncated
  beyond reading (a damaged workbook), has no readable line at all, or its date order cannot be
  decided from the data.
Times that go backwards (a logger clock reset, files joined) are kept as written, sorted, and
reported; a file written newest first is simply reversed.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

QUANTITIES = ("temperature_c", "rh", "lux", "uv", "co2")
MAX_PROBLEMS = 500

# What a sensor can physically report; outside this a value is a fault, not a reading.
LIMITS = {
    "temperature_c": (-60.0, 90.0),
    "rh": (0.0, 100.0),
    "lux": (0.0, 200_000.0),
    "uv": (0.0, 100_000.0),
    "co2": (0.0, 100_000.0),
}


@dataclass(slots=True)
class Reading:
    time: datetime
    temperature_c: float | None = None
    rh: float | None = None
    lux: float | None = None
    uv: float | None = None
    co2: float | None = None
    line: int = 0


@dataclass(slots=True)
class Problem:
    line: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class LoggerFile:
    format: str
    format_label: str
    timezone: tzinfo | None
    serial: str
    readings: list[Reading]
    problems: list[Problem] = field(default_factory=list)


class LoggerFileError(ValueError):
    """The file is refused as a whole; ``problems`` says where and why."""

    def __init__(self, message: str, problems: list[Problem] | tuple = ()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


# --- decoding ---------------------------------------------------------------------------------

_CHINESE_WORDS = ("温度", "湿度", "时间", "日期", "采集", "记录", "序号", "设备", "编号", "数据")


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read in: UTF-8 (±BOM), UTF-16 (BOM), GB18030 or Latin-1.

    GB18030 and Latin-1 both accept almost any bytes; GB18030 wins only when the result holds the
    Chinese words logger software writes in headers (温度, 湿度, 时间 …).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    head = data[:20000]
    try:
        chinese = head.decode("gb18030", errors="strict")
    except UnicodeDecodeError:
        chinese = ""
    if any(word in chinese for word in _CHINESE_WORDS):
        return data.decode("gb18030", errors="replace"), "gb18030"
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter whose count is the same on most data-like lines; ties prefer tab, ';', ','."""
    sample = [line for line in lines[5:60] if line.strip()] or [ln for ln in lines if ln.strip()]
    best, best_score = ",", (-1, -1)
    for delim in ("\t", ";", ",", "|"):
        counts = [_count_outside_quotes(line, delim) for line in sample]
        counts = [c for c in counts if c]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        score = (counts.count(mode), mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def _count_outside_quotes(line: str, delim: str) -> int:
    if '"' not in line:
        return line.count(delim)
    return sum(part.count(delim) for part in line.split('"')[::2])


def split_rows(text: str, delimiter: str) -> tuple[list[list[str]], list[int], bool]:
    """Rows, their 1-based line numbers, and whether the last line was cut (no final newline)."""
    cut = bool(text) and not text.endswith(("\n", "\r"))
    try:
        reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
        rows = list(reader)
        if reader.line_num == len(rows):  # no cell spans lines: row i is line i + 1
            return rows, list(range(1, len(rows) + 1)), cut
    except csv.Error:
        pass
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    rows = []
    lines: list[int] = []
    start = 1
    try:
        for row in reader:
            rows.append(row)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:  # an unterminated quote at the end of a cut file
        raise LoggerFileError(
            _("Line %(line)s: the file cannot be read as a table (%(reason)s).")
            % {"line": start, "reason": exc},
            [Problem(start, None, str(exc))],
        ) from None
    return rows, lines, cut


# --- workbooks --------------------------------------------------------------------------------


def read_workbook(
    data: bytes, filename: str
) -> tuple[list[tuple[str, list[list[str]]]], list[Problem]]:
    """Every sheet of an .xlsx/.xls workbook as rows of text cells, and warnings (formulas).

    The platform's reader (guji.files.spreadsheets) checks the file first: size, what the bytes
    really are, zip bombs, damage, formula cells. It reads only the first sheet, and ElitechLog
    puts its readings on another, so the sheets themselves are then read here with calamine.
    """
    from python_calamine import CalamineWorkbook

    from guji.files.spreadsheets import FileRejected, read_table

    suffix = ".xlsx" if data[:4] == b"PK\x03\x04" else ".xls"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"workbook{suffix}"
        path.write_bytes(data)
        try:
            checked = read_table(path, filename)
        except FileRejected as exc:
            problems = [Problem(p.row, p.column, p.message) for p in exc.problems]
            raise LoggerFileError(str(exc), problems) from None
        except Exception as exc:  # zlib.error, NotImplementedError … from a damaged zip
            raise LoggerFileError(
                _("The workbook cannot be read; is it truncated or damaged? (%(reason)s)")
                % {"reason": exc}
            ) from None
    warnings = [Problem(p.row, p.column, p.message) for p in checked.formulas]
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            sheets.append((name, [[_cell_text(c) for c in row] for row in rows]))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise LoggerFileError(
            _("The workbook cannot be read; is it truncated or damaged? (%(reason)s)")
            % {"reason": exc}
        ) from None
    return sheets, warnings


def _cell_text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(cell, float):
        return repr(cell) if not cell.is_integer() else str(int(cell))
    if hasattr(cell, "isoformat"):
        return cell.isoformat()
    return str(cell)


# --- headers ----------------------------------------------------------------------------------

_SKIP = re.compile(
    r"dew|露点|taupunkt|point de rosée|batt|电池|\b(max|min|avg|average|mean|std|stdev|sd)\b|"
    r"最大|最小|最高|最低|平均|上限|下限|报警|alarm|heat index|absolute|g/m|mixing|vpd|"
    r"set ?point|设定|status|flag|serial|s/n|编号|序号",
    re.IGNORECASE,
)
_TEMP_WORDS = re.compile(
    r"temp|温度|celsius|fahrenheit|℃|℉|(°|º|˚|â°|ﾟ|ｰ|\?|�|deg\.? ?|\*)\s?[cf]\b|\bo[cf]\b",
    re.IGNORECASE,
)
_FAHRENHEIT = re.compile(
    r"fahrenheit|℉|(°|º|˚|ﾟ|ｰ|\?|�|deg\.? ?|\*)\s?f\b|\(f\)|\bof\b|\[f\]", re.IGNORECASE
)
_RH_WORDS = re.compile(
    r"humid|湿度|feuchte|humidité|umidit|\br\.?h\b|%\s?rh|rh\s?%|％rh|%r\.h", re.IGNORECASE
)
_LUX_WORDS = re.compile(r"\blux\b|\blx\b|illuminance|照度|光照|intensity|beleuchtung", re.I)
_UV_WORDS = re.compile(r"\buv\b|紫外|ultraviolet|μw/lm|uw/lm", re.IGNORECASE)
_CO2_WORDS = re.compile(r"co2|co₂|二氧化碳|carbon dioxide", re.IGNORECASE)
_TIME_WORDS = re.compile(
    r"date|time|时间|日期|zeit|datum|heure|timestamp|fecha|hora|日時|時間|时刻", re.IGNORECASE
)
_ZONE_TAIL = r"(\W*(gmt|utc)\s*[+-]?[\d:]*)?\W*$"  # HOBOware: "Time, GMT+08:00"
_DATE_ONLY = re.compile(r"^\W*(date|日期|datum|fecha|日付)" + _ZONE_TAIL, re.IGNORECASE)
_TIME_ONLY = re.compile(r"^\W*(time|时间|zeit|uhrzeit|heure|hora|時間|时刻)" + _ZONE_TAIL, re.I)


def classify(header: str) -> tuple[str, str] | None:
    """The quantity and unit a column header names, or None (skipped: dew point, max/min …)."""
    h = header.strip()
    if not h or _SKIP.search(h):
        return None
    if _CO2_WORDS.search(h):
        return "co2", "ppm" if "%" not in h else "%"
    if _RH_WORDS.search(h):
        return "rh", "%"
    if _TEMP_WORDS.search(h):
        return "temperature_c", "F" if _FAHRENHEIT.search(h) else "C"
    if _UV_WORDS.search(h):
        return "uv", "uW/lm"
    if _LUX_WORDS.search(h):
        return "lux", "lx"
    return None


def is_time_header(header: str) -> bool:
    h = header.strip()
    return bool(h) and bool(_TIME_WORDS.search(h)) and not _SKIP.search(h)


def map_columns(
    header: list[str], skip: tuple[int, ...] = ()
) -> tuple[list[int], dict[str, tuple[int, str]]]:
    """Time column(s) and reading columns of a header row (first column per quantity wins)."""
    times = [i for i, h in enumerate(header) if i not in skip and is_time_header(h)]
    columns: dict[str, tuple[int, str]] = {}
    for i, h in enumerate(header):
        if i in skip or i in times:
            continue
        found = classify(h)
        if found and found[0] not in columns:
            columns[found[0]] = (i, found[1])
    return pick_time_columns(header, times), columns


def pick_time_columns(header: list[str], candidates: list[int]) -> list[int]:
    if len(candidates) <= 1:
        return candidates
    dates = [i for i in candidates if _DATE_ONLY.match(header[i])]
    clocks = [i for i in candidates if _TIME_ONLY.match(header[i])]
    if dates and clocks:
        return sorted([dates[0], clocks[0]])
    return candidates[:1]


def find_header(rows: list[list[str]], limit: int = 80) -> int | None:
    """Index of the first row with a time column and at least one reading column."""
    for index, row in enumerate(rows[:limit]):
        times, columns = map_columns(row)
        if times and columns:
            return index
    return None


# --- zones ------------------------------------------------------------------------------------

# Abbreviations logger software writes. They name a *fixed* offset: HOBOconnect writes the standard
# zone name and keeps it all year. CST is China Standard Time here (this is a Chinese system).
_ABBREVIATIONS = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
    "MSK": 3, "IST": 5.5, "ICT": 7, "CST": 8, "HKT": 8, "SGT": 8, "AWST": 8, "JST": 9, "KST": 9,
    "AEST": 10, "NZST": 12, "EST": -5, "EDT": -4, "CDT": -5, "MST": -7, "MDT": -6,
    "PST": -8, "PDT": -7, "AKST": -9, "HST": -10,
}  # fmt: skip
_OFFSET = re.compile(r"(?:GMT|UTC)\s*([+-−])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)


def zone_from_text(text: str) -> tzinfo | None:
    """A zone named in a header: 'GMT+08:00', 'UTC-5', an IANA name, or a known abbreviation."""
    match = _OFFSET.search(text)
    if match:
        sign = -1 if match.group(1) in "-−" else 1
        minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
        return timezone(sign * timedelta(minutes=minutes))
    for name in re.findall(r"[A-Z][A-Za-z_]+/[A-Za-z_]+(?:/[A-Za-z_]+)?", text):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    for token in re.findall(r"\b[A-Z]{1,5}\b", text):
        if token in _ABBREVIATIONS:
            if token in ("UTC", "GMT", "Z"):
                return UTC
            return timezone(timedelta(hours=_ABBREVIATIONS[token]))
    if re.search(r"\b(UTC|GMT)\b", text):
        return UTC
    return None


# --- layout and build -------------------------------------------------------------------------


@dataclass
class Layout:
    """What a format module found out about one file."""

    header: list[str]
    data: list[list[str]]
    lines: list[int]
    time: list[int]
    columns: dict[str, tuple[int, str]]
    timezone: tzinfo | None = None
    serial: str = ""
    excel_serial: bool = False
    date_order: str | None = None  # "dmy" / "mdy" when the format says so
    decimal_comma: bool | None = None  # None: decide from the data
    strip_zone_suffix: bool = False  # cells end in a zone abbreviation ("10:00 AM CST")
    cut_last_line: bool = False
    problems: list[Problem] = field(default_factory=list)


def build(fmt: str, label: str, layout: Layout) -> LoggerFile:
    problems = list(layout.problems)
    data, lines = layout.data, layout.lines
    if layout.cut_last_line and data:
        problems.append(
            Problem(
                lines[-1],
                None,
                _("The file ends in the middle of this line (truncated?); the line is skipped, "
                  "the rest of the file is kept."),
            )
        )  # fmt: skip
        data, lines = data[:-1], lines[:-1]
    if not data:
        raise LoggerFileError(_("The file holds no readings."))
    line_no = np.asarray(lines, dtype=np.int64)
    n = len(data)
    keep = np.ones(n, dtype=bool)

    def column(index: int) -> pd.Series:
        try:
            cells = list(map(itemgetter(index), data))
        except IndexError:
            cells = [row[index] if index < len(row) else "" for row in data]
        return pd.Series(cells, dtype=object)

    # Times
    if len(layout.time) == 1:
        raw_time = column(layout.time[0])
    else:
        parts = [column(i).astype(str).str.strip() for i in layout.time]
        raw_time = parts[0].str.cat(parts[1:], sep=" ")
    raw_time = pd.Series(list(map(str.strip, map(str, raw_time.tolist()))), dtype=object)
    if layout.strip_zone_suffix:
        raw_time = raw_time.str.replace(r"\s+[A-Z]{2,5}$", "", regex=True)
    blank_time = raw_time.eq("").to_numpy()
    times = parse_times(raw_time, layout, blank_time, problems)
    time_column = " + ".join(layout.header[i] for i in layout.time) or None
    bad_time = times.isna().to_numpy() & ~blank_time
    for i in np.flatnonzero(bad_time)[:MAX_PROBLEMS]:
        problems.append(
            Problem(
                int(line_no[i]),
                time_column,
                _("Time %(value)r not understood; the line is skipped, the rest is kept.")
                % {"value": raw_time.iat[i]},
            )
        )
    keep &= ~(bad_time | blank_time)

    # Readings
    values: dict[str, np.ndarray] = {}
    decimal_comma = layout.decimal_comma
    for quantity, (index, unit) in layout.columns.items():
        raw = column(index)
        numbers, bad, decimal_comma = parse_numbers(raw, decimal_comma)
        if unit == "F":
            numbers = np.round((numbers - 32.0) * 5.0 / 9.0, 4)
        elif quantity == "co2" and unit == "%":
            numbers = numbers * 10_000.0
        name = layout.header[index] if index < len(layout.header) else quantity
        for i in np.flatnonzero(bad & keep)[:MAX_PROBLEMS]:
            problems.append(
                Problem(
                    int(line_no[i]),
                    name,
                    _("%(value)r is not a number; the line is skipped, the rest is kept.")
                    % {"value": raw.iat[i]},
                )
            )
        keep &= ~bad
        low, high = LIMITS[quantity]
        with np.errstate(invalid="ignore"):
            out = ((numbers < low) | (numbers > high)) & keep
        for i in np.flatnonzero(out)[:MAX_PROBLEMS]:
            problems.append(
                Problem(
                    int(line_no[i]),
                    name,
                    _("%(value)s is outside what the sensor can measure (%(low)s to %(high)s); "
                      "the line is skipped, the rest is kept.")
                    % {"value": _show(raw.iat[i]), "low": _show(low), "high": _show(high)},
                )
            )  # fmt: skip
        keep &= ~out
        values[quantity] = numbers

    # Lines that carry no reading at all (event rows such as "Logged") are left out silently.
    if values:
        carries = np.zeros(n, dtype=bool)
        for numbers in values.values():
            carries |= ~np.isnan(numbers)
        keep &= carries
    index = np.flatnonzero(keep)
    if not len(index):
        raise LoggerFileError(
            _("No line of the file holds a readable reading."), problems[:MAX_PROBLEMS]
        )
    stamp = pd.Series(times.to_numpy()[index])
    line_no = line_no[index]
    values = {q: v[index] for q, v in values.items()}

    # Newest first? Reverse. Then localise, order, drop duplicates.
    steps = np.diff(_ticks(stamp))
    if len(steps) and (steps < 0).sum() > (steps > 0).sum():
        stamp = stamp.iloc[::-1].reset_index(drop=True)
        line_no = line_no[::-1]
        values = {q: v[::-1] for q, v in values.items()}
    zone = layout.timezone
    if zone is not None and stamp.dt.tz is None:
        stamp = localise(stamp, zone, line_no, time_column, problems)
    valid = stamp.notna().to_numpy().copy()
    # A clock that runs ahead of today (not set, or drifted) gives times no reading can have.
    # Naive times are compared as if UTC, one day of slack covers every zone.
    horizon = int(datetime.now(UTC).timestamp()) + 86_400
    future = valid & (_ticks(stamp.fillna(pd.Timestamp(0, tz=stamp.dt.tz))) > horizon)
    for i in np.flatnonzero(future)[:MAX_PROBLEMS]:
        problems.append(
            Problem(
                int(line_no[i]),
                time_column,
                _("%(time)s is in the future: is the logger's clock set? The line is skipped, "
                  "the rest is kept.")
                % {"time": stamp.iat[i]},
            )
        )  # fmt: skip
    valid &= ~future
    if not valid.all():
        stamp = stamp[valid].reset_index(drop=True)
        line_no = line_no[valid]
        values = {q: v[valid] for q, v in values.items()}
    ticks = _ticks(stamp)
    steps = np.diff(ticks)
    backwards = np.flatnonzero(steps < 0)
    for i in backwards[:MAX_PROBLEMS]:
        problems.append(
            Problem(
                int(line_no[i + 1]),
                time_column,
                _("Time goes back from %(before)s (line %(line)s) to %(after)s: logger clock reset "
                  "or files joined? The readings are kept at the times written, in time order.")
                % {"before": stamp.iat[i], "line": int(line_no[i]), "after": stamp.iat[i + 1]},
            )
        )  # fmt: skip
    if len(backwards):
        order = np.argsort(ticks, kind="stable")
        stamp = stamp.iloc[order].reset_index(drop=True)
        line_no = line_no[order]
        ticks = ticks[order]
        values = {q: v[order] for q, v in values.items()}
    dup = np.concatenate([[False], np.diff(ticks) == 0])
    if dup.any():
        first_line = line_no.copy()
        for i in range(1, len(first_line)):
            if dup[i]:
                first_line[i] = first_line[i - 1]
        for i in np.flatnonzero(dup)[:MAX_PROBLEMS]:
            problems.append(
                Problem(
                    int(line_no[i]),
                    time_column,
                    _("Time %(time)s repeats line %(line)s; this line is skipped, the rest is "
                      "kept.")
                    % {"time": stamp.iat[i], "line": int(first_line[i])},
                )
            )  # fmt: skip
        stamp = stamp[~dup].reset_index(drop=True)
        line_no = line_no[~dup]
        values = {q: v[~dup] for q, v in values.items()}

    readings = make_readings(stamp, values, line_no)
    if len(problems) > MAX_PROBLEMS:
        extra = len(problems) - MAX_PROBLEMS
        problems = problems[:MAX_PROBLEMS]
        problems.append(Problem(None, None, _("… and %(n)s more problems.") % {"n": extra}))
    return LoggerFile(
        format=fmt,
        format_label=label,
        timezone=zone,
        serial=layout.serial,
        readings=readings,
        problems=problems,
    )


def _ticks(stamp: pd.Series) -> np.ndarray:
    """Seconds since the epoch (UTC when the series carries a zone)."""
    if stamp.dt.tz is not None:
        stamp = stamp.dt.tz_convert("UTC").dt.tz_localize(None)
    return stamp.to_numpy().astype("datetime64[s]").astype(np.int64)


def _show(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def make_readings(stamp: pd.Series, values: dict[str, np.ndarray], lines: np.ndarray) -> list:
    n = len(stamp)
    times = python_times(stamp) if n else []
    cols = []
    for quantity in QUANTITIES:
        if quantity in values:
            arr = values[quantity].astype(object)
            arr[np.isnan(values[quantity])] = None
            cols.append(arr.tolist())
        else:
            cols.append([None] * n)
    return list(map(Reading, times, *cols, lines.tolist()))


def python_times(stamp: pd.Series) -> list[datetime]:
    """datetime objects for a series, built through numpy (pandas' own conversion is slower)."""
    zone = stamp.dt.tz
    if zone is None:
        return stamp.to_numpy().astype("datetime64[us]").tolist()
    utc = stamp.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    micro = utc.astype("datetime64[us]").astype(np.int64)
    if (micro % 1_000_000).any():
        return stamp.dt.to_pydatetime().tolist()
    # fromtimestamp() applies the zone's rules itself, the autumn hour's fold included.
    return list(map(datetime.fromtimestamp, (micro // 1_000_000).tolist(), repeat(zone)))


def localise(
    stamp: pd.Series, zone: tzinfo, lines: np.ndarray, column: str | None, problems: list
) -> pd.Series:
    """Attach the file's zone; a wall time that does not exist there (DST gap) drops its line."""
    if not isinstance(zone, ZoneInfo):
        return stamp.dt.tz_localize(zone)
    try:
        out = stamp.dt.tz_localize(zone, ambiguous="infer", nonexistent="NaT")
    except Exception:  # the repeated autumn hour cannot be told apart: keep the first reading
        out = stamp.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    gone = out.isna().to_numpy() & stamp.notna().to_numpy()
    for i in np.flatnonzero(gone)[:MAX_PROBLEMS]:
        problems.append(
            Problem(
                int(lines[i]),
                column,
                _("%(time)s does not exist in %(zone)s (daylight-saving change); the line is "
                  "skipped, the rest is kept.")
                % {"time": stamp.iat[i], "zone": zone},
            )
        )  # fmt: skip
    return out


# --- numbers ----------------------------------------------------------------------------------

_MISSING = {"", "-", "--", "---", "n/a", "na", "nan", "null", "none", "—", "/", "err", "*"}
_UNIT_TAIL = re.compile(r"\s*(°\s?[CF]|℃|℉|%\s?RH|％RH|%rh|%|lx|lux|ppm|μW/lm|uW/lm|[CF])\s*$")


def parse_numbers(
    raw: pd.Series, decimal_comma: bool | None
) -> tuple[np.ndarray, np.ndarray, bool | None]:
    """Floats (NaN where missing) and a mask of cells that are text, not numbers.

    The common case (plain numbers) is one vectorised call; only cells that fail go through the
    slower cleaning (units inside the cell, decimal commas, blanks written as one space).
    """
    values = raw.tolist()
    try:  # plain numbers and blanks: C-speed float() over the column
        numbers = np.fromiter(
            map(float, [v or "nan" for v in values]), dtype=np.float64, count=len(values)
        )
        return numbers, np.zeros(len(values), dtype=bool), decimal_comma
    except (ValueError, TypeError):
        pass
    text = raw.astype(str)
    numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, copy=True)
    failed = np.isnan(numbers)
    if not failed.any():
        return numbers, failed, decimal_comma
    idx = np.flatnonzero(failed)
    sub = text.iloc[idx].str.strip()
    missing = sub.str.lower().isin(_MISSING).to_numpy()
    cleaned = sub.str.replace(_UNIT_TAIL, "", regex=True).str.strip()
    if decimal_comma is None:
        has_comma = cleaned.str.contains(r"^-?\d+,\d+$", regex=True)
        decimal_comma = bool(has_comma.any()) or None
    if decimal_comma:
        cleaned = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    again = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float, copy=True)
    numbers[idx] = again
    bad = np.zeros(len(numbers), dtype=bool)
    bad[idx] = np.isnan(again) & ~missing & ~cleaned.str.lower().isin(_MISSING).to_numpy()
    return numbers, bad, decimal_comma


# --- times ------------------------------------------------------------------------------------

_DATES = {
    "ymd": ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"],
    "mdy": ["%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%m-%d-%y"],
    "dmy": ["%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d.%m.%y", "%d-%m-%Y", "%d-%m-%y"],
    "dby": ["%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%b %d %Y", "%d/%b/%Y"],
}
_CLOCKS = ["%H:%M:%S", "%H:%M", "%H:%M:%S.%f", "%I:%M:%S %p", "%I:%M %p", "%H时%M分%S秒"]
_ISO = re.compile(r"^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?\s?(Z|[+-]\d\d:?\d\d)?$")


_REFERENCE = datetime(2026, 11, 22, 13, 44, 55, 123456)


def _shape(text: str) -> str:
    """'3/15/26 10:00:00 AM' → '9/9/9 9:9:9 a': what a format must look like to be tried."""
    return re.sub(r"[A-Za-z]+", "a", re.sub(r"\d+", "9", text.strip()))


@functools.cache
def _candidates(order: str | None) -> list[tuple[str, str, str]]:
    out = []
    for group, dates in _DATES.items():
        if order and group in ("mdy", "dmy") and group != order:
            continue
        for d in dates:
            formats = [f"{d} {c}" for c in _CLOCKS] + [f"{d}T{c}" for c in _CLOCKS]
            formats += [f"{c} {d}" for c in _CLOCKS] + [d]
            out += [(group, f, _shape(_REFERENCE.strftime(f))) for f in formats]
    return out


_WIDTHS = {"%Y": 4, "%m": 2, "%d": 2, "%y": 2, "%H": 2, "%I": 2, "%M": 2, "%S": 2, "%p": 2}


def _to_datetime(raw: pd.Series, fmt: str) -> pd.Series:
    """pandas' strptime, with a fast path for zero-padded fixed-width times (most loggers)."""
    fast = _fixed_width(raw, fmt)
    if fast is None:
        return pd.to_datetime(raw, format=fmt, errors="coerce")
    stamp, failed = fast
    if failed.any():
        stamp[failed] = pd.to_datetime(raw[failed], format=fmt, errors="coerce")
    return stamp


def _fixed_width(raw: pd.Series, fmt: str):
    """Read digits at fixed positions with numpy; None when the format is not fixed-width."""
    fields: dict[str, int] = {}
    literals: list[tuple[int, int]] = []
    pos = i = 0
    while i < len(fmt):
        if fmt[i] == "%":
            code = fmt[i : i + 2]
            if code not in _WIDTHS or code in fields:
                return None
            fields[code] = pos
            pos += _WIDTHS[code]
            i += 2
        else:
            if ord(fmt[i]) > 127:
                return None
            literals.append((pos, ord(fmt[i])))
            pos += 1
            i += 1
    width = pos
    values = raw.tolist()
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    try:
        arr = np.array(values, dtype=f"S{width}")
    except UnicodeEncodeError:
        return None
    grid = arr.view(np.uint8).reshape(len(values), width)
    ok = lengths == width
    for at, code in literals:
        ok &= grid[:, at] == code

    def number(code: str) -> np.ndarray:
        at = fields[code]
        digits = grid[:, at : at + _WIDTHS[code]].astype(np.int64) - 48
        nonlocal ok
        ok &= ((digits >= 0) & (digits <= 9)).all(axis=1)
        out = np.zeros(len(values), dtype=np.int64)
        for k in range(digits.shape[1]):
            out = out * 10 + digits[:, k]
        return out

    if "%Y" in fields:
        year = number("%Y")
    elif "%y" in fields:
        year = number("%y")
        year = np.where(year < 69, year + 2000, year + 1900)
    else:
        return None
    month, day = number("%m"), number("%d")
    minute = number("%M") if "%M" in fields else np.zeros_like(year)
    second = number("%S") if "%S" in fields else np.zeros_like(year)
    if "%H" in fields:
        hour = number("%H")
        ok &= hour <= 23
    elif "%I" in fields:
        hour = number("%I")
        if "%p" not in fields:
            return None
        at = fields["%p"]
        marker = grid[:, at] | 0x20  # lower case
        ok &= ((marker == ord("a")) | (marker == ord("p"))) & ((grid[:, at + 1] | 0x20) == ord("m"))
        ok &= (hour >= 1) & (hour <= 12)
        hour = hour % 12 + np.where(marker == ord("p"), 12, 0)
    else:
        hour = np.zeros_like(year)
    ok &= (month >= 1) & (month <= 12) & (day >= 1) & (minute <= 59) & (second <= 59)
    parts = pd.DataFrame(
        {
            "year": np.where(ok, year, 2000),
            "month": np.where(ok, month, 1),
            "day": np.where(ok, day, 1),
            "hour": np.where(ok, hour, 0),
            "minute": np.where(ok, minute, 0),
            "second": np.where(ok, second, 0),
        }
    )
    stamp = pd.to_datetime(parts, errors="coerce")
    failed = ~ok | stamp.isna().to_numpy()
    return pd.Series(stamp, index=raw.index), failed


def _swapped(fmt: str) -> str:
    return fmt.replace("%m", "\0").replace("%d", "%m").replace("\0", "%d")


def _swap_day_month(stamp: pd.Series) -> pd.Series:
    """The times a column would give with day and month read the other way round."""
    day, month = stamp.dt.day, stamp.dt.month
    ok = (day <= 12).to_numpy()
    date = pd.to_datetime(
        pd.DataFrame(
            {
                "year": stamp.dt.year,
                "month": day.where(ok, 1).astype(int),
                "day": month.where(ok, 1).astype(int),
            }
        )
    )
    out = date + (stamp - stamp.dt.normalize())
    out[~ok] = pd.NaT
    return out


def _sample(values: pd.Series, blank: np.ndarray) -> list[str]:
    filled = np.flatnonzero(~blank)
    if not len(filled):
        return []
    picks = np.unique(
        np.concatenate([filled[:20], filled[-10:], filled[np.linspace(0, len(filled) - 1, 30)
                                                          .astype(int)]])
    )  # fmt: skip
    return [values.iat[i] for i in picks]


def parse_times(
    raw: pd.Series, layout: Layout, blank: np.ndarray, problems: list[Problem]
) -> pd.Series:
    """Parse a column of times; the format and the date order are decided from the data."""
    if layout.excel_serial:
        serial, _bad, _c = parse_numbers(raw, False)
        stamp = pd.to_datetime(serial, unit="D", origin="1899-12-30", errors="coerce")
        return pd.Series(stamp).dt.round("s")
    sample = _sample(raw, blank)
    if not sample:
        raise LoggerFileError(_("The file holds no readings."))
    if sum(bool(_ISO.match(s)) for s in sample) >= len(sample) * 0.8:
        with_offset = any(re.search(r"(Z|[+-]\d\d:?\d\d)$", s) for s in sample)
        stamp = pd.to_datetime(raw, format="ISO8601", errors="coerce", utc=with_offset)
        if with_offset and layout.timezone is not None:
            stamp = stamp.dt.tz_convert(layout.timezone)
        elif with_offset:
            offset = _common_offset(sample)
            stamp = stamp.dt.tz_convert(offset) if offset is not None else stamp
            layout.timezone = offset or UTC
        return stamp
    matches = []
    shapes = {_shape(s) for s in sample}
    for group, fmt, shape in _candidates(layout.date_order):
        if shape not in shapes:
            continue
        hits = 0
        for s in sample:
            try:
                datetime.strptime(s, fmt)
                hits += 1
            except ValueError:
                pass
        if hits:
            matches.append((hits, group, fmt))
    if not matches:
        raise LoggerFileError(
            _("Times such as %(value)r are in no date format the parser knows.")
            % {"value": sample[0]}
        )
    best_hits = max(m[0] for m in matches)
    # Near-best formats stay in the race: m/d and d/m may differ only on a few days.
    contenders = [m for m in matches if m[0] >= best_hits * 0.9][:4]
    contenders.sort(key=lambda m: -m[0])
    scored = []
    first = None
    for _hits, group, fmt in contenders:
        if first is not None and fmt == _swapped(first[1]) and not first[0].isna().any():
            stamp = _swap_day_month(first[0])  # the same cells read the other way round
        else:
            stamp = _to_datetime(raw, fmt)
        first = first or (stamp, fmt)
        scored.append((_plausibility(stamp), group, fmt, stamp))
    scored.sort(key=lambda s: s[0])
    best = scored[0]
    for other in scored[1:]:
        if other[0] == best[0] and not other[3].equals(best[3]):
            raise LoggerFileError(
                _("The date order cannot be decided from the data: %(value)r reads as both "
                  "%(a)s and %(b)s. Export the file again with dates written year first "
                  "(2026-03-01).")
                % {
                    "value": sample[0],
                    "a": _order_name(best[1]),
                    "b": _order_name(other[1]),
                },
            )  # fmt: skip
    return best[3]


def _order_name(group: str) -> str:
    return {"mdy": _("month/day/year"), "dmy": _("day/month/year")}.get(group, group)


def _plausibility(stamp: pd.Series) -> tuple:
    """Lower is better: unreadable cells, then steps against the file's direction, then jumps."""
    failures = int(stamp.isna().sum())
    ok = _ticks(stamp.dropna())
    if len(ok) < 2:
        return (failures, 0, 0)
    steps = np.diff(ok)
    against = int(min((steps < 0).sum(), (steps > 0).sum()))
    return (failures, against, int(np.abs(steps).max()))


def _common_offset(sample: list[str]) -> tzinfo | None:
    offsets = set()
    for s in sample:
        m = re.search(r"(Z|([+-])(\d\d):?(\d\d))$", s)
        if not m:
            continue
        if m.group(1) == "Z":
            offsets.add(0)
        else:
            sign = -1 if m.group(2) == "-" else 1
            offsets.add(sign * (int(m.group(3)) * 60 + int(m.group(4))))
    if len(offsets) == 1:
        minutes = offsets.pop()
        return UTC if minutes == 0 else timezone(timedelta(minutes=minutes))
    return None
