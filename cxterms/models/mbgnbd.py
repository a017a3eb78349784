"""MBG/NBD model of repeat buying (Batislam, Denizel & Filiztekin 2007).

Reference: E. P. Batislam, M. Denizel and A. Filiztekin, "Empirical
validation and comparison of models for customer base analysis",
International Journal of Research in Marketing 24(3), 2007, 201-209.

As BG/NBD (:mod:`cxterms.models.bgnbd`), except that a customer may also drop
out right after the *first* purchase (at time 0), with the same probability
p ~ Beta(a, b) as after every repeat purchase. So a customer without repeat
purchases is not certainly alive, which removes BG/NBD's oddity that such
customers always have P(alive) = 1. With B the beta function::

    L = G(r + x) alpha^r / G(r) * [ B(a, b + x + 1) / B(a, b) / (alpha + T)^(r+x)
                                    + B(a + 1, b + x) / B(a, b) / (alpha + t_x)^(r+x) ]

    P(alive) = 1 / (1 + a / (b + x) * ((alpha + T) / (alpha + t_x))^(r+x))

    E[Y(t)]  = (a + b + x) / (a - 1)
               * [1 - ((alpha + T) / (alpha + T + t))^(r+x) 2F1(r + x, b + x + 1; a + b + x; t / (alpha + T + t))]
               * P(alive)

E[Y(t)] is BG/NBD's expression with b + 1 for b, evaluated with the same
overflow-free transformation. The fit uses the analytic gradient.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import digamma, expit, gammaln, log_expit

from cxterms.errors import DataError, ModelError, UsageError
from cxterms.models._optim import (
    FitMixin,
    _as_tuple,
    _check_optimum,
    _log_covariance,
    _minimize,
    _scalar_or_array,
    subsample,
)
from cxterms.models.bgnbd import (
    _block_sums,
    _blocks,
    _check_t,
    _compress,
    _dot,
    _one_minus_2f1,
    _prediction_columns,
    _wsum,
)
from cxterms.models.rfm import validate_columns

__all__ = [
    "MBGNBDFit",
    "fit_mbgnbd",
    "log_likelihood_terms",
    "expected_transactions",
    "expected_transactions_unconditional",
    "probability_alive",
    "simulate_mbgnbd",
]


@dataclass(frozen=True)
class MBGNBDFit(FitMixin):
    """MBG/NBD parameters: purchase rates ~ Gamma(r, alpha), dropout probability ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float | None = None
    converged: bool = True
    iterations: int = 0
    n_customers: int = 0
    covariance: tuple | None = field(default=None, compare=False, repr=False)

    _names = ("r", "alpha", "a", "b")
    _model = "mbgnbd"
    _title = "MBG/NBD"

    def __post_init__(self) -> None:
        self._validate()


_params = MBGNBDFit.coerce


def _odds(r, alpha, a, b, x, tx, T):
    """log of a / (b + x) * ((alpha + T) / (alpha + t_x))^(r + x): dead-versus-alive odds."""
    return math.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))


def _loglik(params, x, tx, T):
    r, alpha, a, b = params
    base = (gammaln(r + x) - math.lgamma(r) + r * math.log(alpha)
            + gammaln(b + x + 1.0) - gammaln(a + b + x + 1.0) - gammaln(b) + gammaln(a + b)
            - (r + x) * np.log(alpha + T))
    return base - log_expit(-_odds(r, alpha, a, b, x, tx, T))


def log_likelihood_terms(params, frequency, recency, T) -> np.ndarray:
    """Per-customer MBG/NBD log-likelihood (see the module doc).

    >>> round(float(log_likelihood_terms((0.525, 6.183, 0.891, 1.614), [2], [30.43], [38.86])[0]), 4)
    -9.4856
    """
    x, tx, t, _ = validate_columns(frequency, recency, T)
    return _loglik(_params(params), x, tx, t)


def _zero_sums(alpha, log_alpha, c0, r, w, T, blocks):
    """The sums of :func:`cxterms.models.bgnbd._block_sums` for customers without repeat
    purchases (x = 0, t_x = 0), where odds = log(a / b) + r (log(alpha + T) - log alpha):
    one logarithm per customer instead of two, no per-x lookups, and the terms that vanish
    with x left out. Returns the sums of w log(alpha + T), w softplus(odds), w P(dead),
    w P(dead) (log(alpha + T) - log alpha), w / (alpha + T) and w P(dead) (1 / alpha - 1 / (alpha + T)),
    the last as P(dead) T / (alpha (alpha + T)), free of cancellation."""
    s_lT = s_sp = s_w4 = s_w4d = s_iT = s_q = 0.0
    for sl in blocks:
        wb, Tb = w[sl], T[sl]
        aT = Tb + alpha
        log_aT = np.log(aT)
        diff = log_aT - log_alpha
        odds = diff * r
        odds += c0
        sp = np.logaddexp(0.0, odds)
        w4 = np.exp(np.subtract(odds, sp, out=odds), out=odds)
        s_lT += _dot(wb, log_aT)
        s_sp += _dot(wb, sp)
        wbw4 = np.multiply(wb, w4, out=w4)
        s_w4 += float(wbw4.sum())
        s_w4d += _dot(wbw4, diff)
        iT = np.divide(1.0, aT, out=aT)
        s_iT += _dot(wb, iT)
        iT *= Tb
        s_q += _dot(wbw4, iT)
    return s_lT, s_sp, s_w4, s_w4d, s_iT, s_q / alpha


