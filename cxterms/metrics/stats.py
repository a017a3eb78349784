"""Small statistics toolkit (stdlib only): normal and Student-t quantiles,
p-values, the Wilson interval.

The Student-t quantile inverts the t CDF, computed through the regularised
incomplete beta function ``I_x(a, b)`` (continued fraction, modified Lentz
method): for ``t > 0``, ``P(T <= t) = 1 - I_x(df/2, 1/2) / 2`` with
``x = df / (df + t^2)``. Accuracy is about 1e-12, checked against scipy.
"""

from __future__ import annotations

import math
from statistics import NormalDist

_STD = NormalDist()
_EPS = 1e-15
_TINY = 1e-300


def check_confidence(confidence: float) -> float:
    """Validate a confidence level strictly between 0 and 1.

    >>> check_confidence(0.95)
    0.95
    >>> check_confidence(95)
    Traceback (most recent call last):
    ...
    ValueError: confidence must be between 0 and 1 (exclusive), e.g. 0.95, not 95
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), e.g. 0.95, not {confidence!r}")
    return confidence


def z_value(confidence: float) -> float:
    """Two-sided standard-normal critical value: ``Phi^-1(1 - (1 - c) / 2)``.

    >>> round(z_value(0.95), 6)
    1.959964
    """
    check_confidence(confidence)
    return _STD.inv_cdf(1.0 - (1.0 - confidence) / 2.0)


def two_sided_p(z: float) -> float:
    """Two-sided p-value of a standard-normal statistic: ``erfc(|z| / sqrt 2)``.

    >>> round(two_sided_p(1.959964), 4)
    0.05
    """
    return math.erfc(abs(z) / math.sqrt(2.0))


def _beta_cf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            return h
    raise ArithmeticError("incomplete beta continued fraction did not converge")  # pragma: no cover


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function ``I_x(a, b)`` for a, b > 0.

    >>> betainc(2, 3, 0.0), betainc(2, 3, 1.0)
    (0.0, 1.0)
    >>> round(betainc(2, 3, 0.4), 10)  # = 1 - 0.6^4 - 4*0.4*0.6^3... closed form 0.5248
    0.5248
    """
    if not (a > 0 and b > 0):
        raise ValueError("betainc needs a > 0 and b > 0")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_cf(a, b, x) / a
    return 1.0 - front * _beta_cf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """Student-t cumulative distribution ``P(T <= t)`` with ``df`` degrees of freedom.

    >>> round(t_cdf(2.228138851986, 10), 9)
    0.975
    """
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    if t == 0:
        return 0.5
    tail = 0.5 * betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def _t_pdf(t: float, df: float) -> float:
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_c - (df + 1) / 2 * math.log1p(t * t / df))


def t_quantile(p: float, df: float) -> float:
    """Inverse of ``t_cdf``: the ``t`` with ``P(T <= t) = p``.

    Closed forms for df = 1 and 2; otherwise Newton steps from the normal
    quantile, kept inside a bisection bracket.

    >>> round(t_quantile(0.975, 10), 9)
    2.228138852
    >>> round(t_quantile(0.975, 1), 6), round(t_quantile(0.025, 2), 6)
    (12.706205, -4.302653)
    """
    if not 0.0 < p < 1.0:
        raise ValueError("p must be between 0 and 1 (exclusive)")
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    if p == 0.5:
        return 0.0
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    if df > 1e7:
        return _STD.inv_cdf(p)
    # bracket: |t| grows as the tail shrinks; t quantiles exceed normal ones
    t = _STD.inv_cdf(p)
    lo, hi = (t, t) if t > 0 else (t, t)
    step = max(1.0, abs(t))
    while t_cdf(hi, df) < p:
        hi += step
        step *= 2
    step = max(1.0, abs(t))
    while t_cdf(lo, df) > p:
        lo -= step
        step *= 2
    x = min(max(t, lo), hi)
    for _ in range(100):
        f = t_cdf(x, df) - p
        if f > 0:
            hi = x
        else:
            lo = x
        dens = _t_pdf(x, df)
        nxt = x - f / dens if dens > 0 else (lo + hi) / 2
        if not lo < nxt < hi:
            nxt = (lo + hi) / 2
        if abs(nxt - x) <= 1e-13 * max(1.0, abs(x)):
            return nxt
        x = nxt
    return x  # pragma: no cover


def t_value(confidence: float, df: float) -> float:
    """Two-sided Student-t critical value for a confidence level.

    >>> round(t_value(0.95, 29), 4)
    2.0452
    """
    check_confidence(confidence)
    return t_quantile(1.0 - (1.0 - confidence) / 2.0, df)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion (as fractions 0-1).

    ``centre = (p + z^2 / 2n) / (1 + z^2 / n)``,
    ``half = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)``.
    Unlike the Wald interval it stays inside [0, 1] and is sensible for
    p = 0 or 1 and small n (it never has zero width).

    >>> lo, hi = wilson_interval(80, 100)
    >>> round(lo, 4), round(hi, 4)
    (0.7112, 0.8666)
    >>> wilson_interval(0, 0)
    Traceback (most recent call last):
    ...
    ValueError: the Wilson interval needs at least one observation
    """
    if n <= 0:
        raise ValueError("the Wilson interval needs at least one observation")
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    return wilson_share_interval(successes / n, n, confidence)


def wilson_share_interval(p: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson interval of a share ``p`` (0-1) observed on an effective
    sample size ``n`` (any positive number: Kish's n_eff for weighted data).

    >>> [round(x, 4) for x in wilson_share_interval(0.8, 100)]
    [0.7112, 0.8666]
    """
    if n <= 0:
        raise ValueError("the Wilson interval needs at least one observation")
    if not 0.0 <= p <= 1.0:
        raise ValueError("the share must be between 0 and 1")
    z = z_value(confidence)
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # exact ends for shares 0 and 1 (rounding would leave 1e-17 gaps)
    low = 0.0 if p == 0.0 else max(0.0, centre - half)
    high = 1.0 if p == 1.0 else min(1.0, centre + half)
    return low, high
