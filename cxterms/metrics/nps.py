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
from .tally import Tally, result_dict
from .weights import check_weights

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
    """NPS with its uncertainty; every figure in points except counts and shares (%).

    ``std_error`` is the standard error of the reported interval's method
    (the adjusted-Wald SE, of ``nps_adjusted``, under ``adjusted-wald``; the
    Wald SE under ``wald``); ``std_error_observed`` is always the Wald SE of
    the observed ``nps``. Shares are weighted for a weighted tally, and the
    standard errors then use Kish's effective sample size ``effective_n``
    (``weight_total`` is None when unweighted). ``note`` explains an interval
    that could not be given.
    """

    nps: float
    n: int
    weight_total: float | None
    effective_n: float
    promoters: int
    passives: int
    detractors: int
    promoters_pct: float
    passives_pct: float
    detractors_pct: float
    std_error: float
    std_error_observed: float
    margin_of_error: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    interval: str
    nps_adjusted: float | None
    blank: int = 0
    invalid: int = 0
    distribution: dict[str, int] | None = None
    note: str | None = None

    def as_dict(self) -> dict:
        return result_dict(self)

    @property
    def variance(self) -> float:
        """Observed trinomial variance pP + pD - (pP - pD)^2 (shares as fractions)."""
        pp, pd = self.promoters_pct / 100.0, self.detractors_pct / 100.0
        return max(0.0, pp + pd - (pp - pd) ** 2)


def _spread(promoters: float, detractors: float, n: float) -> tuple[float, float]:
    """(score in points, trinomial variance) for the given counts."""
    pp, pd = promoters / n, detractors / n
    return 100.0 * (promoters - detractors) / n, max(0.0, pp + pd - (pp - pd) ** 2)


ZERO_WIDTH = (
    "every answer falls in one group, so the Wald interval has zero width; that is not certainty: "
    "use the adjusted-Wald interval"
)