def _objective(x, tx, T, w):
    """Mean negative log-likelihood and analytic gradient; gamma terms once per distinct x
    (weighted by the number of customers with it), per-customer terms summed in blocks
    (see :func:`cxterms.models.bgnbd._block_sums`; customers without repeat purchases
    through :func:`_zero_sums`)::

        log L = c(x) + r log alpha - (r + x) log(alpha + T) + softplus(odds)
    """
    wsum = float(w.sum())
    xu, xi = np.unique(x, return_inverse=True)
    xi = xi.reshape(-1)
    wx = np.bincount(xi, weights=w, minlength=xu.shape[0])
    zero = x == 0
    w0, T0 = np.ascontiguousarray(w[zero]), np.ascontiguousarray(T[zero])
    pos = ~zero
    wp, txp, Tp = w[pos], tx[pos], T[pos]
    xip = np.searchsorted(xu, x[pos])  # index into the distinct x, as xi
    wxw = wp * x[pos]
    blocks0, blocks = _blocks(T0.shape[0]), _blocks(wp.shape[0])

    def fun(theta):
        r, alpha, a, b = np.exp(theta)
        log_alpha = math.log(alpha)
        with np.errstate(all="ignore"):
            rx, bx, abx1 = r + xu, b + xu, a + b + xu + 1.0
            c_x = (gammaln(rx) + gammaln(bx + 1.0) - gammaln(abx1)
                   - math.lgamma(r) - math.lgamma(b) + math.lgamma(a + b))
            s_lT, s_lTx, s_sp, s_w4, s_w4d, s_w4b, s_iT, s_iTx, s_q, s_qx = _block_sums(
                alpha, math.log(a), rx, np.log(bx), 1.0 / bx, wp, wxw, xip, txp, Tp, blocks)
            z_lT, z_sp, z_w4, z_w4d, z_iT, z_q = _zero_sums(alpha, log_alpha, math.log(a / b), r, w0, T0, blocks0)
            s_lT += z_lT
            s_sp += z_sp
            s_w4 += z_w4
            s_w4d += z_w4d
            s_w4b += z_w4 / b
            s_iT += z_iT
            s_q += z_q
            value = -(_dot(wx, c_x) + r * log_alpha * wsum - (r * s_lT + s_lTx) + s_sp) / wsum
        if not math.isfinite(value):
            return np.inf, np.zeros(4)
        psi_ab = digamma(a + b)
        psi_abx = digamma(abx1)
        d_r = _dot(wx, digamma(rx) - digamma(r)) + log_alpha * wsum - s_lT + s_w4d
        d_alpha = r / alpha * wsum - (r * s_iT + s_iTx) - (r * s_q + s_qx)
        d_a = _dot(wx, psi_ab - psi_abx) + s_w4 / a
        d_b = _dot(wx, digamma(bx + 1.0) - psi_abx - digamma(b) + psi_ab) - s_w4b
        grad = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b]) / wsum
        return value, -grad

    return fun


