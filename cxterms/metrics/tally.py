"""``Tally``: counts of integer answers, the common input of NPS, CSAT and CES.

Survey metrics depend only on how many respondents gave each answer, so
files are reduced to a Tally while they stream by and the metric functions
work on the counts. Tallies add up: counting two halves of a file and adding
them equals counting the whole (tested with hypothesis).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping


class Tally:
    """Answer -> count, plus the number of blank and invalid cells seen.

    A weighted tally also keeps, per answer, the sum of the respondents'
    weights and of their squares (``wsum``, ``wsq``): enough for weighted
    shares and means and for Kish's effective sample size, and exactly what
    a SQL engine returns as ``SUM(w)`` and ``SUM(w * w)``. An unweighted
    tally has ``wsum is None``.

    >>> t = Tally.from_values([10, 9, 9, 3])
    >>> t.n, t.counts[9], t.mean()
    (4, 2, 7.75)
    >>> (t + Tally({7: 1}, blank=2)).n
    5
    >>> w = Tally()
    >>> w.add_weighted(10, 1, 2.0, 4.0); w.add_weighted(0, 1, 1.0, 1.0)
    >>> w.n, w.weight_total, w.effective_n
    (2, 3.0, 1.8)
    """

    __slots__ = ("counts", "blank", "invalid", "wsum", "wsq")

    def __init__(
        self,
        counts: Mapping[int, int] | None = None,
        *,
        blank: int = 0,
        invalid: int = 0,
        wsum: Mapping[int, float] | None = None,
        wsq: Mapping[int, float] | None = None,
    ) -> None:
        self.counts: dict[int, int] = {k: v for k, v in (counts or {}).items() if v}
        self.blank = blank
        self.invalid = invalid
        self.wsum: dict[int, float] | None = None
        self.wsq: dict[int, float] | None = None
        if wsum is not None:
            self.wsum = {k: float(wsum.get(k, 0.0)) for k in self.counts}
            self.wsq = {k: float((wsq or {}).get(k, 0.0)) for k in self.counts}

    @property
    def weighted(self) -> bool:
        return self.wsum is not None

    def add_weighted(self, value: int, count: int, weight_sum: float, weight_sq_sum: float) -> None:
        """Add ``count`` answers ``value`` whose weights sum to ``weight_sum``
        (and whose squared weights sum to ``weight_sq_sum``)."""
        if not count:
            return
        if self.wsum is None:
            if self.counts:
                raise ValueError("cannot add weighted answers to an unweighted tally")
            self.wsum, self.wsq = {}, {}
        self.counts[value] = self.counts.get(value, 0) + count
        self.wsum[value] = self.wsum.get(value, 0.0) + weight_sum
        self.wsq[value] = self.wsq.get(value, 0.0) + weight_sq_sum

    @property
    def weight_total(self) -> float:
        """Sum of the weights (the number of answers when unweighted)."""
        return math.fsum(self.wsum.values()) if self.wsum is not None else float(self.n)

    @property
    def weight_sq_total(self) -> float:
        return math.fsum(self.wsq.values()) if self.wsq is not None else float(self.n)

    @property
    def effective_n(self) -> float:
        """Kish's effective sample size (sum w)^2 / sum w^2; n when unweighted."""
        if self.wsum is None:
            return float(self.n)
        q = self.weight_sq_total
        if q <= 0:
            return 0.0
        w = self.weight_total
        ww = w * w
        return ww / q if math.isfinite(ww) else w * (w / q)  # huge weights: w * w overflows first

    def weight_of(self, value: int) -> float:
        """Weight (count when unweighted) of the answers equal to ``value``."""
        if self.wsum is not None:
            return self.wsum.get(value, 0.0)
        return float(self.counts.get(value, 0))

    @classmethod
    def from_values(cls, values: Iterable[int]) -> Tally:
        t = cls()
        for v in values:
            t.add(v)
        return t

    def add(self, value: int, count: int = 1) -> None:
        if count:
            if self.wsum is not None:
                raise ValueError("cannot add unweighted answers to a weighted tally")
            self.counts[value] = self.counts.get(value, 0) + count

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    def __iadd__(self, other: Tally) -> Tally:
        if other.wsum is not None:
            for k, v in other.counts.items():
                self.add_weighted(k, v, other.wsum[k], other.wsq[k])
        else:
            for k, v in other.counts.items():
                self.add(k, v)
        self.blank += other.blank
        self.invalid += other.invalid
        return self

    def __add__(self, other: Tally) -> Tally:
        out = self.copy()
        out += other
        return out

    def copy(self) -> Tally:
        return Tally(self.counts, blank=self.blank, invalid=self.invalid, wsum=self.wsum, wsq=self.wsq)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Tally)
            and self.counts == other.counts
            and (self.blank, self.invalid) == (other.blank, other.invalid)
            and self.wsum == other.wsum
            and self.wsq == other.wsq
        )

    def __repr__(self) -> str:
        w = f", wsum={dict(sorted(self.wsum.items()))!r}, wsq={dict(sorted(self.wsq.items()))!r}" if self.wsum is not None else ""
        return f"Tally({dict(sorted(self.counts.items()))!r}, blank={self.blank}, invalid={self.invalid}{w})"

    def count_where(self, predicate) -> int:
        return sum(c for v, c in self.counts.items() if predicate(v))

    def mean(self) -> float:
        n = self.n
        if n == 0:
            raise ZeroDivisionError("mean of an empty tally")
        return math.fsum(v * c for v, c in self.counts.items()) / n

    def variance(self) -> float:
        """Sample variance (n - 1 in the denominator)."""
        n = self.n
        if n < 2:
            raise ZeroDivisionError("variance needs at least two values")
        m = self.mean()
        return math.fsum(c * (v - m) ** 2 for v, c in self.counts.items()) / (n - 1)

    def distribution(self, low: int, high: int) -> dict[str, int]:
        """Counts of every answer from low to high (zeros included), JSON-ready keys."""
        return {str(v): self.counts.get(v, 0) for v in range(low, high + 1)}


def result_dict(result) -> dict:
    """A flat result dataclass as a dict, fast (``dataclasses.asdict`` deep-copies
    every value, which dominates when thousands of groups are scored); the
    ``distribution`` mapping is copied so callers may change it."""
    d = {name: getattr(result, name) for name in result.__dataclass_fields__}
    if isinstance(d.get("distribution"), dict):
        d["distribution"] = dict(d["distribution"])
    return d