def _result(
    counts: tuple[int, int, int], weights: tuple[float, float, float], n_eff: float, weighted: bool, *,
    confidence: float, interval: str, blank: int, invalid: int, distribution: dict[str, int] | None,
) -> NPSResult:
    """Build the result from raw counts and (possibly weighted) group totals."""
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {', '.join(INTERVALS)}, not {interval!r}")
    check_confidence(confidence)
    promoters, passives, detractors = counts
    n = promoters + passives + detractors
    wp, wa, wd = weights
    w = wp + wa + wd
    if n == 0 or w <= 0 or n_eff <= 0:
        raise EmptyDataError("no answers (or only zero weights) to compute an NPS from")
    observed, var = _spread(wp, wd, w)
    se_obs = 100.0 * math.sqrt(var / n_eff)
    adjusted = None
    centre, se = observed, se_obs
    if interval == "adjusted-wald":
        # the adjustment is made on the effective sample: shares x n_eff are the effective counts
        adjusted, var_adj = _spread(wp / w * n_eff + 0.75, wd / w * n_eff + 0.75, n_eff + 3)
        centre, se = adjusted, 100.0 * math.sqrt(var_adj / (n_eff + 3))
    margin = z_value(confidence) * se
    lo, hi, note = max(-100.0, centre - margin), min(100.0, centre + margin), None
    if se == 0.0:  # only Wald with every answer in one group: never shown as certainty
        margin = lo = hi = None
        note = ZERO_WIDTH
    return NPSResult(
        nps=observed, n=n, weight_total=w if weighted else None, effective_n=n_eff,
        promoters=promoters, passives=passives, detractors=detractors,
        promoters_pct=100.0 * wp / w, passives_pct=100.0 * wa / w, detractors_pct=100.0 * wd / w,
        std_error=se, std_error_observed=se_obs, margin_of_error=margin, ci_low=lo, ci_high=hi,
        confidence=confidence, interval=interval, nps_adjusted=adjusted, blank=blank, invalid=invalid,
        distribution=distribution, note=note,
    )


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
    >>> round(a.std_error, 3), round(a.std_error_observed, 3)
    (7.692, 7.81)

    The adjusted-Wald interval never has zero width; the Wald interval of
    answers all in one group would, so it is not given (``note`` says why):

    >>> one = nps_from_counts(1, 0, 0, interval="adjusted-wald")
    >>> round(one.ci_low, 1), round(one.ci_high, 1)
    (-48.5, 98.5)
    >>> nps_from_counts(1, 0, 0).ci_low is None
    True
    """
    for name, value in (("promoters", promoters), ("passives", passives), ("detractors", detractors)):
        if value < 0:
            raise DataError(f"{name} cannot be negative ({value})")
    n = promoters + passives + detractors
    return _result(
        (promoters, passives, detractors), (float(promoters), float(passives), float(detractors)), float(n), False,
        confidence=confidence, interval=interval, blank=blank, invalid=invalid, distribution=distribution,
    )


def nps_from_tally(tally: Tally, *, confidence: float = 0.95, interval: str = "wald") -> NPSResult:
    """NPS of a tally of 0-10 answers (the distribution is kept for charts).

    A weighted tally gives weighted shares and uses Kish's effective sample
    size in the standard errors.

    >>> nps_from_tally(Tally({10: 5, 8: 3, 2: 2})).nps
    30.0
    >>> t = Tally(); t.add_weighted(10, 1, 3.0, 9.0); t.add_weighted(0, 1, 1.0, 1.0)
    >>> r = nps_from_tally(t)
    >>> r.nps, r.n, r.weight_total, r.effective_n
    (50.0, 2, 4.0, 1.6)
    """
    check_weights(tally)
    bad = [v for v in tally.counts if not SCALE[0] <= v <= SCALE[1]]
    if bad:
        raise DataError(f"NPS answers run from 0 to 10, not {bad[0]!r}")
    if tally.n == 0:
        raise EmptyDataError("no valid answers to compute an NPS from")

    def total(pred) -> tuple[int, float]:
        vals = [v for v in tally.counts if pred(v)]
        return sum(tally.counts[v] for v in vals), math.fsum(tally.weight_of(v) for v in vals)

    (p, wp), (a, wa), (d, wd) = (total(lambda v: v >= PROMOTER_MIN), total(lambda v: PASSIVE_MIN <= v < PROMOTER_MIN),
                                 total(lambda v: v < PASSIVE_MIN))
    return _result(
        (p, a, d), (wp, wa, wd), tally.effective_n, tally.weighted, confidence=confidence, interval=interval,
        blank=tally.blank, invalid=tally.invalid, distribution=tally.distribution(*SCALE),
    )


@dataclass(frozen=True)
class NPSComparison:
    """Difference between two NPS results with a two-sample z-test (points).

    ``difference`` is the observed difference; ``std_error`` the standard
    error of the difference the test used; under adjusted-Wald ``z`` is
    computed from the adjusted scores. ``z``/``p_value``/``significant`` are
    None, with ``note``, when neither sample has any sampling variance.
    """

    nps: float
    other_nps: float
    difference: float
    std_error: float | None
    z: float | None
    p_value: float | None
    significant: bool | None
    confidence: float
    n: int
    other_n: int
    interval: str = "wald"
    note: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def compare(a: NPSResult, b: NPSResult, *, confidence: float = 0.95) -> NPSComparison:
    """Is ``a.nps`` different from ``b.nps``? Two-sided z-test following the
    results' interval: observed shares under ``wald``, adjusted shares
    (+3/4 promoters and detractors, +3 respondents in each sample) under
    ``adjusted-wald`` (Lewis & Sauro's adjusted-Wald test).

    >>> c = compare(nps_from_counts(50, 30, 20), nps_from_counts(40, 30, 30))
    >>> c.difference, round(c.z, 3), round(c.p_value, 3), c.significant
    (20.0, 1.754, 0.079, False)
    >>> w = "adjusted-wald"
    >>> c = compare(nps_from_counts(50, 30, 20, interval=w), nps_from_counts(40, 30, 30, interval=w))
    >>> c.difference, round(c.z, 3), round(c.p_value, 3)
    (20.0, 1.732, 0.083)
    """
    check_confidence(confidence)
    if a.interval != b.interval:
        raise ValueError("both results must use the same interval method")
    se = math.sqrt(a.std_error ** 2 + b.std_error ** 2)
    diff = a.nps - b.nps
    z = p = significant = note = None
    if se > 0.0:
        centre = (a.nps_adjusted - b.nps_adjusted) if a.interval == "adjusted-wald" else diff
        z = centre / se
        p = two_sided_p(z)
        significant = p < 1.0 - confidence
    else:
        note = "no sampling variance: in both samples every answer falls in one group"
    return NPSComparison(
        nps=a.nps, other_nps=b.nps, difference=diff, std_error=se, z=z, p_value=p,
        significant=significant, confidence=confidence, n=a.n, other_n=b.n, interval=a.interval, note=note,
    )
