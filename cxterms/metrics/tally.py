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

    >>> t = Tally.from_values([10, 9, 9, 3])
    >>> t.n, t.counts[9], t.mean()
    (4, 2, 7.75)
    >>> (t + Tally({7: 1}, blank=2)).n
    5
    """

    __slots__ = ("counts", "blank", "invalid")

    def __init__(self, counts: Mapping[int, int] | None = None, *, blank: int = 0, invalid: int = 0) -> None:
        self.counts: dict[int, int] = {k: v for k, v in (counts or {}).items() if v}
        self.blank = blank
        self.invalid = invalid

    @classmethod
    def from_values(cls, values: Iterable[int]) -> Tally:
        t = cls()
        for v in values:
            t.add(v)
        return t

    def add(self, value: int, count: int = 1) -> None:
        if count:
            self.counts[value] = self.counts.get(value, 0) + count

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    def __iadd__(self, other: Tally) -> Tally:
        for k, v in other.counts.items():
            self.add(k, v)
        self.blank += other.blank
        self.invalid += other.invalid
        return self

    def __add__(self, other: Tally) -> Tally:
        out = Tally(self.counts, blank=self.blank, invalid=self.invalid)
        out += other
        return out

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Tally)
            and self.counts == other.counts
            and (self.blank, self.invalid) == (other.blank, other.invalid)
        )

    def __repr__(self) -> str:
        return f"Tally({dict(sorted(self.counts.items()))!r}, blank={self.blank}, invalid={self.invalid})"

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
