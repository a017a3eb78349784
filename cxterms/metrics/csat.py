"""Customer satisfaction (CSAT).

``CSAT = 100 x (answers >= K) / n`` where K defaults to MAX - 1 on a
MIN-MAX scale: the "top-2-box" share (4s and 5s on 1-5). The mean answer
is reported too, since some teams quote CSAT as a mean. The interval is the
Wilson score interval for the satisfied share, in percent.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import DataError, EmptyDataError, UsageError
from .scales import Scale
from .stats import check_confidence, wilson_share_interval
from .tally import Tally, result_dict
from .weights import check_weights, weighted_mean, weighted_share, weighted_variance

DEFAULT_SCALE = Scale(1, 5)


def threshold(scale: Scale, satisfied: int | None) -> int:
    """The lowest satisfied answer: ``satisfied`` or, by default, MAX - 1
    (top-2-box); on a two-point scale (Zendesk's Bad/Good) the top answer.

    >>> threshold(Scale(1, 5), None), threshold(Scale(1, 10), 8), threshold(Scale(1, 2), None)
    (4, 8, 2)
    """
    if satisfied is None:
        k = scale.high if scale.high - scale.low < 2 else scale.high - 1
    else:
        k = satisfied
    if k not in scale:
        raise UsageError(f"--satisfied must be an answer on the {scale} scale, not {k}")
    return k


def csat(scores: Iterable[int], *, scale: Scale = DEFAULT_SCALE, satisfied: int | None = None) -> float:
    """Share of answers at or above the satisfied threshold, in percent.

    >>> csat([5, 4, 3, 5, 1])
    60.0
    >>> csat([7, 9, 10], scale=Scale(1, 10), satisfied=9)
    66.66666666666667
    """
    k = threshold(scale, satisfied)
    n = hits = 0
    for s in scores:
        if s not in scale:
            raise DataError(f"answer {s!r} is outside the {scale} scale")
        n += 1
        hits += s >= k
    if n == 0:
        raise EmptyDataError("no answers to compute CSAT from")
    return 100.0 * hits / n


@dataclass(frozen=True)
class CSATResult:
    """CSAT (% satisfied) with its Wilson interval.

    With a weighted tally the share, mean and standard deviation are
    weighted and the interval uses Kish's effective sample size
    ``effective_n`` (``weight_total`` is None when unweighted);
    ``satisfied`` stays the raw count. ``std_error`` is the standard error
    of the share in points, ``sqrt(p (1 - p) / n_eff)`` (0 when every answer
    is on one side: the Wilson interval still has a width).
    """

    csat: float
    n: int
    weight_total: float | None
    effective_n: float
    satisfied: int
    satisfied_min: int
    scale: str
    mean: float
    std_dev: float | None
    std_error: float
    ci_low: float
    ci_high: float
    confidence: float
    blank: int = 0
    invalid: int = 0
    distribution: dict[str, int] | None = None

    def as_dict(self) -> dict:
        return result_dict(self)


def csat_from_tally(
    tally: Tally, *, scale: Scale = DEFAULT_SCALE, satisfied: int | None = None, confidence: float = 0.95
) -> CSATResult:
    """CSAT (% satisfied), mean answer and Wilson interval from a tally.

    >>> r = csat_from_tally(Tally({5: 40, 4: 40, 3: 10, 2: 6, 1: 4}))
    >>> r.csat, r.mean, round(r.ci_low, 2), round(r.ci_high, 2)
    (80.0, 4.06, 71.12, 86.66)
    """
    check_confidence(confidence)
    k = threshold(scale, satisfied)
    check_weights(tally)
    bad = [v for v in tally.counts if v not in scale]
    if bad:
        raise DataError(f"answer {bad[0]!r} is outside the {scale} scale")
    n = tally.n
    if n == 0 or tally.weight_total <= 0:
        raise EmptyDataError("no valid answers (or only zero weights) to compute CSAT from")
    hits = tally.count_where(lambda v: v >= k)
    n_eff = tally.effective_n
    share = hits / n if not tally.weighted else weighted_share(tally, lambda v: v >= k)
    low, high = wilson_share_interval(share, n_eff, confidence)
    try:
        sd = math.sqrt(weighted_variance(tally))
    except ZeroDivisionError:
        sd = None
    return CSATResult(
        csat=100.0 * share,
        n=n,
        weight_total=tally.weight_total if tally.weighted else None,
        effective_n=n_eff,
        satisfied=hits,
        satisfied_min=k,
        scale=str(scale),
        mean=weighted_mean(tally),
        std_dev=sd,
        std_error=100.0 * math.sqrt(share * (1.0 - share) / n_eff),
        ci_low=100.0 * low,
        ci_high=100.0 * high,
        confidence=confidence,
        blank=tally.blank,
        invalid=tally.invalid,
        distribution=tally.distribution(scale.low, scale.high),
    )
