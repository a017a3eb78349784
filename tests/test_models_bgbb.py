"""BG/BB: the published donation fit, enumeration of the likelihood, lifetimes, recovery, periods from a log."""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta

import pytest

pytest.importorskip("numpy")
pytest.importorskip("scipy")

import numpy as np  # noqa: E402
from scipy import integrate  # noqa: E402

from cxterms.errors import DataError, UsageError  # noqa: E402
from cxterms.models.bgbb import (  # noqa: E402
    BGBBFit,
    expected_transactions,
    expected_transactions_unconditional,
    fit_bgbb,
    log_likelihood_terms,
    probability_alive,
    simulate_bgbb,
)
from cxterms.models.rfm import summarize_periods  # noqa: E402

from . import lifetimes_data  # noqa: E402

PUBLISHED = BGBBFit(1.204, 0.750, 0.657, 2.783)


def test_donation_data_published_estimates():
    # Fader, Hardie & Berger (2010): alpha 1.204, beta 0.750, gamma 0.657, delta 2.783; LL -33,225.6
    x, tx, n, count = lifetimes_data.donations()
    fit = fit_bgbb(x, tx, n, weights=count)
    assert [round(v, 3) for v in fit.values] == [1.204, 0.750, 0.657, 2.783]
    assert fit.log_likelihood == pytest.approx(-33225.6, abs=0.05)
    assert fit.n_customers == 11104


def pattern_probability(params, x, tx, n):
    """P(x, t_x | n) by enumerating every purchase string and integrating over p and theta."""
    a, b, g, d = params

    def given(p, th):
        total = 0.0
        for string in itertools.product((0, 1), repeat=n):
            if sum(string) != x or (max([i + 1 for i, s in enumerate(string) if s], default=0) != tx):
                continue
            # alive for the first k periods (k = n: alive throughout), transacting only while alive
            for k in range(n + 1):
                if any(string[k:]):
                    continue
                alive_k = (1 - th) ** k * (th if k < n else 1.0)
                total += alive_k * p ** sum(string[:k]) * (1 - p) ** (k - sum(string[:k]))
        return total

    def dens(p, th):
        return (p ** (a - 1) * (1 - p) ** (b - 1) * th ** (g - 1) * (1 - th) ** (d - 1)
                * math.exp(-math.lgamma(a) - math.lgamma(b) + math.lgamma(a + b) - math.lgamma(g) - math.lgamma(d) + math.lgamma(g + d)))

    value, _ = integrate.dblquad(lambda th, p: given(p, th) * dens(p, th), 0, 1, 0, 1, epsabs=0, epsrel=1e-6)
    return value / (math.comb(tx - 1, x - 1) if x else 1)  # every string with this (x, t_x) is equally likely


@pytest.mark.parametrize("x, tx, n", [(0, 0, 3), (2, 3, 3), (1, 1, 3)])
def test_likelihood_matches_enumeration(x, tx, n):
    params = (1.4, 0.9, 1.3, 2.5)  # shapes above 1 keep the integrand bounded for the quadrature
    want = pattern_probability(params, x, tx, n)
    assert float(np.exp(log_likelihood_terms(params, [x], [tx], [n])[0])) == pytest.approx(want, rel=1e-4)


def test_likelihood_sums_to_one_over_patterns():
    n = 5
    pats = [(0, 0)] + [(x, t) for t in range(1, n + 1) for x in range(1, t + 1)]
    x, tx = np.array(pats, dtype=float).T
    strings = np.array([math.comb(int(t) - 1, int(k) - 1) if k else 1 for k, t in pats], dtype=float)
    total = strings @ np.exp(log_likelihood_terms(PUBLISHED, x, tx, np.full(x.size, n)))
    assert total == pytest.approx(1.0, rel=1e-12)


