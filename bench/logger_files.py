"""Benchmark of the logger-file parsers: a one-million-line export read into readings.

    .venv/bin/python bench/logger_files.py [--lines 1000000] [--repeat 3]

Three files of the same readings (one a minute) are generated in memory: a HOBOware CSV
(12-hour m/d/y times, a zone in the header, event columns), a Chinese-platform CSV in GB18030
written newest first, and the documented generic CSV (ISO 8601). For each it times
``environment.loggers.parse`` (decode, detect, parse times and numbers, check, build Reading
objects) beside a baseline in the same run: ``csv.reader`` over the already-decoded text, the
least any CSV reader must do. CPU seconds of the process are printed too; other load on the
machine inflates them less than wall-clock time. Best of ``--repeat`` runs.
Target (issue 12 split): a 1-million-line file in a few seconds, about 2-3x the bare baseline.
"""

import argparse
import csv
import io
import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guji.settings")

import django  # noqa: E402

django.setup()

from environment.loggers import parse  # noqa: E402

START = datetime(2025, 1, 1)


def hoboware(n: int) -> tuple[bytes, str]:
    lines = [
        '"Plot Title: 20451234"',
        '"#","Date Time, GMT+08:00","Temp, °C (LGR S/N: 20451234, SEN S/N: 20451234)",'
        '"RH, % (LGR S/N: 20451234, SEN S/N: 20451234)","Logged (LGR S/N: 20451234)"',
    ]
    for i in range(n):
        t = START + timedelta(minutes=i)
        lines.append(f"{i + 1},{t:%m/%d/%y %I:%M:%S %p},{18 + (i % 50) / 10:.3f},"
                     f"{50 + (i % 30) / 10:.3f},")  # fmt: skip
    return ("\r\n".join(lines) + "\r\n").encode("utf-8"), "utf-8"


def cn_platform(n: int) -> tuple[bytes, str]:
    lines = ["设备名称,采集时间,温度(℃),湿度(%RH)"]
    for i in reversed(range(n)):
        t = START + timedelta(minutes=i)
        lines.append(f"善本库1号,{t:%Y-%m-%d %H:%M:%S},{18 + (i % 50) / 10:.1f},{50 + i % 30}")
    return ("\n".join(lines) + "\n").encode("gb18030"), "gb18030"


def generic(n: int) -> tuple[bytes, str]:
    lines = ["# timezone: Asia/Shanghai", "time,temperature_c,rh"]
    for i in range(n):
        t = START + timedelta(minutes=i)
        lines.append(f"{t:%Y-%m-%dT%H:%M:%S},{18 + (i % 50) / 10:.2f},{50 + (i % 30) / 10:.1f}")
    return ("\n".join(lines) + "\n").encode("utf-8"), "utf-8"


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{args.lines:,} lines a file, best of {args.repeat}; load {os.getloadavg()[0]:.1f}")
    print(
        f"{'file':<13}{'MB':>6}{'baseline s':>12}{'cpu s':>7}{'parse s':>9}{'cpu s':>7}"
        f"{'ratio':>7}{'cpu ratio':>10}"
    )
    for name, make in (("hoboware", hoboware), ("cn_platform", cn_platform), ("generic", generic)):
        data, encoding = make(args.lines)
        base, base_cpu, wall, cpu = [], [], [], []
        for _ in range(args.repeat):
            text = data.decode(encoding)
            w, c, _rows = timed(lambda t=text: list(csv.reader(io.StringIO(t))))
            del _rows
            base.append(w)
            base_cpu.append(c)
            w, c, result = timed(lambda d=data, n=name: parse(d, f"{n}.csv"))
            assert len(result.readings) == args.lines and not result.problems, name
            wall.append(w)
            cpu.append(c)
        print(
            f"{name:<13}{len(data) / 1e6:>6.1f}{min(base):>12.2f}{min(base_cpu):>7.2f}"
            f"{min(wall):>9.2f}{min(cpu):>7.2f}{min(wall) / min(base):>7.2f}"
            f"{min(cpu) / min(base_cpu):>10.2f}"
        )


if __name__ == "__main__":
    main()
