"""Is a series moving? A weighted trend test and Shewhart-style control limits.

* ``wls_trend``: weighted least squares of period scores on time (period
  index 0, 1, 2, ...; gaps keep their place), with weights ``1 / SE^2`` so
  that precise periods count more. The slope is in score units per period;
  its standard error is scaled by the residual variance and tested with
  Student's t on ``k - 2`` degrees of freedom (``k`` periods used), as
  ordinary WLS software (statsmodels ``WLS``) does.
* ``control_limits``: the overall score plus or minus 3 standard errors of
  each period, the standard error computed from the overall variance and the
  period's (effective) size, as in a Shewhart p-chart (Montgomery,
  *Introduction to Statistical Quality Control*). A period outside its
  limits is flagged out of control.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from .stats import t_cdf


@dataclass(frozen=True)
class Trend:
    """Slope per period with its standard error, t, df and two-sided p.

    Fields are None, with ``note`` saying why, when the test cannot be
    computed (fewer than three usable periods, or points exactly on a line).
    """

    slope: float | None
    std_error: float | None
    t: float | None
    df: int | None
    p_value: float | None
    periods: int
    note: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def wls_trend(
    x: Sequence[float], y: Sequence[float | None], se: Sequence[float | None]
) -> Trend:
    """WLS slope of ``y`` on ``x`` with weights ``1 / se^2``.

    Points whose score or standard error is missing, or whose standard
    error is 0 (no sampling spread: an infinite weight), are left out.

    >>> r = wls_trend([0, 1, 2, 3], [10, 12, 15, 15], [2, 2, 1, 1])
    >>> round(r.slope, 4), round(r.std_error, 4), r.df
    (1.5506, 0.5903, 2)
    >>> wls_trend([0, 1], [1, 2], [1, 1]).note
    'a trend test needs at least three periods with answers'
    """
    pts = [(float(a), float(b), 1.0 / (s * s)) for a, b, s in zip(x, y, se)
           if b is not None and s is not None and s > 0 and math.isfinite(s)]
    k = len(pts)
    if k < 3:
        return Trend(None, None, None, None, None, k, "a trend test needs at least three periods with answers")
    sw = math.fsum(w for _, _, w in pts)
    xm = math.fsum(w * a for a, _, w in pts) / sw
    ym = math.fsum(w * b for _, b, w in pts) / sw
    sxx = math.fsum(w * (a - xm) ** 2 for a, _, w in pts)
    if sxx <= 0:
        return Trend(None, None, None, None, None, k, "the periods do not spread over time")
    slope = math.fsum(w * (a - xm) * (b - ym) for a, b, w in pts) / sxx
    intercept = ym - slope * xm
    rss = math.fsum(w * (b - intercept - slope * a) ** 2 for a, b, w in pts)
    df = k - 2
    se_slope = math.sqrt(rss / df / sxx)
    if se_slope <= 1e-12 * max(1.0, abs(slope)):
        return Trend(slope, None, None, df, None, k, "the period scores lie exactly on a line: no residual spread to test against")
    t = slope / se_slope
    return Trend(slope, se_slope, t, df, min(1.0, 2.0 * t_cdf(-abs(t), df)), k)


def control_limits(
    centre: float, variance: float | None, n: float, *, sigmas: float = 3.0,
    bounds: tuple[float, float] | None = None,
) -> tuple[float, float] | None:
    """``centre -/+ sigmas x sqrt(variance / n)``, clipped to ``bounds``.

    None when the period has no answers or the variance is unknown.

    >>> control_limits(20.0, 6100.0, 100)
    (-3.430749027719962, 43.43074902771996)
    >>> control_limits(90.0, 900.0, 4, bounds=(0.0, 100.0))
    (45.0, 100.0)
    """
    if variance is None or n <= 0:
        return None
    half = sigmas * math.sqrt(variance / n)
    lo, hi = centre - half, centre + half
    if bounds is not None:
        lo, hi = max(bounds[0], lo), min(bounds[1], hi)
    return lo, hi
