"""Statistics helpers against published table values (and scipy when present)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxterms.metrics.stats import betainc, t_cdf, t_quantile, t_value, two_sided_p, wilson_interval, z_value

# Student-t critical values from standard tables (two-sided 95% and 99%)
T_TABLE = [
    (1, 0.975, 12.706205), (2, 0.975, 4.302653), (3, 0.975, 3.182446), (5, 0.975, 2.570582),
    (10, 0.975, 2.228139), (20, 0.975, 2.085963), (30, 0.975, 2.042272), (100, 0.975, 1.983972),
    (5, 0.995, 4.032143), (10, 0.995, 3.169273), (29, 0.95, 1.699127), (4, 0.9, 1.533206),
]


@pytest.mark.parametrize("df, p, expected", T_TABLE)
def test_t_quantile_matches_tables(df, p, expected):
    assert t_quantile(p, df) == pytest.approx(expected, abs=5e-7)
    assert t_quantile(1 - p, df) == pytest.approx(-expected, abs=5e-7)


def test_t_quantile_matches_scipy():
    scipy_stats = pytest.importorskip("scipy.stats")
    for df in (1, 2, 3, 4, 7, 15, 50, 500, 5000):
        for p in (0.001, 0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99, 0.999):
            assert t_quantile(p, df) == pytest.approx(scipy_stats.t.ppf(p, df), rel=1e-9, abs=1e-12)


def test_betainc_matches_scipy():
    special = pytest.importorskip("scipy.special")
    for a, b, x in [(0.5, 0.5, 0.3), (2, 3, 0.4), (10, 0.5, 0.9), (50, 60, 0.45), (0.1, 20, 0.01)]:
        assert betainc(a, b, x) == pytest.approx(special.betainc(a, b, x), abs=1e-13)


@given(st.floats(0.001, 0.999), st.sampled_from([1, 2, 3, 6, 12, 40, 250]))
def test_quantile_inverts_cdf(p, df):
    assert t_cdf(t_quantile(p, df), df) == pytest.approx(p, abs=1e-10)


def test_normal_helpers():
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.90) == pytest.approx(1.644854, abs=1e-6)
    assert two_sided_p(1.959964) == pytest.approx(0.05, abs=1e-6)
    assert two_sided_p(0.0) == 1.0
    assert t_value(0.95, 10) == pytest.approx(2.228139, abs=1e-6)


@pytest.mark.parametrize(
    "k, n, low, high",
    [
        (80, 100, 0.711171, 0.866633),  # hand-computed from the Wilson formula
        (0, 10, 0.0, 0.277533),
        (10, 10, 0.722467, 1.0),
        (1, 2, 0.094531, 0.905469),
    ],
)
def test_wilson_vectors(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert (lo, hi) == (pytest.approx(low, abs=1e-6), pytest.approx(high, abs=1e-6))


@given(st.integers(1, 5000), st.data())
def test_wilson_contains_estimate_and_stays_in_bounds(n, data):
    k = data.draw(st.integers(0, n))
    lo, hi = wilson_interval(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0


@pytest.mark.parametrize("bad", [0, 1, -0.5, 95, math.nan])
def test_confidence_must_be_a_fraction(bad):
    with pytest.raises(ValueError):
        z_value(bad)
