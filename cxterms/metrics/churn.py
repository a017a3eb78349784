"""Churn and retention: from counts, from revenue, and per period from a
customer table.

Customer churn over a period::

    churn rate     = customers lost / customers at the start of the period
    retention rate = 1 - churn rate
    expected lifetime = 1 / churn rate   (periods; a geometric lifetime)
    annualised churn  = 1 - (1 - churn)^k   (k = 12 for months, 4 for quarters)

Customers who join and leave within the same period are not in the
denominator, so they are not in the rate either; the per-period table
reports them as ``lost_new``.

Revenue churn over a period, from monthly recurring revenue (MRR)::

    gross revenue churn = (churned + contraction) / starting MRR
    net revenue churn   = (churned + contraction - expansion) / starting MRR
    GRR = 1 - gross revenue churn          (at most 100%)
    NRR = 1 - net revenue churn            (above 100% when expansion wins)

Rates are fractions (0.05 = 5%).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date

from ..errors import DataError
from . import periods

PER_YEAR = {"week": 52, "month": 12, "quarter": 4, "year": 1}


def annualize(rate: float, period: str) -> float:
    """Compound a per-period churn rate to a year: ``1 - (1 - rate)^k``.

    >>> round(annualize(0.02, "month"), 4)
    0.2153
    """
    return 1.0 - (1.0 - rate) ** PER_YEAR[period]


@dataclass(frozen=True)
class ChurnResult:
    churn_rate: float
    retention_rate: float
    customers_start: int
    lost: int
    new: int
    customers_end: int
    expected_lifetime: float | None  # periods; None when churn is 0 (unbounded)
    period: str | None
    annual_churn_rate: float | None = None
    annual_retention_rate: float | None = None
    lost_new: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def churn_from_counts(
    start: int, lost: int, new: int = 0, *, lost_new: int = 0, period: str | None = None, annual: bool = False
) -> ChurnResult:
    """Churn and retention rates from customer counts.

    ``lost`` counts customers lost *of those at the start*, so it is at most
    ``start``; new customers who also left during the period are
    ``lost_new`` (at most ``new``): they are not in the rate, only in the
    customers at the end.

    >>> r = churn_from_counts(200, 10, new=15, period="month", annual=True)
    >>> r.churn_rate, r.retention_rate, r.customers_end, r.expected_lifetime, round(r.annual_churn_rate, 4)
    (0.05, 0.95, 205, 20.0, 0.4596)
    >>> churn_from_counts(10, 10, new=5, lost_new=1).customers_end
    4
    """
    for name, v in (("--start", start), ("--lost", lost), ("--new", new), ("--lost-new", lost_new)):
        if v < 0:
            raise DataError(f"{name} cannot be negative ({v})")
    if start == 0:
        raise DataError("no customers at the start of the period: the churn rate is undefined")
    if lost > start:
        raise DataError(
            f"lost ({lost}) cannot exceed the customers at the start ({start}): "
            "count new customers who also left separately (--lost-new)"
        )
    if lost_new > new:
        raise DataError(f"lost new customers ({lost_new}) cannot exceed the new customers ({new})")
    if annual and period is None:
        raise DataError("annualising needs the length of the period (--period month|quarter|year)")
    rate = lost / start
    return ChurnResult(
        churn_rate=rate,
        retention_rate=1.0 - rate,
        customers_start=start,
        lost=lost,
        new=new,
        customers_end=start + new - lost - lost_new,
        expected_lifetime=1.0 / rate if rate > 0 else None,
        period=period,
        annual_churn_rate=annualize(rate, period) if annual else None,
        annual_retention_rate=1.0 - annualize(rate, period) if annual else None,
        lost_new=lost_new,
    )


@dataclass(frozen=True)
class RevenueChurnResult:
    mrr_start: float
    churned: float
    contraction: float
    expansion: float
    mrr_end: float
    gross_revenue_churn: float
    net_revenue_churn: float
    grr: float
    nrr: float

    def as_dict(self) -> dict:
        return asdict(self)


def revenue_churn(mrr_start: float, churned: float, contraction: float = 0.0, expansion: float = 0.0) -> RevenueChurnResult:
    """Gross and net revenue churn, GRR and NRR.

    >>> r = revenue_churn(100_000, 4_000, contraction=1_000, expansion=8_000)
    >>> r.gross_revenue_churn, r.net_revenue_churn, r.grr, r.nrr
    (0.05, -0.03, 0.95, 1.03)
    """
    for name, v in (("--mrr-start", mrr_start), ("--mrr-churned", churned), ("--contraction", contraction), ("--expansion", expansion)):
        if v < 0:
            raise DataError(f"{name} cannot be negative ({v})")
    if mrr_start == 0:
        raise DataError("starting MRR is 0: revenue churn is undefined")
    for name, v in (("--mrr-start", mrr_start), ("--mrr-churned", churned), ("--contraction", contraction), ("--expansion", expansion)):
        if not math.isfinite(v):
            raise DataError(f"{name} must be a finite number, not {v!r}")
    lost = churned + contraction
    if lost > mrr_start:
        raise DataError(f"churned plus contraction ({lost:g}) exceeds the starting MRR ({mrr_start:g})")
    gross = lost / mrr_start
    net = (lost - expansion) / mrr_start
    return RevenueChurnResult(
        mrr_start=mrr_start, churned=churned, contraction=contraction, expansion=expansion,
        mrr_end=mrr_start - lost + expansion, gross_revenue_churn=gross, net_revenue_churn=net,
        grr=(mrr_start - lost) / mrr_start, nrr=(mrr_start - lost + expansion) / mrr_start,
    )


@dataclass(frozen=True)
class PeriodChurn:
    period: str
    period_start: date
    period_end: date  # last day, inclusive
    customers_start: int
    new: int
    lost: int
    lost_new: int
    customers_end: int
    churn_rate: float | None  # None when nobody was a customer at the start
    retention_rate: float | None

    def as_dict(self) -> dict:
        d = asdict(self)
        d["period_start"] = self.period_start.isoformat()
        d["period_end"] = self.period_end.isoformat()
        return d


class CustomerCounter:
    """Streams (start, end) customer spans into per-period counts.

    Memory grows with the number of periods, not of customers.
    """

    def __init__(self, every: str) -> None:
        self.every = periods.check_every(every)
        self.new: dict[date, int] = {}
        self.ended: dict[date, int] = {}
        self.ended_new: dict[date, int] = {}
        self.first: date | None = None
        self.last: date | None = None
        self.customers = 0

    def add(self, start: date, end: date | None = None) -> None:
        if end is not None and end < start:
            raise DataError(f"end date {end} is before start date {start}")
        ps = periods.period_start(start, self.every)
        self.new[ps] = self.new.get(ps, 0) + 1
        self.customers += 1
        latest = start
        if end is not None:
            pe = periods.period_start(end, self.every)
            self.ended[pe] = self.ended.get(pe, 0) + 1
            if pe == ps:
                self.ended_new[pe] = self.ended_new.get(pe, 0) + 1
            latest = end
        self.first = start if self.first is None or start < self.first else self.first
        self.last = latest if self.last is None or latest > self.last else self.last

    def table(self, since: date | None = None, until: date | None = None) -> list[PeriodChurn]:
        """One row per period from ``since`` (default: the first start) to
        ``until`` (default: the latest date seen), both inclusive."""
        if self.first is None:
            raise DataError("no customers in the table")
        first = since or self.first
        last = until or self.last
        if last < first:
            raise DataError(f"--to ({last}) is before --from ({first})")
        every = self.every
        starts = periods.span(first, last, every)
        lo = starts[0]
        # customers active at the start of the first reported period
        active = sum(c for p, c in self.new.items() if p < lo) - sum(c for p, c in self.ended.items() if p < lo)
        rows = []
        for ps in starts:
            new = self.new.get(ps, 0)
            ended = self.ended.get(ps, 0)
            lost_new = self.ended_new.get(ps, 0)
            lost = ended - lost_new
            rate = lost / active if active else None
            rows.append(
                PeriodChurn(
                    period=periods.label(ps, every), period_start=ps, period_end=periods.last_day(ps, every),
                    customers_start=active, new=new, lost=lost, lost_new=lost_new,
                    customers_end=active + new - ended, churn_rate=rate,
                    retention_rate=None if rate is None else 1.0 - rate,
                )
            )
            active += new - ended
        return rows


def churn_by_period(
    customers: Iterable[tuple[date, date | None]], *, every: str = "month", since: date | None = None, until: date | None = None
) -> list[PeriodChurn]:
    """Per-period churn from customer (start, end) dates; end None = still a customer.

    A customer is lost in the period containing their end date; they count
    at the start of that period if they started before it.

    >>> rows = churn_by_period([(date(2026, 1, 5), None), (date(2026, 1, 9), date(2026, 2, 3)),
    ...                         (date(2026, 2, 1), date(2026, 2, 20)), (date(2026, 2, 2), None)])
    >>> [(r.period, r.customers_start, r.new, r.lost, r.lost_new, r.customers_end, r.churn_rate) for r in rows]
    [('2026-01', 0, 2, 0, 0, 2, None), ('2026-02', 2, 2, 1, 1, 2, 0.5)]
    """
    counter = CustomerCounter(every)
    for start, end in customers:
        counter.add(start, end)
    return counter.table(since, until)
