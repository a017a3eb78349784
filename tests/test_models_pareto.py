"""Pareto/NBD: published CDNOW fit, brute-force integrals, lifetimes, extreme customers, recovery."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("numpy")
pytest.importorskip("scipy")

import numpy as np  # noqa: E402
from scipy import integrate  # noqa: E402
from scipy.special import gammaln, hyp2f1  # noqa: E402

from cxterms.errors import DataError, ModelError  # noqa: E402
from cxterms.models.pareto import (  # noqa: E402
    ParetoNBDFit,
    _BANDS,
    _f1,
    _f1_big,
    _f1_long_series_grad,
    _log_f1_grouped,
    _objective,
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


# --------------------------------------------------------------------------
# The fit's analytic gradient
# --------------------------------------------------------------------------


def series_log_derivatives(b, c, z):
    """log F and F_b / F, F_c / F, F_z / F of F = 2F1(1, b; c; z), by the power series summed term
    by term (math.fsum): F_b = sum t_n sum_{k<n} 1/(b+k), F_c = -sum t_n sum_{k<n} 1/(c+k), F_z = sum n t_n / z."""
    if z == 0:
        return 0.0, 0.0, 0.0, b / c
    n = np.arange(0, int(60 / (1 - z)) + 200, dtype=float)
    t = np.exp(np.concatenate([[0.0], np.cumsum(np.log((b + n[:-1]) / (c + n[:-1]) * z))]))
    sb = np.concatenate([[0.0], np.cumsum(1 / (b + n[:-1]))])
    sc = np.concatenate([[0.0], np.cumsum(1 / (c + n[:-1]))])
    f = math.fsum(t)
    return math.log(f), math.fsum(t * sb) / f, -math.fsum(t * sc) / f, math.fsum(n * t) / z / f


def test_f1_derivatives_in_every_band():
    # the series bands (polynomials per group) and, above the last band, scipy with central differences
    pairs = [(b, b + d) for b in (0.02, 1.6, 40.0, 400.0) for d in (0.05, 1.5, 20.0)]
    zs = np.array([0.995, 0.95, 0.86, 0.85, 0.75, 0.61, 0.6, 0.45, 0.31, 0.3, 0.29, 0.05, 0.0])  # falling, per group
    tops = [hi for hi, _ in _BANDS]
    assert all(((zs > lo) & (zs <= hi)).any() for lo, hi in zip([-1.0] + tops, tops)) and (zs > tops[-1]).any()
    b = np.array([p[0] for p in pairs])
    c = np.array([p[1] for p in pairs])
    group = np.repeat(np.arange(len(pairs)), zs.size)
    z = np.tile(zs, len(pairs))
    buf = np.empty(1000)  # small: the powers go in blocks of a few columns, across group boundaries
    got = _log_f1_grouped(b, c, group, z, True, buf)
    value_only = _log_f1_grouped(b, c, group, z, False, buf)
    assert value_only.shape == (1, z.size) and np.allclose(value_only[0], got[0], rtol=0, atol=1e-15)
    for i in range(z.size):
        want = series_log_derivatives(b[group[i]], c[group[i]], z[i])
        series = z[i] <= tops[-1]
        assert got[0, i] == pytest.approx(want[0], rel=1e-13 if series else 1e-11, abs=1e-15)
        # derivatives: to rounding in the series, to about 1e-8 (scipy's 2F1 with differences) above
        assert got[1:, i] == pytest.approx(want[1:], rel=1e-13 if series else 1e-7, abs=1e-15 if series else 1e-7)


GRID_PARAMS = [
    (0.553, 10.578, 0.606, 11.669),  # CDNOW: alpha < beta, z small
    (0.8, 5.0, 0.9, 5.0),  # alpha == beta: z = 0
    (1.3, 2.0, 2.5, 1.5),  # alpha > beta
    (0.3, 1.0, 0.8, 30.0),  # alpha << beta: z up to 0.97
    (0.3, 30.0, 0.8, 1.0),  # alpha >> beta
    (0.02, 3.0, 0.03, 40.0),  # tiny shapes
    (5.0, 40.0, 0.05, 2.0),
    (0.5, 1e-3, 0.6, 500.0),  # z -> 1 at u = 0
    (0.5, 800.0, 0.6, 0.01),
]
GRID_CUSTOMERS = [
    (0, 0.0, 30.0), (0, 0.0, 1e5), (1, 0.01, 30.0), (2, 30.43, 38.86), (3, 0.5, 60.0), (7, 12.0, 40.0),
    (5, 20.0, 20.0), (60, 2.0, 2.0 + 1e-9), (300, 1.0, 1000.0), (500, 52.0, 52.0),
]


def test_gradient_grid_covers_both_branches_and_every_band():
    zs = {True: [], False: []}
    for r, alpha, s, beta in GRID_PARAMS:
        for _, tx, T in GRID_CUSTOMERS:
            for u in (tx, T):
                zs[alpha >= beta].append(abs(alpha - beta) / (max(alpha, beta) + u))
    tops = [hi for hi, _ in _BANDS]
    for branch in (True, False):
        z = np.array(zs[branch])
        assert all(((z > lo) & (z <= hi)).any() for lo, hi in zip([-1.0] + tops, tops)) and (z > tops[-1]).any()


@pytest.mark.parametrize("params", GRID_PARAMS)
def test_gradient_matches_finite_differences(params):
    # one customer at a time: the objective's value and gradient against central differences (with
    # Richardson extrapolation) of the independent per-customer log-likelihood, on the log scale
    th = np.log(params)

    def ll(t, x, tx, T):
        return float(log_likelihood_terms(tuple(np.exp(t)), [x], [tx], [T])[0])

    for x, tx, T in GRID_CUSTOMERS:
        fun = _objective(np.array([float(x)]), np.array([tx]), np.array([T]), np.ones(1))
        value, grad = fun(th)
        assert -value == pytest.approx(ll(th, x, tx, T), rel=1e-12, abs=1e-12)
        assert fun.value(th) == pytest.approx(value, rel=1e-14, abs=1e-15)
        fd = []
        for e in np.eye(4):
            d = [(ll(th + h * e, x, tx, T) - ll(th - h * e, x, tx, T)) / (2 * h) for h in (1e-3, 5e-4)]
            fd.append((4 * d[1] - d[0]) / 3)
        assert -grad == pytest.approx(fd, rel=1e-6, abs=1e-7 * max(1.0, abs(value))), (x, tx, T)


def test_gradient_of_many_customers_is_the_weighted_sum():
    x, tx, T = simulate_pareto(0.6, 8.0, 0.8, 20.0, 400, 39.0, rng=7)
    w = np.random.default_rng(1).integers(1, 4, x.size).astype(float)
    th = np.log((0.6, 8.0, 0.8, 20.0))
    value, grad = _objective(x, tx, T, w)(th)
    each = [_objective(x[i:i + 1], tx[i:i + 1], T[i:i + 1], np.ones(1))(th) for i in range(x.size)]
    assert value == pytest.approx(float(w @ [v for v, _ in each]) / w.sum(), rel=1e-13)
    assert grad == pytest.approx(w @ np.array([g for _, g in each]) / w.sum(), rel=1e-10, abs=1e-14)


def test_standard_errors_match_a_direct_numerical_hessian():
    # observed information from differences of the analytic gradient (the fit) against second
    # differences of log-likelihood values in the natural parameters (no gradient, no log scale)
    x, tx, T = simulate_pareto(0.6, 8.0, 0.8, 10.0, 3000, np.random.default_rng(3).uniform(26, 39, 3000), rng=5)
    fit = fit_pareto(x, tx, T)
    p = np.array(fit.values)
    h = 1e-4 * p
    H = np.empty((4, 4))
    for i in range(4):
        for j in range(4):
            ei, ej = np.eye(4)[i] * h[i], np.eye(4)[j] * h[j]
            f = [float(log_likelihood_terms(tuple(p + a * ei + b * ej), x, tx, T).sum()) for a, b in ((1, 1), (1, -1), (-1, 1), (-1, -1))]
            H[i, j] = (f[0] - f[1] - f[2] + f[3]) / (4 * h[i] * h[j])
    direct = np.sqrt(np.diag(np.linalg.inv(-H)))
    assert list(fit.standard_errors.values()) == pytest.approx(direct, rel=2e-3)


def test_f1_where_scipy_gives_up():
    # large b, z near 1: scipy's 2F1 is nan there; the series with its derivatives, summed in blocks
    b, c = 192.04363767654996, 193.48598644045148
    assert not math.isfinite(hyp2f1(1.0, b, c, 0.9989))
    (f, fb, fc, fz), used = _f1_long_series_grad(b, c, 0.9989)
    want = series_log_derivatives(b, c, 0.9989)
    assert used > 0 and math.log(f) == pytest.approx(want[0], rel=1e-12)
    assert [fb / f, fc / f, fz / f] == pytest.approx(want[1:], rel=1e-11)
    got = _f1_big(np.array([b, 1.6]), np.array([c, 3.1]), np.array([0.9989, 0.9]), True)
    assert got[:, 0] == pytest.approx([f, fb, fc, fz], rel=1e-12)
    assert got[:, 1] == pytest.approx([hyp2f1(1.0, 1.6, 3.1, 0.9)] + [v * got[0, 1] for v in series_log_derivatives(1.6, 3.1, 0.9)[1:]],
                                      rel=1e-7)
    # too close to 1 for the term limit: nan at once (the likelihood there counts as not finite)
    assert all(math.isnan(v) for v in _f1_long_series_grad(400.0, 400.05, 1 - 1e-7)[0])


def test_a_ridge_to_infinite_s_and_beta_ends_in_an_error_quickly():
    # 600 customers whose likelihood keeps rising as s, beta -> infinity (s / beta fixed): the search
    # runs into z -> 1 with large b, where each 2F1 would take millions of terms; it must stop with
    # a ModelError, not a number and not after minutes
    x, tx, T = simulate_pareto(0.55, 10.0, 0.6, 11.0, 600, np.random.default_rng(1).uniform(0.5, 1, 600) * 39.0, rng=1)
    with pytest.raises(ModelError):
        fit_pareto(x, tx, T)


def test_starts_screened_on_a_subsample_reach_the_same_maximum():
    # what fit_pareto does above 50,000 distinct rows, here on a small sample with a smaller subsample
    from cxterms.models._optim import _minimize, subsample
    from cxterms.models.bgnbd import _compress

    x, tx, T = simulate_pareto(0.6, 8.0, 0.8, 20.0, 4000, np.random.default_rng(2).uniform(26, 39, 4000), rng=9)
    (ux, utx, ut), w, _ = _compress(x, tx, T)
    fun = _objective(ux, utx, ut, w)
    sub = subsample(w.shape[0], rows=1000, size=1000)
    coarse = _objective(ux[sub], utx[sub], ut[sub], w[sub])
    starts = [np.log([1.0, 10.0, 1.0, 10.0]), np.log([0.5, 5.0, 0.5, 5.0])]
    plain = _minimize(fun, starts, n_total=float(w.sum()), first_success=True)
    screened = _minimize(fun, starts, n_total=float(w.sum()), first_success=True, coarse=coarse)
    assert plain.converged and screened.converged
    assert screened.theta == pytest.approx(plain.theta, abs=1e-6)
    assert screened.value == pytest.approx(plain.value, rel=1e-13)
