"""Pareto/NBD model of repeat buying (Schmittlein, Morrison & Colombo 1987).

References: D. C. Schmittlein, D. G. Morrison and R. Colombo, "Counting Your
Customers: Who Are They and What Will They Do Next?", Management Science
33(1), 1987, 1-24; P. S. Fader and B. G. S. Hardie, "A Note on Deriving the
Pareto/NBD Model and Related Expressions", 2005.

Assumptions: while alive, a customer buys as a Poisson process with rate
lambda ~ Gamma(r, alpha); their lifetime is exponential with rate mu ~
Gamma(s, beta), independent of lambda. Data per customer: x repeat
transactions, t_x the time of the last, T the time observed (as for BG/NBD,
see :mod:`cxterms.models.rfm`).

With C = G(r + x) alpha^r beta^s / G(r), the likelihood is::

    L = C [ (alpha + T)^-(r+x) (beta + T)^-s + s * Integral_{t_x}^{T} (alpha + u)^-(r+x) (beta + u)^-(s+1) du ]

The integral is evaluated as H(t_x) - H(T) with the antiderivative, for alpha >= beta,

    H(u) = (alpha + u)^-(r+x) (beta + u)^-s 2F1(1, r + x; r + s + x + 1; (alpha - beta)/(alpha + u)) / (r + s + x)

and for alpha < beta

    H(u) = (alpha + u)^(1-r-x) (beta + u)^-(s+1) 2F1(1, s + 1; r + s + x + 1; (beta - alpha)/(beta + u)) / (r + s + x)

(Euler transformations of the textbook 2F1(r + s + x, ...) terms). These
hypergeometric series have first parameter 1, positive terms and a bounded
sum, so all the work is done with logarithms and nothing overflows, however
large x or T.

The fit maximises the log-likelihood with its analytic gradient (see
:func:`_objective`). The derivatives of F = 2F1(1, b; c; z) in b, c and z are
power series with F's own coefficients t_n = (b)_n / (c)_n, times the partial
sums of 1/(b + k), of -1/(c + k), or times n / z, so all four are summed
together: per distinct x the coefficients are shared, which makes them
polynomials in z evaluated as small matrix products. For z > 0.85 (alpha and
beta far apart, u small: rare at an optimum) F comes from scipy and its
derivatives from central differences. Standard errors and the ridge check
use the Hessian by differences of that gradient.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import digamma, gammaln, hyp2f1

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
from cxterms.models.bgnbd import _check_t, _compress, _prediction_columns
from cxterms.models.rfm import validate_columns

__all__ = [
    "ParetoNBDFit",
    "fit_pareto",
    "log_likelihood_terms",
    "expected_transactions",
    "expected_transactions_unconditional",
    "probability_alive",
    "simulate_pareto",
]


@dataclass(frozen=True)
class ParetoNBDFit(FitMixin):
    """Pareto/NBD parameters: purchase rates ~ Gamma(r, alpha), dropout rates ~ Gamma(s, beta)."""

    r: float
    alpha: float
    s: float
    beta: float
    log_likelihood: float | None = None
    converged: bool = True
    iterations: int = 0
    n_customers: int = 0
    covariance: tuple | None = field(default=None, compare=False, repr=False)

    _names = ("r", "alpha", "s", "beta")
    _model = "pareto"
    _title = "Pareto/NBD"

    def __post_init__(self) -> None:
        self._validate()


_params = ParetoNBDFit.coerce


_SERIES_Z = 0.6  # below this the power series of 2F1(1, b; c; z) converges in <= 80 terms


def _f1(b, c, z):
    """2F1(1, b; c; z) for c > b > 0 and 0 <= z < 1, vectorised.

    sum_n (b)_n / (c)_n z^n: every term is positive and at most z^n, so for
    z <= 0.6 the series is summed directly (to a relative 1e-17); larger z go
    to scipy's hyp2f1, which handles them with transformations.
    """
    b, c, z = np.broadcast_arrays(np.asarray(b, dtype=float), np.asarray(c, dtype=float), np.asarray(z, dtype=float))
    out = np.empty(z.shape)
    small = z <= _SERIES_Z
    if small.any():
        bs, cs, zs = b[small], c[small], z[small]
        done = np.empty(zs.shape)
        pos = np.arange(zs.shape[0])
        total = np.ones(zs.shape)
        term = np.ones(zs.shape)
        n = 0
        while True:
            for _ in range(6):
                term *= bs + n
                term /= cs + n
                term *= zs
                total += term
                n += 1
            live = term > 1e-17 * total
            if n > 200 or not live.any():
                done[pos] = total
                break
            if np.count_nonzero(live) < 0.75 * live.shape[0]:  # drop the sums that have converged
                dead = ~live
                done[pos[dead]] = total[dead]
                pos, total, term, bs, cs, zs = pos[live], total[live], term[live], bs[live], cs[live], zs[live]
        out[small] = done
    if not small.all():
        big = ~small
        out[big] = hyp2f1(1.0, b[big], c[big], z[big])
        bad = np.flatnonzero(~np.isfinite(out) & big)
        for i in bad:  # rare: scipy gives up (large b, z near 1); sum the series in blocks instead
            out.flat[i] = _f1_long_series(float(b.flat[i]), float(c.flat[i]), float(z.flat[i]))
    return out


def _f1_long_series(b: float, c: float, z: float, block: int = 65536, max_terms: int = 20_000_000) -> float:
    """2F1(1, b; c; z) by its power series, summed in blocks of log-space terms (nan if it will not converge)."""
    total = 0.0
    log_term = 0.0
    n0 = 0
    while n0 < max_terms:
        n = np.arange(n0, n0 + block, dtype=float)
        logs = log_term + np.concatenate([[0.0], np.cumsum(np.log((b + n[:-1]) / (c + n[:-1]) * z))])
        terms = np.exp(logs)
        total += math.fsum(terms)
        log_term = float(logs[-1] + math.log((b + n[-1]) / (c + n[-1]) * z))
        n0 += block
        if math.exp(log_term) < 1e-17 * total:
            return total
    return math.nan


def _log_h(r, alpha, s, beta, x, u):
    """log H(u) (see the module doc)."""
    rsx = r + s + x
    if alpha >= beta:
        z = (alpha - beta) / (alpha + u)
        return -(r + x) * np.log(alpha + u) - s * np.log(beta + u) + np.log(_f1(r + x, rsx + 1.0, z)) - np.log(rsx)
    z = (beta - alpha) / (beta + u)
    return (1.0 - r - x) * np.log(alpha + u) - (s + 1.0) * np.log(beta + u) + np.log(_f1(s + 1.0, rsx + 1.0, z)) - np.log(rsx)


def _log_parts(r, alpha, s, beta, x, tx, T, h_tx=None, h_T=None):
    """(log first term, log second term) of L / C: alive through T, and died between t_x and T.
    ``h_tx`` and ``h_T`` are log H(t_x) and log H(T) when already known."""
    log_a = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    h_tx = _log_h(r, alpha, s, beta, x, tx) if h_tx is None else h_tx
    h_T = _log_h(r, alpha, s, beta, x, T) if h_T is None else h_T
    diff = np.where(T > tx, -np.expm1(np.minimum(h_T - h_tx, 0.0)), 0.0)
    with np.errstate(divide="ignore"):
        log_b = math.log(s) + h_tx + np.log(diff)
    return log_a, log_b


def _loglik(params, x, tx, T):
    r, alpha, s, beta = params
    log_c = gammaln(r + x) - math.lgamma(r) + r * math.log(alpha) + s * math.log(beta)
    log_a, log_b = _log_parts(r, alpha, s, beta, x, tx, T)
    return log_c + np.logaddexp(log_a, log_b)


# ---------------------------------------------------------------------------
# Log-likelihood with its analytic gradient, for the fit
# ---------------------------------------------------------------------------

_TAIL = 1e-17  # truncation bound on the series tails, relative to F >= 1
_BUFFER = 1 << 19  # scratch doubles for the powers of z (4 MB), whatever the number of customers


def _terms_needed(z: float) -> int:
    """Series terms that make every tail in :func:`_f1_series_grad` < _TAIL for this z, whatever
    b and c (c > b > 0, c > 1): t_n S(n) <= 1 + log(n + 1), so the bound there is at most
    z^n (n + 3 + 2 log(n + 1)) / (1 - z)^2."""
    n = np.arange(1, 5000, dtype=float)
    ok = np.exp(n * math.log(z)) * (n + 3.0 + 2.0 * np.log1p(n)) < _TAIL * (1.0 - z) ** 2
    return int(n[np.argmax(ok)])


# z bands (upper ends) summed as series, each with enough terms for its top; above the last,
# 2F1 goes to scipy and its derivatives are taken by differences (:func:`_f1_big`)
_BANDS = tuple((z, _terms_needed(z)) for z in (0.2, 0.4, 0.6, 0.85))


def _f1_series_grad(b, c, starts, counts, z, rows: int, terms: int, buf):
    """2F1(1, b; c; z) and its derivatives in b, c and z as a (rows, len(z)) array (rows = 1: the value only).

    ``b`` and ``c`` are given per group (one group per distinct x), and ``z``
    holds the groups one after another (``starts``, ``counts``), largest z
    first within each. With t_n = (b)_n / (c)_n the coefficients are the same
    for a whole group, so the four sums are polynomials in z::

        F   = sum t_n z^n                      F_b = sum t_n S_b(n) z^n,  S_b(n) = sum_{k<n} 1 / (b + k)
        F_z = sum (n + 1) t_{n+1} z^n          F_c = -sum t_n S_c(n) z^n, S_c(n) = sum_{k<n} 1 / (c + k)

    evaluated as one small matrix product per group, with the powers of z
    computed once. A group uses the first N terms such that
    t_N z^N (N + 1 + S_b(N) + S_c(N)) / (1 - z)^2 < 1e-17 at its largest z,
    which bounds every tail (t_{n+1} / t_n < 1 and the S grow slowly); at most
    ``terms`` (see :func:`_terms_needed`). ``buf`` is flat scratch space of at
    least ``terms`` elements; the powers are computed block by block in it.
    """
    n = np.arange(terms + 1, dtype=float)
    bk = b[:, None] + n[:-1]
    ck = c[:, None] + n[:-1]
    coef = np.ones((b.shape[0], terms + 1))
    np.cumprod(bk / ck, axis=1, out=coef[:, 1:])
    sb = np.zeros_like(coef)
    np.cumsum(1.0 / bk, axis=1, out=sb[:, 1:])
    sc = np.zeros_like(coef)
    np.cumsum(1.0 / ck, axis=1, out=sc[:, 1:])
    has = counts > 0
    zmax = np.zeros(b.shape[0])
    zmax[has] = z[starts[has]]
    bound = coef * np.power(zmax[:, None], n) * (n + 1.0 + sb + sc)
    small = bound < _TAIL * (1.0 - zmax[:, None]) ** 2
    if not np.all(small[has].any(axis=1)):  # cannot happen below the band's top (see _terms_needed)
        raise ModelError("the Pareto/NBD series did not converge")
    need = np.maximum(np.argmax(small, axis=1), 1)
    out = np.empty((rows, z.shape[0]))
    head = coef[:, :terms]
    table = head[:, None, :] if rows == 1 else np.stack(
        [head, head * sb[:, :terms], -head * sc[:, :terms], n[1:] * coef[:, 1:]], axis=1)
    live = np.flatnonzero(has)
    ends = starts + counts
    width = max(buf.shape[0] // terms, 1)  # columns per block: the powers of z stay in cache
    for lo in range(0, z.shape[0], width):
        hi = min(lo + width, z.shape[0])
        groups = live[(starts[live] < hi) & (ends[live] > lo)]
        top = int(need[groups].max())
        powers = buf[:top * (hi - lo)].reshape(top, hi - lo)
        powers[0] = 1.0
        zc = z[lo:hi]
        for k in range(1, top):
            np.multiply(powers[k - 1], zc, out=powers[k])
        for g in groups:
            a, e, k = max(starts[g], lo), min(ends[g], hi), need[g]
            out[:, a:e] = table[g, :, :k] @ powers[:k, a - lo:e - lo]
    return out


_STEP = 3e-5  # relative step of the central differences in _f1_big
# Where scipy gives up (large b, z near 1: in practice while the search runs along a ridge to
# s, beta -> infinity) the series is summed term by term: at most this many terms per value
# (z up to about 1 - 1.5e-4), and this many per likelihood evaluation; beyond, nan, so that
# the likelihood there counts as not finite and the search turns back.
_LONG_TERMS = 1 << 18
_LONG_BUDGET = 1 << 22


def _f1_long_series_grad(b: float, c: float, z: float, max_terms: int = _LONG_TERMS, block: int = 65536):
    """((F, F_b, F_c, F_z), terms summed) for 2F1(1, b; c; z) by the series of
    :func:`_f1_series_grad`, summed in blocks of terms computed in logs; nans when the tail
    bound there is not met within ``max_terms`` terms (checked first, from log-gammas)."""
    nan = (math.nan,) * 4
    max_terms = max(int(max_terms), 1)
    log_cap = (math.lgamma(b + max_terms) - math.lgamma(b) - math.lgamma(c + max_terms) + math.lgamma(c)
               + max_terms * math.log(z) + math.log(max_terms + 3.0 + 2.0 * math.log1p(max_terms)))
    if not log_cap < math.log(_TAIL) + 2.0 * math.log1p(-z):
        return nan, 0
    f = fb = fc = fz = 0.0
    log_t = sb0 = sc0 = 0.0
    for n0 in range(0, max_terms, block):
        n = np.arange(n0, n0 + block, dtype=float)
        step = np.log((b + n) / (c + n) * z)  # log t_{n+1} - log t_n
        t = np.exp(log_t + np.concatenate([[0.0], np.cumsum(step[:-1])]))
        ib, ic = 1.0 / (b + n), 1.0 / (c + n)
        sb = sb0 + np.concatenate([[0.0], np.cumsum(ib[:-1])])
        sc = sc0 + np.concatenate([[0.0], np.cumsum(ic[:-1])])
        f += float(t.sum())
        fb += float((t * sb).sum())
        fc -= float((t * sc).sum())
        fz += float((n * t).sum())
        log_t = math.log(t[-1]) + float(step[-1]) if t[-1] > 0 else -math.inf
        sb0, sc0 = float(sb[-1] + ib[-1]), float(sc[-1] + ic[-1])
        if math.exp(log_t) * (n0 + block + 1.0 + sb0 + sc0) < _TAIL * f * (1.0 - z) ** 2:
            return (f, fb, fc, fz / z), n0 + block
    return nan, max_terms


def _f1_big(b, c, z, grad: bool):
    """2F1(1, b; c; z) above the series bands from scipy and, with ``grad``, its derivatives
    (F, F_b, F_c, F_z) by central differences (steps relative to the distances to the edges:
    b > 0, c > b, z < 1). Where scipy gives up: :func:`_f1_long_series_grad`."""
    if grad:
        hb = _STEP * np.minimum(b, c - b)
        hc = _STEP * (c - b)
        hz = _STEP * (1.0 - z)
        bs = np.concatenate([b, b + hb, b - hb, b, b, b, b])
        cs = np.concatenate([c, c, c, c + hc, c - hc, c, c])
        zs = np.concatenate([z, z, z, z, z, z + hz, z - hz])
        f = hyp2f1(1.0, bs, cs, zs).reshape(7, -1)
        out = np.stack([f[0], (f[1] - f[2]) / (2 * hb), (f[3] - f[4]) / (2 * hc), (f[5] - f[6]) / (2 * hz)])
    else:
        out = hyp2f1(1.0, b, c, z)[None, :]
    budget = _LONG_BUDGET
    for i in np.flatnonzero(~np.all(np.isfinite(out), axis=0)):
        vals, used = _f1_long_series_grad(float(b[i]), float(c[i]), float(z[i]), min(_LONG_TERMS, budget))
        out[:, i] = vals[:out.shape[0]]
        budget -= used
        if budget <= 0:
            out[:, i:] = math.nan
            break
    return out


def _log_f1_grouped(b, c, group, z, grad: bool, buf):
    """log 2F1(1, b; c; z) per pattern and, with ``grad``, its derivatives in b, c, z
    (F_b / F, F_c / F, F_z / F); ``b`` and ``c`` per group, patterns sorted by group and
    by decreasing z within each. Returns a (1 or 4, n) array."""
    ng = b.shape[0]
    out = np.empty((4 if grad else 1, z.shape[0]))
    lo = -1.0
    for hi, terms in _BANDS:
        band = (z > lo) & (z <= hi)
        lo = hi
        if not band.any():
            continue
        zb = z[band]
        counts = np.bincount(group[band], minlength=ng)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        f = _f1_series_grad(b, c, starts, counts, zb, out.shape[0], terms, buf)
        if grad:
            f[1:] /= f[0]
        f[0] = np.log(f[0])
        out[:, band] = f
    rest = z > lo
    if rest.any():
        g = group[rest]
        f = _f1_big(b[g], c[g], z[rest], grad)
        if grad:
            f[1:] /= f[0]
        f[0] = np.log(f[0])
        out[:, rest] = f
    return out


def _objective(x, tx, T, w):
    """Mean negative log-likelihood of customers (x, t_x, T) with weights w, and its
    gradient in log(r, alpha, s, beta): ``fun(theta) -> (value, gradient)``, and
    ``fun.value(theta)`` for the value alone.

    log L = log C + log(A + B) (module doc) with A the alive-through-T term and
    B = s (H(t_x) - H(T)). With h = log H and m = log(A + B)::

        d log L = d log C + A / (A + B) d log A + B / (A + B) d log s
                  + e^(log s + h(t_x) - m) dh(t_x) - e^(log s + h(T) - m) dh(T)

    where both weights lie in [0, 1] (s H(T) <= A), so nothing is divided by
    H(t_x) - H(T). h and its derivatives are computed once per distinct
    (x, u) pair, u = t_x or T; d log 2F1 from :func:`_log_f1_grouped`.
    """
    n_rows = x.shape[0]
    wsum = float(w.sum())
    (px, pu), _, inv = _compress(np.concatenate([x, x]), np.concatenate([tx, T]))  # sorted by x, then u
    i_tx, i_T = inv[:n_rows], inv[n_rows:]
    xv, first = np.unique(px, return_index=True)
    ng, npat = xv.shape[0], px.shape[0]
    group = np.repeat(np.arange(ng), np.diff(np.append(first, npat)))
    wx = np.bincount(np.searchsorted(xv, x), weights=w, minlength=ng)  # weight per distinct x
    gap = T > tx
    w_gap = np.where(gap, w, 0.0)
    buf = np.empty(_BUFFER)

    def evaluate(theta, grad: bool):
        r, alpha, s, beta = (float(v) for v in np.exp(theta))
        au, bu = alpha + pu, beta + pu
        la, lb = np.log(au), np.log(bu)
        c_g = r + s + xv + 1.0
        ge = alpha >= beta
        b_g = r + xv if ge else np.full(ng, s + 1.0)
        z = (alpha - beta) / au if ge else (beta - alpha) / bu  # falls along each group: u rises
        f = _log_f1_grouped(b_g, c_g, group, z, grad, buf)
        a_p = r + px
        inv_c1 = 1.0 / (r + s + px)
        if ge:
            h = -a_p * la - s * lb + f[0] + np.log(inv_c1)
        else:
            h = (1.0 - a_p) * la - (s + 1.0) * lb + f[0] + np.log(inv_c1)
        # per customer
        log_s = math.log(s)
        log_a = (-a_p * la - s * lb)[i_T]
        h_tx, h_T = h[i_tx], h[i_T]
        log_b = log_s + h_tx + np.log(np.where(gap, -np.expm1(np.minimum(h_T - h_tx, 0.0)), 0.0))
        m = np.logaddexp(log_a, log_b)
        ll = float(np.dot(wx, gammaln(r + xv))) + wsum * (r * math.log(alpha) + s * math.log(beta) - math.lgamma(r)) \
            + float(np.multiply(w, m).sum())
        if not grad:
            return -ll / wsum, None
        _, gb, gc, gz = f
        if ge:
            d_r = gb + gc - inv_c1 - la
            d_s = gc - inv_c1 - lb
            d_alpha = (gz * bu / au - a_p) / au
            d_beta = -s / bu - gz / au
        else:
            d_r = gc - inv_c1 - la
            d_s = gb + gc - inv_c1 - lb
            d_alpha = (1.0 - a_p) / au - gz / bu
            d_beta = (gz * au / bu - (s + 1.0)) / bu
        p_a = np.exp(log_a - m)
        w1 = np.exp(log_s + h_tx - m)
        w1 *= w_gap
        w2 = np.exp(log_s + h_T - m)
        w2 *= w_gap
        # per pattern: net weight of dh (t_x patterns minus T patterns) and of the A terms (T patterns)
        net = np.bincount(i_tx, weights=w1, minlength=npat) - np.bincount(i_T, weights=w2, minlength=npat)
        wa = np.bincount(i_T, weights=w * p_a, minlength=npat)
        g_r = float(np.dot(wx, digamma(r + xv))) + wsum * (math.log(alpha) - digamma(r)) - float(wa @ la) + float(net @ d_r)
        g_alpha = wsum * r / alpha - float(wa @ (a_p / au)) + float(net @ d_alpha)
        g_s = wsum * math.log(beta) - float(wa @ lb) + (wsum - float(wa.sum())) / s + float(net @ d_s)
        g_beta = wsum * s / beta - s * float(wa @ (1.0 / bu)) + float(net @ d_beta)
        return -ll / wsum, np.array([g_r * r, g_alpha * alpha, g_s * s, g_beta * beta]) / -wsum

    def fun(theta):
        with np.errstate(all="ignore"):
            val, grad = evaluate(np.asarray(theta, dtype=float), True)
        if not (math.isfinite(val) and np.all(np.isfinite(grad))):
            return np.inf, np.zeros(4)
        return val, grad

    def value(theta) -> float:
        with np.errstate(all="ignore"):
            val = evaluate(np.asarray(theta, dtype=float), False)[0]
        return val if math.isfinite(val) else math.inf

    fun.value = value
    return fun


def log_likelihood_terms(params, frequency, recency, T) -> np.ndarray:
    """Per-customer Pareto/NBD log-likelihood (see the module doc).

    >>> round(float(log_likelihood_terms((0.553, 10.578, 0.606, 11.669), [2], [30.43], [38.86])[0]), 4)
    -9.5543
    """
    x, tx, t, _ = validate_columns(frequency, recency, T)
    return _loglik(_params(params), x, tx, t)


def fit_pareto(frequency, recency, T, *, initial=None) -> ParetoNBDFit:
    """Maximum-likelihood Pareto/NBD estimates of r, alpha, s, beta.

    Errors as for :func:`cxterms.models.bgnbd.fit_bgnbd`: invalid columns,
    fewer than 2 customers or no repeat buyers -> DataError; estimates that
    do not converge or run off to 0 or infinity -> ModelError.

    >>> x, tx, t = simulate_pareto(0.55, 10.0, 0.6, 11.0, 600, 39.0, rng=1)
    >>> fit = fit_pareto(x, tx, t)
    >>> fit.converged, sorted(fit.params)
    (True, ['alpha', 'beta', 'r', 's'])
    """
    x, tx, t, _ = validate_columns(frequency, recency, T)
    n = x.shape[0]
    if n < 2:
        raise DataError(f"the Pareto/NBD model needs at least 2 customers, got {n}")
    if not np.any(x > 0):
        raise DataError("no customer made a repeat purchase: the Pareto/NBD model cannot be fitted")
    (ux, utx, ut), w, _ = _compress(x, tx, t)
    fun = _objective(ux, utx, ut, w)
    total_T = float(w @ ut)
    rate = min(max(float(w @ ux) / total_T if total_T > 0 else 1.0, 1e-6), 1e6)
    starts = [np.log(_params(initial))] if initial is not None else []
    starts += [np.log([r0, r0 / rate, s0, b0]) for r0, s0, b0 in ((1.0, 1.0, 10.0), (0.5, 0.5, 5.0))]
    # above 50,000 distinct rows the starts are tried on a subsample first, as for BG/NBD (100,000
    # customers: 17 full evaluations instead of 35, for 42 on the subsample)
    sub = subsample(w.shape[0])
    coarse = None if sub is None else _objective(ux[sub], utx[sub], ut[sub], w[sub])
    opt = _minimize(fun, starts, n_total=float(w.sum()), first_success=True, coarse=coarse)
    params = _check_optimum(opt, ParetoNBDFit._names, "Pareto/NBD")
    ll = -opt.value * float(w.sum())
    return ParetoNBDFit(*(float(v) for v in params), log_likelihood=float(ll), converged=True,
                        iterations=opt.iterations, n_customers=n,
                        covariance=_as_tuple(_log_covariance(fun, opt.theta, float(w.sum()), hess=opt.hess)))


def probability_alive(fit: ParetoNBDFit, frequency, recency, T) -> float | np.ndarray:
    """P(alive | x, t_x, T) = first / (first + second) term of the likelihood.

    >>> fit = ParetoNBDFit(0.553, 10.578, 0.606, 11.669)
    >>> round(probability_alive(fit, 2, 30.43, 38.86), 4)
    0.8692
    """
    x, tx, age = _prediction_columns(frequency, recency, T)
    r, alpha, s, beta = fit.values
    log_a, log_b = _log_parts(r, alpha, s, beta, x, tx, age)
    return _scalar_or_array(np.exp(log_a - np.logaddexp(log_a, log_b)), frequency, recency, T)


def _growth(s: float, k, t):
    """(1 - (k / (k + t))^(s - 1)) / (s - 1), and log(1 + t / k) at s = 1."""
    lg = np.log1p(t / k)
    if abs(s - 1.0) < 1e-9:
        return lg
    return -np.expm1(-(s - 1.0) * lg) / (s - 1.0)


def expected_transactions(fit: ParetoNBDFit, t, frequency, recency, T) -> float | np.ndarray:
    """E[Y(t) | x, t_x, T] = (r + x)(beta + T) / (alpha + T) * (1 - ((beta + T)/(beta + T + t))^(s-1)) / (s - 1) * P(alive).

    (At s = 1 the middle factor is log(1 + t / (beta + T)).)

    >>> fit = ParetoNBDFit(0.553, 10.578, 0.606, 11.669)
    >>> round(expected_transactions(fit, 39, 2, 30.43, 38.86), 4)
    1.4551
    """
    t_arr = _check_t(t)
    x, tx, age = _prediction_columns(frequency, recency, T)
    r, alpha, s, beta = fit.values
    log_a, log_b = _log_parts(r, alpha, s, beta, x, tx, age)
    alive = np.exp(log_a - np.logaddexp(log_a, log_b))
    result = (r + x) * (beta + age) / (alpha + age) * _growth(s, beta + age, t_arr) * alive
    if not np.all(np.isfinite(result)):
        raise ModelError("expected transactions could not be evaluated (numerical overflow)")
    return _scalar_or_array(result, t, frequency, recency, T)


def expected_transactions_unconditional(fit: ParetoNBDFit, t) -> float | np.ndarray:
    """E[X(t)] = r beta / (alpha (s - 1)) * (1 - (beta / (beta + t))^(s - 1)) for a new customer.

    >>> round(expected_transactions_unconditional(ParetoNBDFit(0.553, 10.578, 0.606, 11.669), 39), 4)
    1.213
    """
    t_arr = _check_t(t)
    r, alpha, s, beta = fit.values
    return _scalar_or_array(np.asarray(r * beta / alpha * _growth(s, beta, t_arr), dtype=float), t)


def simulate_pareto(r, alpha, s, beta, n_customers, T, rng=None):
    """Simulate (frequency, recency, T) for Pareto/NBD customers observed for T.

    lambda ~ Gamma(r, rate alpha), mu ~ Gamma(s, rate beta), lifetime ~
    Exponential(mu); N ~ Poisson(lambda * min(lifetime, T)) purchases, uniform
    on (0, min(lifetime, T)); t_x is the last of them.

    >>> f, t_x, t = simulate_pareto(0.5, 10.0, 0.6, 11.0, 4, 39.0, rng=0)
    >>> f.shape, bool((t_x <= t).all())
    ((4,), True)
    """
    gen = np.random.default_rng(rng)
    n = int(n_customers)
    if n < 0:
        raise UsageError("n_customers must be >= 0")
    age = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    lam = gen.gamma(r, 1.0 / alpha, n)
    mu = gen.gamma(s, 1.0 / beta, n)
    life = gen.exponential(1.0 / np.maximum(mu, 1e-300))
    active = np.minimum(life, age)
    x = gen.poisson(lam * active)
    xpos = x > 0
    frac = np.zeros(n)
    frac[xpos] = gen.beta(x[xpos], 1.0)  # the largest of x uniforms
    return x.astype(float), frac * active, age
