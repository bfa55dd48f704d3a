"""One class per logger export format: how to recognise it and where its readings are.

Each format has a ``key`` (stored with every upload), a ``label``, a ``signature`` (cheap test on
the first lines or sheets, used by auto-detection) and ``layout`` (the full reading of the file's
structure into a ``core.Layout``). Formats that share a plain table structure use ``table_layout``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .core import (
    Layout,
    LoggerFileError,
    Problem,
    classify,
    decode,
    find_header,
    is_time_header,
    map_columns,
    pick_time_columns,
    read_workbook,
    sniff_delimiter,
    split_rows,
    zone_from_text,
)

_SN_IN_HEADER = re.compile(r"\((?:LGR |SEN )?S/?N[: ]\s*([\w-]+)[^)]*\)", re.IGNORECASE)


@dataclass
class Source:
    """A file as bytes, plus lazily computed text, lines, rows and sheets."""

    data: bytes
    filename: str
    workbook: bool = field(init=False)

    def __post_init__(self):
        self.workbook = self.data[:4] == b"PK\x03\x04" or self.data[:8] == bytes.fromhex(
            "d0cf11e0a1b11ae1"
        )

    @cached_property
    def decoded(self) -> tuple[str, str]:
        return decode(self.data)

    @property
    def text(self) -> str:
        return self.decoded[0]

    @property
    def encoding(self) -> str:
        return self.decoded[1]

    @cached_property
    def head(self) -> list[str]:
        if self.workbook:
            out = []
            for _name, rows in self.sheets:
                out += [" ".join(row) for row in rows[:40]]
            return out
        return self.text[:20000].splitlines()[:100]

    @cached_property
    def head_text(self) -> str:
        return "\n".join(self.head)

    @cached_property
    def delimiter(self) -> str:
        return sniff_delimiter(self.head)

    @cached_property
    def table(self) -> tuple[list[list[str]], list[int], bool]:
        return split_rows(self.text, self.delimiter)

    @cached_property
    def book(self) -> tuple[list[tuple[str, list[list[str]]]], list[Problem]]:
        return read_workbook(self.data, self.filename)

    @property
    def sheets(self) -> list[tuple[str, list[list[str]]]]:
        return self.book[0]

    @property
    def workbook_warnings(self) -> list[Problem]:
        return list(self.book[1])


def table_layout(
    rows: list[list[str]],
    lines: list[int],
    header_index: int,
    *,
    cut: bool = False,
    skip: tuple[int, ...] = (),
    time: list[int] | None = None,
    columns: dict | None = None,
    **kwargs,
) -> Layout:
    """A layout for a plain table whose header row is ``rows[header_index]``."""
    header = [_clean_header(h) for h in rows[header_index]]
    found_time, found_columns = map_columns(header, skip=skip)
    time = found_time if time is None else time
    columns = found_columns if columns is None else columns
    if not time:
        raise LoggerFileError(
            _("No date/time column in the header (line %(line)s): %(header)s")
            % {"line": lines[header_index], "header": ", ".join(h for h in header if h)}
        )
    if not columns:
        raise LoggerFileError(
            _("No temperature, humidity, light, UV or CO₂ column in the header (line %(line)s): "
              "%(header)s")
            % {"line": lines[header_index], "header": ", ".join(h for h in header if h)}
        )  # fmt: skip
    need = max([*time, *(c[0] for c in columns.values())]) + 1
    problems = []
    data = rows[header_index + 1 :]
    data_lines = lines[header_index + 1 :]
    lengths = np.fromiter(map(len, data), dtype=np.int64, count=len(data))
    short = np.flatnonzero(lengths < need)
    last = len(data) - 1
    cut = cut and last >= 0 and lengths[last] < max(need, len(header))
    if len(short):
        drop = set()
        for i in short.tolist():
            row = data[i]
            if not any(cell.strip() for cell in row):
                drop.add(i)
            elif cut and i == last:
                data[i] = row + [""] * (need - len(row))  # build() reports the cut line
            else:
                drop.add(i)
                problems.append(
                    Problem(
                        data_lines[i],
                        None,
                        _("The line has %(n)s cells where %(need)s are needed; it is skipped, "
                          "the rest is kept.")
                        % {"n": len(row), "need": need},
                    )
                )  # fmt: skip
        if drop:
            cut = cut and last not in drop
            keep = [i for i in range(len(data)) if i not in drop]
            data = [data[i] for i in keep]
            data_lines = [data_lines[i] for i in keep]
    # Units written inside the cells ("63.9 °F") override a unitless header.
    for quantity, (index, _unit) in list(columns.items()):
        if quantity == "temperature_c":
            cells = [r[index] for r in data[:50] if index < len(r) and r[index].strip()]
            if cells and all(re.search(r"(°\s?F|℉)\s*$", c) for c in cells):
                columns[quantity] = (index, "F")
    return Layout(
        header=header,
        data=data,
        lines=data_lines,
        time=time,
        columns=columns,
        cut_last_line=cut,
        problems=problems,
        **kwargs,
    )


def _clean_header(text: str) -> str:
    """Drop the serial numbers HOBO software writes into headers; normalise spaces."""
    text = _SN_IN_HEADER.sub("", text)
    return re.sub(r"\s+", " ", text.replace("\ufeff", "")).strip()


def _serial(text: str) -> str:
    for pattern in (
        r"LGR S/N:\s*([\w-]+)",
        r"\(S/?N[: ]\s*([\w-]+)",
        r"(?:serial(?: number| no\.?)?|seriennummer|num[ée]ro de s[ée]rie|S/N|SN|"
        r"registration number|序列号|设备编号)\s*[:;,=\t ]\s*"
        r"\"?([A-Za-z0-9][\w-]{3,})",
    ):
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            return match.group(1)
    return ""


class Format:
    key = ""
    label = ""

    def signature(self, src: Source) -> bool:
        raise NotImplementedError

    def layout(self, src: Source) -> Layout:
        """The default: a delimited text table with the header found by its columns."""
        if src.workbook:
            raise LoggerFileError(_("This format is a text file, not a workbook."))
        rows, lines, cut = src.table
        index = find_header(rows)
        if index is None:
            raise LoggerFileError(_("No header row with a time column and a reading column."))
        preamble = "\n".join(src.head[: lines[index]])
        return table_layout(
            rows,
            lines,
            index,
            cut=cut,
            serial=_serial(preamble),
            timezone=zone_from_text(preamble),
        )


class HoboWare(Format):
    key = "hoboware"
    label = "Onset HOBOware CSV"

    def signature(self, src):
        head = src.head_text[:4000]
        return not src.workbook and bool(
            re.search(r"LGR S/N|Plot Title|Date Time, GMT", head, re.IGNORECASE)
        )

    def layout(self, src):
        rows, lines, cut = src.table
        index = next(
            (i for i, r in enumerate(rows[:20]) if any(c.lower().startswith("date") for c in r)),
            None,
        )
        if index is None:
            raise LoggerFileError(_("No 'Date Time' column in the HOBOware header."))
        header_text = " ".join(rows[index])
        return table_layout(
            rows,
            lines,
            index,
            cut=cut,
            skip=(0,),
            serial=_serial(header_text) or _serial(" ".join(src.head[:index])),
            timezone=zone_from_text(header_text),
        )


class HoboConnect(Format):
    key = "hoboconnect"
    label = "Onset HOBOconnect / HOBOmobile"

    def signature(self, src):
        return not src.workbook and bool(re.search(r"Date-Time \(", src.head_text[:4000]))

    def layout(self, src):
        rows, lines, cut = src.table
        index = next(
            (i for i, r in enumerate(rows[:30]) if any(c.startswith("Date-Time") for c in r)),
            None,
        )
        if index is None:
            raise LoggerFileError(_("No 'Date-Time' column in the HOBOconnect header."))
        header_text = " ".join(rows[index])
        zone_cell = next(c for c in rows[index] if c.startswith("Date-Time"))
        preamble = " ".join(" ".join(r) for r in rows[:index])
        return table_layout(
            rows,
            lines,
            index,
            cut=cut,
            skip=(0,),
            serial=_serial(header_text) or _serial(preamble),
            timezone=zone_from_text(zone_cell.replace("Date-Time", "")),
        )


class Tinytag(Format):
    key = "tinytag"
    label = "Gemini Tinytag EasyView"

    def signature(self, src):
        return not src.workbook and bool(
            re.search(r"tinytag|easyview|gemini", src.head_text[:3000], re.IGNORECASE)
        )


class TandD(Format):
    key = "tandd"
    label = "T&D (TR-7 / T&D Graph)"

    def signature(self, src):
        return not src.workbook and bool(
            re.search(r"T&D|\bTR-?7\d|\bRTR-?\d|Serial Date|\(Excel\)", src.head_text[:4000])
        )

    def layout(self, src):
        rows, lines, cut = src.table
        index = None
        for i, row in enumerate(rows[:40]):
            if any(_excel_column(c) for c in row):
                index = i
                break
        if index is None:
            return super().layout(src)
        header = [_clean_header(c) for c in rows[index]]
        time = [next(i for i, c in enumerate(header) if _excel_column(c))]
        columns = {}
        for i, h in enumerate(header):
            found = None if i in time or is_time_header(h) else classify(h)
            if found and found[0] not in columns:
                columns[found[0]] = (i, found[1])
        preamble = "\n".join(" ".join(r) for r in rows[:index])
        return table_layout(
            rows,
            lines,
            index,
            cut=cut,
            time=time,
            columns=columns,
            excel_serial=True,
            serial=_serial(preamble),
            timezone=zone_from_text(preamble),
        )


def _excel_column(cell: str) -> bool:
    return bool(re.search(r"excel|serial date|serial time", cell, re.IGNORECASE))


class Rotronic(Format):
    key = "rotronic"
    label = "Rotronic HW4"

    def signature(self, src):
        head = src.head_text[:4000]
        return not src.workbook and bool(
            re.search(r"rotronic|\bHW4\b|HygroClip|HL-\d", head, re.IGNORECASE)
        )

    def layout(self, src):
        rows, lines, cut = src.table
        sections = [r[0].strip().lower() if r else "" for r in rows[:80]]
        start = next((i for i, s in enumerate(sections) if s in ("[data]", "data")), -1)
        index = find_header(rows[start + 1 :])
        if index is None:
            raise LoggerFileError(_("No data header after the HW4 sections."))
        index += start + 1
        preamble = "\n".join(" ".join(r) for r in rows[:index])
        return table_layout(
            rows,
            lines,
            index,
            cut=cut,
            serial=_serial(preamble),
            timezone=zone_from_text(preamble),
        )


class Lascar(Format):
    key = "lascar"
    label = "Lascar EasyLog"

    def signature(self, src):
        first = src.head[0] if src.head else ""
        return not src.workbook and bool(
            re.search(r"Serial Number", first)
            and re.search(r"Celsius\(|Fahrenheit\(|Humidity\(%rh\)", first, re.IGNORECASE)
        )

    def layout(self, src):
        rows, lines, cut = src.table
        header = rows[0]
        serial = ""
        if "Serial Number" in header and len(rows) > 1:
            col = header.index("Serial Number")
            serial = rows[1][col].strip() if col < len(rows[1]) else ""
        return table_layout(rows, lines, 0, cut=cut, skip=(0,), serial=serial)


class Elitech(Format):
    key = "elitech"
    label = "Elitech ElitechLog"

    def signature(self, src):
        if not src.workbook:
            return False
        if re.search(r"elitech|RC-\d|ElitechLog", src.head_text, re.IGNORECASE):
            return True
        return any(
            rows and rows[i] and rows[i][0].strip() in ("序号", "No.", "Nr.", "N°", "№")
            for _name, rows in src.sheets
            for i in range(min(len(rows), 30))
        )

    def layout(self, src):
        best = None
        for _name, rows in src.sheets:
            index = find_header(rows)
            if index is not None and (best is None or len(rows) - index > best[2]):
                best = (rows, index, len(rows) - index)
        if best is None:
            raise LoggerFileError(_("No sheet of the workbook has a time column and readings."))
        rows, index, _size = best
        lines = list(range(1, len(rows) + 1))
        preamble = "\n".join(src.head)
        zone_lines = "\n".join(
            line for line in src.head if re.search(r"zone|zeitzone|时区|fuseau|GMT|UTC", line, re.I)
        )
        layout = table_layout(
            rows,
            lines,
            index,
            skip=(0,),
            serial=_serial(preamble),
            timezone=zone_from_text(zone_lines),
        )
        layout.problems[:0] = src.workbook_warnings
        return layout


class IButton(Format):
    key = "ibutton"
    label = "Maxim iButton (OneWireViewer / Thermochron)"

    def signature(self, src):
        return not src.workbook and bool(
            re.search(r"1-Wire|iButton|Thermochron|Hygrochron|Registration Number", src.head_text)
        )

    def layout(self, src):
        rows, lines, cut = src.table
        headers = [
            i
            for i, r in enumerate(rows)
            if len(r) >= 3 and r[0].strip().lower().startswith("date") and "unit" in r[1].lower()
        ]
        if not headers:
            raise LoggerFileError(_("No 'Date/Time,Unit,Value' table after the mission header."))
        preamble = "\n".join(" ".join(r) for r in rows[: headers[0]])
        merged: dict[str, list] = {}
        problems = []
        units = {}
        header_set = set(headers)
        for i in range(headers[0] + 1, len(rows)):
            row = rows[i]
            if i in header_set or not row or not any(c.strip() for c in row):
                continue
            if len(row) < 3:
                if cut and i == len(rows) - 1:
                    problems.append(
                        Problem(lines[i], None, _("The file ends in the middle of this line "
                                                  "(truncated?); the line is skipped, the rest of "
                                                  "the file is kept."))
                    )  # fmt: skip
                    continue
                if re.match(r"^\s*[A-Za-z ]+:?\s*$", row[0]):
                    continue  # a section title such as "Humidity Log"
                problems.append(
                    Problem(lines[i], None, _("The line has %(n)s cells where %(need)s are "
                                              "needed; it is skipped, the rest is kept.")
                            % {"n": len(row), "need": 3})
                )  # fmt: skip
                continue
            when, unit, value = row[0].strip(), row[1].strip().upper(), row[2].strip()
            quantity = "rh" if "RH" in unit or "%" in unit else "temperature_c"
            if quantity == "temperature_c":
                units["temperature_c"] = "F" if unit.startswith("F") else "C"
            else:
                units["rh"] = "%"
            slot = merged.setdefault(when, [when, "", "", lines[i]])
            slot[1 if quantity == "temperature_c" else 2] = value
        data = [v[:3] for v in merged.values()]
        data_lines = [v[3] for v in merged.values()]
        header = ["Date/Time", "Temperature", "Humidity"]
        columns = {q: (1 if q == "temperature_c" else 2, u) for q, u in units.items()}
        order = None
        if re.search(r"d/m/y|dd/mm", preamble, re.IGNORECASE):
            order = "dmy"
        elif re.search(r"m/d/y|mm/dd", preamble, re.IGNORECASE):
            order = "mdy"
        zone_text = "\n".join(
            line for line in preamble.splitlines() if re.search(r"zone|mission start", line, re.I)
        )
        return Layout(
            header=header,
            data=data,
            lines=data_lines,
            time=[0],
            columns=columns,
            timezone=zone_from_text(zone_text),
            serial=_serial(preamble),
            date_order=order,
            problems=problems,
        )


class Hanwell(Format):
    key = "hanwell"
    label = "Hanwell (RadioLog / Hanlog)"

    def signature(self, src):
        return not src.workbook and bool(re.search(r"hanwell", src.head_text[:3000], re.I))


class Meaco(Format):
    key = "meaco"
    label = "Meaco (Meacom / Meaco Sense)"

    def signature(self, src):
        return not src.workbook and bool(re.search(r"meaco", src.head_text[:3000], re.I))


class BuildingManagement(Format):
    key = "bms"
    label = gettext_lazy("Building-management export (one point per file)")

    def _header(self, src):
        rows, _lines, _cut = src.table
        for i, row in enumerate(rows[:40]):
            cells = [c.strip() for c in row]
            values = [
                j for j, c in enumerate(cells) if re.match(r"^(value|wert|值|数值)\b", c, re.I)
            ]
            times = [j for j, c in enumerate(cells) if is_time_header(c)]
            if values and times:
                return i, times[0], values[0]
        return None

    def signature(self, src):
        return not src.workbook and self._header(src) is not None

    def layout(self, src):
        found = self._header(src)
        if found is None:
            raise LoggerFileError(_("No 'Timestamp' and 'Value' columns."))
        index, time_col, value_col = found
        rows, lines, cut = src.table
        value_header = rows[index][value_col]
        preamble = "\n".join(" ".join(r) for r in rows[:index])
        point = " ".join([value_header, preamble, src.filename])
        found_unit = classify(re.sub(r"^value", "", value_header, flags=re.I)) or classify(
            " ".join(re.findall(r"(?:units?|einheit|单位)\s*[:=,]?\s*(\S+)", preamble, re.I))
        )
        quantity_from_name = classify(point.replace("_", " ").replace(".", " "))
        found = found_unit or quantity_from_name
        if not found:
            raise LoggerFileError(
                _("The point's quantity is not named (no unit such as °C or %%RH in the header, "
                  "the preamble or the file name): %(header)s")
                % {"header": value_header}
            )  # fmt: skip
        first = next((r[time_col] for r in rows[index + 1 : index + 5] if len(r) > time_col), "")
        zone = zone_from_text(preamble)
        suffix = re.search(r"\s([A-Z]{2,5})$", first.strip())
        if suffix and zone is None:
            zone = zone_from_text(suffix.group(1))
        return table_layout(
            rows,
            lines,
            index,
            cut=cut,
            time=[time_col],
            columns={found[0]: (value_col, found[1])},
            timezone=zone,
            strip_zone_suffix=bool(suffix),
            serial=_serial(preamble),
        )


class ChinesePlatform(Format):
    key = "cn_platform"
    label = gettext_lazy("Chinese monitoring platform export")

    def signature(self, src):
        return bool(
            re.search(r"采集时间|记录时间|数据时间|上报时间|监测时间", src.head_text[:5000])
        )

    def layout(self, src):
        if not src.workbook:
            layout = super().layout(src)
            for i, name in enumerate(layout.header):
                if re.search(r"设备编号|序列号|设备序列|SN", name) and layout.data:
                    layout.serial = layout.data[0][i].strip() if i < len(layout.data[0]) else ""
                    break
            return layout
        for _name, rows in src.sheets:
            index = find_header(rows)
            if index is not None:
                layout = table_layout(rows, list(range(1, len(rows) + 1)), index)
                layout.problems[:0] = src.workbook_warnings
                return layout
        raise LoggerFileError(_("No sheet of the workbook has a time column and readings."))


GENERIC_COLUMNS = {
    "time",
    "temperature_c",
    "temperature_f",
    "rh",
    "lux",
    "uv",
    "co2",
}


class Generic(Format):
    key = "generic"
    label = gettext_lazy("Generic CSV (documented)")

    def signature(self, src):
        if src.workbook:
            return False
        for line in src.head:
            if not line.strip() or line.startswith("#"):
                continue
            cells = {c.strip().strip('"').lower() for c in line.split(src.delimiter)}
            return "time" in cells and cells <= GENERIC_COLUMNS and len(cells) > 1
        return False

    def layout(self, src):
        rows, lines, cut = src.table
        meta = {}
        index = 0
        while index < len(rows) and (not rows[index] or rows[index][0].startswith("#")):
            if rows[index]:
                key, _sep, value = ",".join(rows[index])[1:].partition(":")
                meta[key.strip().lower()] = value.strip()
            index += 1
        if index >= len(rows) or "time" not in [c.strip().lower() for c in rows[index]]:
            raise LoggerFileError(
                _("The generic CSV needs a header with a 'time' column (line %(line)s).")
                % {"line": lines[index] if index < len(lines) else index + 1}
            )
        header = [c.strip().lower() for c in rows[index]]
        columns = {}
        for i, name in enumerate(header):
            if name in ("temperature_c", "temperature_f"):
                columns["temperature_c"] = (i, "F" if name.endswith("f") else "C")
            elif name in ("rh", "lux", "uv", "co2"):
                columns[name] = (i, {"rh": "%", "lux": "lx", "uv": "uW/lm", "co2": "ppm"}[name])
        zone = zone_from_text(meta.get("timezone", "")) if meta.get("timezone") else None
        if meta.get("timezone") and zone is None:
            raise LoggerFileError(
                _("Unknown time zone %(zone)r in the '# timezone:' line.")
                % {"zone": meta["timezone"]}
            )
        return table_layout(
            rows,
            lines,
            index,
            cut=cut,
            time=[header.index("time")],
            columns=columns,
            timezone=zone,
            serial=meta.get("serial", ""),
            date_order=meta.get("date_order") or None,
        )


ALL = [
    HoboConnect(),
    HoboWare(),
    IButton(),
    TandD(),
    Rotronic(),
    Lascar(),
    Tinytag(),
    Hanwell(),
    Meaco(),
    Elitech(),
    Generic(),
    ChinesePlatform(),
    BuildingManagement(),
]
BY_KEY = {f.key: f for f in ALL}


def recognised(src: Source) -> str:
    """What the parser could make of a file in no known format, for the refusal message."""
    parts = []
    if src.workbook:
        parts.append(_("a workbook with sheets %(names)s") % {"names": ", ".join(
            repr(n) for n, _rows in src.sheets)})  # fmt: skip
        tables = [rows for _n, rows in src.sheets]
    else:
        name = {"\t": "tab", ",": ",", ";": ";", "|": "|"}[src.delimiter]
        parts.append(
            _("text in %(encoding)s, cells separated by %(delim)r")
            % {"encoding": src.encoding, "delim": name}
        )
        tables = [src.table[0]]
    for rows in tables:
        for row in rows[:40]:
            cells = [_clean_header(c) for c in row]
            times = pick_time_columns(cells, [i for i, c in enumerate(cells) if is_time_header(c)])
            found = {}
            for i, c in enumerate(cells):
                q = classify(c)
                if q and i not in times:
                    found.setdefault(q[0], c)
            if times or found:
                if times:
                    parts.append(
                        _("a time column %(names)s") % {"names": ", ".join(
                            repr(cells[i]) for i in times)}
                    )  # fmt: skip
                for quantity, cell in found.items():
                    parts.append(
                        _("a %(quantity)s column %(name)r")
                        % {"quantity": quantity_name(quantity), "name": cell}
                    )
                return "; ".join(parts)
    parts.append(_("no time column and no reading column"))
    return "; ".join(parts)


def quantity_name(quantity: str) -> str:
    return {
        "temperature_c": _("temperature"),
        "rh": _("relative humidity"),
        "lux": _("illuminance"),
        "uv": _("UV"),
        "co2": _("CO₂"),
    }[quantity]
