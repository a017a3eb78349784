"""Turn a transaction log into the per-customer summary the models need.

For each customer the BG/NBD and Gamma-Gamma models use four numbers:

* ``frequency`` (x): the number of *repeat* transactions, i.e. distinct purchase
  days after the first one. Purchases by the same customer on the same day are
  one transaction (their amounts add up); the first transaction is not a repeat.
* ``recency`` (t_x): time from the customer's first to last purchase
  (0 when frequency is 0).
* ``T``: time from the customer's first purchase to the end of the calibration
  period.
* ``monetary_value`` (m_x): mean value of the repeat transactions (0 when
  frequency is 0; the first purchase is left out on purpose, as in Fader, Hardie
  & Lee's CDNOW analysis).

Time is measured in a ``unit``, with fractional values:

======  =============================
unit    length
======  =============================
day     1 day
week    7 days
month   365.25 / 12 = 30.4375 days
======  =============================

A month is a fixed 30.4375 days, *not* a calendar month and *not* a day: a
widely used library once reported "months" that were really days, which
silently multiplies every rate by about 30. Pick the unit once and use the same
one for model fitting, the prediction horizon and the discount rate.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from cxterms.errors import DataError, EmptyDataError, UsageError

#: Length of each time unit in days.
UNIT_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 365.25 / 12.0}

__all__ = ["UNIT_DAYS", "RFMData", "summarize_transactions", "validate_columns", "unit_days"]


def unit_days(unit: str) -> float:
    """Length of ``unit`` in days; ``UsageError`` for an unknown unit.

    >>> unit_days("week"), unit_days("month")
    (7.0, 30.4375)
    >>> unit_days("fortnight")
    Traceback (most recent call last):
    ...
    cxterms.errors.UsageError: unknown time unit 'fortnight' (choose day, week or month)
    """
    try:
        return UNIT_DAYS[unit]
    except (KeyError, TypeError):
        raise UsageError(f"unknown time unit {unit!r} (choose day, week or month)") from None


def _where(index: int, customer_ids: Sequence[str] | None) -> str:
    if customer_ids is not None:
        return f"customer {customer_ids[index]!r}"
    return f"row {index + 1}"


def _column(name: str, values, n: int | None) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"{name} must be numbers") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise DataError(f"{name} must be a flat column of numbers")
    if n is not None and arr.shape[0] != n:
        raise DataError(f"{name} has {arr.shape[0]} values but frequency has {n}")
    return arr


def validate_columns(
    frequency,
    recency,
    T,
    monetary_value=None,
    *,
    customer_ids: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Check a ready summary table and return it as float arrays.

    Rules (each violation raises ``DataError`` naming the first offending
    customer, or the 1-based row when no ids are given):

    * all values finite;
    * frequency >= 0 and a whole number;
    * 0 <= recency <= T, and recency == 0 when frequency == 0;
    * T > 0, except that T == 0 is accepted for a customer with frequency 0
      (first purchase on the last day of the calibration period);
    * monetary_value (optional) > 0 wherever frequency > 0 (its value for
      frequency-0 customers is ignored but must be finite).

    An empty table raises ``EmptyDataError``.

    >>> f, r, t, m = validate_columns([0, 2], [0, 3.5], [10, 12])
    >>> f.tolist(), r.tolist(), t.tolist(), m
    ([0.0, 2.0], [0.0, 3.5], [10.0, 12.0], None)
    >>> validate_columns([1], [5], [4], customer_ids=["c7"])
    Traceback (most recent call last):
    ...
    cxterms.errors.DataError: customer 'c7': recency 5 is greater than T 4
    """
    x = _column("frequency", frequency, None)
    n = x.shape[0]
    if n == 0:
        raise EmptyDataError("no customers to summarise")
    if customer_ids is not None and len(customer_ids) != n:
        raise DataError(f"{len(customer_ids)} customer ids for {n} customers")
    tx = _column("recency", recency, n)
    t = _column("T", T, n)
    m = None if monetary_value is None else _column("monetary_value", monetary_value, n)

    def fail(mask: np.ndarray, message) -> None:
        bad = np.flatnonzero(mask)
        if bad.size:
            i = int(bad[0])
            raise DataError(f"{_where(i, customer_ids)}: {message(i)}")

    columns = [("frequency", x), ("recency", tx), ("T", t)] + ([("monetary_value", m)] if m is not None else [])
    for name, arr in columns:
        fail(~np.isfinite(arr), lambda i, name=name, arr=arr: f"{name} is not a finite number ({arr[i]:g})")
    fail(x < 0, lambda i: f"frequency {x[i]:g} is negative")
    fail(x != np.floor(x), lambda i: f"frequency {x[i]:g} is not a whole number of repeat transactions")
    fail(tx < 0, lambda i: f"recency {tx[i]:g} is negative")
    fail(t < 0, lambda i: f"T {t[i]:g} is negative")
    fail(tx > t, lambda i: f"recency {tx[i]:g} is greater than T {t[i]:g}")
    fail((x == 0) & (tx != 0), lambda i: f"recency {tx[i]:g} should be 0 for a customer with frequency 0")
    fail((t == 0) & (x > 0), lambda i: "T is 0 for a customer with repeat transactions")
    if m is not None:
        fail((x > 0) & (m <= 0), lambda i: f"monetary value {m[i]:g} is not positive (frequency {x[i]:g})")
    return x, tx, t, m


