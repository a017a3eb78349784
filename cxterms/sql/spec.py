"""What an aggregate query asks for, independent of any SQL library.

``Filter`` is the structured form of ``--where column<op>value``: the SQL
builder turns it into a predicate with the value as a literal, and
``Filter.row_filter()`` gives the equivalent ``RowFilter`` for the file
reader, so a filter means the same on a CSV and in a database:

* ``=`` and ``!=`` compare the cell as text, trimmed (a blank cell is ``""``);
* ``<``, ``<=``, ``>``, ``>=`` compare numbers; a blank or non-numeric cell
  never passes.
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass
from datetime import date

from ..errors import UsageError

OPS = ("!=", "<=", ">=", "=", "<", ">")
NUMERIC_OPS = ("<", "<=", ">", ">=")
_PY = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_WHERE = re.compile(r"\s*(?P<col>[^!<>=]+?)\s*(?P<op>!=|<=|>=|=|<|>)(?P<val>.*)\Z", re.S)

DIALECTS = ("duckdb", "sqlite", "postgres", "bigquery", "snowflake", "redshift", "spark", "trino", "tsql")
EVERY = ("day", "week", "month", "quarter", "year")
UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12.0}  # as cxterms.models.rfm


@dataclass(frozen=True)
class Filter:
    """Keep rows whose ``column`` compares to ``value`` with ``op``.

    >>> f = parse_where("region=North")
    >>> f, f.name
    (Filter(column='region', op='=', value='North'), 'region=North')
    >>> keep = parse_where("score >= 7").row_filter().keep
    >>> keep("9"), keep(" 6 "), keep(""), keep("n/a")
    (True, False, False, False)
    """

    column: str
    op: str
    value: str

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise UsageError(f"unknown comparison {self.op!r} (use one of {' '.join(OPS)})")
        if self.op in NUMERIC_OPS and _number(self.value) is None:
            raise UsageError(f"--where {self.name}: {self.op} compares numbers; {self.value!r} is not a number")

    @property
    def name(self) -> str:
        return f"{self.column}{self.op}{self.value}"

    @property
    def number(self) -> float | None:
        return _number(self.value) if self.op in NUMERIC_OPS else None

    def keep(self, cell: str) -> bool:
        text = cell.strip()
        if self.op == "=":
            return text == self.value
        if self.op == "!=":
            return text != self.value
        x = _number(text)
        return x is not None and _PY[self.op](x, self.number)

    def row_filter(self):
        from ..io.scores import RowFilter

        return RowFilter(self.column, self.keep, self.name)


def _number(text: str) -> float | None:
    try:
        x = float(text.strip())
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def parse_where(text: str) -> Filter:
    """``column<op>value`` with op among = != < <= > >= (value may be empty)."""
    m = _WHERE.match(text)
    if not m or not m.group("col").strip():
        raise UsageError(f"--where takes COLUMN=VALUE (or != < <= > >=), not {text!r}")
    return Filter(m.group("col").strip(), m.group("op"), m.group("val").strip())


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
