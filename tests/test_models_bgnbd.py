"""BG/NBD: likelihood, predictions and fitting, checked against independent computations.

Oracles used here:
* numerical integration over the gamma (lambda) and beta (p) mixing
  distributions, for the likelihood, P(alive) and E[Y(t)];
* a 1-D integral with lambda integrated out by hand (no hypergeometric
  function), for extreme inputs;
* simulation from known parameters, for the fit.
The CDNOW reproduction (r = 0.243, alpha = 4.414, a = 0.793, b = 2.426,
LL = -9582.4) needs the original data file, which is not shipped; the worked
example of the paper is checked below instead.
"""

from __future__ import annotations

import json
import math
import warnings

import pytest

pytest.importorskip("numpy")
pytest.importorskip("scipy")

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from scipy import integrate  # noqa: E402
from scipy.special import betaln, gammaln, hyp2f1  # noqa: E402

from cxterms.errors import DataError, ModelError, UsageError  # noqa: E402
from cxterms.models.bgnbd import (  # noqa: E402
    BGNBDFit,
    _compress,
    _make_objective,
    expected_transactions,
    expected_transactions_unconditional,
    fit_bgnbd,
    log_likelihood_terms,
    probability_alive,
    simulate_bgnbd,
)

CDNOW = BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426)
PARAMS = [(0.243, 4.414, 0.793, 2.426), (1.5, 3.0, 2.0, 5.0)]


# ---------------------------------------------------------------- oracles


def prior(lam, p, r, alpha, a, b):
    log_g = r * np.log(alpha) + (r - 1) * np.log(lam) - alpha * lam - gammaln(r)
    log_f = (a - 1) * np.log(p) + (b - 1) * np.log1p(-p) - betaln(a, b)
    return np.exp(log_g + log_f)


def integrate_prior(h, params):
    """Integral of h(lambda, p) over the BG/NBD mixing distributions."""
    value, _ = integrate.dblquad(
        lambda lam, p: h(lam, p) * prior(lam, p, *params), 0, 1, 0, np.inf, epsabs=0, epsrel=1e-9
    )
    return value


def likelihood(lam, p, x, tx, T):
    value = (1 - p) ** x * lam**x * np.exp(-lam * T)
    if x > 0:
        value += p * (1 - p) ** (x - 1) * lam**x * np.exp(-lam * tx)
    return value


def ey_one_dimensional(params, t, x, tx, T):
    """E[Y(t)] with lambda integrated analytically and p numerically (no 2F1)."""
    r, al, a, b = params
    ll = log_likelihood_terms(params, [x], [tx], [T])[0]
    log_pre = gammaln(r + x) - gammaln(r) + r * math.log(al) - (r + x) * math.log(al + T) - betaln(a, b) - ll

    def g(p):
        return math.exp((a - 2) * math.log(p) + (x + b - 1) * math.log1p(-p)) * -math.expm1(
            -(r + x) * math.log1p(p * t / (al + T))
        )

    edges = sorted({0.0, 1e-6, min(0.5, 1 / (x + b + 1)), min(0.9, 5 / (x + b + 1)), 1.0})
    total = sum(
        integrate.quad(g, lo, hi, limit=400, epsabs=0, epsrel=1e-11)[0] for lo, hi in zip(edges[:-1], edges[1:])
    )
    return math.exp(log_pre) * total


# ---------------------------------------------------------------- published example


def test_paper_worked_example():
    # Fader, Hardie & Lee (2005), section 5: x = 2, t_x = 30.43, T = 38.86 -> 1.226 in 39 weeks
    assert expected_transactions(CDNOW, 39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=5e-4)


# ---------------------------------------------------------------- likelihood


@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("x, tx, T", [(2, 30.43, 38.86), (5, 10.0, 39.0), (1, 0.5, 20.0)])
def test_closed_form_likelihood_matches_integration(params, x, tx, T):
    direct = integrate_prior(lambda lam, p: likelihood(lam, p, x, tx, T), params)
    assert log_likelihood_terms(params, [x], [tx], [T])[0] == pytest.approx(math.log(direct), abs=1e-7)


