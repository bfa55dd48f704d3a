"""Preservation metrics of the Image Permanence Institute (IPI), as pure functions.

Everything here follows /work/shared/domain/storage.md, part B. Inputs are temperature in °C and
relative humidity in %. IPI's own tools (eClimateNotebook, the Dew Point Calculator at dpcalc.org)
look values up in licensed tables indexed by *whole-number* T and RH; we do not ship those tables.
We compute with published closed-form models instead, after rounding and clamping the inputs the
way the calculator does (half rounds up, as JavaScript's ``Math.round``). Each function names its
model in ``METHODS`` so that a stored metric can say how it was computed.

Ratings follow the Dew Point Calculator (GOOD / OK / RISK) where IPI publishes them; where
storage.md marks a cut-off *unverified*, the docstring says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

GOOD = "GOOD"
OK = "OK"
RISK = "RISK"

PI_CAP = 9999.0  # IPI's tables stop at 9999 years

METHODS = {
    "pi": "ipi-arrhenius-1995",
    "twpi": "time-weighted-harmonic-mean",
    "emc": "hailwood-horrobin-fpl",
    "days_to_mold": "guji-fit-ipi-4pt",
    "mold_risk": "sum-dt-over-days-to-mold",
}

# PI (Reilly et al. 1995, as documented in ConSciR calcPI): k = RH · A · exp(−Ea / (R·T)).
_PI_A = 5.9e12  # per year and per %RH
_PI_EA = 90_300.0  # J/mol
_R = 8.314  # J/(mol·K)

# Days-to-mold: the IPI table is not published openly; this closed form was fitted here to its four
# published reference points (storage.md B.3) with RH dependence fixed as 1/(RH − 60):
#   days = exp(a + b·T) / (RH − 60)      for 2 ≤ T ≤ 45 °C and RH ≥ 65 %, else 0 (no risk).
# It reproduces 28 °C/74 % → 46 days exactly, 20/70 → 135 (table 165), 44/97 → 3.9 (table 5) and
# 33/80 → 20 (table 13). It is an approximation: good enough to rank conditions and to accumulate a
# mold-risk index, not a replacement for the table. Replace the body with the table when licensed.
_MOLD_A = 9.06225848
_MOLD_B = -0.09273414


def _round_js(x: float) -> int:
    """Round half up, as JavaScript's Math.round (and so the Dew Point Calculator) does."""
    return math.floor(x + 0.5)


def _clamp(x: float, low: float, high: float) -> float:
    return low if x < low else high if x > high else x


def pi(t_c: float, rh: float, *, rounded: bool = True) -> float:
    """Preservation Index in years (IPI 1995, Arrhenius approximation of acetate-film decay).

    ``PI = 1 / (RH · 5.9×10¹² · exp(−90 300 / (8.314 · T_K)))``. With ``rounded`` (the default),
    T and RH are first rounded to whole numbers and clamped to the calculator's domain
    (T −23…65 °C, RH 6…95 %) as dpcalc does. Capped at 9999 years like IPI's tables.
    """
    if rounded:
        t_c = _clamp(_round_js(t_c), -23, 65)
        rh = _clamp(_round_js(rh), 6, 95)
    if rh <= 0:
        return PI_CAP
    rate = rh * _PI_A * math.exp(-_PI_EA / (_R * (t_c + 273.15)))
    return min(1.0 / rate, PI_CAP)


def twpi(pi_values: Iterable[float], durations: Iterable[float] | None = None) -> float | None:
    """Time-Weighted Preservation Index: ``Σ Δt / Σ (Δt / PI)`` (IPI; Padfield).

    The rates, not the PIs, are averaged (a time-weighted harmonic mean). ``durations`` in any one
    unit; omitted means equal intervals (``n / Σ 1/PI``). Returns None for an empty period.
    Daily roll-ups keep ``Σ Δt`` and ``Σ Δt/PI`` so any period combines exactly:
    ``twpi_from_sums(sum_dt, sum_dt_over_pi)``.
    """
    values = list(pi_values)
    weights = [1.0] * len(values) if durations is None else list(durations)
    if len(weights) != len(values):
        raise ValueError("pi_values and durations differ in length")
    total = sum(weights)
    decay = sum(w / p for w, p in zip(weights, values, strict=True))
    return twpi_from_sums(total, decay)


def twpi_from_sums(sum_dt: float, sum_dt_over_pi: float) -> float | None:
    """TWPI from the two sums a daily roll-up keeps."""
    if sum_dt <= 0:
        return None
    if sum_dt_over_pi <= 0:
        return PI_CAP
    return min(sum_dt / sum_dt_over_pi, PI_CAP)


