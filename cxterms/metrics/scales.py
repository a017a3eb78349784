"""Answer scales such as 1-5 or 0-10, parsed and checked once."""

from __future__ import annotations

import re
from typing import NamedTuple

from ..errors import UsageError

#: widest scale accepted (MAX - MIN): a count per answer is kept and shown
MAX_SCALE_WIDTH = 1000


class Scale(NamedTuple):
    low: int
    high: int

    def __str__(self) -> str:
        return f"{self.low}-{self.high}"

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and self.low <= value <= self.high

    @property
    def midpoint(self) -> float:
        return (self.low + self.high) / 2


def parse_scale(text: str) -> Scale:
    """Parse ``MIN-MAX`` (integers, MIN < MAX).

    >>> parse_scale("1-5"), parse_scale(" 0 - 10 ")
    (Scale(low=1, high=5), Scale(low=0, high=10))
    >>> parse_scale("5-1")
    Traceback (most recent call last):
    ...
    cxterms.errors.UsageError: a scale is MIN-MAX with MIN < MAX, e.g. 1-5, not '5-1'
    >>> parse_scale("1-1000000000")
    Traceback (most recent call last):
    ...
    cxterms.errors.UsageError: a scale spans at most 1000 steps (MAX - MIN <= 1000), not '1-1000000000'
    """
    m = re.fullmatch(r"\s*(-?\d+)\s*-\s*(-?\d+)\s*", text)
    if not m or int(m.group(1)) >= int(m.group(2)):
        raise UsageError(f"a scale is MIN-MAX with MIN < MAX, e.g. 1-5, not {text[:40]!r}")
    low, high = int(m.group(1)), int(m.group(2))
    if high - low > MAX_SCALE_WIDTH or max(abs(low), abs(high)) > 10**9:
        raise UsageError(f"a scale spans at most {MAX_SCALE_WIDTH} steps (MAX - MIN <= {MAX_SCALE_WIDTH}), not {text[:40]!r}")
    return Scale(low, high)
