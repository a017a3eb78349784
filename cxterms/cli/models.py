"""Probability-model commands: ``clv --model bgnbd`` (BG/NBD + Gamma-Gamma)
and ``retention`` (shifted-beta-geometric). numpy and scipy are imported
only here, after ``cxterms.models.require()`` has checked them."""

from typing import Annotated, Optional

import typer

from .metric_options import ColumnOpt, DateFormatOpt, DelimiterOpt, EncodingOpt, FileArg, HeaderOpt, QuietOpt, TableFormatOpt
from .output import TableFormat, clean_line, resolve_format
from .render_metrics import Field, View, emit_rows, fmt

app = typer.Typer()

#: horizon of one year in each unit, the default of --horizon
YEAR = {"day": 365.0, "week": 52.0, "month": 12.0}
CORRELATION_WARNING = 0.3

CLV_MODEL_VIEW = View("clv-model", (
    Field("clv_mean", "Predicted CLV (mean)", "money"),
    Field("clv_median", "Predicted CLV (median)", "money"),
    Field("clv_total", "Predicted CLV (total)", "money"),
    Field("expected_transactions_mean", "Expected transactions (mean)", "num3"),
    Field("probability_alive_mean", "P(alive) (mean)", "num3"),
    Field("customers", "Customers", "int"),
    Field("repeat_customers", "Repeat customers", "int"),
    Field("horizon", "Horizon", "num2"),
    Field("unit", "Unit", "text"),
    Field("discount_rate", "Discount rate per unit", "frac"),
    Field("calibration_end", "Calibration end", "text"),
    Field("ignored_after_end", "Rows after calibration end", "int"),
    Field("r", "BG/NBD r", "num4"),
    Field("alpha", "BG/NBD alpha", "num4"),
    Field("a", "BG/NBD a", "num4"),
    Field("b", "BG/NBD b", "num4"),
    Field("log_likelihood", "BG/NBD log-likelihood", "num2"),
    Field("p", "Gamma-Gamma p", "num4"),
    Field("q", "Gamma-Gamma q", "num4"),
    Field("gamma", "Gamma-Gamma gamma", "num4"),
    Field("spend_log_likelihood", "Gamma-Gamma log-likelihood", "num2"),
    Field("spend_frequency_correlation", "Spend-frequency correlation", "num3"),
), "clv_mean")

PER_CUSTOMER_VIEW = View("predictions", (
    Field("frequency", "Repeat purchases", "int"),
    Field("recency", "Recency", "num2"),
    Field("T", "Age T", "num2"),
    Field("monetary_value", "Avg repeat spend", "money"),
    Field("expected_transactions", "Expected purchases", "num3"),
    Field("probability_alive", "P(alive)", "num3"),
    Field("expected_average_value", "Expected spend", "money"),
    Field("clv", "CLV", "money"),
), "clv")

RETENTION_VIEW = View("retention", (
    Field("next_retention_rate", "Next period's retention rate", "frac"),
    Field("alpha", "sBG alpha", "num4"),
    Field("beta", "sBG beta", "num4"),
    Field("log_likelihood", "Log-likelihood", "num2"),
    Field("periods", "Periods observed", "int"),
    Field("cohort_size", "Cohort size", "int"),
    Field("mean_churn_probability", "Mean churn probability", "frac"),
    Field("expected_lifetime", "Expected lifetime (periods)", "num2"),
    Field("expected_lifetime_note", "Expected lifetime", "text"),
    Field("discount_rate", "Discount rate", "frac"),
    Field("derl", "Discounted expected residual lifetime", "num3"),
), "next_retention_rate")


def _require():
    from ..models import require

    require()


def _float_column(table, col: int, what: str, rows):
    from ..errors import DataError

    out = []
    for line, row in rows:
        text = row[col].strip() if col < len(row) else ""
        try:
            out.append(float(text))
        except ValueError:
            raise DataError(f"{what} {text!r} is not a number", file=table.name, line=line, column=col + 1) from None
    return out