def test_likelihood_zero_frequency_closed_form():
    # x = 0: L = (alpha / (alpha + T))^r exactly
    r, al, a, b = PARAMS[0]
    got = log_likelihood_terms(PARAMS[0], [0, 0], [0, 0], [1.0, 300.0])
    assert got == pytest.approx([r * math.log(al / (al + 1.0)), r * math.log(al / (al + 300.0))], rel=1e-13)


def test_likelihood_is_finite_for_huge_alpha_plus_T():
    ll = log_likelihood_terms((0.5, 1e6, 0.8, 2.5), [3, 0], [1e7, 0], [1e8, 1e8])
    assert np.all(np.isfinite(ll))


def test_objective_gradient_matches_finite_differences():
    rng = np.random.default_rng(5)
    x, tx, T = simulate_bgnbd(0.4, 3.0, 0.9, 2.0, 300, 30.0, rng)
    (ux, utx, ut), w, inverse = _compress(x, tx, T)
    assert np.array_equal(ux[inverse], x) and np.array_equal(ut[inverse], T) and w.sum() == 300
    fun = _make_objective(ux, utx, ut, w)
    theta = np.log([0.5, 2.5, 1.1, 3.0])
    value, grad = fun(theta)
    assert value == pytest.approx(-log_likelihood_terms(np.exp(theta), x, tx, T).mean(), rel=1e-12)
    h = 1e-6
    numeric = [(fun(theta + h * e)[0] - fun(theta - h * e)[0]) / (2 * h) for e in np.eye(4)]
    assert grad == pytest.approx(numeric, rel=1e-5, abs=1e-8)


# ---------------------------------------------------------------- predictions vs integration


@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("x, tx, T", [(2, 30.43, 38.86), (5, 10.0, 39.0)])
def test_conditional_expectation_and_alive_match_posterior_integration(params, x, tx, T):
    t = 39.0
    norm = integrate_prior(lambda lam, p: likelihood(lam, p, x, tx, T), params)
    alive = integrate_prior(lambda lam, p: (1 - p) ** x * lam**x * np.exp(-lam * T), params) / norm
    # given alive at T: purchases in (T, T + t] until dropout = (1 - exp(-lambda p t)) / p
    ey = (
        integrate_prior(lambda lam, p: (1 - p) ** x * lam**x * np.exp(-lam * T) * -np.expm1(-lam * p * t) / p, params)
        / norm
    )
    fit = BGNBDFit(*params)
    assert probability_alive(fit, x, tx, T) == pytest.approx(alive, rel=1e-7)
    assert expected_transactions(fit, t, x, tx, T) == pytest.approx(ey, rel=1e-7)


@pytest.mark.parametrize("params", [(0.243, 4.414, 0.793, 2.426), (2.0, 0.5, 0.3, 8.0), (0.1, 100.0, 5.0, 50.0)])
@pytest.mark.parametrize(
    "t, x, tx, T",
    [(1, 0, 0, 1), (500, 20, 30, 39), (1e4, 2, 10, 39), (1e5, 200, 300, 300), (52, 500, 1000, 1000), (1e6, 0, 0, 5)],
)
def test_conditional_expectation_extreme_inputs(params, t, x, tx, T):
    # large x, t and T: the naive formula multiplies an overflowing 2F1 by a vanishing power
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = ey_one_dimensional(params, t, x, tx, T)
    got = expected_transactions(BGNBDFit(*params), t, x, tx, T)
    assert math.isfinite(got)
    assert got == pytest.approx(expected, rel=1e-8)


