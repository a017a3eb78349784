"""Customer lifetime value: the simple formula and historic CLV.

Formula (per-period margin ``m = ARPU x gross margin``, retention
``r = 1 - churn``, discount rate ``d`` per period)::

    payments at the start of each period (default, --timing start):
        CLV = m x (1 + d) / (1 + d - r)        -> m / churn when d = 0
    payments at the end of each period (Gupta-Lehmann, --timing end):
        CLV = m x r / (1 + d - r)              -> m x r / churn when d = 0

"start" counts the payment made on acquisition (the customer pays for the
first period straight away, as subscriptions do); Gupta & Lehmann's form
counts only payments after the first renewal. Both assume a constant churn
rate and margin, and an infinite horizon.

Historic CLV sums what each customer has actually spent: mean and median
revenue per customer, with average order value (revenue / orders), purchase
frequency (orders / customers) and lifespan (first to last order).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date

from ..errors import DataError, EmptyDataError

TIMINGS = ("start", "end")
UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}


@dataclass(frozen=True)
class CLVResult:
    clv: float
    arpu: float
    margin: float
    margin_per_period: float
    churn_rate: float
    retention_rate: float
    discount_rate: float
    timing: str
    expected_lifetime: float

    def as_dict(self) -> dict:
        return asdict(self)


def clv(
    arpu: float,
    margin: float = 1.0,
    *,
    churn: float | None = None,
    retention: float | None = None,
    discount_rate: float = 0.0,
    timing: str = "start",
) -> CLVResult:
    """Lifetime value of a customer under a constant churn rate.

    >>> clv(50, 0.7, churn=0.05).clv
    700.0
    >>> round(clv(50, 0.7, churn=0.05, discount_rate=0.01).clv, 2)
    589.17
    >>> round(clv(50, 0.7, retention=0.95, discount_rate=0.01, timing="end").clv, 2)
    554.17
    """
    if (churn is None) == (retention is None):
        raise DataError("give either a churn rate or a retention rate")
    c = churn if churn is not None else 1.0 - retention  # type: ignore[operator]
    if not 0.0 < c <= 1.0:
        raise DataError(
            "churn must be above 0 and at most 1 (100%)" + ("; with no churn the lifetime value is unbounded" if c == 0 else "")
        )
    if not math.isfinite(arpu) or arpu < 0:
        raise DataError(f"ARPU must be a finite number of at least 0, not {arpu!r}")
    if not 0.0 < margin <= 1.0:
        raise DataError(f"margin must be above 0 and at most 1 (100%), not {margin:g}")
    if discount_rate < 0:
        raise DataError(f"the discount rate cannot be negative ({discount_rate:g})")
    if timing not in TIMINGS:
        raise DataError(f"timing must be 'start' or 'end', not {timing!r}")
    m = arpu * margin
    r = 1.0 - c
    d = discount_rate
    # 1 + d - r written as d + c: no cancellation, and exactly m / c when d = 0
    value = m * (1.0 + d) / (d + c) if timing == "start" else m * r / (d + c)
    if not (math.isfinite(value) and math.isfinite(1.0 / c)):
        raise DataError(
            f"the lifetime value overflows (churn {c:.3g} is too close to 0 for ARPU {arpu:.6g})",
            hint="check --churn/--retention: a churn rate this small means customers practically never leave",
        )
    return CLVResult(
        clv=value, arpu=arpu, margin=margin, margin_per_period=m, churn_rate=c, retention_rate=r,
        discount_rate=d, timing=timing, expected_lifetime=1.0 / c,
    )


@dataclass(frozen=True)
class CustomerValue:
    customer: str
    orders: int
    revenue: float
    first_order: date
    last_order: date
    lifespan: float  # in the unit of the report
    average_order_value: float

    def as_dict(self, unit: str = "day") -> dict:
        return {
            "customer": self.customer, "orders": self.orders, "revenue": self.revenue,
            "first_order": self.first_order.isoformat(), "last_order": self.last_order.isoformat(),
            f"lifespan_{unit}s": self.lifespan, "average_order_value": self.average_order_value,
        }


@dataclass(frozen=True)
class HistoricCLV:
    customers: int
    orders: int
    revenue: float
    average_order_value: float
    purchase_frequency: float
    lifespan: float  # mean first-to-last-order time, in ``unit``
    unit: str
    clv_mean: float
    clv_median: float
    margin: float
    first_date: date
    last_date: date

    def as_dict(self) -> dict:
        d = asdict(self)
        d[f"lifespan_{self.unit}s"] = d.pop("lifespan")
        d["first_date"] = self.first_date.isoformat()
        d["last_date"] = self.last_date.isoformat()
        return d


class OrderBook:
    """Streams orders into per-customer totals (memory grows with customers)."""

    def __init__(self) -> None:
        self._orders: dict[str, list] = {}  # customer -> [orders, revenue, first, last]

    def add(self, customer: str, day: date, amount: float) -> None:
        if not math.isfinite(amount):
            raise DataError(f"amount is not a finite number ({amount!r})")
        rec = self._orders.get(customer)
        if rec is None:
            self._orders[customer] = [1, amount, day, day]
        else:
            total = rec[1] + amount
            if not math.isfinite(total):
                raise DataError(f"the revenue of customer {customer[:40]!r} overflows a float")
            rec[0] += 1
            rec[1] = total
            if day < rec[2]:
                rec[2] = day
            if day > rec[3]:
                rec[3] = day

    def add_customer(self, customer: str, orders: int, revenue: float, first: date, last: date) -> None:
        """Add one customer's totals at once (from an engine's per-customer query)."""
        if orders < 1 or not math.isfinite(revenue) or last < first:
            raise DataError(f"customer {customer!r}: {orders} orders, revenue {revenue!r}, {first} to {last} is not a valid summary")
        if customer in self._orders:
            raise DataError(f"customer {customer!r} appears twice")
        self._orders[customer] = [orders, revenue, first, last]

    def per_customer(self, unit: str = "day", margin: float = 1.0) -> list[CustomerValue]:
        days = UNIT_DAYS[unit]
        return [
            CustomerValue(c, n, rev * margin, first, last, (last - first).days / days, rev / n)
            for c, (n, rev, first, last) in sorted(self._orders.items())
        ]

    def summary(self, unit: str = "day", margin: float = 1.0) -> HistoricCLV:
        if not self._orders:
            raise EmptyDataError("no orders to compute a historic CLV from")
        if not 0.0 < margin <= 1.0:
            raise DataError(f"margin must be above 0 and at most 1 (100%), not {margin:g}")
        # from the totals directly: no per-customer objects, no sort by name
        days = UNIT_DAYS[unit]
        totals = list(self._orders.values())
        n = len(totals)
        orders = sum(v[0] for v in totals)
        try:
            revenue = math.fsum(v[1] for v in totals)
            median = statistics.median(v[1] * margin for v in totals)
        except OverflowError:
            revenue = median = math.inf
        if not (math.isfinite(revenue) and math.isfinite(median) and math.isfinite(revenue * margin / n)):
            raise DataError("the total revenue overflows a float: the amounts are too large")
        return HistoricCLV(
            customers=n, orders=orders, revenue=revenue, average_order_value=revenue / orders,
            purchase_frequency=orders / n, lifespan=statistics.fmean((v[3] - v[2]).days / days for v in totals), unit=unit,
            clv_mean=revenue * margin / n, clv_median=median,
            margin=margin, first_date=min(v[2] for v in totals), last_date=max(v[3] for v in totals),
        )


def historic_clv(orders: Iterable[tuple[str, date, float]], *, unit: str = "day", margin: float = 1.0) -> HistoricCLV:
    """Historic CLV from (customer, order date, amount) rows.

    >>> h = historic_clv([("a", date(2026, 1, 1), 30.0), ("a", date(2026, 1, 31), 50.0), ("b", date(2026, 1, 10), 20.0)])
    >>> h.customers, h.orders, h.average_order_value, h.purchase_frequency, h.lifespan, h.clv_mean, h.clv_median
    (2, 3, 33.333333333333336, 1.5, 15.0, 50.0, 50.0)
    """
    book = OrderBook()
    for customer, day, amount in orders:
        book.add(customer, day, amount)
    return book.summary(unit, margin)