def _readonly(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr

class RowNumbers(Sequence):
    """The ids "1", "2", ... "n" of a table without a customer column, made on demand:
    a million strings that only ``--per-customer`` output reads cost a third of a second.
    Compares equal to the list it stands for.

    >>> ids = RowNumbers(3)
    >>> ids, len(ids), ids[-1], ids[1:], ids == ["1", "2", "3"]
    (['1', '2', '3'], 3, '3', ['2', '3'], True)
    """

    __slots__ = ("_n",)

    def __init__(self, n: int) -> None:
        self._n = int(n)

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [str(k + 1) for k in range(self._n)[index]]
        return str(range(self._n)[index] + 1)  # range does the negative indexes and the IndexError

    def __iter__(self):
        return map(str, range(1, self._n + 1))

    def __eq__(self, other) -> bool:
        if isinstance(other, RowNumbers):
            return self._n == other._n
        if isinstance(other, (list, tuple)):
            return len(other) == self._n and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return repr(list(self))


@dataclass(frozen=True, eq=False)
class RFMData:
    """Per-customer frequency / recency / T (/ monetary value) summary.

    Arrays are read-only and aligned with ``customer_ids``. ``monetary_value``
    is None when the log had no amounts. ``rows`` counts rows read,
    ``transactions`` the distinct (customer, day) transactions kept (first
    purchases included), ``ignored_after_end`` the rows dated after
    ``calibration_end``.
    """

    customer_ids: list[str]  # or RowNumbers: the same strings, made on demand
    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    monetary_value: np.ndarray | None = None
    unit: str = "week"
    calibration_end: datetime.date | None = None
    ignored_after_end: int = 0
    rows: int = 0
    transactions: int = 0

    @property
    def n_customers(self) -> int:
        """Number of customers in the summary."""
        return len(self.customer_ids)

    @property
    def has_amounts(self) -> bool:
        """True when monetary values are available."""
        return self.monetary_value is not None

    @property
    def repeat_customers(self) -> int:
        """Number of customers with at least one repeat transaction."""
        return int(np.count_nonzero(self.frequency > 0))

    @classmethod
    def from_columns(
        cls,
        frequency,
        recency,
        T,
        monetary_value=None,
        *,
        customer_ids: Sequence[str] | None = None,
        unit: str = "week",
        calibration_end: datetime.date | None = None,
    ) -> RFMData:
        """Build a summary from ready columns, validated by :func:`validate_columns`.

        Customer ids default to "1", "2", ... Errors name the customer id when
        ids are given, otherwise the 1-based row.

        >>> d = RFMData.from_columns([0, 3], [0.0, 20.0], [30.0, 35.0], [0.0, 12.5])
        >>> d.customer_ids, d.repeat_customers, d.has_amounts
        (['1', '2'], 1, True)
        >>> RFMData.from_columns([0, 1], [0, 2], [3, 4], [0, -1])
        Traceback (most recent call last):
        ...
        cxterms.errors.DataError: row 2: monetary value -1 is not positive (frequency 1)
        """
        unit_days(unit)
        if customer_ids is None or isinstance(customer_ids, RowNumbers):
            ids = customer_ids
        elif set(map(type, customer_ids)) == {str}:
            ids = list(customer_ids)  # a tenth of the time of str() on every id
        else:
            ids = [str(c) for c in customer_ids]
        x, tx, t, m = validate_columns(frequency, recency, T, monetary_value, customer_ids=ids)
        if ids is None:
            ids = RowNumbers(x.shape[0])
        return cls(
            customer_ids=ids,
            frequency=_readonly(x),
            recency=_readonly(tx),
            T=_readonly(t),
            monetary_value=None if m is None else _readonly(m),
            unit=unit,
            calibration_end=calibration_end,
            rows=x.shape[0],
            transactions=int(x.sum()) + x.shape[0],
        )

    def as_dict(self) -> dict:
        """Summary counts as plain JSON-ready values (no per-customer data)."""
        return {
            "unit": self.unit,
            "calibration_end": None if self.calibration_end is None else self.calibration_end.isoformat(),
            "customers": self.n_customers,
            "repeat_customers": self.repeat_customers,
            "rows": self.rows,
            "transactions": self.transactions,
            "ignored_after_end": self.ignored_after_end,
            "has_amounts": self.has_amounts,
        }

    def records(self):
        """Yield one plain dict per customer (id, frequency, recency, T, monetary_value)."""
        m = self.monetary_value
        for i, cid in enumerate(self.customer_ids):
            yield {
                "customer_id": cid,
                "frequency": float(self.frequency[i]),
                "recency": float(self.recency[i]),
                "T": float(self.T[i]),
                "monetary_value": None if m is None else float(m[i]),
            }


class _Log:
    """The rows of a transaction log, checked: iterating gives ``(customer
    id as text, day ordinal, amount)`` (amount 0.0 when the log has none);
    afterwards ``rows`` is how many were read and ``with_amounts`` whether
    they had amounts (None for no rows). A row that is not (customer, day[,
    amount]), a day that is not a date, an amount that is not a finite
    number, or amounts on some rows only -> DataError naming the row."""

    def __init__(self, rows: Iterable) -> None:
        self._rows = rows
        self.rows = 0
        self.with_amounts: bool | None = None

    def __iter__(self):
        with_amounts = None
        for n_rows, row in enumerate(self._rows, start=1):
            self.rows = n_rows
            try:
                cid, day = row[0], row[1]
                amount = row[2] if len(row) > 2 else None
            except (TypeError, IndexError):
                raise DataError(f"row {n_rows}: expected (customer, day, amount), got {row!r}") from None
            d = _as_ordinal(day, n_rows)
            if amount is None:
                if with_amounts:
                    raise DataError(f"row {n_rows}: amount is missing while earlier rows have amounts")
                with_amounts, value = False, 0.0
            else:
                if with_amounts is False:
                    raise DataError(f"row {n_rows}: has an amount while earlier rows have none")
                with_amounts = True
                try:
                    value = float(amount)
                except (TypeError, ValueError):
                    raise DataError(f"row {n_rows}: amount {amount!r} is not a number") from None
                if not math.isfinite(value):
                    raise DataError(f"row {n_rows}: amount {amount!r} is not a finite number")
            self.with_amounts = with_amounts
            yield (cid if isinstance(cid, str) else str(cid)), d, value


def _as_ordinal(day, row: int) -> int:
    # datetime.datetime is a date subclass: its time of day is dropped.
    if isinstance(day, datetime.date):
        return day.toordinal()
    raise DataError(f"row {row}: {day!r} is not a date")


def summarize_transactions(
    rows: Iterable[Sequence],
    *,
    unit: str = "week",
    calibration_end: datetime.date | None = None,
) -> RFMData:
    """Summarise ``(customer_id, day, amount)`` rows into an :class:`RFMData`.

    ``amount`` may be None (or the row may have only two items) when the log has
    no amounts; then ``monetary_value`` is None. Mixing rows with and without
    amounts raises ``DataError`` naming the first row that breaks the pattern.

    Per customer, with D = the set of distinct purchase days on or before
    ``calibration_end`` (default: the last date in the log), first = min D,
    last = max D and u = the unit length in days (see :data:`UNIT_DAYS`)::

        frequency      = |D| - 1
        recency        = (last - first) / u
        T              = (calibration_end - first) / u
        monetary_value = (sum of amounts on the days in D except first) / frequency
                         (0 when frequency is 0)

    Rows dated after ``calibration_end`` are ignored and counted in
    ``ignored_after_end``; customers whose first purchase is after it are
    dropped. Only per-customer aggregates are kept (a day -> amount map), so
    the rows can be a stream. No rows, or no customer left, raises
    ``EmptyDataError``; a non-date day or a non-finite amount raises
    ``DataError`` naming the 1-based row; an unknown unit or a non-date
    ``calibration_end`` raises ``UsageError``.

    >>> from datetime import date
    >>> log = [("a", date(2024, 1, 1), 10.0), ("a", date(2024, 1, 8), 4.0),
    ...        ("a", date(2024, 1, 8), 6.0), ("a", date(2024, 1, 15), 20.0),
    ...        ("b", date(2024, 1, 15), 7.0)]
    >>> d = summarize_transactions(log, unit="week")
    >>> d.frequency.tolist(), d.recency.tolist(), d.T.tolist(), d.monetary_value.tolist()
    ([2.0, 0.0], [2.0, 0.0], [2.0, 0.0], [15.0, 0.0])
    >>> d.rows, d.transactions
    (5, 4)
    """
    u = unit_days(unit)
    if calibration_end is not None and not isinstance(calibration_end, datetime.date):
        raise UsageError(f"the calibration end must be a date, not {calibration_end!r}")
    end = None if calibration_end is None else calibration_end.toordinal()
    # customer -> {day ordinal: summed amount (or 0.0 when there are no amounts)}
    days: dict[str, dict[int, float]] = {}
    ignored = 0
    last_day: int | None = None
    log = _Log(rows)
    for cid, d, value in log:
        if end is not None and d > end:
            ignored += 1
            continue
        if last_day is None or d > last_day:
            last_day = d
        per = days.get(cid)
        if per is None:
            days[cid] = {d: value}
        else:
            per[d] = per.get(d, 0.0) + value
    with_amounts, n_rows = log.with_amounts, log.rows
    if n_rows == 0:
        raise EmptyDataError("no transactions to summarise")
    if not days:
        raise EmptyDataError(
            f"no customer made a purchase on or before the calibration end {calibration_end}"
        )
    if end is None:
        end = last_day
    n = len(days)
    freq = np.empty(n)
    rec = np.empty(n)
    age = np.empty(n)
    money = np.zeros(n) if with_amounts else None
    transactions = 0
    for i, per in enumerate(days.values()):
        first = min(per)
        last = max(per)
        k = len(per)
        transactions += k
        freq[i] = k - 1
        rec[i] = (last - first) / u
        age[i] = (end - first) / u
        if money is not None and k > 1:
            money[i] = math.fsum(v for day, v in per.items() if day != first) / (k - 1)
    return RFMData(
        customer_ids=list(days),
        frequency=_readonly(freq),
        recency=_readonly(rec),
        T=_readonly(age),
        monetary_value=None if money is None else _readonly(money),
        unit=unit,
        calibration_end=datetime.date.fromordinal(end),
        ignored_after_end=ignored,
        rows=n_rows,
        transactions=transactions,
    )


def summarize_periods(
    rows: Iterable[Sequence],
    *,
    unit: str = "week",
    calibration_end: datetime.date | None = None,
) -> tuple[RFMData, int]:
    """Summarise ``(customer_id, day, amount)`` rows into discrete periods for BG/BB.

    Periods of ``unit`` length are counted from the first date in the log
    (period 0 = its first ``unit`` days). Only *complete* periods up to
    ``calibration_end`` (default: the last date) are used, P of them. For a
    customer whose first purchase is in period f < P::

        frequency = number of periods f+1 .. P-1 with a purchase   (x)
        recency   = last such period - f, 0 if none                (t_x)
        T         = P - 1 - f, the opportunities observed          (n)
        monetary_value = mean of the amounts per repeat period

    Customers first seen in an incomplete last period, and rows after it,
    are left out; the second value returned counts those rows. Errors as for
    :func:`summarize_transactions`; no complete period -> DataError.

    >>> from datetime import date
    >>> log = [("a", date(2024, 1, 1), 5.0), ("a", date(2024, 1, 2), 5.0), ("a", date(2024, 1, 15), 5.0),
    ...        ("b", date(2024, 1, 8), 7.0), ("c", date(2024, 1, 22), 1.0)]
    >>> d, left_out = summarize_periods(log, unit="week", calibration_end=date(2024, 1, 21))
    >>> d.customer_ids, d.frequency.tolist(), d.recency.tolist(), d.T.tolist(), left_out
    (['a', 'b'], [1.0, 0.0], [2.0, 0.0], [2.0, 1.0], 1)
    """
    u = unit_days(unit)
    if calibration_end is not None and not isinstance(calibration_end, datetime.date):
        raise UsageError(f"the calibration end must be a date, not {calibration_end!r}")
    days: dict[str, dict[int, float]] = {}
    log = _Log(rows)
    for cid, d, value in log:
        per = days.setdefault(cid, {})
        per[d] = per.get(d, 0.0) + value
    with_amounts, n_rows = log.with_amounts, log.rows
    if n_rows == 0:
        raise EmptyDataError("no transactions to summarise")
    origin = min(min(per) for per in days.values())
    end = calibration_end.toordinal() if calibration_end is not None else max(max(per) for per in days.values())
    complete = int(math.floor((end - origin + 1) / u))
    if complete < 1:
        raise DataError(f"the log covers no complete {unit} before the calibration end")
    ids, freq, rec, age, money = [], [], [], [], []
    left_out = 0
    for cid, per in days.items():
        periods: dict[int, float] = {}
        for d, v in per.items():
            k = int(math.floor((d - origin) / u))
            if k < complete:
                periods[k] = periods.get(k, 0.0) + v
            else:
                left_out += 1
        if not periods:
            continue
        first = min(periods)
        repeats = [k for k in periods if k != first]
        ids.append(cid)
        freq.append(len(repeats))
        rec.append(max(repeats) - first if repeats else 0)
        age.append(complete - 1 - first)
        if with_amounts:
            money.append(math.fsum(periods[k] for k in repeats) / len(repeats) if repeats else 0.0)
    if not ids:
        raise EmptyDataError("no customer made a purchase in a complete period")
    x = np.asarray(freq, dtype=float)
    return RFMData(
        customer_ids=ids,
        frequency=_readonly(x),
        recency=_readonly(np.asarray(rec, dtype=float)),
        T=_readonly(np.asarray(age, dtype=float)),
        monetary_value=_readonly(np.asarray(money, dtype=float)) if with_amounts else None,
        unit=unit,
        calibration_end=datetime.date.fromordinal(origin + int(math.floor(complete * u)) - 1),
        ignored_after_end=left_out,
        rows=n_rows,
        transactions=int(x.sum()) + len(ids),
    ), left_out
