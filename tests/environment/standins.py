"""Stand-ins for the parser developer's modules (environment.loggers, environment.metrics),
installed by conftest.py only while those modules are not on this branch. Tests only."""

import csv
import io
import math
import sys
import types
from dataclasses import dataclass, field
from datetime import datetime


def _pi(t_c: float, rh: float) -> float:
    k = rh * 5.9e12 * math.exp(-90300 / (8.314 * (t_c + 273.15)))
    return 1 / k


def _days_to_mold(t_c: float, rh: float) -> float:
    if not (2 <= t_c <= 45 and rh >= 65):
        return 0
    return max(1.0, 165 * (70 / rh) ** 6 * 2 ** ((20 - t_c) / 5))


def _emc(t_c: float, rh: float) -> float:
    return rh / 5.4


def _twpi(pi_values, durations) -> float:
    total = sum(durations)
    return total / sum(d / p for p, d in zip(pi_values, durations, strict=True))


@dataclass
class Reading:
    time: datetime
    temperature_c: float | None = None
    rh: float | None = None
    lux: float | None = None
    uv: float | None = None
    co2: float | None = None
    line: int = 0


@dataclass
class Problem:
    line: int
    column: str
    message: str


@dataclass
class LoggerFile:
    format: str
    format_label: str
    timezone: str | None
    serial: str | None
    readings: list = field(default_factory=list)
    problems: list = field(default_factory=list)


class LoggerFileError(Exception):
    def __init__(self, message, problems=()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


def _parse(data: bytes, filename: str, fmt: str = "auto") -> LoggerFile:
    text = data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or "time" not in rows[0]:
        raise LoggerFileError(f"{filename}: not a generic CSV (no 'time' column)")
    readings = []
    for n, row in enumerate(rows, start=2):
        values = {k: float(v) for k, v in row.items() if k != "time" and v not in ("", None)}
        readings.append(Reading(time=datetime.fromisoformat(row["time"]), line=n, **values))
    return LoggerFile("generic", "Generic CSV", None, None, readings, [])


def install() -> None:
    try:
        import environment.metrics
    except ImportError:
        metrics = types.ModuleType("environment.metrics")
        metrics.pi, metrics.emc = _pi, _emc
        metrics.days_to_mold, metrics.twpi = _days_to_mold, _twpi
        sys.modules["environment.metrics"] = metrics
        import environment

        environment.metrics = metrics
    try:
        import environment.loggers
    except ImportError:
        loggers = types.ModuleType("environment.loggers")
        loggers.parse, loggers.LoggerFileError = _parse, LoggerFileError
        loggers.LoggerFile, loggers.Reading, loggers.Problem = LoggerFile, Reading, Problem
        sys.modules["environment.loggers"] = loggers
        import environment

        environment.loggers = loggers
