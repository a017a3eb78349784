"""MBG/NBD: brute-force integrals, analytic gradient, lifetimes, recovery."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("numpy")
pytest.importorskip("scipy")

import numpy as np  # noqa: E402
from scipy import integrate  # noqa: E402

from cxterms.models.bgnbd import _compress  # noqa: E402
from cxterms.models.mbgnbd import (  # noqa: E402
    MBGNBDFit,
    _objective,
    expected_transactions,
    expected_transactions_unconditional,
    fit_mbgnbd,
    log_likelihood_terms,
    probability_alive,
    simulate_mbgnbd,
)

from . import lifetimes_data  # noqa: E402

FIT = MBGNBDFit(0.525, 6.183, 0.891, 1.614)


def prior(lam, p, r, alpha, a, b):
    return math.exp(r * math.log(alpha) + (r - 1) * math.log(lam) - alpha * lam - math.lgamma(r)
                    + (a - 1) * math.log(p) + (b - 1) * math.log1p(-p) - math.lgamma(a) - math.lgamma(b) + math.lgamma(a + b))


def over_prior(h, params):
    value, _ = integrate.dblquad(lambda lam, p: h(lam, p) * prior(lam, p, *params), 0, 1, 0, np.inf,
                                 epsabs=0, epsrel=1e-10)
    return value


def individual(lam, p, x, tx, T):
    # alive at T: survived the first purchase and all x repeats; or died right after the x-th (at t_x)
    return p * (1 - p) ** x * lam**x * math.exp(-lam * tx) + (1 - p) ** (x + 1) * lam**x * math.exp(-lam * T)


@pytest.mark.parametrize("params", [(0.525, 6.183, 0.891, 1.614), (1.5, 3.0, 2.0, 5.0)])
@pytest.mark.parametrize("x, tx, T", [(0, 0.0, 30.0), (2, 30.43, 38.86), (6, 10.0, 40.0)])
def test_likelihood_and_predictions_match_integrals(params, x, tx, T):
    L = over_prior(lambda lam, p: individual(lam, p, x, tx, T), params)
    assert float(np.exp(log_likelihood_terms(params, [x], [tx], [T])[0])) == pytest.approx(L, rel=1e-7)
    fit = MBGNBDFit(*params)
    alive = over_prior(lambda lam, p: (1 - p) ** (x + 1) * lam**x * math.exp(-lam * T), params) / L
    assert probability_alive(fit, x, tx, T) == pytest.approx(alive, rel=1e-7)


def test_unconditional_expectation_by_simulation():
    x, _, _ = simulate_mbgnbd(*FIT.values, 400_000, 39.0, rng=5)
    assert expected_transactions_unconditional(FIT, 39.0) == pytest.approx(x.mean(), rel=0.015)


def test_conditional_expectation_by_simulation():
    # customers simulated to week 39, grouped by (x, t_x) bins; their purchases in weeks 39-78
    r, alpha, a, b = FIT.values
    rng = np.random.default_rng(6)
    k = 300_000
    lam, p = rng.gamma(r, 1 / alpha, k), rng.beta(a, b, k)
    life_purchases = rng.geometric(p) - 1  # repeat purchases before dropping out (maybe none)
    n1, n2 = rng.poisson(lam * 39.0), rng.poisson(lam * 39.0)
    x39 = np.minimum(n1, life_purchases)
    y = np.minimum(n2, np.maximum(life_purchases - n1, 0))
    zero = x39 == 0
    assert expected_transactions(FIT, 39.0, 0, 0.0, 39.0) == pytest.approx(y[zero].mean(), rel=0.03)


def test_gradient_matches_finite_differences():
    x, tx, T = simulate_mbgnbd(0.5, 6.0, 0.9, 1.6, 3000, 39.0, rng=2)
    (ux, utx, ut), w, _ = _compress(x, tx, T)
    fun = _objective(ux, utx, ut, w)
    theta = np.log([0.7, 4.0, 1.2, 2.5])
    _, grad = fun(theta)
    h = 1e-6
    numeric = [(fun(theta + h * e)[0] - fun(theta - h * e)[0]) / (2 * h) for e in np.eye(4)]
    assert grad == pytest.approx(numeric, rel=1e-5, abs=1e-9)


def test_against_lifetimes():
    pytest.importorskip("lifetimes")
    import pandas as pd
    from lifetimes import ModifiedBetaGeoFitter

    x, tx, T = lifetimes_data.cdnow_summary()
    fit = fit_mbgnbd(x, tx, T)
    peer = ModifiedBetaGeoFitter().fit(x, tx, T)
    assert list(fit.values) == pytest.approx([peer.params_[k] for k in ("r", "alpha", "a", "b")], rel=2e-3)
    peer.params_ = pd.Series(fit.params)
    assert probability_alive(fit, x, tx, T) == pytest.approx(np.asarray(peer.conditional_probability_alive(x, tx, T), dtype=float), rel=1e-9)
    assert expected_transactions(fit, 39, x, tx, T) == pytest.approx(
        np.asarray(peer.conditional_expected_number_of_purchases_up_to_time(39, x, tx, T), dtype=float), rel=1e-8)


def test_parameter_recovery():
    truth = (0.5, 6.0, 0.9, 1.6)
    x, tx, T = simulate_mbgnbd(*truth, 20000, np.random.default_rng(1).uniform(30, 52, 20000), rng=2)
    fit = fit_mbgnbd(x, tx, T)
    for est, se, true in zip(fit.values, fit.standard_errors.values(), truth):
        assert abs(est - true) < 4 * se


def test_customers_without_repeats_can_be_dead():
    assert probability_alive(FIT, 0, 0.0, 30.0) < 1
    assert probability_alive(FIT, [0, 0], [0.0, 0.0], [5.0, 50.0]).tolist() == sorted(
        probability_alive(FIT, [0, 0], [0.0, 0.0], [5.0, 50.0]).tolist(), reverse=True)
