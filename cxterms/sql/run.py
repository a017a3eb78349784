"""Run the aggregate queries on an engine and feed the rows to the same
readers as ``--counts`` and ``--rfm``: one code path for the statistics."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from ..errors import DataError, NotFoundError, UsageError
from . import build
from .engines import Engine
from .spec import ChurnSpec, Filter, RFMSpec, ScoreSpec


def resolve_column(names: Sequence[str], spec: str | None, *, defaults: Sequence[str] = (), what: str = "column",
                   source: str = "the table") -> str:
    """The engine's name of a column given by name (any case) or 1-based
    number; with ``spec`` None the only column or the one named in ``defaults``."""
    listing = ", ".join(f"{i}:{n}" for i, n in enumerate(names, 1))
    if spec is not None:
        want = spec.strip()
        for n in names:
            if n == want:
                return n
        hits = [n for n in names if n.casefold() == want.casefold()]
        if len(hits) == 1:
            return hits[0]
        if want.isdigit() and 1 <= int(want) <= len(names):
            return names[int(want) - 1]
        raise NotFoundError(f"no {what} {spec!r} in {source}", hint=f"columns: {listing}")
    if len(names) == 1:
        return names[0]
    wanted = [d.casefold() for d in defaults]
    hits = [n for n in names if n.casefold() in wanted]
    if len(hits) == 1:
        return hits[0]
    raise UsageError(f"{source} has several columns; choose the {what} with an option", hint=f"columns: {listing}")


class Source:
    """A table on an engine: the engine, the table (or file view) name, its columns."""

    def __init__(self, engine: Engine, table: str, label: str | None = None) -> None:
        self.engine = engine
        self.table = table
        self.label = label or f"{table} on {engine.label}"
        self.names = engine.columns(build.table_ref(table).sql(dialect=engine.dialect))

    def column(self, spec, *, defaults=(), what="column") -> str:
        try:
            return resolve_column(self.names, spec, defaults=defaults, what=what, source=self.label)
        except UsageError:
            if spec is not None:
                raise
            guess = self._by_words(defaults)
            if guess is None:
                raise
            return guess

    def _by_words(self, defaults) -> str | None:
        """As the file reader: a column whose name holds one of the words and
        whose first values are mostly numbers ("How likely ... recommend ...?")."""
        import re

        from sqlglot import exp

        from ..io.table import _NUMBER

        sample = None
        for d in defaults:
            hits = [n for n in self.names if re.search(rf"\b{re.escape(d)}\b", n, re.I)]
            if not hits:
                continue
            if sample is None:
                q = exp.select(*[build.col(n) for n in self.names]).from_(build.table_ref(self.table)).limit(50)
                names, rows = self.engine.sample(q.sql(dialect=self.engine.dialect))
                sample = [dict(zip(names, r)) for r in rows]

            def numeric(n):
                cells = [str(r[n]) for r in sample if r[n] is not None and str(r[n]).strip()]
                return sum(bool(_NUMBER.fullmatch(c)) for c in cells) / len(cells) if cells else 0.0

            hits = [n for n in hits if numeric(n) >= 0.5]
            if len(hits) == 1:
                return hits[0]
        return None

    def filters(self, filters: Sequence[Filter]) -> tuple[Filter, ...]:
        return tuple(Filter(self.column(f.column, what="--where column"), f.op, f.value) for f in filters)

    def run_columns(self, sql: str, *, per_customer: bool = False) -> dict[str, list]:
        """The result by column (a list per column name): for results of a
        row per customer, which as dicts would take several times the memory."""
        names, rows = self.engine.query(sql, per_customer=per_customer)
        return {n: [r[i] for r in rows] for i, n in enumerate(names)}

    def run(self, sql: str, *, per_customer: bool = False) -> list[dict]:
        names, rows = self.engine.query(sql, per_customer=per_customer)
        return [dict(zip(names, r)) for r in rows]


def score_data(
    src: Source,
    parse: Callable[[str], int],
    *,
    column: str | None = None,
    by: Sequence[str] = (),
    period: str | None = None,
    every: str = "month",
    date_format: str | None = None,
    weight: str | None = None,
    filters: Sequence[Filter] = (),
    skip_invalid: bool = False,
    defaults: Sequence[str] = (),
):
    """Counts per answer on the engine -> ScoreData (as read_scores would give)."""
    from ..io.counts import CountRow, tally_rows
    from ..io.scores import SCORE_COLUMNS
    from ..metrics import periods as P

    if period is not None:
        P.check_every(every)
    score = src.column(column, defaults=defaults or SCORE_COLUMNS, what="score column")
    bys = tuple(src.column(b, what="--by column") for b in by)
    pcol = src.column(period, what="--period column") if period is not None else None
    wcol = src.column(weight, what="--weight column") if weight is not None else None
    if len({score, *bys, *((pcol,) if pcol else ()), *((wcol,) if wcol else ())}) != 1 + len(bys) + (pcol is not None) + (wcol is not None):
        raise UsageError("the score, --by, --period and --weight columns must differ")
    flt = src.filters(filters)
    eng = src.engine
    spec = ScoreSpec(src.table, score, by=bys, period=pcol, every=every, weight=wcol, filters=flt,
                     text=eng.text, date_format=date_format)
    rows = src.run(build.score_query(spec, eng.dialect))
    filtered = {}
    if flt:
        got = src.run(build.filtered_query(flt, src.table, eng.dialect, text=eng.text))[0]
        for i, f in enumerate(filters):
            n = int(got.get(f"filter_{i}") or 0)
            if n:
                filtered[f.name] = n

    def count_rows():
        for r in rows:
            yield CountRow(
                group=tuple(r[b] for b in bys), period=r.get("period"), score=r["score"], count=r["count"],
                weight_sum=r.get("weight_sum"), weight_sq_sum=r.get("weight_sq_sum"),
                weight_invalid=r.get("weight_invalid") or 0,
            )

    return tally_rows(
        count_rows(), parse, source=src.label, column=f"column {score!r}", by=bys,
        every=every if pcol is not None else None, date_format=None, weighted=wcol is not None, weight=wcol,
        filtered=filtered, skip_invalid=skip_invalid,
    )


def churn_counter(src: Source, *, start: str | None, end: str | None, every: str = "month",
                  filters: Sequence[Filter] = (), date_format: str | None = None):
    """Per-period new/lost counts on the engine -> CustomerCounter."""
    from ..io.counts import churn_counter as from_rows
    from ..io.records import END_COLUMNS, START_COLUMNS
    from ..metrics import periods as P

    P.check_every(every)
    scol = src.column(start, defaults=START_COLUMNS, what="start column")
    ecol = src.column(end, defaults=END_COLUMNS, what="end column")
    if scol == ecol:
        raise UsageError("the start and end columns must differ")
    eng = src.engine
    spec = ChurnSpec(src.table, scol, ecol, every=every, filters=src.filters(filters), text=eng.text, date_format=date_format)
    check = src.run(build.churn_check_query(spec, eng.dialect))[0]
    if int(check.get("customers") or 0) == 0:
        raise DataError(f"no customers in {src.label}")
    if int(check.get("no_start") or 0):
        raise DataError(f"{int(check['no_start'])} customers in {src.label} have no start date (or one that is not a date)")
    if int(check.get("end_before_start") or 0):
        raise DataError(f"{int(check['end_before_start'])} customers in {src.label} have an end date before their start date")
    rows = src.run(build.churn_query(spec, eng.dialect))

    def as_date(v):
        return P.period_start(v if isinstance(v, date) else P.parse_date(str(v)), every)

    return from_rows([(as_date(r["period"]), int(r["start"]), int(r["new"]), int(r["lost"]), int(r["lost_new"]), None)
                      for r in rows], every, source=src.label)


def rfm_data(src: Source, *, customer: str | None, date_column: str | None, amount: str | None, unit: str = "week",
             calibration_end: date | None = None, filters: Sequence[Filter] = (), date_format: str | None = None):
    """The per-customer RFM summary computed on the engine -> RFMData."""
    from ..io.records import AMOUNT_COLUMNS, CUSTOMER_COLUMNS, DATE_COLUMNS
    from ..models.rfm import RFMData
    from ..metrics import periods as P

    ccol = src.column(customer, defaults=CUSTOMER_COLUMNS, what="customer column")
    dcol = src.column(date_column, defaults=DATE_COLUMNS, what="date column")
    try:
        acol = src.column(amount, defaults=AMOUNT_COLUMNS, what="amount column")
    except UsageError:
        if amount is not None:
            raise
        acol = None
    if ccol == dcol or (acol is not None and acol in (ccol, dcol)):
        raise UsageError("the customer, date and amount columns must differ")
    eng = src.engine
    flt = src.filters(filters)
    spec = RFMSpec(src.table, ccol, dcol, acol, unit=unit, calibration_end=calibration_end, filters=flt,
                   text=eng.text, date_format=date_format)
    cols = src.run_columns(build.rfm_query(spec, eng.dialect), per_customer=True)
    ids = cols["customer_id"]
    if not ids:
        raise DataError(f"no orders in {src.label}" + (f" on or before {calibration_end}" if calibration_end else ""))
    if any(c is None or not str(c).strip() for c in ids):
        raise DataError(f"some orders in {src.label} have a blank customer")
    ignored = 0
    if calibration_end is not None:
        ignored = _after_end(src, dcol, calibration_end, flt, date_format)
    end = cols["calibration_end"][0] if "calibration_end" in cols else None
    end = end if isinstance(end, date) or end is None else P.parse_date(str(end))
    data = RFMData.from_columns(
        list(map(float, cols["frequency"])), list(map(float, cols["recency"])), list(map(float, cols["T"])),
        list(map(float, cols["monetary_value"])) if acol is not None else None,
        customer_ids=list(map(str, ids)), unit=unit, calibration_end=end,
    )
    if ignored:
        import dataclasses

        data = dataclasses.replace(data, ignored_after_end=ignored)
    return data


def _after_end(src: Source, dcol: str, end: date, flt, date_format) -> int:
    from sqlglot import exp

    eng = src.engine
    day = build.day_expr(dcol, eng.dialect, text=eng.text, date_format=date_format)
    later = exp.GT(this=day, expression=exp.cast(exp.Literal.string(end.isoformat()), "date"))
    q = exp.select(exp.alias_(exp.Sum(this=exp.Case(ifs=[exp.If(this=later, true=exp.Literal.number(1))], default=exp.Literal.number(0))),
                              exp.to_identifier("n", quoted=True))).from_(build.table_ref(src.table))
    cond = build._and([build.predicate(f, eng.text) for f in flt])
    if cond is not None:
        q = q.where(cond)
    return int(src.run(q.sql(dialect=eng.dialect))[0].get("n") or 0)


def order_book(src: Source, *, customer: str | None, date_column: str | None, amount: str | None,
               filters: Sequence[Filter] = (), date_format: str | None = None):
    """Per-customer order totals on the engine -> OrderBook (historic CLV)."""
    from ..io.records import AMOUNT_COLUMNS, CUSTOMER_COLUMNS, DATE_COLUMNS
    from ..metrics import periods as P
    from ..metrics.clv import OrderBook

    ccol = src.column(customer, defaults=CUSTOMER_COLUMNS, what="customer column")
    dcol = src.column(date_column, defaults=DATE_COLUMNS, what="date column")
    acol = src.column(amount, defaults=AMOUNT_COLUMNS, what="amount column")
    if len({ccol, dcol, acol}) != 3:
        raise UsageError("the customer, date and amount columns must differ")
    eng = src.engine
    spec = RFMSpec(src.table, ccol, dcol, acol, filters=src.filters(filters), text=eng.text, date_format=date_format)
    cols = src.run_columns(build.orders_query(spec, eng.dialect), per_customer=True)
    book = OrderBook()

    def day(v):
        return v if isinstance(v, date) else P.parse_date(str(v))

    for cid, orders, revenue, first, last in zip(cols["customer_id"], cols["orders"], cols["revenue"],
                                                 cols["first_order"], cols["last_order"]):
        if cid is None or not str(cid).strip():
            raise DataError(f"some orders in {src.label} have a blank customer")
        if first is None or revenue is None:
            raise DataError(f"customer {cid!r} in {src.label} has orders without a date or an amount")
        book.add_customer(str(cid), int(orders), float(revenue), day(first), day(last))
    return book
