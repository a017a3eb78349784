"""Customer satisfaction (CSAT).

``CSAT = 100 x (answers >= K) / n`` where K defaults to MAX - 1 on a
MIN-MAX scale: the "top-2-box" share (4s and 5s on 1-5). The mean answer
is reported too, since some teams quote CSAT as a mean. The interval is the
Wilson score interval for the satisfied share, in percent.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from ..errors import DataError, EmptyDataError, UsageError
from .scales import Scale
from .stats import check_confidence, wilson_interval
from .tally import Tally

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
    csat: float
    n: int
    satisfied: int
    satisfied_min: int
    scale: str
    mean: float
    std_dev: float | None
    ci_low: float
    ci_high: float
    confidence: float
    blank: int = 0
    invalid: int = 0
    distribution: dict[str, int] | None = None

    def as_dict(self) -> dict:
        return asdict(self)


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
    bad = [v for v in tally.counts if v not in scale]
    if bad:
        raise DataError(f"answer {bad[0]!r} is outside the {scale} scale")
    n = tally.n
    if n == 0:
        raise EmptyDataError("no valid answers to compute CSAT from")
    hits = tally.count_where(lambda v: v >= k)
    low, high = wilson_interval(hits, n, confidence)
    return CSATResult(
        csat=100.0 * hits / n,
        n=n,
        satisfied=hits,
        satisfied_min=k,
        scale=str(scale),
        mean=tally.mean(),
        std_dev=math.sqrt(tally.variance()) if n > 1 else None,
        ci_low=100.0 * low,
        ci_high=100.0 * high,
        confidence=confidence,
        blank=tally.blank,
        invalid=tally.invalid,
        distribution=tally.distribution(scale.low, scale.high),
    )
