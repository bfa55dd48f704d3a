"""IPI preservation metrics against the reference values in shared/domain/storage.md (part B)."""

import pytest

from environment import metrics
from environment.metrics import GOOD, OK, RISK, days_to_mold, emc, mold_risk, pi, twpi

# T, RH, PI by the formula after the calculator's rounding and clamping (storage.md B.1)
PI_FORMULA = [
    (23, 2.5, 239),
    (27.5, 74, 10.5),
    (32.5, 80, 5.4),
    (-13, 33, 6955),
    (20, 70, 29.8),
    (23.5, 52.5, 23.9),
    (14, 30.5, 146),
    (20, 50, 41.8),
]


@pytest.mark.parametrize(("t", "rh", "expected"), PI_FORMULA)
def test_pi_matches_the_formula_reference_values(t, rh, expected):
    assert pi(t, rh) == pytest.approx(expected, rel=0.005)


def test_pi_rounds_half_up_and_clamps_like_the_calculator():
    assert pi(27.5, 74) == pi(28, 74)
    assert pi(23, 2.5) == pi(23, 6)  # RH clamped to 6 %
    assert pi(70, 50) == pi(65, 50)  # T clamped to 65 °C
    assert pi(27.5, 74, rounded=False) == pytest.approx(11.2, rel=0.01)


def test_pi_is_capped_at_9999_years():
    assert pi(-40, 50) == 9999
    assert pi(20, 0, rounded=False) == 9999


def test_twpi_averages_rates_not_indices():
    assert twpi([100, 20]) == pytest.approx(33.3, abs=0.05)
    assert twpi([100, 20], [1, 1]) == pytest.approx(33.3, abs=0.05)
    assert twpi([100, 20], [3, 1]) == pytest.approx(4 / (3 / 100 + 1 / 20))
    assert twpi([]) is None


def test_twpi_from_daily_sums_combines_any_period():
    days = [([50, 40], [12, 12]), ([30], [24])]
    sum_dt = sum(sum(d) for _p, d in days)
    sum_rate = sum(dt / p for values, d in days for p, dt in zip(values, d, strict=True))
    assert metrics.twpi_from_sums(sum_dt, sum_rate) == pytest.approx(
        twpi([50, 40, 30], [12, 12, 24])
    )


# T, RH, EMC from the IPI table (storage.md B.4), to one decimal
EMC_TABLE = [
    (20, 50, 9.3),
    (20, 70, 13.1),
    (28, 74, 13.8),
    (33, 80, 15.4),
    (24, 53, 9.6),
    (14, 31, 6.4),
    (-13, 33, 6.6),
    (44, 97, 24.1),
    (23, 2.5, 0.8),
    (-18, 43.5, 8.1),
    (61.5, 3.5, 0.7),
]


@pytest.mark.parametrize(("t", "rh", "expected"), EMC_TABLE)
def test_emc_matches_the_ipi_table(t, rh, expected):
    assert round(emc(t, rh), 1) == expected


def test_emc_formula_value_at_20_50():
    assert emc(20, 50) == pytest.approx(9.27, abs=0.005)


def test_no_mold_outside_its_domain():
    for t, rh in [(20, 64.4), (20, 30), (1, 90), (46, 90), (-5, 99)]:
        assert days_to_mold(t, rh) == 0


# T, RH, days from the IPI table (storage.md B.3). The closed form is fitted to these four points
# (the table itself is not published openly): it must stay within a factor of 1.6 of each, and
# reproduce 28 °C/74 % exactly.
MOLD_TABLE = [(20, 70, 165), (28, 74, 46), (33, 80, 13), (44, 97, 5)]


@pytest.mark.parametrize(("t", "rh", "expected"), MOLD_TABLE)
def test_days_to_mold_approximates_the_ipi_table(t, rh, expected):
    value = days_to_mold(t, rh)
    assert expected / 1.6 <= value <= expected * 1.6


def test_days_to_mold_at_28_74_is_the_table_value():
    assert round(days_to_mold(28, 74)) == 46


def test_mold_comes_sooner_when_warmer_or_damper():
    assert days_to_mold(20, 80) < days_to_mold(20, 70) < days_to_mold(20, 66)
    assert days_to_mold(30, 75) < days_to_mold(20, 75) < days_to_mold(10, 75)


def test_mold_risk_accumulates_time_over_days_to_mold():
    d = days_to_mold(28, 74)
    assert mold_risk([28, 28, 20], [74, 74, 50], [1, 1, 5]) == pytest.approx(2 / d)
    assert mold_risk([28], [74], [d]) == pytest.approx(1.0)
    assert mold_risk([20], [50], [365]) == 0


@pytest.mark.parametrize(
    ("value", "rating"), [(75, GOOD), (120, GOOD), (74.9, OK), (45, OK), (44.9, RISK), (None, None)]
)
def test_pi_ratings(value, rating):
    assert metrics.rate_pi(value) == rating
    assert metrics.rate_twpi(value) == rating


@pytest.mark.parametrize(
    ("value", "rating"), [(4.9, RISK), (5, OK), (9.3, OK), (12.5, OK), (12.6, RISK)]
)
def test_emc_mechanical_ratings(value, rating):
    assert metrics.rate_emc(value) == rating


@pytest.mark.parametrize(("value", "rating"), [(6.9, GOOD), (7.0, OK), (10.4, OK), (10.5, RISK)])
def test_emc_corrosion_ratings(value, rating):
    assert metrics.rate_emc_corrosion(value) == rating


def test_mold_ratings():
    assert metrics.rate_days_to_mold(0) == GOOD
    assert metrics.rate_days_to_mold(165) == RISK
    assert [metrics.rate_mold_risk(v) for v in (0, 0.4, 1, 3)] == [GOOD, OK, RISK, RISK]


def test_dew_point_magnus_lawrence():
    assert metrics.dew_point(20, 50) == pytest.approx(9.26, abs=0.02)
    assert metrics.dew_point(20, 0) is None


def test_every_metric_names_its_method():
    assert set(metrics.METHODS) == {"pi", "twpi", "emc", "days_to_mold", "mold_risk"}
