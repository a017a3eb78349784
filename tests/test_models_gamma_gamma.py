"""Gamma-Gamma spend model: density, conditional mean, fitting and errors."""

from __future__ import annotations

import json
import math

import pytest

pytest.importorskip("numpy")
pytest.importorskip("scipy")

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from scipy import integrate, stats  # noqa: E402

from cxterms.errors import DataError, ModelError  # noqa: E402
from cxterms.models.gamma_gamma import (  # noqa: E402
    GammaGammaFit,
    _objective,
    expected_average_value,
    fit_gamma_gamma,
    log_likelihood_terms,
)

CDNOW = GammaGammaFit(p=6.25, q=3.74, gamma=15.44)


def simulate(p, q, gamma, n, rng, max_x=8):
    """x repeat transactions per customer and the mean of their Gamma(p, nu) values, nu ~ Gamma(q, gamma)."""
    x = rng.integers(1, max_x + 1, n).astype(float)
    nu = rng.gamma(q, 1.0 / gamma, n)
    m = rng.gamma(p * x, 1.0 / (nu * x))  # mean of x iid Gamma(p, rate nu)
    return x, m


# ---------------------------------------------------------------- E[M | x, m_x]


@pytest.mark.parametrize(
    "x, m, expected",
    [
        (0, 0.0, 6.25 * 15.44 / 2.74),  # population mean
        (1, 20.0, 6.25 * (15.44 + 20.0) / (6.25 + 2.74)),
        (2, 20.0, 6.25 * (15.44 + 40.0) / (12.5 + 2.74)),
        (10, 100.0, 6.25 * (15.44 + 1000.0) / (62.5 + 2.74)),
    ],
)
def test_expected_average_value_hand_computed(x, m, expected):
    assert expected_average_value(CDNOW, x, m) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("x, m", [(1, 12.0), (3, 40.0), (7, 25.0)])
def test_expected_average_value_is_the_posterior_mean(x, m):
    # posterior of nu given x values with mean m: Gamma(p x + q, rate gamma + x m); E[M] = E[p / nu]
    fit = CDNOW
    post = stats.gamma(fit.p * x + fit.q, scale=1.0 / (fit.gamma + x * m))
    value, _ = integrate.quad(lambda nu: fit.p / nu * post.pdf(nu), 0, np.inf, epsrel=1e-10)
    assert expected_average_value(fit, x, m) == pytest.approx(value, rel=1e-8)


@settings(max_examples=80, deadline=None)
@given(
    p=st.floats(0.2, 20.0),
    q=st.floats(1.05, 20.0),
    gamma=st.floats(0.1, 100.0),
    x=st.integers(1, 100),
    m=st.floats(0.01, 1e4),
)
def test_expected_value_shrinks_towards_population_mean(p, q, gamma, x, m):
    fit = GammaGammaFit(p, q, gamma)
    pop = fit.population_mean
    value = expected_average_value(fit, x, m)
    assert min(pop, m) * (1 - 1e-12) <= value <= max(pop, m) * (1 + 1e-12)


def test_expected_value_vectorised():
    out = expected_average_value(CDNOW, np.array([0, 1, 2]), np.array([0.0, 10.0, 20.0]))
    assert out.shape == (3,) and out[0] == pytest.approx(CDNOW.population_mean)
    assert isinstance(expected_average_value(CDNOW, 1, 10.0), float)


@pytest.mark.parametrize(
    "call, error, text",
    [
        (lambda: expected_average_value(GammaGammaFit(2.0, 1.0, 5.0), 1, 10.0), ModelError, "q = 1 <= 1"),
        (lambda: expected_average_value(GammaGammaFit(2.0, 0.5, 5.0), 0, 0.0), ModelError, "mean spend is undefined"),
        (lambda: expected_average_value(CDNOW, [1, 2], [5.0, 0.0]), DataError, "row 2"),
        (lambda: expected_average_value(CDNOW, -1, 5.0), DataError, "frequency"),
        (lambda: GammaGammaFit(-1.0, 2.0, 3.0), ModelError, "parameter p"),
    ],
)
def test_expected_value_errors(call, error, text):
    with pytest.raises(error) as info:
        call()
    assert text in str(info.value)


# ---------------------------------------------------------------- density


@pytest.mark.parametrize("x", [1, 3, 10])
def test_density_integrates_to_one_and_has_the_population_mean(x):
    fit = CDNOW

    def density(m):
        return math.exp(log_likelihood_terms(fit, [x], [m])[0])

    total, _ = integrate.quad(density, 0, np.inf, epsrel=1e-10, limit=200)
    mean, _ = integrate.quad(lambda m: m * density(m), 0, np.inf, epsrel=1e-10, limit=200)
    assert total == pytest.approx(1.0, rel=1e-7)
    assert mean == pytest.approx(fit.population_mean, rel=1e-6)


