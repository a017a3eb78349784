"""Shifted-beta-geometric (sBG) model of contractual retention.

References: P. S. Fader and B. G. S. Hardie, "How to Project Customer
Retention", Journal of Interactive Marketing 21(1), 2007, 76-90; and
"Customer-Base Valuation in a Contractual Setting: The Perils of Ignoring
Heterogeneity", Marketing Science 29(1), 2010, 85-93 (for DERL).

A cohort starts with n_0 customers in period 0; ``survivors[t]`` is how many
are still active in period t (i.e. have renewed t times). Each customer churns
at the end of any period with a fixed probability theta, and theta ~ Beta(alpha,
beta) across customers. With B the beta function and T the period of churn::

    P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta),   t = 1, 2, ...
    S(t)     = P(T > t) = B(alpha, beta + t) / B(alpha, beta)
    r(t)     = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)

The retention rate r(t) rises with t: the customers who churn easily leave
first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.special import betaln, digamma, hyp2f1

from cxterms.errors import DataError, ModelError, UsageError
from cxterms.models._optim import _as_tuple, _check_optimum, _log_covariance, _minimize, _scalar_or_array, _standard_errors

__all__ = [
    "SBGFit",
    "fit_sbg",
    "survival",
    "churn_probability",
    "retention_rate",
    "project",
    "expected_lifetime",
    "discounted_expected_residual_lifetime",
    "fit_sbg_pooled",
    "project_active",
]


@dataclass(frozen=True)
class SBGFit:
    """Fitted (or given) sBG parameters alpha, beta.

    ``periods`` is the number of observed periods after period 0 and
    ``cohort_size`` the starting size n_0 (both 0 / None for given parameters).
    """

    alpha: float
    beta: float
    log_likelihood: float | None = None
    converged: bool = True
    iterations: int = 0
    periods: int = 0
    cohort_size: float | None = None
    #: covariance of (log alpha, log beta) from the observed information, or None
    covariance: tuple | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("alpha", "beta"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float, np.floating, np.integer)) and math.isfinite(value) and value > 0):
                raise ModelError(f"sBG parameter {name} must be a positive number, not {value!r}")

    @property
    def params(self) -> dict[str, float]:
        """The two parameters as plain floats."""
        return {"alpha": float(self.alpha), "beta": float(self.beta)}

    @property
    def standard_errors(self) -> dict[str, float] | None:
        """Asymptotic standard errors: observed information on the log scale, delta method back."""
        return _standard_errors(self.params, self.covariance)

    @property
    def mean_churn_probability(self) -> float:
        """Mean churn probability per period across new customers, alpha / (alpha + beta)."""
        return float(self.alpha / (self.alpha + self.beta))

    def as_dict(self) -> dict:
        """Plain JSON-ready dict of the fit."""
        return {
            "model": "sbg",
            "params": self.params,
            "standard_errors": self.standard_errors,
            "log_likelihood": None if self.log_likelihood is None else float(self.log_likelihood),
            "converged": bool(self.converged),
            "iterations": int(self.iterations),
            "periods": int(self.periods),
            "cohort_size": None if self.cohort_size is None else float(self.cohort_size),
        }


def _check_survivors(survivors: Sequence[float]) -> np.ndarray:
    try:
        n = np.asarray(list(survivors), dtype=float)
    except (TypeError, ValueError):
        raise DataError("survivor counts must be numbers") from None
    if n.ndim != 1 or n.size < 3:
        raise DataError(
            "the sBG model needs survivor counts for periods 0, 1 and 2 at least",
            hint="with a single period every (alpha, beta) with the same churn share fits equally well",
        )
    for t, value in enumerate(n):
        if not math.isfinite(value) or value < 0:
            raise DataError(f"period {t}: survivor count {value:g} is not a non-negative number")
    if n[0] <= 0:
        raise DataError("period 0: the starting cohort size must be greater than 0")
    for t in range(1, n.size):
        if n[t] > n[t - 1]:
            raise DataError(
                f"period {t}: {n[t]:g} survivors is more than the {n[t - 1]:g} of period {t - 1}",
                hint="survivor counts must not increase (one cohort, counted at the start of each period)",
            )
    if n[-1] == n[0]:
        raise DataError("no customer churned in the observed periods: the churn rate cannot be estimated")
    return n


def _objective(n: np.ndarray):
    k = n.size - 1
    t = np.arange(1, k + 1, dtype=float)
    churned = n[:-1] - n[1:]
    last = n[-1]
    total = n[0]

    def fun(theta):
        al, be = np.exp(theta)
        b0 = betaln(al, be)
        log_p = betaln(al + 1.0, be + t - 1.0) - b0
        log_s = betaln(al, be + k) - b0
        ll = churned @ log_p + (last * log_s if last > 0 else 0.0)
        if not math.isfinite(ll):
            return np.inf, np.zeros(2)
        d0a = digamma(al) - digamma(al + be)
        d0b = digamma(be) - digamma(al + be)
        dp_a = digamma(al + 1.0) - digamma(al + be + t) - d0a
        dp_b = digamma(be + t - 1.0) - digamma(al + be + t) - d0b
        ds_a = digamma(al) - digamma(al + be + k) - d0a
        ds_b = digamma(be + k) - digamma(al + be + k) - d0b
        g_a = churned @ dp_a + last * ds_a
        g_b = churned @ dp_b + last * ds_b
        return -ll / total, -np.array([g_a * al, g_b * be]) / total

    return fun


def fit_sbg(survivors: Sequence[float]) -> SBGFit:
    """Maximum-likelihood sBG estimates of alpha and beta from one cohort.

    ``survivors`` = cohort size in period 0, 1, 2, ... (counts; fractions such
    as percentages also work). With n_t = survivors[t] and k the last period::

        LL = sum_{t=1}^{k} (n_{t-1} - n_t) * log P(T = t) + n_k * log S(k)

    Errors: fewer than 3 values (one period cannot separate alpha from beta),
    a negative or non-finite value, period 0 not > 0, an increase, or no churn
    at all -> DataError naming the period; non-converged, non-finite or
    unidentified estimates (e.g. a steady trickle of churn with no sign of
    heterogeneity) -> ModelError.

    Fader & Hardie's (2007) "high end" segment, years 0-7:

    >>> fit = fit_sbg([1000, 869, 743, 653, 593, 551, 517, 491])
    >>> round(fit.alpha, 3), round(fit.beta, 3)
    (0.668, 3.806)
    """
    n = _check_survivors(survivors)
    fun = _objective(n)
    starts = [np.log([1.0, 1.0]), np.log([0.5, 2.0]), np.log([2.0, 8.0])]
    opt = _minimize(fun, starts, n_total=float(n[0]))
    alpha, beta = _check_optimum(opt, ("alpha", "beta"), "sBG")
    return SBGFit(
        alpha=float(alpha),
        beta=float(beta),
        log_likelihood=float(-opt.value * n[0]),
        converged=True,
        iterations=opt.iterations,
        periods=int(n.size - 1),
        cohort_size=float(n[0]),
        covariance=_as_tuple(_log_covariance(fun, opt.theta, float(n[0]), hess=opt.hess)),
    )


def _periods(t, *, minimum: int) -> np.ndarray:
    arr = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < minimum) or np.any(arr != np.floor(arr)):
        raise UsageError(f"the period must be a whole number >= {minimum}, not {t!r}")
    return arr


def survival(fit: SBGFit, t) -> float | np.ndarray:
    """S(t) = B(alpha, beta + t) / B(alpha, beta): share of a new cohort still active in period t.

    S(0) = 1. t must be a whole number >= 0 (else UsageError); arrays work.

    >>> fit = SBGFit(alpha=0.704, beta=1.182)
    >>> [round(float(v), 3) for v in survival(fit, [0, 1, 2])]
    [1.0, 0.627, 0.474]
    """
    tt = _periods(t, minimum=0)
    value = np.exp(betaln(fit.alpha, fit.beta + tt) - betaln(fit.alpha, fit.beta))
    return _scalar_or_array(np.asarray(value, dtype=float), t)


def churn_probability(fit: SBGFit, t) -> float | np.ndarray:
    """P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta): chance a new customer churns at the end of period t.

    t must be a whole number >= 1 (else UsageError).

    >>> fit = SBGFit(alpha=0.704, beta=1.182)
    >>> round(churn_probability(fit, 1), 3)
    0.373
    """
    tt = _periods(t, minimum=1)
    value = np.exp(betaln(fit.alpha + 1.0, fit.beta + tt - 1.0) - betaln(fit.alpha, fit.beta))
    return _scalar_or_array(np.asarray(value, dtype=float), t)


def retention_rate(fit: SBGFit, t) -> float | np.ndarray:
    """r(t) = (beta + t - 1) / (alpha + beta + t - 1): share of period t-1's survivors still active in period t.

    t must be a whole number >= 1 (else UsageError).

    >>> fit = SBGFit(alpha=0.704, beta=1.182)
    >>> round(retention_rate(fit, 1), 3), round(retention_rate(fit, 10), 3)
    (0.627, 0.935)
    """
    tt = _periods(t, minimum=1)
    value = (fit.beta + tt - 1.0) / (fit.alpha + fit.beta + tt - 1.0)
    return _scalar_or_array(np.asarray(value, dtype=float), t)


def project(fit: SBGFit, start_size: float, periods: int) -> np.ndarray:
    """Projected survivors of a cohort: start_size * S(t) for t = 0 .. periods.

    Returns an array of length periods + 1 (the first value is start_size).
    start_size < 0 or periods not a whole number >= 0 -> UsageError.

    >>> fit = SBGFit(alpha=0.704, beta=1.182)
    >>> [round(v) for v in project(fit, 1000, 3)]
    [1000, 627, 474, 388]
    """
    size = float(start_size)
    if not (math.isfinite(size) and size >= 0):
        raise UsageError(f"the starting cohort size must be >= 0, not {start_size!r}")
    k = _periods(periods, minimum=0)
    if k.ndim != 0:
        raise UsageError("periods must be a single whole number")
    return size * np.asarray(survival(fit, np.arange(int(k) + 1)), dtype=float).reshape(-1)


def expected_lifetime(fit: SBGFit) -> float:
    """Mean number of periods a new customer stays, counting the first: sum_{t>=0} S(t).

    Equals (alpha + beta - 1) / (alpha - 1) for alpha > 1, and is infinite
    (``math.inf``) for alpha <= 1: the heavy tail of very loyal customers makes
    the mean diverge, so report "infinite" rather than a number.

    >>> expected_lifetime(SBGFit(alpha=3.0, beta=4.0))
    3.0
    >>> expected_lifetime(SBGFit(alpha=0.704, beta=1.182))
    inf
    """
    if fit.alpha <= 1.0:
        return math.inf
    return float((fit.alpha + fit.beta - 1.0) / (fit.alpha - 1.0))


def discounted_expected_residual_lifetime(fit: SBGFit, periods_survived: int, discount_rate: float) -> float:
    """DERL: expected discounted number of future renewals of an active customer.

    For a customer counted in ``survivors[n]`` (active after n renewals, with n
    = ``periods_survived``), whose next renewal decision is due now, with d =
    ``discount_rate`` per period (Fader & Hardie 2010, with their n - 1
    renewals = our n)::

        DERL = sum_{k>=0} E[(1 - theta)^(k+1) | n renewals] / (1 + d)^k
             = (beta + n) / (alpha + beta + n) * 2F1(1, beta + n + 1; alpha + beta + n + 1; 1 / (1 + d))

    The posterior of theta after n renewals is Beta(alpha, beta + n). With d = 0
    this is (beta + n) / (alpha - 1) for alpha > 1 and ``math.inf`` otherwise.
    Multiply by the margin per period for the customer's residual value.
    n not a whole number >= 0 or d < 0 -> UsageError.

    >>> fit = SBGFit(alpha=0.704, beta=1.182)
    >>> round(discounted_expected_residual_lifetime(fit, 0, 0.10), 3)
    2.965
    """
    n = _periods(periods_survived, minimum=0)
    if n.ndim != 0:
        raise UsageError("periods_survived must be a single whole number")
    d = float(discount_rate)
    if not (math.isfinite(d) and d >= 0):
        raise UsageError(f"the discount rate must be >= 0, not {discount_rate!r}")
    bn = fit.beta + float(n)
    if d == 0.0:
        return math.inf if fit.alpha <= 1.0 else float(bn / (fit.alpha - 1.0))
    value = bn / (fit.alpha + bn) * hyp2f1(1.0, bn + 1.0, fit.alpha + bn + 1.0, 1.0 / (1.0 + d))
    if not math.isfinite(value):
        raise ModelError("DERL could not be evaluated (numerical overflow)")
    return float(value)


def _check_cohorts(cohorts: Sequence[Sequence[float]]) -> list[np.ndarray]:
    out = []
    for i, c in enumerate(cohorts, start=1):
        try:
            n = np.asarray(list(c), dtype=float)
        except (TypeError, ValueError):
            raise DataError(f"cohort {i}: survivor counts must be numbers") from None
        if n.size < 2:
            raise DataError(f"cohort {i}: needs the cohort size and at least one later period")
        for t, value in enumerate(n):
            if not math.isfinite(value) or value < 0:
                raise DataError(f"cohort {i}, period {t}: survivor count {value:g} is not a non-negative number")
        if n[0] <= 0:
            raise DataError(f"cohort {i}: the starting cohort size must be greater than 0")
        for t in range(1, n.size):
            if n[t] > n[t - 1]:
                raise DataError(f"cohort {i}, period {t}: {n[t]:g} survivors is more than the {n[t - 1]:g} of period {t - 1}")
        out.append(n)
    if not out:
        raise DataError("no cohorts to fit")
    return out


def _pooled_objective(cohorts: list[np.ndarray]):
    """Mean negative log-likelihood of several cohorts sharing alpha and beta, with its gradient."""
    K = max(c.size for c in cohorts) - 1
    churned = np.zeros(K)
    last = np.zeros(K + 1)
    for c in cohorts:
        churned[: c.size - 1] += c[:-1] - c[1:]
        last[c.size - 1] += c[-1]
    total = float(sum(c[0] for c in cohorts))
    t = np.arange(1, K + 1, dtype=float)
    k = np.arange(0, K + 1, dtype=float)

    def fun(theta):
        al, be = np.exp(theta)
        b0 = betaln(al, be)
        log_p = betaln(al + 1.0, be + t - 1.0) - b0
        log_s = betaln(al, be + k) - b0
        ll = churned @ log_p + last @ log_s
        if not math.isfinite(ll):
            return np.inf, np.zeros(2)
        d0a = digamma(al) - digamma(al + be)
        d0b = digamma(be) - digamma(al + be)
        g_a = churned @ (digamma(al + 1.0) - digamma(al + be + t) - d0a) + last @ (digamma(al) - digamma(al + be + k) - d0a)
        g_b = churned @ (digamma(be + t - 1.0) - digamma(al + be + t) - d0b) + last @ (digamma(be + k) - digamma(al + be + k) - d0b)
        return -ll / total, -np.array([g_a * al, g_b * be]) / total

    return fun, total


def fit_sbg_pooled(cohorts: Sequence[Sequence[float]]) -> SBGFit:
    """One (alpha, beta) for several cohorts: the sum of their sBG log-likelihoods is maximised.

    Each cohort is a list of survivors at periods 0, 1, ... (cohorts may be
    observed for different numbers of periods, as in a triangular cohort
    matrix). ``periods`` is the longest observation and ``cohort_size`` the
    total of the starting sizes. Errors as for :func:`fit_sbg`; all cohorts
    together must span at least two periods.

    >>> fit = fit_sbg_pooled([[1000, 631, 468, 382, 326, 289, 262, 241], [1000, 631, 468]])
    >>> round(fit.alpha, 2), round(fit.beta, 2)
    (0.72, 1.22)
    """
    cs = _check_cohorts(cohorts)
    if max(c.size for c in cs) < 3:
        raise DataError("the sBG model needs survivor counts for periods 0, 1 and 2 at least in some cohort")
    if all(c[-1] == c[0] for c in cs):
        raise DataError("no customer churned in the observed periods: the churn rate cannot be estimated")
    fun, total = _pooled_objective(cs)
    starts = [np.log([1.0, 1.0]), np.log([0.5, 2.0]), np.log([2.0, 8.0])]
    opt = _minimize(fun, starts, n_total=total)
    alpha, beta = _check_optimum(opt, ("alpha", "beta"), "sBG")
    return SBGFit(alpha=float(alpha), beta=float(beta), log_likelihood=float(-opt.value * total), converged=True,
                  iterations=opt.iterations, periods=int(max(c.size for c in cs) - 1), cohort_size=total,
                  covariance=_as_tuple(_log_covariance(fun, opt.theta, total, hess=opt.hess)))


def project_active(fit: SBGFit, active: float, periods_survived: int, ahead: int) -> np.ndarray:
    """Expected survivors of ``active`` customers who have renewed ``periods_survived`` times, 1..ahead periods on.

    active * S(n + h) / S(n) for h = 1 .. ahead (the posterior of theta given n renewals).

    >>> [round(v) for v in project_active(SBGFit(0.704, 1.182), 241, 7, 2)]
    [222, 206]
    """
    n = int(_periods(periods_survived, minimum=0))
    h = np.arange(1, int(ahead) + 1, dtype=float)
    log_ratio = betaln(fit.alpha, fit.beta + n + h) - betaln(fit.alpha, fit.beta + n)
    return float(active) * np.exp(log_ratio)
