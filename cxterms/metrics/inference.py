"""Is the difference real? Two-sample tests for NPS, CSAT and CES, and
multiple-testing adjustments (pure Python: math and statistics only).

Each metric has a *measure* that reduces a tally to a ``Summary`` (the
estimate a test uses, its unit variance and the effective sample size) and
tests the difference of two summaries:

* **NPS** (``NPSMeasure``): with ``interval="adjusted-wald"`` (the default
  of the command line) each sample gets 3/4 of a promoter and 3/4 of a
  detractor and 3 more respondents, as in the adjusted-Wald interval (Rocks
  2016; Lewis & Sauro, MeasuringU "How to statistically compare two Net
  Promoter Scores"); then ``z = (NPS'1 - NPS'2) / sqrt(var'1/n'1 +
  var'2/n'2)`` with the trinomial variance ``var = pP + pD - (pP - pD)^2``.
  With ``interval="wald"`` the observed shares are used instead.
* **CSAT** (``CSATMeasure``): the two-proportion z-test on the satisfied
  (top-box) share with the pooled standard error
  ``sqrt(p (1 - p) (1/n1 + 1/n2))``, as in most textbooks and in
  statsmodels' ``proportions_ztest``.
* **CES** (``CESMeasure``): Welch's unequal-variance t-test on the means,
  with Welch-Satterthwaite degrees of freedom.

Weighted tallies use weighted shares, means and variances and Kish's
effective sample size in place of n (see ``cxterms.metrics.weights``).

Reported ``difference`` is always the difference of the *observed* scores;
under adjusted-Wald the statistic is computed from the adjusted scores, so
``z`` is not exactly ``difference / difference_std_error`` there.

Degenerate cases never raise and never produce NaN or infinity: a test that
cannot be computed (no answers, no spread, a single answer for a t-test)
returns ``p_value=None`` with the reason in ``note``.

Multiple comparisons: ``adjust_p`` applies Holm's step-down (controls the
family-wise error rate; Holm 1979) or Benjamini-Hochberg (controls the false
discovery rate; Benjamini & Hochberg 1995).

Typical use (e.g. a topic against the comments without it)::

    m = NPSMeasure()                      # or CSATMeasure(k), CESMeasure()
    d = m.compare(topic_tally, rest_tally)  # one test -> Difference
    r = compare_segments(m, {"a": t1, "b": t2, "c": t3}, adjust="holm")
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace

from .stats import t_cdf, two_sided_p
from .tally import Tally
from .weights import check_weights, weighted_mean, weighted_share, weighted_variance

__all__ = [
    "ADJUSTMENTS", "CESMeasure", "CSATMeasure", "Difference", "Measure", "NPSMeasure", "Summary", "adjust_p",
    "benjamini_hochberg", "compare_segments", "compare_sequence", "holm", "two_proportion_z", "welch_t",
]

ADJUSTMENTS = ("holm", "bh", "none")

# -- p-value adjustments ----------------------------------------------------


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values (None entries are skipped).

    ``p_(i) adjusted = max over j <= i of min(1, (m - j + 1) p_(j))`` for the
    p-values sorted in increasing order.

    >>> holm([0.01, 0.04, 0.03, None])
    [0.03, 0.06, 0.06, None]
    """
    idx = [i for i, p in enumerate(p_values) if p is not None]
    m = len(idx)
    out: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, i in enumerate(sorted(idx, key=lambda i: p_values[i])):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        out[i] = running
    return out


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini-Hochberg adjusted p-values (None entries are skipped).

    ``p_(i) adjusted = min over j >= i of min(1, m p_(j) / j)``.

    >>> [round(p, 4) for p in benjamini_hochberg([0.01, 0.04, 0.03])]
    [0.03, 0.04, 0.04]
    """
    idx = [i for i, p in enumerate(p_values) if p is not None]
    m = len(idx)
    out: list[float | None] = [None] * len(p_values)
    running = 1.0
    order = sorted(idx, key=lambda i: p_values[i])
    for rank in range(m - 1, -1, -1):
        i = order[rank]
        running = min(running, min(1.0, m * p_values[i] / (rank + 1)))
        out[i] = running
    return out


def adjust_p(p_values: Sequence[float | None], method: str = "holm") -> list[float | None]:
    """Adjust p-values for multiple comparisons: ``holm``, ``bh`` or ``none``.

    >>> adjust_p([0.02, 0.5], "none")
    [0.02, 0.5]
    """
    if method == "holm":
        return holm(p_values)
    if method == "bh":
        return benjamini_hochberg(p_values)
    if method == "none":
        return list(p_values)
    raise ValueError(f"adjustment must be one of {', '.join(ADJUSTMENTS)}, not {method!r}")


# -- elementary tests ---------------------------------------------------------


def two_proportion_z(p1: float, n1: float, p2: float, n2: float) -> tuple[float, float, float] | None:
    """Two-proportion z-test with the pooled standard error.

    Shares as fractions, sizes may be effective (non-integer). Returns
    ``(z, p_value, se)`` or None when the pooled share is 0 or 1 (no spread).

    >>> z, p, se = two_proportion_z(0.6, 100, 0.45, 100)
    >>> round(z, 4), round(p, 4)
    (2.124, 0.0337)
    >>> two_proportion_z(1.0, 10, 1.0, 5) is None
    True
    """
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = math.sqrt(max(0.0, pooled * (1.0 - pooled)) * (1.0 / n1 + 1.0 / n2))
    if se == 0.0:
        return None
    z = (p1 - p2) / se
    return z, two_sided_p(z), se


def welch_t(mean1: float, var1: float, n1: float, mean2: float, var2: float, n2: float) -> tuple[float, float, float, float] | None:
    """Welch's unequal-variance t-test: ``(t, df, p_value, se)`` or None.

    ``se = sqrt(v1/n1 + v2/n2)``, ``df = se^4 / ((v1/n1)^2/(n1-1) + (v2/n2)^2/(n2-1))``.
    None when a sample has n <= 1 or both variances are 0.

    >>> t, df, p, se = welch_t(5.0, 2.0, 20, 4.0, 3.0, 25)
    >>> round(t, 4), round(df, 2), round(p, 4)
    (2.132, 42.97, 0.0388)
    """
    if n1 <= 1 or n2 <= 1:
        return None
    a, b = var1 / n1, var2 / n2
    se2 = a + b
    if se2 <= 0.0:
        return None
    se = math.sqrt(se2)
    t = (mean1 - mean2) / se
    df = se2 * se2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
    p = 2.0 * t_cdf(-abs(t), df)  # the lower tail keeps its digits far out
    return t, df, min(1.0, p), se


# -- summaries and measures ---------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """One sample as a test sees it.

    ``value``: the reported (observed) score; ``centre``: the estimate the
    test uses (the adjusted NPS under adjusted-Wald, else ``value``);
    ``variance``: unit variance in squared score units (so the standard
    error is ``sqrt(variance / n_test)``); ``n``: answers; ``n_test``: the
    sample size the test uses (Kish n_eff, plus 3 under adjusted-Wald);
    ``weight``: the total weight (n when unweighted).
    """

    value: float
    centre: float
    variance: float | None
    n: int
    n_test: float
    weight: float

    @property
    def std_error(self) -> float | None:
        if self.variance is None or self.n_test <= 0:
            return None
        return math.sqrt(self.variance / self.n_test)


@dataclass(frozen=True)
class Difference:
    """The test of one sample against another.

    ``difference`` = observed score - other observed score; ``std_error`` is
    the standard error the test used; ``statistic`` is z (NPS, CSAT) or t
    (CES, with ``df``); ``p_value`` two-sided. ``p_adjusted`` and
    ``significant`` are filled in by ``compare_segments``/``compare_sequence`` (or
    by ``compare``, unadjusted). A test that cannot be computed has
    ``p_value=None`` and says why in ``note``.
    """

    value: float | None
    other_value: float | None
    difference: float | None
    std_error: float | None
    statistic: float | None
    df: float | None
    p_value: float | None
    test: str
    note: str | None = None
    p_adjusted: float | None = None
    significant: bool | None = None
    vs: str | None = None

    @property
    def direction(self) -> str | None:
        """'higher' or 'lower' when significant, else None."""
        if not self.significant or self.difference is None:
            return None
        return "higher" if self.difference > 0 else "lower" if self.difference < 0 else None

    def as_dict(self) -> dict:
        d = asdict(self)
        d["direction"] = self.direction
        return d


def _untested(test: str, note: str, a: Summary | None = None, b: Summary | None = None) -> Difference:
    diff = a.value - b.value if a is not None and b is not None else None
    return Difference(a.value if a else None, b.value if b else None, diff, None, None, None, None, test, note)


class Measure:
    """Base class: ``summary(tally)`` and ``difference(a, b)`` for one metric."""

    name = ""
    test = ""
    bounds: tuple[float, float] | None = None

    def summary(self, tally: Tally) -> Summary | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def observed_variance(self, tally: Tally) -> float | None:  # pragma: no cover - abstract
        """Unit variance of the observed score (for control limits)."""
        raise NotImplementedError

    def difference(self, a: Summary, b: Summary) -> Difference:  # pragma: no cover - abstract
        raise NotImplementedError

    def trend_std_error(self, tally: Tally) -> float | None:
        """Standard error used to weight a period in a trend test (None or 0:
        the period is left out)."""
        s = self.summary(tally)
        return s.std_error if s is not None else None

    def compare(self, a: Tally, b: Tally) -> Difference:
        """Test tally ``a`` against tally ``b`` (independent samples)."""
        sa, sb = self.summary(a), self.summary(b)
        if sa is None or sb is None:
            return _untested(self.test, "no answers (or zero total weight) in one of the samples", sa, sb)
        return self.difference(sa, sb)


def _empty(tally: Tally) -> bool:
    check_weights(tally)
    return tally.n == 0 or tally.weight_total <= 0


class NPSMeasure(Measure):
    """NPS: adjusted-Wald (default) or Wald two-sample z-test, in points.

    >>> m = NPSMeasure("wald")
    >>> d = m.compare(Tally({10: 50, 8: 30, 0: 20}), Tally({10: 40, 8: 30, 0: 30}))
    >>> d.difference, round(d.statistic, 3), round(d.p_value, 3)
    (20.0, 1.754, 0.079)
    >>> a = NPSMeasure().compare(Tally({10: 50, 8: 30, 0: 20}), Tally({10: 40, 8: 30, 0: 30}))
    >>> round(a.statistic, 3), round(a.p_value, 3)
    (1.732, 0.083)
    """

    name = "nps"
    bounds = (-100.0, 100.0)

    def __init__(self, interval: str = "adjusted-wald") -> None:
        if interval not in ("wald", "adjusted-wald"):
            raise ValueError(f"interval must be wald or adjusted-wald, not {interval!r}")
        self.interval = interval
        self.test = "adjusted-Wald z" if interval == "adjusted-wald" else "Wald z"

    @staticmethod
    def shares(tally: Tally) -> tuple[float, float]:
        """(promoter share, detractor share), weighted when the tally is."""
        return weighted_share(tally, lambda v: v >= 9), weighted_share(tally, lambda v: v <= 6)

    def summary(self, tally: Tally) -> Summary | None:
        if _empty(tally):
            return None
        pp, pd = self.shares(tally)
        n_eff = tally.effective_n
        w = tally.weight_total  # the observed score from sums, as nps_from_counts does
        value = 100.0 * (math.fsum(tally.weight_of(v) for v in tally.counts if v >= 9)
                         - math.fsum(tally.weight_of(v) for v in tally.counts if v <= 6)) / w
        if self.interval == "adjusted-wald":
            n_t = n_eff + 3.0
            pp, pd = (pp * n_eff + 0.75) / n_t, (pd * n_eff + 0.75) / n_t
        else:
            n_t = n_eff
        var = 1e4 * max(0.0, pp + pd - (pp - pd) ** 2)
        return Summary(value, 100.0 * (pp - pd), var, tally.n, n_t, tally.weight_total)

    def observed_variance(self, tally: Tally) -> float | None:
        if _empty(tally):
            return None
        pp, pd = self.shares(tally)
        return 1e4 * max(0.0, pp + pd - (pp - pd) ** 2)

    def difference(self, a: Summary, b: Summary) -> Difference:
        se2 = a.variance / a.n_test + b.variance / b.n_test
        if se2 <= 0.0:
            return _untested(self.test, "no sampling variance: every answer falls in one group in both samples", a, b)
        se = math.sqrt(se2)
        z = (a.centre - b.centre) / se
        return Difference(a.value, b.value, a.value - b.value, se, z, None, two_sided_p(z), self.test)


class CSATMeasure(Measure):
    """CSAT: two-proportion z-test on the satisfied share, in percentage points.

    >>> d = CSATMeasure(4).compare(Tally({5: 30, 4: 30, 2: 40}), Tally({5: 20, 4: 25, 1: 55}))
    >>> d.difference, round(d.statistic, 4)
    (15.0, 2.124)
    """

    name = "csat"
    test = "two-proportion z"
    bounds = (0.0, 100.0)

    def __init__(self, satisfied_min: int) -> None:
        self.k = satisfied_min

    def summary(self, tally: Tally) -> Summary | None:
        if _empty(tally):
            return None
        p = weighted_share(tally, lambda v: v >= self.k)
        return Summary(100.0 * p, 100.0 * p, 1e4 * p * (1.0 - p), tally.n, tally.effective_n, tally.weight_total)

    def observed_variance(self, tally: Tally) -> float | None:
        s = self.summary(tally)
        return s.variance if s else None

    def trend_std_error(self, tally: Tally) -> float | None:
        """Agresti-Coull standard error (2 successes and 2 failures added), so
        that periods at 0% or 100% keep a finite weight.

        >>> round(CSATMeasure(4).trend_std_error(Tally({5: 10})), 3)
        9.352
        """
        if _empty(tally):
            return None
        n = tally.effective_n
        p = (weighted_share(tally, lambda v: v >= self.k) * n + 2.0) / (n + 4.0)
        return 100.0 * math.sqrt(p * (1.0 - p) / (n + 4.0))

    def difference(self, a: Summary, b: Summary) -> Difference:
        r = two_proportion_z(a.value / 100.0, a.n_test, b.value / 100.0, b.n_test)
        if r is None:
            return _untested(self.test, "no sampling variance: every answer is on the same side of the threshold in both samples", a, b)
        z, p, se = r
        return Difference(a.value, b.value, a.value - b.value, 100.0 * se, z, None, p, self.test)


class CESMeasure(Measure):
    """CES: Welch's t-test on the (weighted) mean answers.

    >>> d = CESMeasure().compare(Tally({7: 5, 6: 5, 3: 2}), Tally({5: 4, 4: 4, 2: 4}))
    >>> round(d.difference, 4), round(d.statistic, 3), round(d.df, 2)
    (2.25, 4.009, 21.77)
    """

    name = "ces"
    test = "Welch t"

    def summary(self, tally: Tally) -> Summary | None:
        if _empty(tally):
            return None
        m = weighted_mean(tally)
        # a t-test needs one degree of freedom: n_eff >= 2 (a single heavy weight leaves less)
        var = weighted_variance(tally) if tally.effective_n >= 2 - 1e-9 else None
        return Summary(m, m, var, tally.n, tally.effective_n, tally.weight_total)

    def observed_variance(self, tally: Tally) -> float | None:
        s = self.summary(tally)
        return s.variance if s else None

    def difference(self, a: Summary, b: Summary) -> Difference:
        if a.variance is None or b.variance is None:
            return _untested(self.test, "a t-test needs at least two answers (effective n 2 or more) in each sample", a, b)
        r = welch_t(a.value, a.variance, a.n_test, b.value, b.variance, b.n_test)
        if r is None:
            return _untested(self.test, "no spread: every answer is the same in both samples", a, b)
        t, df, p, se = r
        return Difference(a.value, b.value, a.value - b.value, se, t, df, p, self.test)


# -- families of tests --------------------------------------------------------


def _finish(diffs: list[Difference], adjust: str, alpha: float) -> list[Difference]:
    adjusted = adjust_p([d.p_value for d in diffs], adjust)
    return [
        replace(d, p_adjusted=pa, significant=None if pa is None else pa < alpha) for d, pa in zip(diffs, adjusted)
    ]


def _rests(tallies: Sequence[Tally]) -> list[Tally]:
    """For each tally, the sum of all the others, in linear time and without
    subtraction (prefix sums + suffix sums: exact for weights too).

    >>> [t.n for t in _rests([Tally({1: 1}), Tally({1: 2}), Tally({1: 4})])]
    [6, 5, 3]
    """
    k = len(tallies)
    prefix, suffix = [Tally()], [Tally()]
    for t in tallies:
        prefix.append(prefix[-1] + t)
    for t in reversed(tallies):
        suffix.append(suffix[-1] + t)
    return [prefix[i] + suffix[k - 1 - i] for i in range(k)]


def compare_segments(
    measure: Measure,
    groups: Mapping[Hashable, Tally],
    *,
    vs: str | Hashable = "rest",
    adjust: str = "holm",
    alpha: float = 0.05,
    label: Callable[[Hashable], str] = str,
) -> dict[Hashable, Difference]:
    """Test each segment against the rest of the sample (``vs="rest"``), the
    total (``vs="total"``) or one named segment (``vs=<key>``), adjusting the
    p-values across segments.

    Against the total the samples overlap (the segment is part of it), so
    the test is the segment-vs-rest test; only the difference and its
    standard error are expressed against the total: with ``w`` the
    segment's share of the weight, ``score - total = (1 - w)(score - rest)``.
    The reference segment of ``vs=<key>`` gets an untested entry.

    >>> g = {"a": Tally({10: 30, 0: 10}), "b": Tally({10: 10, 0: 30}), "c": Tally({10: 20, 0: 20})}
    >>> r = compare_segments(NPSMeasure("wald"), g)
    >>> [(k, r[k].direction) for k in g]
    [('a', 'higher'), ('b', 'lower'), ('c', None)]
    """
    keys = list(groups)
    diffs = []
    if vs in ("rest", "total"):
        total = Tally()
        for t in groups.values():
            total += t
        for k, rest in zip(keys, _rests([groups[k] for k in keys])):
            if _empty(rest):
                diffs.append(_untested(measure.test, "no other segment to compare with"))
                continue
            d = measure.compare(groups[k], rest)
            if vs == "total":
                ws = groups[k].weight_total / total.weight_total if total.weight_total > 0 else 0.0
                st = measure.summary(total)
                diff = d.value - st.value if d.value is not None and st is not None else None
                d = replace(d, other_value=st.value if st else None, difference=diff,
                            std_error=None if d.std_error is None else (1.0 - ws) * d.std_error)
            diffs.append(replace(d, vs=str(vs)))
    else:
        if vs not in groups:
            raise KeyError(vs)
        ref = groups[vs]
        for k in keys:
            if k == vs:
                diffs.append(_untested(measure.test, "the reference segment"))
            else:
                diffs.append(replace(measure.compare(groups[k], ref), vs=label(vs)))
        diffs = [replace(d, vs=label(vs)) for d in diffs]
    return dict(zip(keys, _finish(diffs, adjust, alpha)))


def compare_sequence(
    measure: Measure, tallies: Sequence[Tally], *, adjust: str = "holm", alpha: float = 0.05,
    labels: Sequence[str] | None = None,
) -> list[Difference | None]:
    """Test each tally of a series against the previous one that has answers
    (periods without answers are skipped: their entry is None, as is the
    first period's), adjusting across the comparisons.

    >>> s = compare_sequence(CSATMeasure(4), [Tally({5: 50, 1: 50}), Tally(), Tally({5: 80, 1: 20})], labels=["Jan", "Feb", "Mar"])
    >>> s[0] is None and s[1] is None, s[2].vs, s[2].significant
    (True, 'Jan', True)
    """
    out: list[Difference | None] = [None] * len(tallies)
    prev = None
    idx, diffs = [], []
    for i, t in enumerate(tallies):
        if _empty(t):
            continue
        if prev is not None:
            d = measure.compare(t, tallies[prev])
            idx.append(i)
            diffs.append(replace(d, vs=labels[prev] if labels else str(prev)))
        prev = i
    for i, d in zip(idx, _finish(diffs, adjust, alpha)):
        out[i] = d
    return out