def textbook_ey(fit, t, x, tx, T):
    r, al, a, b = fit.r, fit.alpha, fit.a, fit.b
    z = t / (al + T + t)
    num = 1 - ((al + T) / (al + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    den = 1 + (x > 0) * (a / (b + x - 1)) * ((al + T) / (al + tx)) ** (r + x)
    return (a + b + x - 1) / (a - 1) * num / den


@pytest.mark.parametrize("t, x, tx, T", [(1, 0, 0, 1), (39, 2, 30.43, 38.86), (39, 40, 38, 39), (0.001, 3, 5, 10)])
def test_transformed_formula_equals_textbook_formula(t, x, tx, T):
    assert expected_transactions(CDNOW, t, x, tx, T) == pytest.approx(textbook_ey(CDNOW, t, x, tx, T), rel=1e-9)


@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("t", [1.0, 39.0, 200.0])
def test_unconditional_expectation_matches_integration(params, t):
    # E[X(t) | lambda, p] = (1 - exp(-lambda p t)) / p
    expected = integrate_prior(lambda lam, p: -np.expm1(-lam * p * t) / p, params)
    fit = BGNBDFit(*params)
    assert expected_transactions_unconditional(fit, t) == pytest.approx(expected, rel=1e-7)
    # a new customer is x = 0 observed for no time
    assert expected_transactions(fit, t, 0, 0, 0) == pytest.approx(expected, rel=1e-10)


def test_a_equal_one_is_the_limit():
    at_one = BGNBDFit(0.5, 4.0, 1.0, 2.0)
    near = [BGNBDFit(0.5, 4.0, 1.0 + e, 2.0) for e in (1e-3, -1e-3)]
    assert expected_transactions(at_one, 39, 2, 30, 39) == pytest.approx(
        np.mean([expected_transactions(f, 39, 2, 30, 39) for f in near]), rel=1e-6
    )
    assert expected_transactions_unconditional(at_one, 39) == pytest.approx(
        np.mean([expected_transactions_unconditional(f, 39) for f in near]), rel=1e-6
    )


@pytest.mark.parametrize("T", [0.0, 1.0, 39.0, 1e6])
def test_alive_is_one_without_repeat_purchases(T):
    # in BG/NBD a customer can only drop out right after a repeat purchase
    assert probability_alive(CDNOW, 0, 0, T) == 1.0


def test_prediction_shapes_and_broadcasting():
    out = expected_transactions(CDNOW, np.array([[1.0], [39.0]]), [0, 2], [0, 30.43], [38.86, 38.86])
    assert out.shape == (2, 2)
    assert out[1, 1] == pytest.approx(1.226, abs=5e-4)
    assert isinstance(probability_alive(CDNOW, 2, 30, 39), float)
    assert expected_transactions(CDNOW, 0, 3, 10, 20) == 0.0


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: expected_transactions(CDNOW, -1, 1, 1, 2), UsageError),
        (lambda: expected_transactions_unconditional(CDNOW, float("nan")), UsageError),
        (lambda: probability_alive(CDNOW, 1, 3, 2), DataError),
        (lambda: probability_alive(CDNOW, [1, 2], [1, 2, 3], [4, 4, 4]), DataError),
        (lambda: BGNBDFit(0.0, 1.0, 1.0, 1.0), ModelError),
        (lambda: BGNBDFit(1.0, float("inf"), 1.0, 1.0), ModelError),
    ],
)
def test_prediction_errors(call, error):
    with pytest.raises(error):
        call()


customer = st.tuples(
    st.integers(0, 60),
    st.floats(0.0, 1.0),
    st.floats(0.01, 400.0, allow_nan=False, allow_infinity=False),
).map(lambda c: (c[0], 0.0 if c[0] == 0 else c[1] * c[2], c[2]))
fits = st.builds(
    BGNBDFit,
    st.floats(0.05, 5.0),
    st.floats(0.1, 50.0),
    st.floats(0.1, 5.0),
    st.floats(0.1, 10.0),
)


@settings(max_examples=80, deadline=None)
@given(fit=fits, cust=customer, t1=st.floats(0.0, 300.0), dt=st.floats(0.0, 300.0))
def test_invariants(fit, cust, t1, dt):
    x, tx, T = cust
    p = probability_alive(fit, x, tx, T)
    assert 0.0 <= p <= 1.0
    e1 = expected_transactions(fit, t1, x, tx, T)
    e2 = expected_transactions(fit, t1 + dt, x, tx, T)
    assert 0.0 <= e1 <= e2 * (1 + 1e-9) + 1e-12
    # a longer silence since the last purchase cannot make the customer more likely alive
    assert probability_alive(fit, x, tx, T + dt) <= p + 1e-12


# ---------------------------------------------------------------- simulation and fitting


def test_simulation_basics():
    x, tx, T = simulate_bgnbd(0.25, 4.0, 0.8, 2.5, 2000, np.linspace(10, 40, 2000), rng=np.random.default_rng(1))
    assert x.shape == tx.shape == T.shape == (2000,)
    assert np.all(tx <= T) and np.all(tx[x == 0] == 0) and np.all(tx[x > 0] > 0)
    assert np.all(x == np.floor(x))


