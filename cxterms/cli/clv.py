"""The clv command: the formula, historic CLV from orders, and the
BG/NBD + Gamma-Gamma models."""

from enum import Enum
from typing import Annotated, Optional

import typer

from .metric_options import (
    DateFormatOpt, DayfirstOpt, DbOpt, DecimalOpt, DelimiterOpt, EncodingOpt, EngineOpt, FileArg, HeaderOpt, MaxInvalidOpt,
    QuietOpt, SheetOpt, SkipInvalidOpt, TableFormatOpt, TableOpt,
)
from .output import TableFormat
from .render_metrics import Field, View, emit_rows, emit_single

app = typer.Typer()


class Timing(str, Enum):
    start = "start"
    end = "end"


class Unit(str, Enum):
    day = "day"
    week = "week"
    month = "month"


class Model(str, Enum):
    bgnbd = "bgnbd"
    pareto = "pareto"
    mbgnbd = "mbgnbd"
    bgbb = "bgbb"
    auto = "auto"


FORMULA_VIEW = View("clv", (
    Field("clv", "Customer lifetime value", "money"),
    Field("arpu", "ARPU per period", "money"),
    Field("margin", "Gross margin", "frac"),
    Field("margin_per_period", "Margin per period", "money"),
    Field("churn_rate", "Churn rate", "frac"),
    Field("retention_rate", "Retention rate", "frac"),
    Field("discount_rate", "Discount rate", "frac"),
    Field("timing", "Payment timing", "text"),
    Field("expected_lifetime", "Expected lifetime (periods)", "num2"),
), "clv")


def historic_view(unit: str) -> View:
    return View("historic", (
        Field("clv_mean", "Historic CLV (mean)", "money"),
        Field("clv_median", "Historic CLV (median)", "money"),
        Field("customers", "Customers", "int"),
        Field("orders", "Orders", "int"),
        Field("revenue", "Revenue", "money"),
        Field("average_order_value", "Average order value", "money"),
        Field("purchase_frequency", "Purchase frequency (orders per customer)", "num2"),
        Field(f"lifespan_{unit}s", f"Average lifespan ({unit}s)", "num2"),
        Field("margin", "Margin applied", "frac"),
        Field("first_date", "First order", "text"),
        Field("last_date", "Last order", "text"),
    ), "clv_mean")


def customer_view(unit: str) -> View:
    return View("customers", (
        Field("orders", "Orders", "int"),
        Field("revenue", "Value", "money"),
        Field("first_order", "First order", "text"),
        Field("last_order", "Last order", "text"),
        Field(f"lifespan_{unit}s", f"Lifespan ({unit}s)", "num2"),
        Field("average_order_value", "AOV", "money"),
    ), "revenue")


FORMULA = "Formula"
ORDERS = "From orders"
MODELS = "Models (BG/NBD, Pareto/NBD, MBG/NBD, BG/BB + Gamma-Gamma; needs the models extra)"


