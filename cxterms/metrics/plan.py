"""Sample-size planning for NPS, CSAT and CES (pure Python).

Formulas (``z = Phi^-1(1 - alpha/2)`` for the confidence level,
``z_power = Phi^-1(power)``; margins and differences in score units):

* NPS, margin ``d`` points (Lewis & Sauro, MeasuringU, "Sample sizes for
  Net Promoter Scores"; the ``- 3`` undoes the adjusted-Wald ``+ 3``)::

      n = z^2 s^2 / (d/100)^2 - 3,   s^2 = pP + pD - (pP - pD)^2

* NPS, detect a difference ``d`` between two independent samples (per group)::

      n = (z + z_power)^2 (s1^2 + s2^2) / (d/100)^2 - 3

  with ``s1 = s2`` from the same expected shares unless a second pair of
  shares is given.
* CSAT (a share ``p``), margin ``d`` points: ``n = z^2 p (1 - p) / (d/100)^2``;
  difference: ``n = (z + z_power)^2 (p1 q1 + p2 q2) / (d/100)^2`` with ``p2``
  the share ``d`` away from ``p1`` on the side closer to 50% (the larger
  variance: the cautious choice).
* CES (a mean with standard deviation ``sd``), margin ``d``: the smallest n
  with ``t(n-1) sd / sqrt(n) <= d``; difference: ``n = 2 (z + z_power)^2
  sd^2 / d^2`` per group.

The reverse functions give the margin of error and the minimum detectable
difference for a given ``n`` per group. Sizes are rounded up; never below 2.
"""

from __future__ import annotations

import math
from statistics import NormalDist

from .stats import check_confidence, t_value, z_value

_STD = NormalDist()


def _check_share(name: str, p: float) -> float:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} must be a share between 0 and 1 (or 0% and 100%), not {p!r}")
    return p


def _check_positive(name: str, v: float) -> float:
    if not (v > 0 and math.isfinite(v)):
        raise ValueError(f"{name} must be a positive number, not {v!r}")
    return v


def _z_power(power: float) -> float:
    if not 0.0 < power < 1.0:
        raise ValueError(f"power must be between 0 and 1 (exclusive), e.g. 0.8, not {power!r}")
    return _STD.inv_cdf(power)


def _size(x: float) -> int:
    return max(2, math.ceil(x - 1e-9))  # 1e-9: 384.0000000001 is 384


def nps_variance(promoters: float, detractors: float) -> float:
    """Trinomial variance ``pP + pD - (pP - pD)^2`` of expected shares (0-1).

    >>> round(nps_variance(0.45, 0.25), 4)
    0.66
    """
    _check_share("the promoter share", promoters)
    _check_share("the detractor share", detractors)
    if promoters + detractors > 1.0 + 1e-12:
        raise ValueError("promoter and detractor shares add up to more than 100%")
    return promoters + detractors - (promoters - detractors) ** 2


def nps_n_for_margin(promoters: float, detractors: float, margin: float, *, confidence: float = 0.95) -> int:
    """Respondents for an NPS margin of error of ``margin`` points.

    >>> nps_n_for_margin(0.45, 0.25, 5)  # 1.96^2 x 0.66 / 0.05^2 - 3 = 1011.2
    1012
    """
    _check_positive("the margin", margin)
    z = z_value(confidence)
    return _size(z * z * nps_variance(promoters, detractors) / (margin / 100.0) ** 2 - 3.0)


def nps_n_for_difference(
    promoters: float, detractors: float, difference: float, *, confidence: float = 0.95, power: float = 0.8,
    promoters2: float | None = None, detractors2: float | None = None,
) -> int:
    """Respondents per group to detect an NPS difference of ``difference`` points.

    >>> nps_n_for_difference(0.45, 0.25, 10)  # (1.96 + 0.8416)^2 x 1.32 / 0.01 - 3 = 1033.05
    1034
    """
    _check_positive("the difference", difference)
    s1 = nps_variance(promoters, detractors)
    s2 = nps_variance(promoters if promoters2 is None else promoters2, detractors if detractors2 is None else detractors2)
    k = z_value(confidence) + _z_power(power)
    return _size(k * k * (s1 + s2) / (difference / 100.0) ** 2 - 3.0)


def nps_margin_for_n(promoters: float, detractors: float, n: int, *, confidence: float = 0.95) -> float:
    """Adjusted-Wald margin of error (points) with ``n`` respondents.

    >>> round(nps_margin_for_n(0.45, 0.25, 1012), 3)
    4.998
    """
    _check_positive("n", n)
    return 100.0 * z_value(confidence) * math.sqrt(nps_variance(promoters, detractors) / (n + 3.0))


def nps_detectable_difference(
    promoters: float, detractors: float, n: int, *, confidence: float = 0.95, power: float = 0.8,
) -> float:
    """Smallest NPS difference (points) detectable with ``n`` respondents per group.

    >>> round(nps_detectable_difference(0.45, 0.25, 1034), 2)
    10.0
    """
    _check_positive("n", n)
    k = z_value(confidence) + _z_power(power)
    return 100.0 * k * math.sqrt(2.0 * nps_variance(promoters, detractors) / (n + 3.0))