def _read_rfm(session, file, *, unit, delimiter, header, encoding, customer_column):
    """A summary table: frequency, recency, T and optionally monetary_value."""
    from ..errors import UsageError
    from ..io.records import CUSTOMER_COLUMNS
    from ..models.rfm import RFMData
    from .inputs import open_input

    table = open_input(session, file, delimiter=delimiter, header=header, encoding=encoding)
    if not table.header:
        raise UsageError("--rfm needs a header naming the columns frequency, recency, T (and monetary_value)")
    named = {h.casefold(): i for i, h in enumerate(table.header)}
    missing = [c for c in ("frequency", "recency", "t") if c not in named]
    if missing:
        raise UsageError(
            f"--rfm needs columns frequency, recency and T; {table.name} lacks {', '.join(missing)}",
            hint=f"columns: {table.columns_text()}",
        )
    money = next((named[c] for c in ("monetary_value", "monetary", "avg_spend") if c in named), None)
    try:
        cust = table.column(customer_column, defaults=CUSTOMER_COLUMNS + ("id",), what="customer column", option="--customer-column")
    except UsageError:
        cust = None
    rows = [(ln, r) for ln, r in table.rows() if any(c.strip() for c in r)]
    ids = [r[cust].strip() if cust is not None and cust < len(r) else str(n) for n, (_ln, r) in enumerate(rows, 1)]
    return RFMData.from_columns(
        _float_column(table, named["frequency"], "frequency", rows),
        _float_column(table, named["recency"], "recency", rows),
        _float_column(table, named["t"], "T", rows),
        _float_column(table, money, "monetary_value", rows) if money is not None else None,
        customer_ids=ids,
        unit=unit,
    ), table.name


def _read_log(session, file, *, unit, calibration_end, date_format, delimiter, header, encoding,
              customer_column, date_column, amount_column):
    """A transaction log summarised per customer."""
    from ..io.records import order_columns, read_orders
    from ..models.rfm import summarize_transactions
    from .inputs import open_input

    table = open_input(session, file, delimiter=delimiter, header=header, encoding=encoding)
    ccol, dcol, acol = order_columns(table, customer_column, date_column, amount_column, amount_optional=True)  # no amounts: BG/NBD only
    rows = ((c, d, a) for _line, c, d, a in read_orders(table, ccol, dcol, acol, date_format))
    return summarize_transactions(rows, unit=unit, calibration_end=calibration_end), table.name


