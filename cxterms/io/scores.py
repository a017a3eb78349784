"""Stream a score column into tallies: overall, per group (``--by``) or per
period (``--period``).

Rows are read in chunks; each chunk's cells are counted with ``Counter``
(C speed) and every *distinct* cell is classified once (a number on the
scale, blank, or invalid with a reason). Memory holds one chunk plus one
tally per group or period, whatever the number of rows. Line numbers of
invalid cells are looked up only for the first few, to name them in the
error.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from ..errors import DataError, EmptyDataError
from ..metrics import periods as P
from ..metrics.scales import Scale
from ..metrics.tally import Tally
from .table import WHITESPACE, Table

CHUNK = 1 << 16
EXAMPLES = 5
BLANK_GROUP = "(blank)"
SCORE_COLUMNS = ("score", "rating", "nps", "csat", "ces", "response", "recommend", "likely")


def make_parser(scale: Scale, *, decimal_comma: bool = False) -> Callable[[str], int]:
    """Parse one cell into an answer on ``scale``; ValueError says why not.

    >>> p = make_parser(Scale(0, 10), decimal_comma=True)
    >>> p(" 9 "), p("10.0"), p("7,0")
    (9, 10, 7)
    >>> for bad in ("ten", "11", "7.5", "nan", "1_0"):
    ...     try:
    ...         p(bad)
    ...     except ValueError as e:
    ...         print(bad, "->", e)
    ten -> not a number
    11 -> outside the 0-10 scale
    7.5 -> not a whole number
    nan -> not a number
    1_0 -> not a number
    """

    def parse(text: str) -> int:
        t = text.strip()
        if "_" in t:
            raise ValueError("not a number")
        try:
            value = int(t)
        except ValueError:
            try:
                f = float(t.replace(",", ".") if decimal_comma else t)
            except ValueError:
                raise ValueError("not a number") from None
            if not math.isfinite(f):
                raise ValueError("not a number") from None
            if not f.is_integer():
                raise ValueError("not a whole number") from None
            value = int(f)
        if not scale.low <= value <= scale.high:
            raise ValueError(f"outside the {scale} scale")
        return value

    return parse


@dataclass
class ScoreData:
    """What reading a score column produced."""

    source: str
    column: str
    overall: Tally = field(default_factory=Tally)
    groups: dict[str, Tally] | None = None
    periods: dict[date, Tally] | None = None
    every: str | None = None
    invalid: list[tuple[int, str, str]] = field(default_factory=list)  # first few: line, cell, reason
    rows: int = 0

    @property
    def invalid_total(self) -> int:
        return self.overall.invalid

    def invalid_error(self) -> DataError:
        shown = "; ".join(f"line {ln}: {cell!r} ({why})" for ln, cell, why in self.invalid)
        n = self.invalid_total
        more = f" (first {len(self.invalid)} shown)" if n > len(self.invalid) else ""
        return DataError(
            f"{n} invalid value{'s' * (n != 1)} in {self.source}, {self.column}{more}: {shown}",
            hint="fix them, or pass --skip-invalid to leave them out (they are then counted as 'invalid')",
        )


def read_scores(
    table: Table,
    parse: Callable[[str], int],
    *,
    column: str | None = None,
    by: str | None = None,
    period: str | None = None,
    every: str = "month",
    date_format: str | None = None,
    skip_invalid: bool = False,
    defaults: tuple[str, ...] = SCORE_COLUMNS,
) -> ScoreData:
    """Read the score column of ``table`` into tallies.

    Raises DataError naming the first invalid cells (unless
    ``skip_invalid``) and EmptyDataError when no valid answer is left.
    """
    bag = table.delimiter == WHITESPACE and column is None and by is None and period is None
    if bag:
        col, label = -1, "values"
    else:
        col = table.column(column, defaults=defaults)
        label = f"column {table.column_label(col)!r}" if table.header else f"column {col + 1}"
    gcol = table.column(by, what="--by column") if by is not None else None
    pcol = table.column(period, what="--period column") if period is not None else None
    if pcol is not None:
        P.check_every(every)
    data = ScoreData(table.name, label, groups={} if gcol is not None else None,
                     periods={} if pcol is not None else None, every=every if pcol is not None else None)

    cache: dict = {}
    dates: dict[str, date | str] = {}

    # A cell or (group/date cell, score cell) pair classifies as
    # ("ok", answer, where) | ("blank", None, where) | ("invalid", reason, shown)
    # where ``where`` is the group label or period start (None overall) and
    # ``shown`` is the cell to quote in the error.
    def value_class(cell: str) -> tuple[str, object]:
        if not cell.strip():
            return "blank", None
        try:
            return "ok", parse(cell)
        except ValueError as e:
            return "invalid", str(e)

    def period_of(cell: str) -> date | str:
        got = dates.get(cell)
        if got is None:
            if not cell.strip():
                got = "no date"
            else:
                try:
                    got = P.period_start(P.parse_date(cell, date_format), every)
                except ValueError:
                    got = f"not a date in the format {date_format}" if date_format else "not a date"
            if len(dates) < 100_000:
                dates[cell] = got
        return got

    def classify(key) -> tuple[str, object, object]:
        got = cache.get(key)
        if got is not None:
            return got
        if gcol is None and pcol is None:
            kind, payload = value_class(key)
            got = (kind, payload, key)
        else:
            other, cell = key
            kind, payload = value_class(cell)
            if kind == "invalid":
                got = (kind, payload, cell)
            elif gcol is not None:
                got = (kind, payload, other.strip() or BLANK_GROUP)
            else:
                when = period_of(other)
                if isinstance(when, date):
                    got = (kind, payload, when)
                elif kind == "blank":
                    got = (kind, None, None)
                else:
                    got = ("invalid", when, other)
        if len(cache) > 200_000:  # unique junk must not grow memory with the rows
            cache.clear()
        cache[key] = got
        return got

    def tallies(where) -> list[Tally]:
        if gcol is not None:
            return [data.overall, data.groups.setdefault(where, Tally())]
        if pcol is not None and where is not None:
            return [data.overall, data.periods.setdefault(where, Tally())]
        return [data.overall]

    def flush(keys: list, lines: list[int]) -> None:
        bad: dict = {}
        for key, count in Counter(keys).items():
            kind, payload, where = classify(key)
            if kind == "ok":
                for t in tallies(where):
                    t.add(payload, count)
            elif kind == "blank":
                for t in tallies(where):
                    t.blank += count
            else:
                data.overall.invalid += count
                bad[key] = (payload, where)
        if bad and len(data.invalid) < EXAMPLES:
            for i, key in enumerate(keys):
                if key in bad:
                    reason, shown = bad[key]
                    data.invalid.append((lines[i], shown, reason))
                    if len(data.invalid) >= EXAMPLES:
                        break

    keys: list = []
    lines: list[int] = []
    for line, row in _rows(table):
        data.rows += 1
        if bag:
            for cell in row:
                keys.append(cell)
                lines.append(line)
        else:
            cell = row[col] if col < len(row) else ""
            if gcol is not None:
                keys.append((row[gcol] if gcol < len(row) else "", cell))
            elif pcol is not None:
                keys.append((row[pcol] if pcol < len(row) else "", cell))
            else:
                keys.append(cell)
            lines.append(line)
        if len(keys) >= CHUNK:
            flush(keys, lines)
            keys, lines = [], []
    if keys:
        flush(keys, lines)

    if data.invalid_total and not skip_invalid:
        raise data.invalid_error()
    if data.overall.n == 0:
        parts = [f"{data.overall.blank} blank"] if data.overall.blank else []
        if data.invalid_total:
            parts.append(f"{data.invalid_total} invalid skipped")
        detail = f" ({', '.join(parts)})" if parts else ""
        raise EmptyDataError(f"no valid answers in {data.source}, {data.column}{detail}")
    return data


def _rows(table: Table) -> Iterator[tuple[int, list[str]]]:
    return table.rows()