def fit_mbgnbd(frequency, recency, T, *, initial=None) -> MBGNBDFit:
    """Maximum-likelihood MBG/NBD estimates of r, alpha, a, b.

    Errors as for :func:`cxterms.models.bgnbd.fit_bgnbd`.

    >>> x, tx, t = simulate_mbgnbd(0.5, 6.0, 0.9, 1.6, 800, 39.0, rng=1)
    >>> fit = fit_mbgnbd(x, tx, t)
    >>> fit.converged, sorted(fit.params)
    (True, ['a', 'alpha', 'b', 'r'])
    """
    x, tx, t, _ = validate_columns(frequency, recency, T)
    n = x.shape[0]
    if n < 2:
        raise DataError(f"the MBG/NBD model needs at least 2 customers, got {n}")
    if not np.any(x > 0):
        raise DataError("no customer made a repeat purchase: the MBG/NBD model cannot be fitted")
    (ux, utx, ut), w, _ = _compress(x, tx, t)
    fun = _objective(ux, utx, ut, w)
    total_T = _wsum(w, ut)
    rate = min(max(_wsum(w, ux) / total_T if total_T > 0 else 1.0, 1e-6), 1e6)
    starts = [np.log(_params(initial))] if initial is not None else []
    starts += [np.log([r0, r0 / rate, a0, b0]) for r0, a0, b0 in ((1.0, 1.0, 1.0), (0.5, 0.5, 2.0), (2.0, 2.0, 6.0))]
    sub = subsample(w.shape[0])
    coarse = None if sub is None else _objective(ux[sub], utx[sub], ut[sub], w[sub])
    opt = _minimize(fun, starts, n_total=float(w.sum()), first_success=True, coarse=coarse)
    params = _check_optimum(opt, MBGNBDFit._names, "MBG/NBD")
    return MBGNBDFit(*(float(v) for v in params), log_likelihood=float(-opt.value * float(w.sum())), converged=True,
                     iterations=opt.iterations, n_customers=n,
                     covariance=_as_tuple(_log_covariance(fun, opt.theta, float(w.sum()), hess=opt.hess)))


def probability_alive(fit: MBGNBDFit, frequency, recency, T) -> float | np.ndarray:
    """P(alive | x, t_x, T) = 1 / (1 + a / (b + x) ((alpha + T) / (alpha + t_x))^(r + x)).

    >>> fit = MBGNBDFit(0.525, 6.183, 0.891, 1.614)
    >>> round(probability_alive(fit, 0, 0, 38.86), 4), round(probability_alive(fit, 2, 30.43, 38.86), 4)
    (0.3897, 0.7062)
    """
    x, tx, age = _prediction_columns(frequency, recency, T)
    r, alpha, a, b = fit.values
    return _scalar_or_array(expit(-_odds(r, alpha, a, b, x, tx, age)), frequency, recency, T)


def expected_transactions(fit: MBGNBDFit, t, frequency, recency, T) -> float | np.ndarray:
    """E[Y(t) | x, t_x, T] (see the module doc).

    >>> fit = MBGNBDFit(0.525, 6.183, 0.891, 1.614)
    >>> round(expected_transactions(fit, 39, 2, 30.43, 38.86), 4)
    1.263
    """
    t_arr = _check_t(t)
    x, tx, age = _prediction_columns(frequency, recency, T)
    r, alpha, a, b = fit.values
    result = _one_minus_2f1(r, alpha + age, a, b + 1.0, x, t_arr) * expit(-_odds(r, alpha, a, b, x, tx, age))
    result = np.maximum(result, 0.0)
    if not np.all(np.isfinite(result)):
        raise ModelError("expected transactions could not be evaluated (numerical overflow)")
    return _scalar_or_array(result, t, frequency, recency, T)


def expected_transactions_unconditional(fit: MBGNBDFit, t) -> float | np.ndarray:
    """E[X(t)] = b / (a - 1) * [1 - (alpha / (alpha + t))^r 2F1(r, b + 1; a + b; t / (alpha + t))].

    >>> round(expected_transactions_unconditional(MBGNBDFit(0.525, 6.183, 0.891, 1.614), 39), 4)
    1.183
    """
    t_arr = _check_t(t)
    r, alpha, a, b = fit.values
    result = b / (a + b) * _one_minus_2f1(r, alpha, a, b + 1.0, 0.0, t_arr)
    return _scalar_or_array(np.maximum(np.asarray(result, dtype=float), 0.0), t)


def simulate_mbgnbd(r, alpha, a, b, n_customers, T, rng=None):
    """Simulate (frequency, recency, T) for MBG/NBD customers.

    As :func:`cxterms.models.bgnbd.simulate_bgnbd`, but the customer may die
    at time 0: the number of repeat purchases before dying is Geometric(p) - 1.

    >>> f, t_x, t = simulate_mbgnbd(0.5, 6.0, 0.9, 1.6, 3, 39.0, rng=0)
    >>> f.shape
    (3,)
    """
    gen = np.random.default_rng(rng)
    n = int(n_customers)
    if n < 0:
        raise UsageError("n_customers must be >= 0")
    age = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    lam = gen.gamma(r, 1.0 / alpha, n)
    p = gen.beta(a, b, n)
    n_purchases = gen.poisson(lam * age)
    survived = gen.geometric(np.clip(p, 1e-300, 1.0)) - 1
    x = np.minimum(n_purchases, survived)
    xpos = x > 0
    frac = np.zeros(n)
    frac[xpos] = gen.beta(x[xpos], n_purchases[xpos] - x[xpos] + 1)
    return x.astype(float), frac * age, age