def run_clv_model(session, file, *, rfm, customer_column, date_column, amount_column, unit, calibration_end,
                  horizon, discount_rate, per_customer, top, date_format, delimiter, header, encoding, fmt_, quiet,
                  source=None):
    """Fit BG/NBD (+ Gamma-Gamma with amounts) and report predictions."""
    from ..errors import DataError, UsageError

    _require()
    import numpy as np

    from ..metrics.periods import parse_date
    from ..models import bgnbd, gamma_gamma
    from ..models.clv import predicted_clv

    unit = unit or "week"
    horizon = YEAR[unit] if horizon is None else horizon
    end = None
    if calibration_end is not None:
        if rfm:
            raise UsageError("--calibration-end applies to a transaction log, not to --rfm")
        try:
            end = parse_date(calibration_end, date_format)
        except ValueError:
            raise UsageError(f"--calibration-end {calibration_end!r} is not a date") from None
    if source is not None and source.kind == "db":  # the RFM query runs in the database
        from ..sql.run import rfm_data
        from .sources import open_source

        src = open_source(source, file, delimiter=delimiter, header=header, encoding=encoding)
        try:
            data = rfm_data(src, customer=customer_column, date_column=date_column, amount=amount_column, unit=unit,
                            calibration_end=end, date_format=date_format)
        finally:
            src.engine.close()
        source = src.label
    elif rfm:
        data, source = _read_rfm(session, file, unit=unit, delimiter=delimiter, header=header, encoding=encoding,
                                 customer_column=customer_column)
    else:
        data, source = _read_log(session, file, unit=unit, calibration_end=end, date_format=date_format,
                                 delimiter=delimiter, header=header, encoding=encoding, customer_column=customer_column,
                                 date_column=date_column, amount_column=amount_column)
    if data.n_customers < 2:
        raise DataError(f"the models need at least two customers; {source} has {data.n_customers}")
    x, tx, T = data.frequency, data.recency, data.T
    fit = bgnbd.fit_bgnbd(x, tx, T)
    expected = np.asarray(bgnbd.expected_transactions(fit, horizon, x, tx, T), dtype=float)
    alive = np.asarray(bgnbd.probability_alive(fit, x, tx, T), dtype=float)
    summary = {
        "model": "bgnbd",
        "params": fit.params,
        "log_likelihood": fit.log_likelihood,
        "converged": fit.converged,
        "customers": data.n_customers,
        "repeat_customers": data.repeat_customers,
        "unit": unit,
        "horizon": float(horizon),
        "discount_rate": discount_rate,
        "calibration_end": data.calibration_end.isoformat() if data.calibration_end else None,
        "ignored_after_end": data.ignored_after_end,
        "expected_transactions_mean": float(expected.mean()),
        "probability_alive_mean": float(alive.mean()),
    }
    prediction = None
    if data.has_amounts:
        spend = gamma_gamma.fit_gamma_gamma(x, data.monetary_value)
        prediction = predicted_clv(fit, spend, x, tx, T, data.monetary_value, horizon=horizon, discount_rate=discount_rate)
        clv = prediction.clv
        summary["spend"] = {
            "model": "gamma-gamma",
            "params": spend.params,
            "log_likelihood": spend.log_likelihood,
            "customers": spend.n_customers,
            "spend_frequency_correlation": spend.spend_frequency_correlation,
        }
        summary.update(clv_total=float(clv.sum()), clv_mean=float(clv.mean()), clv_median=float(np.median(clv)))
        r = spend.spend_frequency_correlation
        if r is not None and abs(r) >= CORRELATION_WARNING:
            session.out().warn(
                f"purchase frequency and average spend are correlated (r = {r:.2f}); the Gamma-Gamma model "
                "assumes they are independent, so treat the spend predictions with caution"
            )
    if data.ignored_after_end:
        session.out().note(f"{data.ignored_after_end} rows dated after the calibration end ({data.calibration_end}) were ignored")

    if per_customer:
        rows = []
        for i, cid in enumerate(data.customer_ids):
            row = {
                "customer": cid, "frequency": int(x[i]), "recency": float(tx[i]), "T": float(T[i]),
                "expected_transactions": float(expected[i]), "probability_alive": float(alive[i]),
            }
            if prediction is not None:
                row.update(monetary_value=float(data.monetary_value[i]),
                           expected_average_value=float(prediction.expected_average_value[i]), clv=float(prediction.clv[i]))
            rows.append(row)
        view = PER_CUSTOMER_VIEW if prediction is not None else View("predictions", PER_CUSTOMER_VIEW.fields, "expected_transactions")
        emit_rows(session, view, rows, fmt_, label_key="customer", quiet=quiet,
                  columns=[f.key for f in view.fields if f.key in rows[0]])
        return
    _emit_clv_model(session, summary, fmt_, quiet, source, top, data, expected, alive, prediction)


def _flat_summary(summary: dict) -> dict:
    flat = {k: v for k, v in summary.items() if k not in ("params", "spend")}
    flat.update(summary["params"])
    spend = summary.get("spend")
    if spend:
        flat.update(spend["params"])
        flat["spend_log_likelihood"] = spend["log_likelihood"]
        flat["spend_frequency_correlation"] = spend["spend_frequency_correlation"]
    return flat