def emc(t_c: float, rh: float, *, rounded: bool = True) -> float:
    """Equilibrium moisture content in % of dry mass (Hailwood–Horrobin, US FPL coefficients).

    The wood-science sorption equation (Simpson 1973, Wood Handbook); it reproduces IPI's EMC table
    to within 0.05 % moisture content once T and RH are rounded to whole numbers and clamped to the
    calculator's domain (T −20…65 °C, RH 0…100 %), which ``rounded`` does.
    """
    if rounded:
        t_c = _clamp(_round_js(t_c), -20, 65)
        rh = _clamp(_round_js(rh), 0, 100)
    h = rh / 100.0
    w = 349 + 1.29 * t_c + 0.0135 * t_c**2
    k = 0.805 + 0.000736 * t_c - 0.00000273 * t_c**2
    k1 = 6.27 - 0.00938 * t_c - 0.000303 * t_c**2
    k2 = 1.91 + 0.0407 * t_c - 0.000293 * t_c**2
    kh = k * h
    return (1800 / w) * (
        kh / (1 - kh) + (k1 * kh + 2 * k1 * k2 * kh**2) / (1 + k1 * kh + k1 * k2 * kh**2)
    )


def days_to_mold(t_c: float, rh: float, *, rounded: bool = True) -> float:
    """Days of constant exposure before mold germinates; 0 means no risk (IPI convention).

    Mold can start only when 2 °C ≤ T ≤ 45 °C and RH ≥ 65 % (IPI calculator; solid). Inside that
    domain this is an *approximation* fitted to IPI's four published table values (see the module
    constants): ``exp(9.0623 − 0.09273·T) / (RH − 60)`` days.
    """
    if rounded:
        t_c = _round_js(t_c)
        rh = _clamp(_round_js(rh), 0, 100)
    if not (2 <= t_c <= 45) or rh < 65:
        return 0.0
    return math.exp(_MOLD_A + _MOLD_B * t_c) / (rh - 60)


def mold_risk(
    t_values: Iterable[float], rh_values: Iterable[float], durations_days: Iterable[float]
) -> float:
    """Mold Risk Factor over a period: Σ Δt / days_to_mold(T, RH), Δt in days.

    Each interval spent in mold-prone conditions adds its share of the time germination needs;
    intervals with no risk add nothing (no recovery: the IPI reset rules are unverified, so the
    index only accumulates over the period asked for). MRF ≥ 1 means germination is expected.
    """
    total = 0.0
    for t, h, dt in zip(t_values, rh_values, durations_days, strict=True):
        days = days_to_mold(t, h)
        if days > 0:
            total += dt / days
    return total


def rate_pi(value: float | None) -> str | None:
    """PI or TWPI: GOOD ≥ 75 years, OK 45–75, RISK < 45 (Dew Point Calculator)."""
    if value is None:
        return None
    return GOOD if value >= 75 else OK if value >= 45 else RISK


rate_twpi = rate_pi


def rate_emc(value: float | None) -> str | None:
    """EMC for mechanical damage: OK when 5 ≤ EMC ≤ 12.5 %, RISK outside (Dew Point Calculator).

    The calculator has no GOOD band for mechanical damage; OK is the best rating.
    """
    if value is None:
        return None
    return OK if 5 <= value <= 12.5 else RISK


def rate_emc_corrosion(value: float | None) -> str | None:
    """EMC for metal corrosion: GOOD < 7.0, OK 7.0–10.5, RISK ≥ 10.5 (Dew Point Calculator)."""
    if value is None:
        return None
    return GOOD if value < 7.0 else OK if value < 10.5 else RISK


def rate_days_to_mold(value: float | None) -> str | None:
    """Days to mold: 0 (no risk) is GOOD, any other value RISK (Dew Point Calculator)."""
    if value is None:
        return None
    return GOOD if value == 0 else RISK


def rate_mold_risk(value: float | None) -> str | None:
    """Accumulated MRF: GOOD = 0, OK below 1 (germination not yet expected), RISK ≥ 1.

    eClimateNotebook's own cut-offs are unverified (storage.md B.3); these are the project's.
    """
    if value is None:
        return None
    return GOOD if value == 0 else OK if value < 1 else RISK


def dew_point(t_c: float, rh: float) -> float | None:
    """Dew point in °C (Magnus formula, Lawrence 2005 constants); None when RH ≤ 0."""
    if rh <= 0:
        return None
    gamma = math.log(rh / 100) + 17.625 * t_c / (243.04 + t_c)
    return 243.04 * gamma / (17.625 - gamma)
