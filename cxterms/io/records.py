"""Reading record tables: customer spans (churn) and orders (CLV).

Every bad cell is an error naming the file, line and column; empty rows
are skipped.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date

from ..errors import DataError
from ..metrics.periods import parse_date
from .table import Table

START_COLUMNS = ("start", "start_date", "started", "started_at", "signup", "signup_date", "created", "created_at", "joined", "subscribed")
END_COLUMNS = ("end", "end_date", "ended", "ended_at", "churn_date", "churned_at", "cancelled", "canceled", "cancelled_at", "canceled_at", "cancel_date")
CUSTOMER_COLUMNS = ("customer", "customer_id", "customerid", "client", "client_id", "user", "user_id", "email", "account", "account_id")
DATE_COLUMNS = ("date", "order_date", "purchase_date", "created_at", "timestamp", "ordered_at", "time")
AMOUNT_COLUMNS = ("amount", "revenue", "total", "value", "price", "order_value", "sales", "spend")


def order_columns(table: Table, customer: str | None, day: str | None, amount: str | None, *,
                  amount_optional: bool = False) -> tuple[int, int, int | None]:
    """Column indexes of an order log: given names/numbers or the usual
    headers. With ``amount_optional`` a log without an amount column is fine
    (None). The three columns must differ."""
    from ..errors import UsageError

    ccol = table.column(customer, defaults=CUSTOMER_COLUMNS, what="customer column")
    dcol = table.column(day, defaults=DATE_COLUMNS, what="date column")
    try:
        acol = table.column(amount, defaults=AMOUNT_COLUMNS, what="amount column")
    except UsageError:
        if not amount_optional or amount is not None:
            raise
        acol = None
    if ccol == dcol or (acol is not None and acol in (ccol, dcol)):
        raise UsageError("the customer, date and amount columns must differ", hint=f"columns: {table.columns_text()}")
    return ccol, dcol, acol


def _cell(row: list[str], col: int) -> str:
    return row[col].strip() if col < len(row) else ""


def _date(table: Table, line: int, row: list[str], col: int, what: str, fmt: str | None, *, optional: bool = False) -> date | None:
    text = _cell(row, col)
    if not text:
        if optional:
            return None
        raise DataError(f"{what} is blank", file=table.name, line=line, column=col + 1)
    try:
        return parse_date(text, fmt)
    except ValueError:
        expected = f"the format {fmt}" if fmt else "an ISO date such as 2026-01-31 (use --date-format for others)"
        raise DataError(f"{what} {text!r} is not a date in {expected}", file=table.name, line=line, column=col + 1) from None


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


def read_spans(table: Table, start_col: int, end_col: int, date_format: str | None = None,
               duplicates: DuplicateRows | None = None) -> Iterator[tuple[int, date, date | None]]:
    """(line, start, end or None) per customer; end before start is an error.
    Rows identical to an earlier one are still yielded (and counted in
    ``duplicates`` when given)."""
    for line, row in table.rows():
        if not any(c.strip() for c in row):
            continue
        if duplicates is not None:
            duplicates.check(line, row)
        start = _date(table, line, row, start_col, "start date", date_format)
        end = _date(table, line, row, end_col, "end date", date_format, optional=True)
        if end is not None and end < start:
            raise DataError(f"end date {end} is before start date {start}", file=table.name, line=line, column=end_col + 1)
        yield line, start, end


def read_orders(
    table: Table, customer_col: int, date_col: int, amount_col: int | None, date_format: str | None = None
) -> Iterator[tuple[int, str, date, float | None]]:
    """(line, customer, date, amount or None) per order row."""
    decimal_comma = table.delimiter not in (",", None)
    for line, row in table.rows():
        if not any(c.strip() for c in row):
            continue
        customer = _cell(row, customer_col)
        if not customer:
            raise DataError("customer is blank", file=table.name, line=line, column=customer_col + 1)
        day = _date(table, line, row, date_col, "order date", date_format)
        amount = None
        if amount_col is not None:
            text = _cell(row, amount_col)
            try:
                amount = parse_amount(text, decimal_comma=decimal_comma)
            except ValueError:
                raise DataError(f"amount {text!r} is not a number", file=table.name, line=line, column=amount_col + 1) from None
        yield line, customer, day, amount