def test_density_matches_monte_carlo():
    # the marginal density of m_x: histogram of simulated means agrees with it
    rng = np.random.default_rng(11)
    x = 3
    nu = rng.gamma(CDNOW.q, 1.0 / CDNOW.gamma, 200_000)
    m = rng.gamma(CDNOW.p * x, 1.0 / (nu * x))
    lo, hi = 20.0, 40.0
    share = np.mean((m > lo) & (m < hi))
    prob, _ = integrate.quad(lambda v: math.exp(log_likelihood_terms(CDNOW, [x], [v])[0]), lo, hi)
    assert share == pytest.approx(prob, abs=4 * math.sqrt(prob * (1 - prob) / m.size))


def test_likelihood_skips_customers_without_repeats():
    ll = log_likelihood_terms(CDNOW, [0, 2, 0, 1], [0.0, 20.0, 0.0, 10.0])
    assert ll.shape == (2,)
    assert ll[0] == pytest.approx(log_likelihood_terms(CDNOW, [2], [20.0])[0])


def test_objective_gradient_matches_finite_differences():
    x, m = simulate(5.0, 3.0, 12.0, 200, np.random.default_rng(3))
    fun = _objective(x, m)
    theta = np.log([4.0, 2.5, 10.0])
    value, grad = fun(theta)
    assert value == pytest.approx(-log_likelihood_terms(np.exp(theta), x, m).mean(), rel=1e-12)
    h = 1e-6
    numeric = [(fun(theta + h * e)[0] - fun(theta - h * e)[0]) / (2 * h) for e in np.eye(3)]
    assert grad == pytest.approx(numeric, rel=1e-5, abs=1e-8)


# ---------------------------------------------------------------- fitting

TRUE = (6.0, 4.0, 15.0)


@pytest.fixture(scope="module")
def simulated():
    return simulate(*TRUE, 4000, np.random.default_rng(20240602))


def test_fit_recovers_parameters(simulated):
    x, m = simulated
    # customers without repeats are ignored whatever their monetary value
    xs = np.concatenate([x, np.zeros(500)])
    ms = np.concatenate([m, np.zeros(500)])
    fit = fit_gamma_gamma(xs, ms)
    assert fit.n_customers == 4000 and fit.converged
    assert (fit.p, fit.q, fit.gamma) == pytest.approx(TRUE, rel=0.15)
    # the implied population mean is identified much better than the parameters
    assert fit.population_mean == pytest.approx(TRUE[0] * TRUE[2] / (TRUE[1] - 1), rel=0.05)
    # it is a maximum: at least as good as the truth and as small perturbations
    best = log_likelihood_terms(fit, x, m).sum()
    assert fit.log_likelihood == pytest.approx(best, rel=1e-12)
    assert best >= log_likelihood_terms(TRUE, x, m).sum()
    rng = np.random.default_rng(0)
    for _ in range(8):
        nudged = np.array([fit.p, fit.q, fit.gamma]) * np.exp(rng.normal(0, 0.01, 3))
        assert log_likelihood_terms(nudged, x, m).sum() <= best + 1e-9
    # independent simulation: no correlation between spend and frequency
    assert abs(fit.spend_frequency_correlation) < 0.1
    info = fit.as_dict()
    assert json.loads(json.dumps(info)) == info
    assert set(info["params"]) == {"p", "q", "gamma"}


def test_correlation_flags_dependent_spend():
    rng = np.random.default_rng(4)
    x, m = simulate(*TRUE, 1000, rng)
    m = m * (1 + 0.5 * x)  # heavier buyers spend more: violates the model's assumption
    fit = fit_gamma_gamma(x, m)
    assert fit.spend_frequency_correlation > 0.3


@pytest.mark.parametrize(
    "x, m, error, text",
    [
        ([0, 0], [0.0, 0.0], DataError, "no customer made a repeat purchase"),
        ([1, 2, 1], [10.0, 0.0, 5.0], DataError, "row 2: monetary value 0 is not positive"),
        ([1, 2, 1], [10.0, float("nan"), 5.0], DataError, "row 2"),
        ([1, 2.5], [10.0, 5.0], DataError, "row 2: frequency"),
        ([1, 2], [10.0], DataError, "monetary_value has 1 values"),
        # identical spend everywhere: no heterogeneity, q and gamma run off to infinity
        ([1, 2, 3, 1, 2, 3], [10.0] * 6, ModelError, None),  # optimiser failure: class only
    ],
)
def test_fit_errors(x, m, error, text):
    with pytest.raises(error) as info:
        fit_gamma_gamma(x, m)
    if text is not None:
        assert text in str(info.value)
