"""Customer effort score (CES).

Two scales are in use:

* CES 2.0 (the default): agreement with "the company made it easy for me
  to handle my issue" on 1-7, higher is easier. "Easy" is 5-7, "difficult"
  1-3 (above and below the midpoint 4).
* The original effort question: 1 (very low effort) to 5 (very high
  effort), lower is better: ``--scale 1-5 --lower-is-better`` makes "easy"
  1-2 and "difficult" 4-5.

The score is the mean answer, with a Student-t interval
``mean +/- t(n-1) x s / sqrt(n)``; the shares of easy and difficult
answers are reported in percent.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import DataError, EmptyDataError
from .scales import Scale
from .stats import check_confidence, t_value
from .tally import Tally, result_dict
from .weights import check_weights, weighted_mean, weighted_share, weighted_variance

DEFAULT_SCALE = Scale(1, 7)


def ces(scores: Iterable[int], *, scale: Scale = DEFAULT_SCALE) -> float:
    """Mean effort answer.

    >>> ces([7, 6, 5, 2])
    5.0
    >>> ces([])
    Traceback (most recent call last):
    ...
    cxterms.errors.EmptyDataError: no answers to compute CES from
    """
    t = Tally()
    for s in scores:
        if s not in scale:
            raise DataError(f"answer {s!r} is outside the {scale} scale")
        t.add(s)
    if t.n == 0:
        raise EmptyDataError("no answers to compute CES from")
    return t.mean()


def is_easy(value: int, scale: Scale, lower_is_better: bool) -> bool:
    """Easy answers lie on the good side of the midpoint.

    >>> [v for v in range(1, 8) if is_easy(v, Scale(1, 7), False)]
    [5, 6, 7]
    >>> [v for v in range(1, 6) if is_easy(v, Scale(1, 5), True)]
    [1, 2]
    """
    return value < scale.midpoint if lower_is_better else value > scale.midpoint


def is_difficult(value: int, scale: Scale, lower_is_better: bool) -> bool:
    return value > scale.midpoint if lower_is_better else value < scale.midpoint


@dataclass(frozen=True)
class CESResult:
    """Mean effort answer with its Student-t interval.

    With a weighted tally the mean, shares and standard deviation are
    weighted and the standard error is ``sd / sqrt(n_eff)`` with ``n_eff - 1``
    degrees of freedom (Kish's effective sample size; ``weight_total`` is
    None when unweighted). The interval is None, with ``note``, when it
    cannot be estimated (one answer, or every answer the same).
    """

    ces: float
    n: int
    weight_total: float | None
    effective_n: float
    easy: int
    difficult: int
    easy_pct: float
    difficult_pct: float
    std_dev: float | None
    std_error: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    scale: str
    lower_is_better: bool
    blank: int = 0
    invalid: int = 0
    distribution: dict[str, int] | None = None
    note: str | None = None

    def as_dict(self) -> dict:
        return result_dict(self)


def ces_from_tally(
    tally: Tally, *, scale: Scale = DEFAULT_SCALE, lower_is_better: bool = False, confidence: float = 0.95
) -> CESResult:
    """Mean, easy/difficult shares and t-interval from a tally.

    With a single answer there is no spread: the interval is None.

    >>> r = ces_from_tally(Tally({7: 3, 6: 3, 5: 2, 4: 1, 2: 1}))
    >>> r.ces, r.easy_pct, r.difficult_pct, round(r.ci_low, 3), round(r.ci_high, 3)
    (5.5, 80.0, 10.0, 4.369, 6.631)
    """
    check_confidence(confidence)
    check_weights(tally)
    bad = [v for v in tally.counts if v not in scale]
    if bad:
        raise DataError(f"answer {bad[0]!r} is outside the {scale} scale")
    n = tally.n
    if n == 0 or tally.weight_total <= 0:
        raise EmptyDataError("no valid answers (or only zero weights) to compute CES from")
    n_eff = tally.effective_n
    mean = weighted_mean(tally)
    easy = tally.count_where(lambda v: is_easy(v, scale, lower_is_better))
    hard = tally.count_where(lambda v: is_difficult(v, scale, lower_is_better))
    easy_share = weighted_share(tally, lambda v: is_easy(v, scale, lower_is_better))
    hard_share = weighted_share(tally, lambda v: is_difficult(v, scale, lower_is_better))
    sd = se = low = high = note = None
    if n_eff > 1 + 1e-9:
        sd = math.sqrt(weighted_variance(tally))
        se = sd / math.sqrt(n_eff)
    if se is None or n_eff < 2 - 1e-9:  # a t interval needs one degree of freedom
        note = "fewer than two answers (effective n below 2): too little spread information for an interval"
    elif se > 0:
        half = t_value(confidence, n_eff - 1) * se
        low, high = mean - half, mean + half
    else:
        note = "every answer is the same, so there is no spread to estimate an interval from (that is not certainty)"
    return CESResult(
        ces=mean, n=n, weight_total=tally.weight_total if tally.weighted else None, effective_n=n_eff,
        easy=easy, difficult=hard, easy_pct=100.0 * easy_share, difficult_pct=100.0 * hard_share,
        std_dev=sd, std_error=se, ci_low=low, ci_high=high, confidence=confidence, scale=str(scale),
        lower_is_better=lower_is_better, blank=tally.blank, invalid=tally.invalid,
        distribution=tally.distribution(scale.low, scale.high), note=note,
    )