def _emit_clv_model(session, summary, fmt_, quiet, source, top, data, expected, alive, prediction):
    from .render_metrics import plain_single, rich_summary, write_rows

    out = session.out()
    flat = _flat_summary(summary)
    view = CLV_MODEL_VIEW if prediction is not None else View("bgnbd", CLV_MODEL_VIEW.fields, "expected_transactions_mean")
    fmt_ = resolve_format(fmt_, session.env)
    if quiet:
        key = view.headline
        out.write(fmt(flat[key], next(f.kind for f in view.fields if f.key == key)))
    elif fmt_ is TableFormat.json:
        out.json(summary)
    elif fmt_ in (TableFormat.csv, TableFormat.tsv):
        write_rows(out, fmt_, [flat])
    elif fmt_ is TableFormat.plain:
        plain_single(out, view, flat)
    else:
        import numpy as np
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        parts = [rich_summary(view, flat, f"BG/NBD{' + Gamma-Gamma' if prediction is not None else ''}: {source}")]
        value = prediction.clv if prediction is not None else expected
        label = "CLV" if prediction is not None else "Expected purchases"
        qs = Table(title=f"{label} distribution", title_justify="left", box=None, padding=(0, 2))
        for name in ("min", "p10", "p25", "median", "p75", "p90", "max"):
            qs.add_column(name, justify="right")
        pct = np.percentile(value, [0, 10, 25, 50, 75, 90, 100])
        qs.add_row(*[f"{v:.2f}" for v in pct])
        parts.append(qs)
        if top:
            best = np.argsort(-value, kind="stable")[:top]
            tt = Table(title=f"Top {len(best)} customers", title_justify="left")
            tt.add_column("Customer", overflow="fold")
            for name in ("Repeat purchases", "P(alive)", "Expected purchases", *(["CLV"] if prediction is not None else [])):
                tt.add_column(name, justify="right")
            for i in best:
                cells = [str(int(data.frequency[i])), f"{alive[i]:.3f}", f"{expected[i]:.3f}"]
                if prediction is not None:
                    cells.append(f"{prediction.clv[i]:.2f}")
                tt.add_row(Text(clean_line(data.customer_ids[i])), *cells)
            parts.append(tt)
        out.print(Group(*parts))


@app.command()
def retention(
    ctx: typer.Context,
    file: FileArg = None,
    survivors: Annotated[Optional[str], typer.Option("--survivors", metavar="N0,N1,...", help="Active customers of one cohort at period 0, 1, 2, ... (instead of FILE).")] = None,
    column: ColumnOpt = None,
    project: Annotated[int, typer.Option("--project", min=0, metavar="N", help="Periods to project beyond the data.")] = 5,
    discount_rate: Annotated[str, typer.Option("--discount-rate", metavar="D", help="Per-period discount rate for the residual lifetime: 0.1 or 10%.")] = "10%",
    date_format: DateFormatOpt = None,
    delimiter: DelimiterOpt = None,
    header: HeaderOpt = None,
    encoding: EncodingOpt = None,
    format: TableFormatOpt = TableFormat.auto,
    quiet: QuietOpt = False,
) -> None:
    """Retention of a cohort with the shifted-beta-geometric model (Fader & Hardie 2007).

    Each customer churns at the end of each period with a constant
    probability theta, and theta varies across customers as Beta(alpha,
    beta); the aggregate retention rate r(t) = (beta + t - 1) / (alpha +
    beta + t - 1) therefore rises over time. Fits alpha and beta by maximum
    likelihood to the survivor counts (at least three periods: the cohort
    size first), projects survivors and retention rates --project periods
    ahead, and reports the expected lifetime of a new customer (infinite
    when alpha <= 1) and the discounted expected residual lifetime (DERL)
    of a customer still active at the end of the data.

    Example:

        cxterms retention --survivors 1000,631,468,382,326,297,262,241 --project 5
        cxterms retention examples/cohort.csv --column active --discount-rate 10%
        cxterms retention --survivors 1000,869,743,653,593 -q
    """
    from ..errors import UsageError
    from .inputs import open_input, parse_fraction

    del date_format  # accepted for symmetry with the other table options
    session = ctx.obj
    d = parse_fraction(discount_rate, "--discount-rate")
    if survivors is not None:
        if file is not None:
            raise UsageError("give --survivors or a FILE, not both")
        try:
            counts = [float(v) for v in survivors.replace(";", ",").split(",") if v.strip()]
        except ValueError:
            raise UsageError(f"--survivors takes numbers separated by commas, not {survivors!r}") from None
        source = "--survivors"
    else:
        table = open_input(session, file, delimiter=delimiter, header=header, encoding=encoding)
        col = table.column(column, defaults=("survivors", "active", "customers", "count", "retained"))
        rows = [(ln, r) for ln, r in table.rows() if any(c.strip() for c in r)]
        counts = _float_column(table, col, "survivor count", rows)
        source = table.name
    _require()
    from ..models import sbg

    fit = sbg.fit_sbg(counts)
    n = len(counts) - 1
    size = counts[0]
    fitted = [float(v) for v in sbg.project(fit, size, n + project)]
    lifetime = sbg.expected_lifetime(fit)
    infinite = lifetime == float("inf")
    projection = [
        {"period": t, "survivors": fitted[t], "retention_rate": float(sbg.retention_rate(fit, t))}
        for t in range(n + 1, n + project + 1)
    ]
    result = {
        "model": "sbg",
        "params": fit.params,
        "log_likelihood": fit.log_likelihood,
        "converged": fit.converged,
        "periods": n,
        "cohort_size": size,
        "source": source,
        "observed": counts,
        "fitted": fitted[: n + 1],
        "observed_retention_rates": [counts[t] / counts[t - 1] if counts[t - 1] else None for t in range(1, n + 1)],
        "projection": projection,
        "next_retention_rate": float(sbg.retention_rate(fit, n + 1)),
        "mean_churn_probability": fit.mean_churn_probability,
        "expected_lifetime": None if infinite else lifetime,
        "expected_lifetime_note": "infinite (alpha <= 1)" if infinite else None,
        "discount_rate": d,
        "derl": sbg.discounted_expected_residual_lifetime(fit, n, d) if d > 0 or not infinite else None,
    }
    _emit_retention(session, result, format, quiet)


