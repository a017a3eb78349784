"""Weighted statistics over a ``Tally``: shares, means, variances and Kish's
effective sample size.

A weighted tally keeps, per answer value, the sum of the respondents'
weights and of their squared weights. That is enough for:

* a weighted share: ``sum of the weights of matching answers / sum w``;
* a weighted mean: ``sum w x / sum w``;
* a weighted sample variance with the reliability-weights correction
  ``sum w (x - m)^2 / (V1 - V2 / V1)`` (``V1 = sum w``, ``V2 = sum w^2``),
  which equals ``v x n_eff / (n_eff - 1)`` for the weighted population
  variance ``v``, and the usual ``n - 1`` variance when weights are equal;
* Kish's effective sample size ``n_eff = (sum w)^2 / sum w^2`` (Kish 1965,
  *Survey Sampling*), used in place of ``n`` in standard errors.

Every function also accepts an unweighted tally (weights 1), so callers never
branch. Empty tallies (or total weight 0) raise ``ZeroDivisionError``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ..errors import DataError
from .tally import Tally


def check_weights(tally: Tally) -> Tally:
    """Raise DataError when the weights are too large for their squares to be
    summed (above about 1e154): Kish's n_eff would be meaningless.

    >>> t = Tally(); t.add_weighted(1, 1, 1e200, float("inf"))
    >>> check_weights(t)
    Traceback (most recent call last):
    ...
    cxterms.errors.DataError: weights are too large to square (about 1e154 or more): rescale the weight column
    """
    if tally.weighted and not (math.isfinite(tally.weight_total) and math.isfinite(tally.weight_sq_total)):
        raise DataError("weights are too large to square (about 1e154 or more): rescale the weight column")
    return tally


def effective_n(tally: Tally) -> float:
    """Kish's effective sample size; ``n`` for an unweighted tally.

    >>> t = Tally(); t.add_weighted(1, 1, 1.0, 1.0); t.add_weighted(2, 1, 3.0, 9.0)
    >>> effective_n(t)  # (1 + 3)^2 / (1 + 9)
    1.6
    >>> effective_n(Tally({1: 3}))
    3.0
    """
    return tally.effective_n


def weighted_share(tally: Tally, predicate: Callable[[int], bool]) -> float:
    """Weighted share (0-1) of the answers for which ``predicate`` is true.

    >>> t = Tally(); t.add_weighted(10, 2, 3.0, 5.0); t.add_weighted(3, 1, 1.0, 1.0)
    >>> weighted_share(t, lambda v: v >= 9)
    0.75
    >>> weighted_share(Tally({10: 1, 3: 3}), lambda v: v >= 9)
    0.25
    """
    total = tally.weight_total
    if total <= 0:
        raise ZeroDivisionError("share of an empty (or zero-weight) tally")
    return math.fsum(tally.weight_of(v) for v in tally.counts if predicate(v)) / total


def weighted_mean(tally: Tally) -> float:
    """Weighted mean answer ``sum w x / sum w`` (the plain mean when unweighted).

    >>> t = Tally(); t.add_weighted(7, 1, 3.0, 9.0); t.add_weighted(1, 1, 1.0, 1.0)
    >>> weighted_mean(t)
    5.5
    """
    total = tally.weight_total
    if total <= 0:
        raise ZeroDivisionError("mean of an empty (or zero-weight) tally")
    if len(tally.counts) == 1:  # exact: sum(w) x v / sum(w) can be off by one ulp
        return float(next(iter(tally.counts)))
    return math.fsum(v * tally.weight_of(v) for v in tally.counts) / total


def weighted_variance(tally: Tally) -> float:
    """Weighted sample variance with the reliability-weights correction.

    ``sum w (x - m)^2 / (V1 - V2 / V1)``; with equal weights this is the
    ordinary sample variance (``n - 1`` denominator). Needs ``n_eff > 1``.

    >>> weighted_variance(Tally({1: 1, 3: 1}))
    2.0
    >>> t = Tally(); t.add_weighted(1, 1, 2.0, 4.0); t.add_weighted(3, 1, 2.0, 4.0)
    >>> weighted_variance(t)
    2.0
    """
    v1, v2 = tally.weight_total, tally.weight_sq_total
    denominator = v1 - v2 / v1 if v1 > 0 else 0.0
    if denominator <= 0:
        raise ZeroDivisionError("variance needs an effective sample size above 1")
    if len(tally.counts) == 1:
        return 0.0  # one distinct answer: no spread, exactly (not a rounding residue)
    m = weighted_mean(tally)
    return math.fsum(tally.weight_of(v) * (v - m) ** 2 for v in tally.counts) / denominator