def csat_n_for_margin(share: float, margin: float, *, confidence: float = 0.95) -> int:
    """Respondents for a CSAT margin of error of ``margin`` percentage points.

    >>> csat_n_for_margin(0.8, 3)  # 1.96^2 x 0.16 / 0.03^2 = 682.95
    683
    """
    _check_share("the expected share", share)
    _check_positive("the margin", margin)
    z = z_value(confidence)
    return _size(z * z * share * (1.0 - share) / (margin / 100.0) ** 2)


def _other_share(share: float, d: float) -> float:
    """The share ``d`` away from ``share``, on the side nearer 50%."""
    up, down = share + d, share - d
    if down < 0.0:
        return min(1.0, up)
    if up > 1.0:
        return down
    return up if abs(up - 0.5) < abs(down - 0.5) else down


def csat_n_for_difference(share: float, difference: float, *, confidence: float = 0.95, power: float = 0.8) -> int:
    """Respondents per group to detect a CSAT difference of ``difference`` points.

    >>> csat_n_for_difference(0.8, 10)  # p2 = 0.7: 7.849 x (0.16 + 0.21) / 0.01
    291
    """
    _check_share("the expected share", share)
    _check_positive("the difference", difference)
    d = difference / 100.0
    p2 = _other_share(share, d)
    k = z_value(confidence) + _z_power(power)
    return _size(k * k * (share * (1 - share) + p2 * (1 - p2)) / d ** 2)


def csat_margin_for_n(share: float, n: int, *, confidence: float = 0.95) -> float:
    """Margin of error (points) of a CSAT share with ``n`` respondents.

    >>> round(csat_margin_for_n(0.8, 683), 3)
    3.0
    """
    _check_share("the expected share", share)
    _check_positive("n", n)
    return 100.0 * z_value(confidence) * math.sqrt(share * (1 - share) / n)


def csat_detectable_difference(share: float, n: int, *, confidence: float = 0.95, power: float = 0.8) -> float:
    """Smallest CSAT difference (points) detectable with ``n`` per group
    (bisection on ``csat_n_for_difference``'s formula).

    >>> round(csat_detectable_difference(0.8, 291), 1)
    10.0
    """
    _check_share("the expected share", share)
    _check_positive("n", n)
    k = z_value(confidence) + _z_power(power)

    def needed(d: float) -> float:
        p2 = _other_share(share, d)
        return k * k * (share * (1 - share) + p2 * (1 - p2)) / d ** 2

    lo, hi = 1e-9, 1.0
    if needed(hi) > n:
        return 100.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if needed(mid) > n:
            lo = mid
        else:
            hi = mid
    return 100.0 * hi


def ces_n_for_margin(sd: float, margin: float, *, confidence: float = 0.95) -> int:
    """Respondents for a CES margin of error ``margin`` (answer units), using
    the t distribution: the smallest n with ``t(n-1) sd / sqrt(n) <= margin``.

    >>> ces_n_for_margin(1.2, 0.1)  # z alone would give 553.2
    556
    """
    _check_positive("the standard deviation", sd)
    _check_positive("the margin", margin)
    check_confidence(confidence)
    n = _size((z_value(confidence) * sd / margin) ** 2)
    while t_value(confidence, n - 1) * sd / math.sqrt(n) > margin:
        n += 1
    return n


def ces_n_for_difference(sd: float, difference: float, *, confidence: float = 0.95, power: float = 0.8) -> int:
    """Respondents per group to detect a CES difference (answer units).

    >>> ces_n_for_difference(1.2, 0.3)  # 2 x 7.849 x 1.44 / 0.09 = 251.2
    252
    """
    _check_positive("the standard deviation", sd)
    _check_positive("the difference", difference)
    k = z_value(confidence) + _z_power(power)
    return _size(2.0 * k * k * sd * sd / difference ** 2)


def ces_margin_for_n(sd: float, n: int, *, confidence: float = 0.95) -> float:
    """t-based margin of error of a CES mean with ``n`` respondents.

    >>> ces_margin_for_n(1.2, 556) <= 0.1 < ces_margin_for_n(1.2, 555)
    True
    """
    _check_positive("the standard deviation", sd)
    if n < 2:
        raise ValueError("n must be at least 2 for a margin of error of a mean")
    return t_value(confidence, n - 1) * sd / math.sqrt(n)


def ces_detectable_difference(sd: float, n: int, *, confidence: float = 0.95, power: float = 0.8) -> float:
    """Smallest CES difference detectable with ``n`` per group.

    >>> round(ces_detectable_difference(1.2, 252), 3)
    0.3
    """
    _check_positive("the standard deviation", sd)
    _check_positive("n", n)
    k = z_value(confidence) + _z_power(power)
    return k * sd * math.sqrt(2.0 / n)
