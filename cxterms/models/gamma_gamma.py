"""Gamma-Gamma model of average transaction value.

References: P. S. Fader, B. G. S. Hardie and K. L. Lee, "RFM and CLV: Using
Iso-Value Curves for Customer Base Analysis", Journal of Marketing Research
42(4), 2005, 415-430; R. Colombo and W. Jiang, "A stochastic RFM model",
Journal of Interactive Marketing 13(3), 1999, 2-12.

Assumptions: a customer's transaction values are Gamma(p, nu) (shape p, rate
nu), so the customer's mean spend is p / nu; nu varies across customers as
Gamma(q, gamma). Only *repeat* transactions enter (x >= 1 and their mean m_x,
see :mod:`cxterms.models.rfm`). The model assumes spend is independent of
purchase frequency; :attr:`GammaGammaFit.spend_frequency_correlation` lets the
caller check that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import digamma, gammaln

from cxterms.errors import DataError, ModelError
from cxterms.models._optim import (
    _as_tuple,
    _check_optimum,
    _log_covariance,
    _minimize,
    _scalar_or_array,
    _standard_errors,
    subsample,
)
from cxterms.models.rfm import _column

__all__ = ["GammaGammaFit", "fit_gamma_gamma", "expected_average_value", "log_likelihood_terms"]


@dataclass(frozen=True)
class GammaGammaFit:
    """Fitted (or given) Gamma-Gamma parameters p, q, gamma.

    ``n_customers`` counts the repeat customers used (frequency >= 1).
    ``spend_frequency_correlation`` is the Pearson correlation between
    frequency and mean repeat spend among them (None when undefined); a value
    far from 0 means the independence assumption is doubtful.
    """

    p: float
    q: float
    gamma: float
    log_likelihood: float | None = None
    converged: bool = True
    iterations: int = 0
    n_customers: int = 0
    spend_frequency_correlation: float | None = None
    #: covariance of (log p, log q, log gamma) from the observed information, or None
    covariance: tuple | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("p", "q", "gamma"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float, np.floating, np.integer)) and math.isfinite(value) and value > 0):
                raise ModelError(f"Gamma-Gamma parameter {name} must be a positive number, not {value!r}")

    @property
    def params(self) -> dict[str, float]:
        """The three parameters as plain floats."""
        return {"p": float(self.p), "q": float(self.q), "gamma": float(self.gamma)}

    @property
    def values(self) -> tuple[float, float, float]:
        """(p, q, gamma)."""
        return (float(self.p), float(self.q), float(self.gamma))

    @property
    def standard_errors(self) -> dict[str, float] | None:
        """Asymptotic standard errors: observed information on the log scale, delta method back."""
        return _standard_errors(self.params, self.covariance)

    @property
    def population_mean(self) -> float | None:
        """Mean spend per transaction in the population, p * gamma / (q - 1); None if q <= 1."""
        return float(self.p * self.gamma / (self.q - 1.0)) if self.q > 1.0 else None

    def as_dict(self) -> dict:
        """Plain JSON-ready dict of the fit."""
        return {
            "model": "gamma-gamma",
            "params": self.params,
            "standard_errors": self.standard_errors,
            "log_likelihood": None if self.log_likelihood is None else float(self.log_likelihood),
            "converged": bool(self.converged),
            "iterations": int(self.iterations),
            "n_customers": int(self.n_customers),
            "spend_frequency_correlation": self.spend_frequency_correlation,
            "population_mean": self.population_mean,
        }


def _repeaters(frequency, monetary_value) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = _column("frequency", frequency, None)
    m = _column("monetary_value", monetary_value, x.shape[0])
    bad = np.flatnonzero(~np.isfinite(x) | (x < 0) | (x != np.floor(x)))
    if bad.size:
        i = int(bad[0])
        raise DataError(f"row {i + 1}: frequency {x[i]:g} is not a whole number >= 0")
    rows = np.flatnonzero(x > 0)
    if rows.size == 0:
        raise DataError(
            "no customer made a repeat purchase: the Gamma-Gamma spend model cannot be fitted",
            hint="spend is modelled from repeat transactions only",
        )
    xr, mr = x[rows], m[rows]
    bad = np.flatnonzero(~np.isfinite(mr) | (mr <= 0))
    if bad.size:
        i = int(rows[bad[0]])
        raise DataError(
            f"row {i + 1}: monetary value {m[i]:g} is not positive for a repeat customer",
            hint="the Gamma-Gamma model needs positive spend; leave out refunds or zero-value orders",
        )
    return xr, mr, rows


def _loglik(p, q, g, x, m):
    px = p * x
    xm = x * m
    return (
        gammaln(px + q) - gammaln(px) - gammaln(q)
        + q * np.log(g) + (px - 1.0) * np.log(xm) + np.log(x)
        - (px + q) * np.log(g + xm)
    )


def log_likelihood_terms(params, frequency, monetary_value) -> np.ndarray:
    """Per-repeat-customer log density of the mean repeat spend m_x given x.

    ::

        f(m_x | p, q, gamma, x) = G(p x + q) / (G(p x) G(q)) * gamma^q
                                  * (x m_x)^(p x - 1) * x / (gamma + x m_x)^(p x + q)

    ``params`` is (p, q, gamma) or a :class:`GammaGammaFit`. Customers with
    frequency 0 are left out (the result has one value per repeat customer).
    No repeat customers, or non-positive spend for one -> DataError.

    >>> round(float(log_likelihood_terms((6.25, 3.74, 15.44), [2], [20.0])[0]), 4)
    -3.5074
    """
    if isinstance(params, GammaGammaFit):
        p, q, g = params.p, params.q, params.gamma
    else:
        fit = GammaGammaFit(*(float(v) for v in params))
        p, q, g = fit.p, fit.q, fit.gamma
    x, m, _ = _repeaters(frequency, monetary_value)
    return _loglik(p, q, g, x, m)


def _objective(x, m):
    """Mean negative log-likelihood and gradient on the log scale; x-only terms per distinct x."""
    n = float(x.shape[0])
    xm = x * m
    log_xm = np.log(xm)
    sum_log_x = float(np.log(x).sum())
    xu, xi = np.unique(x, return_inverse=True)
    xi = xi.reshape(-1)
    counts = np.bincount(xi).astype(float)
    sum_x_log_xm = float((x * log_xm).sum())
    sum_log_xm = float(log_xm.sum())

    def fun(theta):
        p, q, g = np.exp(theta)
        pxu = p * xu
        log_gxm = np.log(g + xm)
        # per distinct x: log G(p x + q) - log G(p x)
        lg = gammaln(pxu + q) - gammaln(pxu)
        ll = (
            float(counts @ lg) - n * math.lgamma(q) + n * q * math.log(g)
            + p * sum_x_log_xm - sum_log_xm + sum_log_x
            - float(((p * x + q) * log_gxm).sum())
        )
        value = -ll / n
        if not math.isfinite(value):
            return np.inf, np.zeros(3)
        dpq = digamma(pxu + q)
        d_p = float(counts @ (xu * (dpq - digamma(pxu)))) + sum_x_log_xm - float((x * log_gxm).sum())
        d_q = float(counts @ dpq) - n * digamma(q) + n * math.log(g) - float(log_gxm.sum())
        d_g = n * q / g - float(((p * x + q) / (g + xm)).sum())
        grad = np.array([d_p * p, d_q * q, d_g * g]) / n
        return value, -grad

    return fun


def _correlation(x: np.ndarray, m: np.ndarray) -> float | None:
    if x.shape[0] < 2 or np.ptp(x) == 0 or np.ptp(m) == 0:
        return None
    value = float(np.corrcoef(x, m)[0, 1])
    return value if math.isfinite(value) else None


def fit_gamma_gamma(frequency, monetary_value) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma estimates of p, q, gamma.

    Maximises the sum of :func:`log_likelihood_terms` over customers with
    frequency >= 1 (``monetary_value`` = mean of their repeat transaction
    values; its value for frequency-0 customers is ignored).

    Errors: no repeat buyers, or non-positive / non-finite spend for a repeat
    buyer -> DataError naming the 1-based row; non-finite or non-converged
    estimates (e.g. all repeat customers spend exactly the same) -> ModelError.

    >>> rng = np.random.default_rng(7)
    >>> x = rng.integers(0, 6, 400)                      # repeat transactions
    >>> nu = rng.gamma(4.0, 1 / 20.0, 400)               # q = 4, gamma = 20
    >>> m = rng.gamma(6.0 * np.maximum(x, 1), 1 / (nu * np.maximum(x, 1)))  # p = 6
    >>> fit = fit_gamma_gamma(x, np.where(x > 0, m, 0.0))
    >>> fit.n_customers == int((x > 0).sum()), fit.converged
    (True, True)
    """
    x, m, _ = _repeaters(frequency, monetary_value)
    mean_spend = float(m.mean())
    # Starting points chosen so that the implied mean spend p gamma / (q - 1)
    # equals the observed mean.
    starts = [
        np.log([1.0, 2.0, mean_spend]),
        np.log([4.0, 3.0, 0.5 * mean_spend]),
        np.log([10.0, 6.0, 0.5 * mean_spend]),
    ]
    fun = _objective(x, m)
    sub = subsample(x.shape[0])  # large data: starts screened on a subsample (see _minimize)
    coarse = None if sub is None else _objective(x[sub], m[sub])
    opt = _minimize(fun, starts, n_total=float(x.shape[0]), first_success=True, coarse=coarse)
    p, q, g = _check_optimum(opt, ("p", "q", "gamma"), "Gamma-Gamma")
    ll = -opt.value * x.shape[0]
    return GammaGammaFit(
        p=float(p),
        q=float(q),
        gamma=float(g),
        log_likelihood=float(ll),
        converged=True,
        iterations=opt.iterations,
        n_customers=int(x.shape[0]),
        spend_frequency_correlation=_correlation(x, m),
        covariance=_as_tuple(_log_covariance(fun, opt.theta, float(x.shape[0]), hess=opt.hess)),
    )


