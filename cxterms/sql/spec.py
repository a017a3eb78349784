"""What an aggregate query asks for, independent of any SQL library.

``Filter`` is the SQL-expressible subset of ``--where`` (cxterms.io.filters):
the builder turns it into a predicate with the value as a literal, and
``Filter.keep`` is the same test on a cell, so a filter means the same on a
file and in a database:

* ``=``, ``!=`` and ``in`` compare the trimmed cell as text, ignoring case
  (a blank cell is ``""``);
* ``<``, ``<=``, ``>``, ``>=`` with a number compare numbers; a blank or
  non-numeric cell never passes.

``col~text`` and date or text ranges are not translated: they are an error
with ``--db`` (drop ``--db``, or filter in a view).
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass
from datetime import date

from ..errors import UsageError

OPS = ("!=", "<=", ">=", "=", "<", ">", "in")
NUMERIC_OPS = ("<", "<=", ">", ">=")
_PY = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_NUM = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")

DIALECTS = ("duckdb", "sqlite", "postgres", "bigquery", "snowflake", "redshift", "spark", "trino", "tsql")
EVERY = ("day", "week", "month", "quarter", "year")
UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12.0}  # as cxterms.models.rfm


@dataclass(frozen=True)
class Filter:
    """Keep rows whose ``column`` compares to ``value`` with ``op``.

    >>> f = parse_where("region=North")
    >>> f, f.keep(" north "), f.keep("")
    (Filter(column='region', op='=', value='North', name='--where region=North'), True, False)
    >>> keep = parse_where("score >= 7").keep
    >>> keep("9"), keep(" 6 "), keep(""), keep("n/a")
    (True, False, False, False)
    """

    column: str
    op: str
    value: str | tuple[str, ...]
    name: str = ""

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise UsageError(f"--where {self.column}{self.op}... cannot run in a database",
                             hint="only = != in and number comparisons translate to SQL; leave out --db for this filter")
        if self.op in NUMERIC_OPS and _number(self.value) is None:
            raise UsageError(f"--where {self.column}{self.op}{self.value}: with --db, {self.op} compares numbers only",
                             hint="leave out --db for date or text ranges")
        if not self.name:
            object.__setattr__(self, "name", f"--where {self.column}{self.op}{self.value}")

    @property
    def number(self) -> float | None:
        return _number(self.value) if self.op in NUMERIC_OPS else None

    @property
    def values(self) -> tuple[str, ...]:
        return self.value if isinstance(self.value, tuple) else (self.value,)

    def keep(self, cell: str) -> bool:
        text = cell.strip().casefold()
        if self.op == "=":
            return text == self.value.casefold()
        if self.op == "!=":
            return text != self.value.casefold()
        if self.op == "in":
            return text in {v.casefold() for v in self.values}
        x = _number(cell)
        return x is not None and _PY[self.op](x, self.number)

    def row_filter(self):
        from ..io.scores import RowFilter

        return RowFilter(self.column, self.keep, self.name)


def _number(text: str) -> float | None:
    t = text.strip()
    if not _NUM.fullmatch(t):
        return None
    x = float(t)
    return x if math.isfinite(x) else None


def from_where(w) -> Filter:
    """A parsed ``--where`` (cxterms.io.filters.Where) as a Filter, or a
    UsageError when SQL cannot express it the same way."""
    return Filter(w.column, w.op, w.value, f"--where {w.text}")


def parse_where(text: str) -> Filter:
    """``--where`` text, parsed as for files, as a Filter."""
    from ..io.filters import parse_where as parse

    return from_where(parse(text))


@dataclass(frozen=True)
class ScoreSpec:
    """Counts per answer value of ``column`` (per ``by`` group and period).

    ``text`` says the source columns are text (a CSV read by an engine):
    dates and weights are then parsed from trimmed text, with ``date_format``
    (strftime codes) for non-ISO dates.
    """

    table: str
    column: str
    by: tuple[str, ...] = ()
    period: str | None = None
    every: str = "month"
    weight: str | None = None
    filters: tuple[Filter, ...] = ()
    text: bool = False
    date_format: str | None = None


@dataclass(frozen=True)
class ChurnSpec:
    """New, lost and lost-new customers per period, from start and end dates."""

    table: str
    start: str
    end: str
    every: str = "month"
    filters: tuple[Filter, ...] = ()
    text: bool = False
    date_format: str | None = None


@dataclass(frozen=True)
class RFMSpec:
    """One row per customer: frequency, recency, T (and monetary_value)."""

    table: str
    customer: str
    date: str
    amount: str | None = None
    unit: str = "week"
    calibration_end: date | None = None
    filters: tuple[Filter, ...] = ()
    text: bool = False
    date_format: str | None = None