@app.command()
def clv(
    ctx: typer.Context,
    file: FileArg = None,
    arpu: Annotated[Optional[float], typer.Option("--arpu", min=0, metavar="A", help="Average revenue per customer per period.", rich_help_panel=FORMULA)] = None,
    margin: Annotated[Optional[str], typer.Option("--margin", metavar="M", help="Gross margin: 0.7 or 70% (default 100%).", rich_help_panel=FORMULA)] = None,
    churn: Annotated[Optional[str], typer.Option("--churn", metavar="C", help="Churn rate per period: 0.05 or 5%.", rich_help_panel=FORMULA)] = None,
    retention: Annotated[Optional[str], typer.Option("--retention", metavar="R", help="Retention rate per period (instead of --churn).", rich_help_panel=FORMULA)] = None,
    discount_rate: Annotated[Optional[str], typer.Option("--discount-rate", metavar="D", help="Discount rate per period (per --unit with a model): 0.01 or 1%.", rich_help_panel=FORMULA)] = None,
    timing: Annotated[Timing, typer.Option("--timing", case_sensitive=False, help="start: first payment now, CLV = m(1+d)/(1+d-r); end: Gupta-Lehmann m r/(1+d-r).", rich_help_panel=FORMULA)] = Timing.start,
    customer_column: Annotated[Optional[str], typer.Option("--customer-column", metavar="NAME|N", help="Customer id column. Default: customer, customer_id, email...", rich_help_panel=ORDERS)] = None,
    date_column: Annotated[Optional[str], typer.Option("--date-column", metavar="NAME|N", help="Order date column. Default: date, order_date...", rich_help_panel=ORDERS)] = None,
    amount_column: Annotated[Optional[str], typer.Option("--amount-column", metavar="NAME|N", help="Order amount column. Default: amount, revenue, total...", rich_help_panel=ORDERS)] = None,
    unit: Annotated[Optional[Unit], typer.Option("--unit", case_sensitive=False, help="Time unit: day, week (7 days) or month (365.25/12 days). Default: day for history, week for models.", rich_help_panel=ORDERS)] = None,
    per_customer: Annotated[bool, typer.Option("--per-customer", help="Emit only the per-customer rows (JSON array or CSV rows).", rich_help_panel=ORDERS)] = False,
    model: Annotated[Optional[Model], typer.Option("--model", case_sensitive=False, help="Purchase model: bgnbd, pareto (Pareto/NBD), mbgnbd, bgbb (discrete periods) or auto (compare by BIC / holdout); Gamma-Gamma spend when amounts are given.", rich_help_panel=MODELS)] = None,
    rfm: Annotated[bool, typer.Option("--rfm", help="FILE is a summary table: frequency, recency, T (and monetary_value); for bgbb frequency, recency, n and an optional count.", rich_help_panel=MODELS)] = False,
    calibration_end: Annotated[Optional[str], typer.Option("--calibration-end", metavar="DATE", help="End of the calibration period (default: the last date in the log).", rich_help_panel=MODELS)] = None,
    holdout_end: Annotated[Optional[str], typer.Option("--holdout-end", metavar="DATE", help="Validate on the holdout period after --calibration-end up to DATE.", rich_help_panel=MODELS)] = None,
    horizon: Annotated[Optional[float], typer.Option("--horizon", min=0, metavar="H", help="Prediction horizon in --unit units (default: one year).", rich_help_panel=MODELS)] = None,
    intervals: Annotated[bool, typer.Option("--intervals", help="Parametric-bootstrap intervals (95%) for parameters, expected purchases, P(alive) and CLV.", rich_help_panel=MODELS)] = False,
    bootstrap: Annotated[Optional[int], typer.Option("--bootstrap", min=10, metavar="N", help="Bootstrap replicates for --intervals (default 200).", rich_help_panel=MODELS)] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", min=0, metavar="S", help="Random seed for --intervals (default: drawn and reported).", rich_help_panel=MODELS)] = None,
    top: Annotated[int, typer.Option("--top", min=0, metavar="N", help="Customers listed in the Rich summary.", rich_help_panel=MODELS)] = 10,
    date_format: DateFormatOpt = None,
    dayfirst: DayfirstOpt = None,
    decimal: DecimalOpt = None,
    delimiter: DelimiterOpt = None,
    header: HeaderOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    skip_invalid: SkipInvalidOpt = False,
    max_invalid: MaxInvalidOpt = None,
    db: DbOpt = None,
    table: TableOpt = None,
    engine: EngineOpt = None,
    format: TableFormatOpt = TableFormat.auto,
    quiet: QuietOpt = False,
) -> None:
    """Customer lifetime value: the formula, history from orders, or a model.

    Formula (--arpu, --margin, --churn or --retention): with margin per
    period m = ARPU x margin, retention r = 1 - churn and discount rate d,
    the default payment timing "start" (first payment at acquisition) gives
    CLV = m (1 + d) / (1 + d - r), which is ARPU x margin / churn when d = 0.
    --timing end gives the Gupta-Lehmann form m r / (1 + d - r).

    Historic (FILE of orders: customer, date, amount): customers, orders,
    revenue, average order value, purchase frequency, average lifespan and
    historic CLV (revenue per customer, mean and median; x --margin).

    Models (--model bgnbd|pareto|mbgnbd|bgbb|auto): expected transactions
    and P(alive) per customer with standard errors, Gamma-Gamma expected
    spend when amounts are given, and CLV (x --margin) over --horizon units
    discounted at --discount-rate per unit. Times are measured in --unit (a
    discount rate per month with --unit week is a mistake); bgbb counts
    whole --unit periods. auto compares bgnbd, pareto and mbgnbd by BIC (by
    holdout MAE with --holdout-end). --intervals adds parametric-bootstrap
    intervals; --calibration-end with --holdout-end validates on the later
    period. Needs numpy and scipy: pip install 'cxterms[models]'.

    Example:

        cxterms clv --arpu 50 --margin 70% --churn 5%
        cxterms clv --arpu 50 --margin 0.7 --retention 0.95 --discount-rate 1% --timing end
        cxterms clv examples/orders.csv
        cxterms clv examples/orders.csv --per-customer -f csv
        cxterms clv examples/orders.csv --model bgnbd --unit week --horizon 52
        cxterms clv --db postgresql://cx@db:5432/shop --table orders --model bgnbd
        cxterms clv examples/purchases.csv --model auto --calibration-end 2025-09-30 --holdout-end 2026-06-30
        cxterms clv examples/orders.csv --model pareto --intervals --bootstrap 100 --seed 1
    """
    from ..errors import UsageError
    from .inputs import MAX_PROJECT, check_count, check_number, parse_fraction

    session = ctx.obj
    check_number(arpu, "--arpu")
    check_number(horizon, "--horizon", high=MAX_PROJECT)
    check_count(top, "--top", high=MAX_PROJECT)
    from .sources import SourceOpts

    source = SourceOpts(db=db, table=table, engine=engine)
    source.check(file)
    if source.kind == "db":
        if rfm:
            raise UsageError("--rfm reads a summary FILE; with --db the summary is computed in the database")
        if sheet is not None or skip_invalid or max_invalid is not None or decimal is not None or dayfirst is not None:
            raise UsageError("--sheet, --skip-invalid, --max-invalid, --decimal and --dayfirst read files; they do not go with --db/--engine")
    formula_opts = any(x is not None for x in (arpu, churn, retention))
    if formula_opts and (file is not None or model is not None or rfm or source.kind != "file"):
        raise UsageError("--arpu/--churn/--retention make the formula; drop FILE, --model and --rfm")
    if formula_opts:
        if arpu is None:
            raise UsageError("the formula needs --arpu")
        if (churn is None) == (retention is None):
            raise UsageError("the formula needs --churn or --retention (one of them)")
        from ..metrics import clv as core

        result = core.clv(
            arpu,
            parse_fraction(margin, "--margin", allow_zero=False) if margin is not None else 1.0,
            churn=parse_fraction(churn, "--churn") if churn is not None else None,
            retention=parse_fraction(retention, "--retention") if retention is not None else None,
            discount_rate=parse_fraction(discount_rate, "--discount-rate") if discount_rate is not None else 0.0,
            timing=timing.value,
        )
        emit_single(session, FORMULA_VIEW, result.as_dict(), format, quiet=quiet, title="Customer lifetime value")
        return
    if model is not None or rfm:
        from .models import run_clv_model

        run_clv_model(
            session, file, model=model.value if model is not None else None, rfm=rfm,
            intervals=intervals, replicates=bootstrap, seed=seed, holdout_end=holdout_end, customer_column=customer_column, date_column=date_column, amount_column=amount_column,
            unit=unit.value if unit else None, calibration_end=calibration_end, horizon=horizon,
            discount_rate=parse_fraction(discount_rate, "--discount-rate") if discount_rate is not None else 0.0,
            margin=parse_fraction(margin, "--margin", allow_zero=False) if margin is not None else None,
            per_customer=per_customer, top=top, date_format=date_format, delimiter=delimiter, header=header,
            encoding=encoding, fmt_=format, quiet=quiet, db_source=source,
        )
        return
    if discount_rate is not None:
        raise UsageError("--discount-rate goes with the formula or a --model")
    if horizon is not None or calibration_end is not None or holdout_end is not None or intervals or bootstrap is not None or seed is not None:
        raise UsageError("--horizon, --calibration-end, --holdout-end, --intervals, --bootstrap and --seed go with --model")
    _historic(session, file, customer_column, date_column, amount_column, unit.value if unit else "day",
              parse_fraction(margin, "--margin", allow_zero=False) if margin is not None else 1.0,
              per_customer, date_format, delimiter, header, encoding, format, quiet, source=source, inp=
              dict(dayfirst=dayfirst, decimal=decimal, sheet=sheet, skip_invalid=skip_invalid, max_invalid=max_invalid))