def expected_average_value(fit: GammaGammaFit, frequency, monetary_value) -> float | np.ndarray:
    """E[M | x, m_x]: expected mean transaction value of each customer.

    ::

        E[M | x, m_x] = p (gamma + x m_x) / (p x + q - 1)   for x >= 1
        E[M | x = 0]  = p gamma / (q - 1)                   (population mean)

    i.e. a weighted average of the population mean and the customer's own
    mean. q <= 1 -> ModelError (the population mean is infinite); negative
    frequency or non-positive spend for x >= 1 -> DataError. Inputs broadcast;
    scalars give a float.

    >>> fit = GammaGammaFit(p=6.25, q=3.74, gamma=15.44)
    >>> round(expected_average_value(fit, 0, 0.0), 2), round(expected_average_value(fit, 2, 20.0), 2)
    (35.22, 22.74)
    """
    if fit.q <= 1.0:
        raise ModelError(
            f"the Gamma-Gamma fit has q = {fit.q:.4g} <= 1: the mean spend is undefined",
        )
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary_value, dtype=float)
    try:
        x, m = np.broadcast_arrays(x, m)
    except ValueError:
        raise DataError("frequency and monetary_value must have the same length") from None
    if np.any(~np.isfinite(x) | (x < 0)):
        raise DataError("frequency must be a non-negative number")
    rep = x > 0
    if np.any(rep & (~np.isfinite(m) | (m <= 0))):
        i = int(np.flatnonzero((rep & (~np.isfinite(m) | (m <= 0))).ravel())[0])
        raise DataError(f"row {i + 1}: monetary value is not positive for a repeat customer")
    m_safe = np.where(rep, m, 0.0)
    result = np.where(
        rep,
        fit.p * (fit.gamma + x * m_safe) / (fit.p * x + fit.q - 1.0),
        fit.p * fit.gamma / (fit.q - 1.0),
    )
    return _scalar_or_array(np.asarray(result, dtype=float), frequency, monetary_value)
