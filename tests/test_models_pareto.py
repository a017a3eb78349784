"""Pareto/NBD: published CDNOW fit, brute-force integrals, lifetimes, extreme customers, recovery."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("numpy")
pytest.importorskip("scipy")

import numpy as np  # noqa: E402
from scipy import integrate  # noqa: E402
from scipy.special import gammaln  # noqa: E402

from cxterms.errors import DataError, ModelError  # noqa: E402
from cxterms.models.pareto import (  # noqa: E402
    ParetoNBDFit,
    _f1,
    expected_transactions,
    expected_transactions_unconditional,
    fit_pareto,
    log_likelihood_terms,
    probability_alive,
    simulate_pareto,
)

from . import lifetimes_data  # noqa: E402

PUBLISHED = ParetoNBDFit(0.553, 10.578, 0.606, 11.669)


def sig3(v):
    return float(f"{v:.3g}")


def test_cdnow_published_estimates():
    # Fader & Hardie (2005, "A Note on Deriving the Pareto/NBD Model"): r 0.553, alpha 10.578, s 0.606, beta 11.669
    x, tx, T = lifetimes_data.cdnow_summary()
    fit = fit_pareto(x, tx, T)
    assert [sig3(v) for v in fit.values] == [0.553, 10.6, 0.606, 11.7]
    assert fit.params["r"] == pytest.approx(0.553, abs=5e-4) and fit.params["s"] == pytest.approx(0.606, abs=5e-4)
    assert fit.params["alpha"] == pytest.approx(10.578, abs=5e-3)
    # beta is weakly identified (se about 6): the published point is within 1e-4 of the maximum log-likelihood
    assert fit.log_likelihood == pytest.approx(-9594.98, abs=0.01)
    assert fit.log_likelihood >= float(log_likelihood_terms(PUBLISHED, x, tx, T).sum())
    assert fit.standard_errors["beta"] > 1


def brute_likelihood(params, x, tx, T):
    """Integrate the individual-level likelihood over lambda ~ Gamma(r, alpha), mu ~ Gamma(s, beta)."""
    r, alpha, s, beta = params

    def g(v, shape, rate):
        return math.exp(shape * math.log(rate) + (shape - 1) * math.log(v) - rate * v - math.lgamma(shape))

    def individual(lam, mu):
        alive = lam**x * math.exp(-(lam + mu) * T)
        dead = lam**x * mu / (lam + mu) * (math.exp(-(lam + mu) * tx) - math.exp(-(lam + mu) * T))
        return (alive + dead) * g(lam, r, alpha) * g(mu, s, beta)

    value, _ = integrate.dblquad(individual, 0, np.inf, 0, np.inf, epsabs=0, epsrel=1e-10)
    return value


@pytest.mark.parametrize("params", [(0.553, 10.578, 0.606, 11.669), (1.3, 2.0, 2.5, 1.5), (0.8, 5.0, 0.9, 5.0)])
@pytest.mark.parametrize("x, tx, T", [(0, 0.0, 30.0), (2, 30.43, 38.86), (7, 12.0, 40.0)])
def test_likelihood_matches_double_integral(params, x, tx, T):
    value = float(np.exp(log_likelihood_terms(params, [x], [tx], [T])[0]))
    assert value == pytest.approx(brute_likelihood(params, x, tx, T), rel=1e-6)


def test_predictions_match_integrals_over_the_posterior():
    # P(alive) = E[alive term] / L and E[Y(t)] = E[lambda/mu (1 - e^{-mu t}) * alive term] / L
    r, alpha, s, beta = params = (1.3, 2.0, 2.5, 1.5)
    x, tx, T, t = 3, 10.0, 25.0, 20.0

    def g(v, shape, rate):
        return math.exp(shape * math.log(rate) + (shape - 1) * math.log(v) - rate * v - math.lgamma(shape))

    def alive(lam, mu, weight=lambda lam, mu: 1.0):
        return weight(lam, mu) * lam**x * math.exp(-(lam + mu) * T) * g(lam, r, alpha) * g(mu, s, beta)

    L = brute_likelihood(params, x, tx, T)
    pa, _ = integrate.dblquad(alive, 0, np.inf, 0, np.inf, epsabs=0, epsrel=1e-10)
    ey, _ = integrate.dblquad(lambda lam, mu: alive(lam, mu, lambda a, b: a / b * (1 - math.exp(-b * t))),
                              0, np.inf, 0, np.inf, epsabs=0, epsrel=1e-10)
    fit = ParetoNBDFit(*params)
    assert probability_alive(fit, x, tx, T) == pytest.approx(pa / L, rel=1e-6)
    assert expected_transactions(fit, t, x, tx, T) == pytest.approx(ey / L, rel=1e-6)
    # unconditional: E[X(t)] = E[lambda / mu (1 - e^{-mu t})]
    ex, _ = integrate.dblquad(lambda lam, mu: lam / mu * (1 - math.exp(-mu * t)) * g(lam, r, alpha) * g(mu, s, beta),
                              0, np.inf, 0, np.inf, epsabs=0, epsrel=1e-10)
    assert expected_transactions_unconditional(fit, t) == pytest.approx(ex, rel=1e-6)


def test_f1_matches_a_long_series_everywhere():
    # vectorised series (z <= 0.6), scipy (above), block series where scipy gives up: all against the
    # power series summed term by term in log space with math.fsum
    rng = np.random.default_rng(0)
    b = np.concatenate([rng.uniform(0.01, 500, 40), [400.0, 450.0, 0.02]])
    c = b + np.concatenate([rng.uniform(0.01, 20, 40), [0.3, 1.5, 0.05]])
    z = np.concatenate([rng.uniform(0, 0.99, 40), [0.9995, 0.998, 0.99]])
    got = _f1(b, c, z)
    assert np.all(np.isfinite(got))
    for bi, ci, zi, gi in zip(b, c, z, got):
        n = np.arange(0, int(60 / (1 - zi)) + 100, dtype=float)
        logs = np.concatenate([[0.0], np.cumsum(np.log((bi + n[:-1]) / (ci + n[:-1]) * zi))])
        assert gi == pytest.approx(math.fsum(np.exp(logs)), rel=1e-11)


@pytest.mark.parametrize("params", [(0.553, 10.578, 0.606, 11.669), (0.5, 1e-3, 0.6, 500.0), (0.5, 800.0, 0.6, 0.01)])
@pytest.mark.parametrize("x, tx, T", [(500, 52.0, 52.0), (300, 1.0, 1000.0), (0, 0.0, 1e5), (60, 2.0, 2.0 + 1e-9)])
def test_extreme_customers_stay_finite_and_exact(params, x, tx, T):
    # the dead-between-t_x-and-T term against direct quadrature of its integral, in logs
    r, alpha, s, beta = params
    ll = float(log_likelihood_terms(params, [x], [tx], [T])[0])
    assert math.isfinite(ll)
    log_c = gammaln(r + x) - gammaln(r) + r * math.log(alpha) + s * math.log(beta)
    scale = -(r + x) * math.log(alpha + tx) - (s + 1) * math.log(beta + tx)  # the integrand at t_x, factored out
    integral, _ = integrate.quad(
        lambda u: math.exp(-(r + x) * math.log(alpha + u) - (s + 1) * math.log(beta + u) - scale),
        tx, T, epsabs=0, epsrel=1e-11, limit=500, points=[tx + 1e-3 * (T - tx)] if T - tx > 1 else None)
    first = -(r + x) * math.log(alpha + T) - s * math.log(beta + T)
    second = math.log(s * integral) + scale if integral > 0 else -math.inf
    assert ll == pytest.approx(log_c + np.logaddexp(first, second), rel=1e-9, abs=1e-9)
    fit = ParetoNBDFit(*params)
    pa = probability_alive(fit, x, tx, T)
    ey = expected_transactions(fit, 52, x, tx, T)
    assert 0 <= pa <= 1 and math.isfinite(ey) and ey >= 0


def test_against_lifetimes_per_customer():
    pytest.importorskip("lifetimes")
    import pandas as pd
    from lifetimes import ParetoNBDFitter

    x, tx, T = (c[:400] for c in lifetimes_data.cdnow_summary())
    peer = ParetoNBDFitter()
    peer.params_ = pd.Series(PUBLISHED.params)
    assert probability_alive(PUBLISHED, x, tx, T) == pytest.approx(
        np.asarray(peer.conditional_probability_alive(x, tx, T), dtype=float), rel=1e-8)
    assert expected_transactions(PUBLISHED, 39, x, tx, T) == pytest.approx(
        np.asarray(peer.conditional_expected_number_of_purchases_up_to_time(39, x, tx, T), dtype=float), rel=1e-8)


def test_parameter_recovery_on_simulated_data():
    truth = (0.6, 8.0, 0.8, 10.0)
    x, tx, T = simulate_pareto(*truth, 6000, 52.0, rng=4)
    fit = fit_pareto(x, tx, T)
    assert fit.converged
    for est, se, true in zip(fit.values, fit.standard_errors.values(), truth):
        assert abs(est - true) < 4 * se


def test_errors():
    with pytest.raises(DataError):
        fit_pareto([0, 0], [0, 0], [5, 6])
    with pytest.raises(ModelError):
        ParetoNBDFit(0.5, -1.0, 0.5, 1.0)