def test_simulation_mean_matches_unconditional_expectation():
    fit = BGNBDFit(0.25, 4.0, 0.8, 2.5)
    x, _, _ = simulate_bgnbd(fit.r, fit.alpha, fit.a, fit.b, 200_000, 39.0, rng=np.random.default_rng(2))
    expected = expected_transactions_unconditional(fit, 39.0)
    standard_error = x.std() / math.sqrt(x.size)
    assert abs(x.mean() - expected) < 4 * standard_error


TRUE = (0.25, 4.0, 0.8, 2.5)


@pytest.fixture(scope="module")
def simulated():
    rng = np.random.default_rng(20240601)
    T = rng.uniform(26.0, 52.0, 8000)
    return simulate_bgnbd(*TRUE, 8000, T, rng)


@pytest.fixture(scope="module")
def fitted(simulated):
    return fit_bgnbd(*simulated)


def test_fit_recovers_simulation_parameters(simulated, fitted):
    x, tx, T = simulated
    est = np.array([fitted.r, fitted.alpha, fitted.a, fitted.b])
    assert fitted.converged and fitted.n_customers == 8000 and fitted.iterations > 0
    # standard errors from the observed information (finite-difference Hessian of the analytic gradient)
    (ux, utx, ut), w, _ = _compress(x, tx, T)
    fun = _make_objective(ux, utx, ut, w)
    theta = np.log(est)
    h = 1e-5
    hess = np.array([(fun(theta + h * e)[1] - fun(theta - h * e)[1]) / (2 * h) for e in np.eye(4)]) * len(x)
    cov_theta = np.linalg.inv(0.5 * (hess + hess.T))
    se = est * np.sqrt(np.diag(cov_theta))
    z = (est - np.array(TRUE)) / se
    assert np.all(np.abs(z) < 4), (est, se)
    # coarse sanity bounds too, so a wrong standard error cannot hide a bad fit
    assert est == pytest.approx(TRUE, rel=0.35)
    assert fitted.mean_purchase_rate == pytest.approx(TRUE[0] / TRUE[1], rel=0.1)


def test_fit_is_a_maximum(simulated, fitted):
    x, tx, T = simulated
    best = log_likelihood_terms(fitted, x, tx, T).sum()
    assert fitted.log_likelihood == pytest.approx(best, rel=1e-12)
    assert best >= log_likelihood_terms(TRUE, x, tx, T).sum()
    rng = np.random.default_rng(0)
    for _ in range(10):
        nudged = np.array([fitted.r, fitted.alpha, fitted.a, fitted.b]) * np.exp(rng.normal(0, 0.01, 4))
        assert log_likelihood_terms(nudged, x, tx, T).sum() <= best + 1e-9


def test_fit_does_not_depend_on_row_order_or_start(simulated, fitted):
    x, tx, T = simulated
    order = np.random.default_rng(9).permutation(x.size)
    again = fit_bgnbd(x[order], tx[order], T[order], initial=(1.0, 1.0, 1.0, 1.0))
    assert again.params == pytest.approx(fitted.params, rel=1e-5)
    assert again.log_likelihood == pytest.approx(fitted.log_likelihood, rel=1e-10)


def test_fit_as_dict_is_json_ready(fitted):
    info = fitted.as_dict()
    assert json.loads(json.dumps(info)) == info
    assert set(info["params"]) == {"r", "alpha", "a", "b"}
    assert all(type(v) is float for v in info["params"].values())


@pytest.mark.parametrize(
    "cols, error, text",
    [
        (([1], [1], [2]), DataError, "at least 2 customers"),
        (([0, 0, 0], [0, 0, 0], [5, 6, 7]), DataError, "no customer made a repeat purchase"),
        (([1, 2], [3, 1], [2, 4]), DataError, "recency 3 is greater than T 2"),
        # perfectly regular buyers, all seen on the last day: no evidence of dropout
        (([5, 6, 7, 8, 5, 6], [39] * 6, [39] * 6), ModelError, None),  # optimiser failure: class only
    ],
)
def test_fit_errors(cols, error, text):
    with pytest.raises(error) as info:
        fit_bgnbd(*cols)
    if text is not None:
        assert text in str(info.value)