def _historic(session, file, customer_column, date_column, amount_column, unit, margin, per_customer,
              date_format, delimiter, header, encoding, fmt_, quiet, source=None, inp=None):
    if source is not None and source.kind == "db":  # per-customer totals counted in the database
        _historic_db(session, file, source, customer_column, date_column, amount_column, unit, margin, per_customer,
                     date_format, delimiter, header, encoding, fmt_, quiet)
        return
    from ..errors import DataError, UsageError
    from ..io.records import order_columns, read_orders
    from ..io.sources import ReadOptions
    from ..io.table import parse_delimiter
    from ..metrics.clv import OrderBook
    from .inputs import open_any

    inp = inp or {}
    limit = inp.get("max_invalid")
    if limit is not None and not 0.0 <= limit <= 1.0:
        raise UsageError("--max-invalid takes a share between 0 and 1, e.g. 0.1")
    src = open_any(session, file, ReadOptions(delimiter=parse_delimiter(delimiter), header=header, encoding=encoding,
                                              sheet=inp.get("sheet")))
    table = src.table
    out = session.out()
    notes: list[str] = list(src.notes)
    skipped: list | None = [] if inp.get("skip_invalid") else None
    ccol, dcol, acol = order_columns(table, customer_column, date_column, amount_column, notes=notes)
    book = OrderBook()
    rows = 0
    try:
        for line, customer, day, amount in read_orders(table, ccol, dcol, acol, date_format, dayfirst=inp.get("dayfirst"),
                                                       decimal=inp.get("decimal"), skipped=skipped, notes=notes):
            try:
                book.add(customer, day, amount)
            except DataError as e:  # a revenue that overflows a float: name the row
                e.file, e.line = table.name, line
                raise
            rows += 1
    except DataError as e:
        e.line = src.line_of(e.line)
        raise
    for note in notes:
        out.note(f"note: {note}")
    if skipped:
        total = rows + len(skipped)
        share = len(skipped) / total
        shown = "; ".join(f"line {src.line_of(ln)}: {msg}" for ln, msg in skipped[:3])
        if share > (0.05 if limit is None else limit):
            raise DataError(f"{100 * share:.0f}% of the order rows are invalid ({len(skipped)} of {total}): wrong columns or format?",
                            file=table.name, hint=f"first: {shown}; allow it with --max-invalid {min(1.0, round(share + 0.005, 2))}")
        out.warn(f"skipped {len(skipped)} invalid order row{'s' * (len(skipped) != 1)} ({100 * share:.0f}% of {total}): {shown}")
    if rows == 0:
        raise DataError(f"no orders in {table.name}")
    summary = book.summary(unit, margin)
    if per_customer:
        rows = [c.as_dict(unit) for c in book.per_customer(unit, margin)]
        emit_rows(session, customer_view(unit), rows, fmt_, label_key="customer", quiet=quiet,
                  columns=("orders", "revenue", "first_order", "last_order", f"lifespan_{unit}s", "average_order_value"))
        return
    emit_single(session, historic_view(unit), summary.as_dict(), fmt_, quiet=quiet, title=f"Historic CLV: {table.name}")


def _historic_db(session, file, source, customer_column, date_column, amount_column, unit, margin, per_customer,
                 date_format, delimiter, header, encoding, fmt_, quiet):
    from ..sql.run import order_book
    from .sources import open_source

    src = open_source(source, file, delimiter=delimiter, header=header, encoding=encoding)
    try:
        book = order_book(src, customer=customer_column, date_column=date_column, amount=amount_column,
                          date_format=date_format)
    finally:
        src.engine.close()
    summary = book.summary(unit, margin)
    if per_customer:
        rows = [c.as_dict(unit) for c in book.per_customer(unit, margin)]
        emit_rows(session, customer_view(unit), rows, fmt_, label_key="customer", quiet=quiet,
                  columns=("orders", "revenue", "first_order", "last_order", f"lifespan_{unit}s", "average_order_value"))
        return
    emit_single(session, historic_view(unit), summary.as_dict(), fmt_, quiet=quiet, title=f"Historic CLV: {src.label}")
