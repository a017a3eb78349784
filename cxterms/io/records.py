"""Reading record tables: customer spans (churn) and orders (CLV).

Every bad cell is an error naming the file, line and column; empty rows
are skipped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import date

from ..errors import DataError
from ..metrics.periods import parse_date
from . import shown
from .table import Table

START_COLUMNS = ("start", "start_date", "started", "started_at", "signup", "signup_date", "created", "created_at", "joined", "subscribed")
END_COLUMNS = ("end", "end_date", "ended", "ended_at", "churn_date", "churned_at", "cancelled", "canceled", "cancelled_at", "canceled_at", "cancel_date")
CUSTOMER_COLUMNS = ("customer", "customer_id", "customerid", "client", "client_id", "user", "user_id", "email", "account", "account_id")
DATE_COLUMNS = ("date", "order_date", "purchase_date", "created_at", "timestamp", "ordered_at", "time")
AMOUNT_COLUMNS = ("amount", "revenue", "total", "value", "price", "order_value", "sales", "spend")


def order_columns(table: Table, customer: str | None, day: str | None, amount: str | None, *,
                  amount_optional: bool = False, notes: list | None = None) -> tuple[int, int, int | None]:
    """Column indexes of an order log: given names/numbers or the usual
    headers. With ``amount_optional`` a log without an amount column is fine
    (None). The three columns must differ."""
    from ..errors import UsageError

    def pick(spec, defaults, what, option):
        try:
            return table.column(spec, defaults=defaults, what=what, option=option)
        except UsageError:
            if spec is not None or not table.header:
                raise
            # export headers such as "Order Date", "Customer Email": spelled
            # with spaces, or one of the usual words inside a longer name
            names = [re.sub(r"[\s-]+", "_", h.strip().casefold()) for h in table.header]
            hits = [i for i, h in enumerate(names) if h in defaults]
            if len(hits) != 1:
                words = {w for d in defaults for w in d.split("_")} - {"id", "at", "date"} if what != "date column" else {"date", "timestamp", "time"}
                hits = [i for i, h in enumerate(names) if words & set(h.split("_"))]
            if len(hits) != 1:
                raise
            if notes is not None:
                notes.append(f"{what} {shown(table.column_label(hits[0]))} chosen by its name; choose another with {option}")
            return hits[0]

    ccol = pick(customer, CUSTOMER_COLUMNS, "customer column", "--customer-column")
    dcol = pick(day, DATE_COLUMNS, "date column", "--date-column")
    try:
        acol = pick(amount, AMOUNT_COLUMNS, "amount column", "--amount-column")
    except UsageError:
        if not amount_optional or amount is not None:
            raise
        acol = None
    if ccol == dcol or (acol is not None and acol in (ccol, dcol)):
        raise UsageError("the customer, date and amount columns must differ", hint=f"columns: {table.columns_text()}")
    return ccol, dcol, acol


def _sample_cells(table: Table, col: int) -> list[str]:
    return [r[col] for r in getattr(table, "_sample", []) if col < len(r)]


def date_reader(table: Table, col: int, what: str, fmt: str | None, dayfirst: bool | None = None, tz: str | None = None):
    """A cell -> date function for one column, the day/month order decided
    from the column's sampled values (see ``cxterms.io.dates``); and the
    note naming the order when it had to be chosen."""
    from .dates import make_parser

    return make_parser(_sample_cells(table, col), date_format=fmt, dayfirst=dayfirst, tz=tz,
                       column=f"{what} column {shown(table.column_label(col))}", source=table.name)


def amount_reader(table: Table, col: int, decimal: str | None):
    """A cell -> float function for an amount column: currency signs and
    codes, thousands separators, accounting negatives; the decimal mark is
    ``decimal`` or decided from the sampled values (DataError when they
    allow both, e.g. only ``1,000`` and ``2,500``)."""
    from .numbers import Ambiguous, decide_decimal, parse_amount

    if decimal is not None and decimal not in ("point", "comma"):
        from ..errors import UsageError

        raise UsageError(f"--decimal takes point or comma, not {shown(decimal)}")
    mark = decimal
    label = table.column_label(col)
    if mark is None:
        cells = []
        for c in _sample_cells(table, col):
            try:
                from .numbers import amount_marks

                amount_marks(c)
                cells.append(c)
            except ValueError:
                pass  # reported when read
        try:
            mark = decide_decimal(cells)
        except Ambiguous as e:
            raise DataError(f"amount column {shown(label)}: {e}", file=table.name, hint="say which with --decimal point or --decimal comma") from None
        if mark is None:
            raise DataError(
                f"the amounts in column {shown(label)} read both with a decimal point and with a decimal comma (e.g. {shown(cells[0])})",
                file=table.name, hint="say which with --decimal point or --decimal comma",
            )

    def read(text: str) -> float:
        value = float(parse_amount(text, mark))
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return value

    return read


def _memo(parse):
    """``parse`` (a pure cell -> value function) remembering the values of
    the last 65,536 distinct cells; a cell it refuses is parsed again."""
    import functools

    return functools.lru_cache(maxsize=1 << 16)(parse)


def _cell(row: list[str], col: int) -> str:
    return row[col].strip() if col < len(row) else ""


def _date(table: Table, line: int, row: list[str], col: int, what: str, parse, fmt: str | None, *, optional: bool = False) -> date | None:
    text = _cell(row, col)
    if not text:
        if optional:
            return None
        raise DataError(f"{what} is blank", file=table.name, line=line, column=col + 1)
    try:
        return parse(text)
    except (ValueError, OverflowError):
        expected = f"the format {fmt}" if fmt else "a date the column's other values allow"
        raise DataError(f"{what} {shown(text)} in column {shown(table.column_label(col))} is not a date in {expected}",
                        file=table.name, line=line, column=col + 1,
                        hint="give the format with --date-format, e.g. %d.%m.%Y %H:%M") from None


def parse_amount(text: str, *, decimal_comma: bool = False) -> float:
    """A money amount: a plain number (a leading currency sign is allowed).

    >>> parse_amount("12.50"), parse_amount("$7"), parse_amount("3,5", decimal_comma=True)
    (12.5, 7.0, 3.5)
    """
    t = text.strip().lstrip("$€£¥").strip()
    if decimal_comma:
        t = t.replace(",", ".")
    value = float(t)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


class DuplicateRows:
    """Notices rows identical to an earlier row (every cell, spaces around
    cells ignored). Keeps one 64-bit hash per distinct row, up to ``limit``
    rows (then it stops looking and says so with ``gave_up``).

    >>> d = DuplicateRows()
    >>> [d.check(n, r) for n, r in enumerate([["a", "1"], ["b", "1"], [" a", "1 "]], 2)]
    [False, False, True]
    >>> d.count, d.lines
    (1, [4])
    """

    EXAMPLES = 5

    def __init__(self, limit: int = 5_000_000) -> None:
        self.seen: set[int] = set()
        self.limit = limit
        self.count = 0
        self.lines: list[int] = []
        self.gave_up = False

    def check(self, line: int, row: list[str]) -> bool:
        if self.gave_up:
            return False
        key = hash(tuple(c.strip() for c in row))
        if key in self.seen:
            self.count += 1
            if len(self.lines) < self.EXAMPLES:
                self.lines.append(line)
            return True
        if len(self.seen) >= self.limit:
            self.gave_up = True
            self.seen.clear()
            return False
        self.seen.add(key)
        return False


def read_spans(table: Table, start_col: int, end_col: int, date_format: str | None = None, *,
               dayfirst: bool | None = None, notes: list | None = None,
               duplicates: DuplicateRows | None = None) -> Iterator[tuple[int, date, date | None]]:
    """(line, start, end or None) per customer; end before start is an error.
    Rows identical to an earlier one are still yielded (and counted in
    ``duplicates`` when given)."""
    # one file, one date convention: the two columns are decided together
    from .dates import make_parser

    cells = _sample_cells(table, start_col) + _sample_cells(table, end_col)
    parse, note = make_parser(cells, date_format=date_format, dayfirst=dayfirst, source=table.name,
                              column=f"date columns {shown(table.column_label(start_col))} and {shown(table.column_label(end_col))}")
    start_parse = end_parse = _memo(parse)
    if notes is not None and note:
        notes.append(note)
    for line, row in table.rows():
        if not any(c.strip() for c in row):
            continue
        if duplicates is not None:
            duplicates.check(line, row)
        start = _date(table, line, row, start_col, "start date", start_parse, date_format)
        end = _date(table, line, row, end_col, "end date", end_parse, date_format, optional=True)
        if end is not None and end < start:
            raise DataError(f"end date {end} is before start date {start}", file=table.name, line=line, column=end_col + 1)
        yield line, start, end


def read_orders(
    table: Table, customer_col: int, date_col: int, amount_col: int | None, date_format: str | None = None, *,
    dayfirst: bool | None = None, decimal: str | None = None, skipped: list | None = None, notes: list | None = None,
) -> Iterator[tuple[int, str, date, float | None]]:
    """(line, customer, date, amount or None) per order row. With
    ``skipped`` (a list), bad rows are appended to it as (line, cell,
    reason) instead of stopping the read."""
    day_parse, note = date_reader(table, date_col, "order date", date_format, dayfirst)
    if note and notes is not None:
        notes.append(note)
    if decimal is None and amount_col is not None and table.delimiter not in (",", None) and not _sample_cells(table, amount_col):
        decimal = "comma"
    amount_parse = amount_reader(table, amount_col, decimal) if amount_col is not None else None
    day_parse = _memo(day_parse)  # an order log repeats its dates and many of its amounts
    amount_parse = _memo(amount_parse) if amount_parse is not None else None
    # the hot loop of a big order log: cells taken inline, the date parsed
    # through the memo directly (``_date`` only for its errors)
    need = max(customer_col, date_col, -1 if amount_col is None else amount_col) + 1
    for line, row in table.rows():
        if not "".join(row).strip():  # a blank row
            continue
        try:
            if len(row) < need:
                customer, date_text = _cell(row, customer_col), _cell(row, date_col)
            else:
                customer, date_text = row[customer_col].strip(), row[date_col].strip()
            if not customer:
                raise DataError("customer is blank", file=table.name, line=line, column=customer_col + 1)
            try:
                day = day_parse(date_text) if date_text else None
            except (ValueError, OverflowError):
                day = None
            if day is None:
                day = _date(table, line, row, date_col, "order date", day_parse, date_format)  # raises the error
            amount = None
            if amount_parse is not None:
                text = _cell(row, amount_col)
                try:
                    amount = amount_parse(text)
                except ValueError:
                    raise DataError(f"amount {shown(text)} is not a number", file=table.name, line=line, column=amount_col + 1) from None
        except DataError as e:
            if skipped is None:
                raise
            skipped.append((line, e.message))
            continue
        yield line, customer, day, amount