def _emit_retention(session, result, fmt_, quiet):
    from .render_metrics import plain_single, rich_summary, write_rows

    out = session.out()
    flat = {k: v for k, v in result.items() if not isinstance(v, (list, dict))}
    flat.update(result["params"])
    fmt_ = resolve_format(fmt_, session.env)
    rows = [
        {"period": t, "observed": result["observed"][t], "fitted": result["fitted"][t],
         "retention_rate": result["observed_retention_rates"][t - 1] if t else None}
        for t in range(result["periods"] + 1)
    ] + [{"period": p["period"], "observed": None, "fitted": p["survivors"], "retention_rate": p["retention_rate"]}
         for p in result["projection"]]
    if quiet:
        out.write(fmt(result["next_retention_rate"], "frac"))
    elif fmt_ is TableFormat.json:
        out.json(result)
    elif fmt_ in (TableFormat.csv, TableFormat.tsv):
        write_rows(out, fmt_, rows)
    elif fmt_ is TableFormat.plain:
        plain_single(out, RETENTION_VIEW, flat)
        out.write("")
        out.write("period\tobserved\tfitted\tretention_rate")
        for r in rows:
            out.write(f"{r['period']}\t{fmt(r['observed'], 'num2')}\t{fmt(r['fitted'], 'num2')}\t{fmt(r['retention_rate'], 'frac')}")
    else:
        from rich.console import Group
        from rich.table import Table

        from .render_metrics import sparkline

        table = Table(title="Survivors by period", title_justify="left")
        for name in ("Period", "Observed", "Fitted / projected", "Retention rate"):
            table.add_column(name, justify="right")
        for r in rows:
            style = "dim" if r["observed"] is None else None
            table.add_row(str(r["period"]), fmt(r["observed"], "num2"), fmt(r["fitted"], "num2"), fmt(r["retention_rate"], "frac"), style=style)
        rates = [r["retention_rate"] for r in rows if r["retention_rate"] is not None]
        out.print(Group(rich_summary(RETENTION_VIEW, flat, f"Shifted-beta-geometric retention: {result['source']}"),
                        table, f"Retention rate trend  {sparkline(rates)}"))
