"""BG/BB model of discrete-time repeat transactions (Fader, Hardie & Berger 2010).

Reference: P. S. Fader, B. G. S. Hardie and P. D. Berger, "Customer-Base
Analysis in a Discrete-Time Noncontractual Setting", Marketing Science 29(6),
2010, 1086-1108.

Each period after the first purchase is one transaction opportunity (a yearly
donation drive, a weekly event). While alive, a customer transacts in each
period with probability p ~ Beta(alpha, beta); at the start of each period
they drop out for good with probability theta ~ Beta(gamma, delta). The data
per customer: x transactions in n opportunities, the last in period t_x (0 if
none). With B the beta function::

    L = B(alpha + x, beta + n - x) / B(alpha, beta) * B(gamma, delta + n) / B(gamma, delta)
        + sum_{i=0}^{n - t_x - 1} B(alpha + x, beta + t_x - x + i) / B(alpha, beta)
                                  * B(gamma + 1, delta + t_x + i) / B(gamma, delta)

    P(alive in period n + 1) = B(alpha + x, beta + n - x) / B(alpha, beta)
                               * B(gamma, delta + n + 1) / B(gamma, delta) / L

    E[transactions in periods n+1 .. n+m] = B(alpha + x + 1, beta + n - x) / B(alpha, beta) / L
                                            * sum_{k=1}^{m} B(gamma, delta + n + k) / B(gamma, delta)

All terms are summed as logarithms. In the common interface of the models,
``frequency`` = x, ``recency`` = t_x and ``T`` = n, all whole numbers of
periods; a ``weights`` column (customers sharing a pattern) is accepted by
the fit, the form in which the donation data are published.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import betaln, gammaln

from cxterms.errors import DataError, EmptyDataError, ModelError, UsageError
from cxterms.models._optim import (
    FitMixin,
    _as_tuple,
    _check_optimum,
    _log_covariance,
    _minimize,
    _scalar_or_array,
)
from cxterms.models.bgnbd import _compress

__all__ = [
    "BGBBFit",
    "fit_bgbb",
    "validate_periods",
    "log_likelihood_terms",
    "expected_transactions",
    "expected_transactions_unconditional",
    "probability_alive",
    "simulate_bgbb",
]


@dataclass(frozen=True)
class BGBBFit(FitMixin):
    """BG/BB parameters: transaction probability ~ Beta(alpha, beta), dropout probability ~ Beta(gamma, delta)."""

    alpha: float
    beta: float
    gamma: float
    delta: float
    log_likelihood: float | None = None
    converged: bool = True
    iterations: int = 0
    n_customers: int = 0
    covariance: tuple | None = field(default=None, compare=False, repr=False)

    _names = ("alpha", "beta", "gamma", "delta")
    _model = "bgbb"
    _title = "BG/BB"

    def __post_init__(self) -> None:
        self._validate()


_params = BGBBFit.coerce


def validate_periods(frequency, recency, n, weights=None):
    """Check x, t_x, n (whole numbers, 0 <= x <= t_x <= n, t_x = 0 iff x = 0) and weights (>= 0).

    Returns float arrays (x, t_x, n, weights); DataError naming the 1-based row otherwise.

    >>> validate_periods([1, 0], [3, 0], [6, 6])[0].tolist()
    [1.0, 0.0]
    >>> validate_periods([2], [1], [6])
    Traceback (most recent call last):
    ...
    cxterms.errors.DataError: row 1: 2 transactions cannot have happened by period 1
    """
    cols = []
    for name, values in (("frequency", frequency), ("recency", recency), ("n", n)):
        try:
            arr = np.asarray(values, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise DataError(f"{name} must be numbers") from None
        cols.append(arr)
    x, tx, nn = cols
    if x.size == 0:
        raise EmptyDataError("no customers")
    if not (x.size == tx.size == nn.size):
        raise DataError("frequency, recency and n must have the same length")
    w = np.ones(x.size) if weights is None else np.asarray(weights, dtype=float).reshape(-1)
    if w.size != x.size:
        raise DataError("the count column must have one value per row")

    def fail(mask, message):
        bad = np.flatnonzero(mask)
        if bad.size:
            i = int(bad[0])
            raise DataError(f"row {i + 1}: {message(i)}")

    for name, arr in (("frequency", x), ("recency", tx), ("n", nn), ("count", w)):
        fail(~np.isfinite(arr) | (arr < 0), lambda i, name=name, arr=arr: f"{name} {arr[i]:g} is not a number >= 0")
        if name != "count":
            fail(arr != np.floor(arr), lambda i, name=name, arr=arr: f"{name} {arr[i]:g} is not a whole number of periods")
    fail(tx > nn, lambda i: f"recency {tx[i]:g} is greater than n {nn[i]:g}")
    fail(x > tx, lambda i: f"{x[i]:g} transactions cannot have happened by period {tx[i]:g}")
    fail((x == 0) & (tx > 0), lambda i: f"recency {tx[i]:g} should be 0 for a customer with frequency 0")
    return x, tx, nn, w


def _loglik(params, x, tx, n):
    """Per-row log-likelihood. x, t_x and n are whole numbers, so every gamma
    function is read from a table over 0 .. max(n), and the sum over i becomes,
    per distinct x, a reversed cumulative sum over the period m = t_x + i:

        sum_{m=t_x}^{n-1} exp(G(beta + m - x) - G(alpha + beta + m) + G(delta + m) - G(gamma + delta + 1 + m))

    = R_x[t_x] - R_x[n] with R_x[m] = sum over periods >= m (the terms fall
    with m, so the difference loses little precision), scaled by each row's
    largest term to stay in range."""
    a, b, g, d = params
    x = np.asarray(x, dtype=float)
    xi, txi, ni = x.astype(np.int64), np.asarray(tx).astype(np.int64), np.asarray(n).astype(np.int64)
    top = int(ni.max()) + 2 if ni.size else 2
    m = np.arange(top, dtype=float)
    lb_ab, lb_gd = betaln(a, b), betaln(g, d)
    lg_b = gammaln(b + m)
    lg_ab = gammaln(a + b + m)
    lg_d = gammaln(d + m)
    lg_gd1 = gammaln(g + d + 1.0 + m)
    lg_ax = gammaln(a + x)
    # alive through period n
    alive = lg_ax + lg_b[ni - xi] - lg_ab[ni] - lb_ab + math.lgamma(g) + lg_d[ni] - gammaln(g + d + ni) - lb_gd
    # dropped out in period m + 1, for m = t_x .. n - 1
    ux, inv = np.unique(xi, return_inverse=True)
    inv = inv.reshape(-1)
    shift = m[None, :] - ux[:, None]
    valid = shift >= 0
    logf = np.where(valid, lg_b[np.clip(shift, 0, top - 1).astype(np.int64)] - lg_ab[None, :] + lg_d[None, :] - lg_gd1[None, :], -np.inf)
    peak = np.max(logf, axis=1, keepdims=True)
    f = np.exp(logf - peak)
    rev = np.cumsum(f[:, ::-1], axis=1)[:, ::-1]  # rev[:, m] = sum over periods >= m
    rev = np.concatenate([rev, np.zeros((rev.shape[0], 1))], axis=1)
    part = rev[inv, txi] - rev[inv, ni]
    with np.errstate(divide="ignore"):
        dead = lg_ax - lb_ab + math.lgamma(g + 1.0) - lb_gd + peak[inv, 0] + np.log(np.maximum(part, 0.0))
    return np.logaddexp(alive, dead)


def _objective(x, tx, n, w):
    """Mean negative log-likelihood over rows weighted by ``w``, with its analytic
    gradient on the log-parameter scale (the likelihood as in :func:`_loglik`).

    Every parameter enters through beta functions of whole-number shifts, whose
    derivatives are differences of digammas: psi(z + k) - psi(z), the sum of
    1 / (z + j) for j < k, read from a table. With pi_A = A / L the posterior
    probability of being alive through period n and pi_m = D_m / L that of
    dropping out after period m (A and D_m the two kinds of terms of L)::

        d log L / d alpha = S_alpha(x) - E[S_ab(M)]
        d log L / d beta  = E[S_beta(M - x)] - E[S_ab(M)]
        d log L / d gamma = (1 - pi_A) / gamma - E[S_gd(M + [M < n])]
        d log L / d delta = E[S_delta(M)] - E[S_gd(M + [M < n])]

    where S_z(k) = psi(z + k) - psi(z) (z: alpha, beta, alpha + beta = ab, delta,
    gamma + delta = gd) and M is n with probability pi_A and m with pi_m. The
    sums over m use the same reversed cumulative sums as the likelihood. All
    tables come from one array operation each: the data have few distinct
    patterns, so the cost is in the number of numpy calls, not their size.
    """
    xi = np.asarray(x).astype(np.int64)
    txi = np.asarray(tx).astype(np.int64)
    ni = np.asarray(n).astype(np.int64)
    w = np.asarray(w, dtype=float)
    wsum = float(w.sum())
    top = int(ni.max()) + 2
    m = np.arange(top + 1, dtype=float)
    ux, inv = np.unique(xi, return_inverse=True)
    inv = inv.reshape(-1)
    shift = np.arange(top)[None, :] - ux[:, None]
    invalid = shift < 0
    shift = np.clip(shift, 0, top - 1)
    nx = ni - xi
    rows = np.arange(xi.shape[0])
    base = np.empty(5)

    def fun(theta):
        a, b, g, d = np.exp(theta)
        with np.errstate(all="ignore"):
            base[:] = (b, a + b, d, g + d, a)
            z = base[:, None] + m  # rows: beta, ab, delta, gd, alpha (+ 0 .. top)
            lg_b, lg_ab, lg_d, lg_gd = gammaln(z[:4])
            recip = np.zeros((5, top + 2))
            np.cumsum(1.0 / z, axis=1, out=recip[:, 1:])
            s_b, s_ab, s_d, s_gd, s_a = recip  # s_z[k] = psi(z + k) - psi(z)
            lb_ab = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
            lb_gd = math.lgamma(g) + math.lgamma(d) - math.lgamma(g + d)
            lg_ax = gammaln(a + ux)[inv]
            alive = lg_ax + (lg_b[nx] - lg_ab[ni] + lg_d[ni] - lg_gd[ni] + (math.lgamma(g) - lb_ab - lb_gd))
            # dead after period m: log G(beta + m - x) - log G(ab + m) + log G(delta + m) - log G(gd + 1 + m)
            logf = lg_b[shift] + (lg_d[:top] - lg_ab[:top] - lg_gd[1:top + 1])
            logf[invalid] = -np.inf
            peak = logf.max(axis=1)
            f = np.exp(logf - peak[:, None])
            # five weightings of the dead terms: 1, S_ab(m), S_beta(m - x), S_delta(m), S_gd(m + 1)
            stack = np.empty((5,) + f.shape)
            stack[0] = f
            np.multiply(f, s_ab[:top], out=stack[1])
            np.multiply(f, s_b[shift], out=stack[2])
            np.multiply(f, s_d[:top], out=stack[3])
            np.multiply(f, s_gd[1:top + 1], out=stack[4])
            rev = np.zeros(stack.shape[:2] + (top + 1,))
            np.cumsum(stack[:, :, ::-1], axis=2, out=rev[:, :, top - 1::-1])
            part = rev[:, inv, txi] - rev[:, inv, ni]  # sums over m = t_x .. n - 1, per row
            p0 = np.maximum(part[0], 0.0)
            dead = lg_ax + (math.lgamma(g + 1.0) - lb_ab - lb_gd) + peak[inv] + np.log(p0)
            ll = np.logaddexp(alive, dead)
            value = -float(np.dot(w, ll)) / wsum
            if not math.isfinite(value):
                return np.inf, np.zeros(4)
            pa = np.exp(alive - ll)
            pd = np.exp(dead - ll)
            e_ab, e_b, e_d, e_gd = np.where(p0 > 0, part[1:] / np.where(p0 > 0, p0, 1.0), 0.0) * pd
            # per row: d/dalpha, d/dbeta, d/dgamma, d/ddelta of log L
            terms = np.empty((4, rows.shape[0]))
            ab_alive = pa * s_ab[ni]
            gd_alive = pa * s_gd[ni]
            terms[0] = s_a[xi] - ab_alive - e_ab
            terms[1] = pa * s_b[nx] - ab_alive + e_b - e_ab
            terms[2] = pd / g - gd_alive - e_gd
            terms[3] = pa * s_d[ni] - gd_alive + e_d - e_gd
            grad = (terms @ w) * (a, b, g, d) / wsum
        if not np.all(np.isfinite(grad)):
            return np.inf, np.zeros(4)
        return value, -grad

    return fun


def log_likelihood_terms(params, frequency, recency, n) -> np.ndarray:
    """Per-customer BG/BB log-likelihood (see the module doc).

    >>> round(float(log_likelihood_terms((1.204, 0.750, 0.657, 2.783), [3], [4], [6])[0]), 4)
    -5.0593
    """
    x, tx, nn, _ = validate_periods(frequency, recency, n)
    return _loglik(_params(params), x, tx, nn)


def fit_bgbb(frequency, recency, n, *, weights=None, initial=None) -> BGBBFit:
    """Maximum-likelihood BG/BB estimates of alpha, beta, gamma, delta.

    ``weights`` (optional) counts the customers sharing each row's pattern.
    Invalid columns, fewer than 2 customers or no repeat transactions ->
    DataError; unidentified or non-converged estimates -> ModelError.

    >>> x, tx, n = simulate_bgbb(1.2, 0.75, 0.66, 2.8, 2000, 6, rng=1)
    >>> fit = fit_bgbb(x, tx, n)
    >>> fit.converged, fit.n_customers
    (True, 2000)
    """
    x, tx, nn, w = validate_periods(frequency, recency, n, weights)
    total = float(w.sum())
    if total < 2:
        raise DataError(f"the BG/BB model needs at least 2 customers, got {total:g}")
    if not np.any((x > 0) & (w > 0)):
        raise DataError("no customer made a repeat transaction: the BG/BB model cannot be fitted")
    (ux, utx, un), counts, inverse = _compress(x, tx, nn)
    uw = np.bincount(inverse, weights=w, minlength=ux.size)
    keep = uw > 0
    fun = _objective(ux[keep], utx[keep], un[keep], uw[keep])
    starts = [np.log(_params(initial))] if initial is not None else []
    starts += [np.log(s) for s in ((1.0, 1.0, 1.0, 1.0), (0.5, 0.5, 0.5, 3.0), (2.0, 1.0, 1.0, 5.0))]
    opt = _minimize(fun, starts, n_total=total, first_success=True)
    params = _check_optimum(opt, BGBBFit._names, "BG/BB")
    return BGBBFit(*(float(v) for v in params), log_likelihood=float(-opt.value * total), converged=True,
                   iterations=opt.iterations, n_customers=int(round(total)),
                   covariance=_as_tuple(_log_covariance(fun, opt.theta, total, hess=opt.hess)))


def _columns(frequency, recency, n):
    x = np.asarray(frequency, dtype=float)
    tx = np.asarray(recency, dtype=float)
    nn = np.asarray(n, dtype=float)
    try:
        x, tx, nn = np.broadcast_arrays(x, tx, nn)
    except ValueError:
        raise DataError("frequency, recency and n must have the same length") from None
    shape = x.shape
    vx, vtx, vn, _ = validate_periods(x.ravel(), tx.ravel(), nn.ravel())
    return vx.reshape(shape), vtx.reshape(shape), vn.reshape(shape)


def _whole(t) -> np.ndarray:
    arr = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr != np.floor(arr)):
        raise UsageError(f"BG/BB predicts whole periods: t must be a whole number >= 0, not {t!r}")
    return arr


def _survival_sum(g, d, n, m):
    """sum_{k=1}^{m} B(gamma, delta + n + k) / B(gamma, delta), in closed form.

    = delta / (gamma - 1) * G(gamma + delta) / G(1 + delta)
      * [G(1 + delta + n) / G(gamma + delta + n) - G(1 + delta + n + m) / G(gamma + delta + n + m)];
    at gamma = 1 (0/0) the mean of gamma = 1 +- 1e-6 is used.
    """
    def core(gg):
        c = math.log(d) - math.log(abs(gg - 1.0)) + math.lgamma(gg + d) - math.lgamma(1.0 + d)
        first = gammaln(1.0 + d + n) - gammaln(gg + d + n)
        last = gammaln(1.0 + d + n + m) - gammaln(gg + d + n + m)
        return math.copysign(1.0, gg - 1.0) * np.exp(c + first) * -np.expm1(last - first)

    if abs(g - 1.0) < 1e-6:
        return 0.5 * (core(1.0 + 1e-6) + core(1.0 - 1e-6))
    return core(g)


def _per_pattern(x, tx, nn, compute) -> np.ndarray:
    """``compute(x, t_x, n)`` once per distinct (x, t_x, n) pattern (flat arrays), spread back to
    every customer in the shape of ``x``: BG/BB data have few patterns and many customers each."""
    if x.size < 64:
        return compute(x.ravel(), tx.ravel(), nn.ravel()).reshape(x.shape)
    (ux, utx, un), _, inverse = _compress(x.ravel(), tx.ravel(), nn.ravel())
    return compute(ux, utx, un)[inverse].reshape(x.shape)


def probability_alive(fit: BGBBFit, frequency, recency, n) -> float | np.ndarray:
    """P(alive in period n + 1 | x, t_x, n).

    >>> round(probability_alive(BGBBFit(1.204, 0.750, 0.657, 2.783), 3, 4, 6), 4)
    0.4395
    """
    x, tx, nn = _columns(frequency, recency, n)
    a, b, g, d = fit.values

    def compute(x, tx, nn):
        log_alive = betaln(a + x, b + nn - x) - betaln(a, b) + betaln(g, d + nn + 1.0) - betaln(g, d)
        return np.exp(log_alive - _loglik(fit.values, x, tx, nn))

    return _scalar_or_array(np.minimum(_per_pattern(x, tx, nn, compute), 1.0), frequency, recency, n)


def expected_transactions(fit: BGBBFit, t, frequency, recency, n) -> float | np.ndarray:
    """E[transactions in the next t periods | x, t_x, n] (t a whole number).

    >>> round(expected_transactions(BGBBFit(1.204, 0.750, 0.657, 2.783), 5, 3, 4, 6), 4)
    1.0342
    """
    m = _whole(t)
    x, tx, nn = _columns(frequency, recency, n)
    a, b, g, d = fit.values

    def compute(x, tx, nn):
        log_p = betaln(a + x + 1.0, b + nn - x) - betaln(a, b) - _loglik(fit.values, x, tx, nn)
        return np.exp(log_p) * _survival_sum(g, d, nn, m)

    if m.ndim == 0:
        result = _per_pattern(x, tx, nn, compute)
    else:  # horizons that vary: broadcast against the customers as given
        ll = _loglik(fit.values, x.ravel(), tx.ravel(), nn.ravel()).reshape(x.shape)
        result = np.exp(betaln(a + x + 1.0, b + nn - x) - betaln(a, b) - ll) * _survival_sum(g, d, nn, m)
    if not np.all(np.isfinite(result)):
        raise ModelError("expected transactions could not be evaluated (numerical overflow)")
    return _scalar_or_array(np.maximum(result, 0.0), t, frequency, recency, n)


def expected_transactions_unconditional(fit: BGBBFit, t) -> float | np.ndarray:
    """E[X(t)]: expected transactions in the first t opportunities of a new customer.

    Fractional t is rounded down (a period counts once it is complete).

    >>> round(expected_transactions_unconditional(BGBBFit(1.204, 0.750, 0.657, 2.783), 6), 4)
    2.2196
    """
    arr = np.floor(np.asarray(t, dtype=float))
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise UsageError(f"t must be >= 0, not {t!r}")
    a, b, g, d = fit.values
    return _scalar_or_array(np.asarray(a / (a + b) * _survival_sum(g, d, 0.0, arr), dtype=float), t)


def simulate_bgbb(alpha, beta, gamma, delta, n_customers, n, rng=None):
    """Simulate (x, t_x, n) for BG/BB customers with ``n`` opportunities each (a number or one per customer).

    >>> x, tx, n = simulate_bgbb(1.2, 0.75, 0.66, 2.8, 5, 6, rng=0)
    >>> bool(((x <= tx) & (tx <= n)).all())
    True
    """
    gen = np.random.default_rng(rng)
    k = int(n_customers)
    if k < 0:
        raise UsageError("n_customers must be >= 0")
    nn = np.broadcast_to(np.asarray(n, dtype=float), (k,)).copy()
    if np.any(nn < 0) or np.any(nn != np.floor(nn)):
        raise UsageError("n must be whole numbers >= 0")
    p = gen.beta(alpha, beta, k)
    theta = gen.beta(gamma, delta, k)
    dies = gen.geometric(np.clip(theta, 1e-300, 1.0))  # first period in which the customer is gone
    alive = np.minimum(dies - 1, nn)
    width = int(nn.max()) if k else 0
    x = np.zeros(k)
    tx = np.zeros(k)
    for period in range(1, width + 1):
        buys = (period <= alive) & (gen.random(k) < p)
        x += buys
        tx = np.where(buys, period, tx)
    return x, tx, nn
