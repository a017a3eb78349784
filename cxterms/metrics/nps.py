"""Net Promoter Score.

Respondents answer 0-10; promoters 9-10, passives 7-8, detractors 0-6.
``NPS = 100 x (promoters - detractors) / n``, from -100 to +100 points.

Uncertainty uses the trinomial variance of the difference of two shares::

    var = pP + pD - (pP - pD)^2         (pP, pD: promoter, detractor shares)
    SE  = 100 x sqrt(var / n)           points
    margin = z x SE,  CI = NPS +/- margin  (clipped to -100..100)

``interval="adjusted-wald"`` (Lewis & Sauro) adds 0.75 to the promoter and
detractor counts and 3 to n before computing the estimate and its
variance; the observed ``nps`` is still reported, the adjusted estimate is
``nps_adjusted`` and the interval is centred on it. It behaves better for
small samples and extreme scores.

Two independent samples are compared with ``z = (NPS1 - NPS2) /
sqrt(var1/n1 + var2/n2)`` (observed shares) and a two-sided normal p-value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from ..errors import DataError, EmptyDataError
from .stats import check_confidence, two_sided_p, z_value
from .tally import Tally

SCALE = (0, 10)
PROMOTER_MIN = 9
PASSIVE_MIN = 7
INTERVALS = ("wald", "adjusted-wald")


def group_of(score: int) -> str:
    """'promoter', 'passive' or 'detractor' for a 0-10 answer.

    >>> [group_of(s) for s in (10, 9, 8, 7, 6, 0)]
    ['promoter', 'promoter', 'passive', 'passive', 'detractor', 'detractor']
    """
    if not SCALE[0] <= score <= SCALE[1]:
        raise DataError(f"NPS answers run from 0 to 10, not {score!r}")
    return "promoter" if score >= PROMOTER_MIN else "passive" if score >= PASSIVE_MIN else "detractor"


def nps(scores: Iterable[int]) -> float:
    """NPS of raw 0-10 answers, in points.

    >>> nps([10, 9, 8, 3])
    25.0
    >>> nps([])
    Traceback (most recent call last):
    ...
    cxterms.errors.EmptyDataError: no answers to compute an NPS from
    """
    p = d = n = 0
    for s in scores:
        if isinstance(s, float) and not s.is_integer():
            raise DataError(f"NPS answers are whole numbers, not {s!r}")
        g = group_of(int(s))
        n += 1
        p += g == "promoter"
        d += g == "detractor"
    if n == 0:
        raise EmptyDataError("no answers to compute an NPS from")
    return 100.0 * (p - d) / n


@dataclass(frozen=True)
class NPSResult:
    """NPS with its uncertainty; every figure in points except counts and shares (%)."""

    nps: float
    n: int
    promoters: int
    passives: int
    detractors: int
    promoters_pct: float
    passives_pct: float
    detractors_pct: float
    std_error: float
    margin_of_error: float
    ci_low: float
    ci_high: float
    confidence: float
    interval: str
    nps_adjusted: float | None
    blank: int = 0
    invalid: int = 0
    distribution: dict[str, int] | None = None

    def as_dict(self) -> dict:
        # shallow (dataclasses.asdict deep-copies: the bulk of the time of a
        # --by run over a million groups); the distribution dict is copied
        return {k: dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v
                for k, v in self.__dict__.items()}

    @property
    def variance(self) -> float:
        """Observed trinomial variance pP + pD - (pP - pD)^2 (shares as fractions)."""
        pp, pd = self.promoters / self.n, self.detractors / self.n
        return pp + pd - (pp - pd) ** 2


def _spread(promoters: float, detractors: float, n: float) -> tuple[float, float]:
    """(score in points, trinomial variance) for the given counts."""
    pp, pd = promoters / n, detractors / n
    return 100.0 * (promoters - detractors) / n, pp + pd - (pp - pd) ** 2


def nps_from_counts(
    promoters: int,
    passives: int,
    detractors: int,
    *,
    confidence: float = 0.95,
    interval: str = "wald",
    blank: int = 0,
    invalid: int = 0,
    distribution: dict[str, int] | None = None,
) -> NPSResult:
    """NPS, standard error, margin of error and confidence interval from group counts.

    >>> r = nps_from_counts(50, 30, 20)
    >>> r.nps, round(r.std_error, 2), round(r.margin_of_error, 1)
    (30.0, 7.81, 15.3)
    >>> a = nps_from_counts(50, 30, 20, interval="adjusted-wald")
    >>> round(a.nps_adjusted, 1), round(a.ci_low, 2), round(a.ci_high, 2)
    (29.1, 14.05, 44.2)
    """
    for name, value in (("promoters", promoters), ("passives", passives), ("detractors", detractors)):
        if value < 0:
            raise DataError(f"{name} cannot be negative ({value})")
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {', '.join(INTERVALS)}, not {interval!r}")
    check_confidence(confidence)
    n = promoters + passives + detractors
    if n == 0:
        raise EmptyDataError("no answers to compute an NPS from")
    observed, var = _spread(promoters, detractors, n)
    adjusted = None
    centre, se = observed, 100.0 * math.sqrt(var / n)
    if interval == "adjusted-wald":
        adjusted, var_adj = _spread(promoters + 0.75, detractors + 0.75, n + 3)
        centre, se = adjusted, 100.0 * math.sqrt(var_adj / (n + 3))
    margin = z_value(confidence) * se
    return NPSResult(
        nps=observed,
        n=n,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        promoters_pct=100.0 * promoters / n,
        passives_pct=100.0 * passives / n,
        detractors_pct=100.0 * detractors / n,
        std_error=se,
        margin_of_error=margin,
        ci_low=max(-100.0, centre - margin),
        ci_high=min(100.0, centre + margin),
        confidence=confidence,
        interval=interval,
        nps_adjusted=adjusted,
        blank=blank,
        invalid=invalid,
        distribution=distribution,
    )


def nps_from_tally(tally: Tally, *, confidence: float = 0.95, interval: str = "wald") -> NPSResult:
    """NPS of a tally of 0-10 answers (the distribution is kept for charts).

    >>> nps_from_tally(Tally({10: 5, 8: 3, 2: 2})).nps
    30.0
    """
    bad = [v for v in tally.counts if not SCALE[0] <= v <= SCALE[1]]
    if bad:
        raise DataError(f"NPS answers run from 0 to 10, not {bad[0]!r}")
    if tally.n == 0:
        raise EmptyDataError("no valid answers to compute an NPS from")
    return nps_from_counts(
        tally.count_where(lambda v: v >= PROMOTER_MIN),
        tally.count_where(lambda v: PASSIVE_MIN <= v < PROMOTER_MIN),
        tally.count_where(lambda v: v < PASSIVE_MIN),
        confidence=confidence,
        interval=interval,
        blank=tally.blank,
        invalid=tally.invalid,
        distribution=tally.distribution(*SCALE),
    )


@dataclass(frozen=True)
class NPSComparison:
    """Difference between two NPS results with a two-sample z-test (points)."""

    nps: float
    other_nps: float
    difference: float
    std_error: float
    z: float
    p_value: float
    significant: bool
    confidence: float
    n: int
    other_n: int

    def as_dict(self) -> dict:
        return asdict(self)


def compare(a: NPSResult, b: NPSResult, *, confidence: float = 0.95) -> NPSComparison:
    """Is ``a.nps`` different from ``b.nps``? Two-sided z-test on observed shares.

    >>> c = compare(nps_from_counts(50, 30, 20), nps_from_counts(40, 30, 30))
    >>> c.difference, round(c.z, 3), round(c.p_value, 3), c.significant
    (20.0, 1.754, 0.079, False)
    """
    check_confidence(confidence)
    se = 100.0 * math.sqrt(a.variance / a.n + b.variance / b.n)
    diff = a.nps - b.nps
    if se == 0.0:
        if diff != 0.0:
            raise DataError(
                "cannot test the difference: in both samples every answer falls in one group, so it has no sampling variance"
            )
        z, p = 0.0, 1.0
    else:
        z = diff / se
        p = two_sided_p(z)
    return NPSComparison(
        nps=a.nps, other_nps=b.nps, difference=diff, std_error=se, z=z, p_value=p,
        significant=p < 1.0 - confidence, confidence=confidence, n=a.n, other_n=b.n,
    )