def test_predictions_by_simulation():
    x, tx, n = simulate_bgbb(*PUBLISHED.values, 300_000, 11, rng=3)
    assert expected_transactions_unconditional(PUBLISHED, 11) == pytest.approx(x.mean(), rel=0.01)
    assert expected_transactions_unconditional(PUBLISHED, 11.7) == expected_transactions_unconditional(PUBLISHED, 11)


def test_conditional_predictions_by_simulation():
    rng = np.random.default_rng(9)
    a, b, g, d = PUBLISHED.values
    k = 400_000
    p, th = rng.beta(a, b, k), rng.beta(g, d, k)
    dies = rng.geometric(th)
    buys = (np.arange(1, 12)[None, :] < dies[:, None]) & (rng.random((k, 11)) < p[:, None])
    x6 = buys[:, :6].sum(1)
    tx6 = np.where(buys[:, :6].any(1), 6 - np.argmax(buys[:, :6][:, ::-1], axis=1), 0)
    group = (x6 == 3) & (tx6 == 4)
    assert expected_transactions(PUBLISHED, 5, 3, 4, 6) == pytest.approx(buys[group, 6:].sum(1).mean(), rel=0.03)
    assert probability_alive(PUBLISHED, 3, 4, 6) == pytest.approx((dies[group] > 7).mean(), rel=0.03)


def test_against_lifetimes():
    pytest.importorskip("lifetimes")
    import pandas as pd
    from lifetimes import BetaGeoBetaBinomFitter

    x, tx, n, _ = lifetimes_data.donations()
    peer = BetaGeoBetaBinomFitter()
    peer.params_ = pd.Series(PUBLISHED.params)
    assert probability_alive(PUBLISHED, x, tx, n) == pytest.approx(np.asarray(peer.conditional_probability_alive(1, x, tx, n), dtype=float), rel=1e-10)
    assert expected_transactions(PUBLISHED, 5, x, tx, n) == pytest.approx(
        np.asarray(peer.conditional_expected_number_of_purchases_up_to_time(5, x, tx, n), dtype=float), rel=1e-10)


def test_parameter_recovery():
    truth = (1.2, 0.75, 0.66, 2.8)
    x, tx, n = simulate_bgbb(*truth, 30000, 8, rng=4)
    fit = fit_bgbb(x, tx, n)
    for est, se, true in zip(fit.values, fit.standard_errors.values(), truth):
        assert abs(est - true) < 4 * se


def test_gamma_one_is_handled():
    fit = BGBBFit(1.2, 0.75, 1.0, 2.8)
    near = BGBBFit(1.2, 0.75, 1.0 + 1e-4, 2.8)
    assert expected_transactions(fit, 5, 3, 4, 6) == pytest.approx(expected_transactions(near, 5, 3, 4, 6), rel=1e-3)


@pytest.mark.parametrize("cols", [([2], [1], [6]), ([1], [7], [6]), ([0], [2], [6]), ([1.5], [3], [6])])
def test_invalid_patterns(cols):
    with pytest.raises(DataError):
        fit_bgbb(*cols)


def test_whole_periods_only():
    with pytest.raises(UsageError):
        expected_transactions(PUBLISHED, 2.5, 1, 1, 6)


def test_summarize_periods_from_a_log():
    start = date(2024, 1, 1)
    rows = [("a", start, 1.0), ("a", start + timedelta(days=8), 2.0), ("a", start + timedelta(days=9), 2.0),
            ("a", start + timedelta(days=29), 4.0), ("b", start + timedelta(days=15), 3.0),
            ("c", start + timedelta(days=36), 1.0)]
    d, left = summarize_periods(rows, unit="week", calibration_end=start + timedelta(days=34))
    assert d.customer_ids == ["a", "b"] and left == 1
    assert d.frequency.tolist() == [2.0, 0.0] and d.recency.tolist() == [4.0, 0.0] and d.T.tolist() == [4.0, 2.0]
    assert d.monetary_value.tolist() == [4.0, 0.0]  # (2 + 2 in week 1, 4 in week 4) / 2 repeat weeks
