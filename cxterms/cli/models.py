"""``clv --model``: the customer-base models (BG/NBD, Pareto/NBD, MBG/NBD,
BG/BB with Gamma-Gamma) on a transaction log, an RFM summary or an engine's
RFM query. numpy and scipy are imported only here, after
``cxterms.models.require()`` has checked them."""

import math

from .output import TableFormat, clean_line, resolve_format
from .render_metrics import Field, View, emit_rows, fmt

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
    Field("margin", "Margin applied", "frac"),
    Field("calibration_end", "Calibration end", "text"),
    Field("ignored_after_end", "Rows after calibration end", "int"),
    Field("r", "BG/NBD r", "num4"),
    Field("alpha", "BG/NBD alpha", "num4"),
    Field("a", "BG/NBD a", "num4"),
    Field("b", "BG/NBD b", "num4"),
    Field("log_likelihood", "Log-likelihood", "num2"),
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





def _require():
    from ..models import require

    require()


def _fast_rfm_columns(table, cols, cust):
    """The numeric columns ``cols`` (None entries stay None) and the customer ids of a plain
    summary file, parsed at C speed; None when the file is not plain enough for that to be
    exact, and the caller then reads it cell by cell (which also names any bad cell).

    Plain means: a file on disk in UTF-8 (a BOM is fine), a one-character delimiter, no
    quote characters, no NUL bytes, LF or CR LF line ends only, every non-blank record
    exactly as wide as the header and every cell of ``cols`` a number as ``float()`` reads
    it. pyarrow's CSV reader does the parsing when it is installed (the ``parquet``
    extra), numpy's ``loadtxt`` otherwise (files without a customer column only). Both
    round to the nearest double as ``float()`` does; blank lines are skipped, as in the
    cell-by-cell reader. A count column (BG/BB) must hold whole numbers >= 0.
    """
    import codecs

    import numpy as np

    d = table.delimiter
    path = getattr(table, "_path", None)
    if (not path or not table._quoted_mode() or not isinstance(d, str) or len(d) != 1 or d in "\"\r\n"
            or codecs.lookup(table.encoding).name != "utf-8" or not table.header):
        return None
    try:
        with open(path, "rb") as fh:
            fh.seek(table._data_start)
            data = fh.read()
    except OSError:
        return None
    if b'"' in data or b"\0" in data or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
        return None
    width = len(table.header)
    want = [c for c in cols if c is not None]
    if any(c >= width for c in want) or (cust is not None and cust >= width):
        return None
    if not data or data.isspace():  # (no copy of the data, as strip() would make)
        return None  # no data rows: the cell-by-cell reader reports that
    try:
        parsed = _arrow_columns(data, d, width, want, cust)
    except ImportError:
        parsed = None
        if cust is None:
            parsed = _numpy_columns(data, d, width, want)
    except Exception:  # any cell arrow will not read as a number: the exact path decides
        return None
    if parsed is None:
        return None
    values, ids = parsed
    if any(v.shape[0] != values[0].shape[0] for v in values) or values[0].shape[0] == 0:
        return None
    by_col = dict(zip(want, values))
    out = [None if c is None else by_col[c] for c in cols]
    if cols[4] is not None:
        counts = out[4]
        if not np.all((counts >= 0) & (counts == np.floor(counts)) & np.isfinite(counts)):
            return None  # the cell-by-cell reader names the bad count and its line
    if ids is None:
        from ..models.rfm import RowNumbers

        ids = RowNumbers(values[0].shape[0])
    return out + [ids]


def _arrow_columns(data: bytes, d: str, width: int, want: list, cust):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    names = [f"c{i}" for i in range(width)]
    types = {names[c]: pa.float64() for c in want}
    include = [names[c] for c in want]
    if cust is not None:
        types[names[cust]] = pa.string()
        include.append(names[cust])
    tab = pcsv.read_csv(
        pa.py_buffer(data),
        read_options=pcsv.ReadOptions(column_names=names, use_threads=False, encoding="utf8"),
        parse_options=pcsv.ParseOptions(delimiter=d, quote_char=False, escape_char=False, newlines_in_values=False,
                                        ignore_empty_lines=True),
        convert_options=pcsv.ConvertOptions(column_types=types, include_columns=include, null_values=[],
                                            strings_can_be_null=False, quoted_strings_can_be_null=False,
                                            check_utf8=True),
    )
    values = []
    for c in want:
        col = tab.column(names[c])
        if col.null_count:
            return None
        values.append(col.to_numpy().astype(float, copy=False))
    ids = None
    if cust is not None:
        ids = [s.strip() for s in tab.column(names[cust]).to_pylist()]
    return values, ids


def _numpy_columns(data: bytes, d: str, width: int, want: list):
    import io

    import numpy as np

    try:
        arr = np.loadtxt(io.BytesIO(data), delimiter=d, comments=None, usecols=want, dtype=float, ndmin=2,
                         encoding="utf-8")
    except Exception:
        return None
    return [np.ascontiguousarray(arr[:, i]) for i in range(len(want))], None


def _read_rfm(session, file, *, unit, delimiter, header, encoding, customer_column, discrete=False):
    """A summary table: frequency, recency, T (or, for BG/BB, n) and optionally monetary_value and count."""
    import numpy as np

    from ..errors import DataError, UsageError
    from ..io.records import CUSTOMER_COLUMNS
    from ..models.rfm import RFMData
    from .inputs import float_column, open_input

    table = open_input(session, file, delimiter=delimiter, header=header, encoding=encoding)
    if not table.header:
        raise UsageError("--rfm needs a header naming the columns frequency, recency, T (and monetary_value)")
    named = {h.casefold(): i for i, h in enumerate(table.header)}
    age_names = ("n", "periods", "t") if discrete else ("t",)
    age = next((named[c] for c in age_names if c in named), None)
    missing = [c for c in ("frequency", "recency") if c not in named] + ([] if age is not None else ["n" if discrete else "T"])
    if missing:
        raise UsageError(
            f"--rfm needs columns frequency, recency and {'n' if discrete else 'T'}; {table.name} lacks {', '.join(missing)}",
            hint=f"columns: {table.columns_text()}",
        )
    money = next((named[c] for c in ("monetary_value", "monetary", "avg_spend") if c in named), None)
    count = next((named[c] for c in ("count", "weights", "weight", "customers") if c in named), None) if discrete else None
    try:
        cust = table.column(customer_column, defaults=CUSTOMER_COLUMNS + ("id",), what="customer column", option="--customer-column")
    except UsageError:
        cust = None
    fast = _fast_rfm_columns(table, [named["frequency"], named["recency"], age, money, count], cust)
    if fast is not None:
        cols, ids = fast[:4], fast[5]
        if count is not None:
            reps = fast[4].astype(np.int64)
            cols = [None if c is None else np.repeat(c, reps) for c in cols]
            ids = [f"{cid}.{k}" for cid, r in zip(ids, reps.tolist()) for k in range(1, r + 1)]
        if discrete:
            from ..models.bgbb import validate_periods

            validate_periods(cols[0], cols[1], cols[2])
        return RFMData.from_columns(*cols, customer_ids=ids, unit=unit), table.name
    rows = [(ln, r) for ln, r in table.rows() if any(c.strip() for c in r)]
    ids = [r[cust].strip() if cust is not None and cust < len(r) else str(n) for n, (_ln, r) in enumerate(rows, 1)]
    cols = [float_column(table, named["frequency"], "frequency", rows),
            float_column(table, named["recency"], "recency", rows),
            float_column(table, age, "n" if discrete else "T", rows),
            float_column(table, money, "monetary_value", rows) if money is not None else None]
    if count is not None:
        counts = float_column(table, count, "count", rows)
        for (ln, _r), c in zip(rows, counts):
            if not (c >= 0 and c == int(c)):
                raise DataError(f"count {c:g} is not a whole number >= 0", file=table.name, line=ln, column=count + 1)
        reps = np.asarray(counts, dtype=np.int64)
        cols = [None if c is None else np.repeat(np.asarray(c, dtype=float), reps) for c in cols]
        ids = [f"{cid}.{k}" for cid, r in zip(ids, reps) for k in range(1, int(r) + 1)]
    if discrete:
        from ..models.bgbb import validate_periods

        validate_periods(cols[0], cols[1], cols[2])
    return RFMData.from_columns(*cols, customer_ids=ids, unit=unit), table.name


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


def _interval_fields(summary: dict) -> list:
    iv = summary.get("intervals")
    if not iv:
        return []
    pct = f"{100 * iv['level']:g}%"
    labels = {"expected_transactions_total": "Expected transactions (total)", "probability_alive_mean": "P(alive) (mean)",
              "clv_total": "Predicted CLV (total)"}
    kinds = {"expected_transactions_total": "num2", "probability_alive_mean": "num3", "clv_total": "money"}
    out = []
    for key in iv["aggregate"]:
        out.append(Field(f"{key}_lower", f"{labels[key]}, {pct} lower", kinds[key]))
        out.append(Field(f"{key}_upper", f"{labels[key]}, {pct} upper", kinds[key]))
    return out


def _read_periods(session, file, *, unit, calibration_end, date_format, delimiter, header, encoding,
                  customer_column, date_column, amount_column):
    """A transaction log summarised per customer in whole periods (BG/BB)."""
    from ..io.records import order_columns, read_orders
    from ..models.rfm import summarize_periods
    from .inputs import open_input

    table = open_input(session, file, delimiter=delimiter, header=header, encoding=encoding)
    ccol, dcol, acol = order_columns(table, customer_column, date_column, amount_column, amount_optional=True)
    rows = ((c, d, a) for _line, c, d, a in read_orders(table, ccol, dcol, acol, date_format))
    data, _left_out = summarize_periods(rows, unit=unit, calibration_end=calibration_end)
    return data, table.name


def _read_split(session, file, *, unit, calibration_end, holdout_end, date_format, delimiter, header, encoding,
                customer_column, date_column, amount_column):
    """A transaction log split into calibration and holdout periods."""
    from ..io.records import order_columns, read_orders
    from ..models.holdout import split_log
    from .inputs import open_input

    table = open_input(session, file, delimiter=delimiter, header=header, encoding=encoding)
    ccol, dcol, acol = order_columns(table, customer_column, date_column, amount_column, amount_optional=True)
    rows = ((c, d, a) for _line, c, d, a in read_orders(table, ccol, dcol, acol, date_format))
    return split_log(rows, unit=unit, calibration_end=calibration_end, holdout_end=holdout_end), table.name


def run_clv_model(session, file, *, model, rfm, customer_column, date_column, amount_column, unit, calibration_end,
                  horizon, discount_rate, margin=None, intervals=False, replicates=None, seed=None, holdout_end=None,
                  per_customer, top, date_format, delimiter, header, encoding, fmt_, quiet, db_source=None):
    """Fit a purchase model (+ Gamma-Gamma with amounts) and report predictions."""
    from ..errors import DataError, UsageError

    if not intervals and (replicates is not None or seed is not None):
        raise UsageError("--bootstrap and --seed go with --intervals")
    _require()
    import numpy as np

    from ..metrics.periods import parse_date
    from ..models import gamma_gamma, registry
    from ..models.clv import predicted_clv

    name = model or "bgnbd"
    auto = name == "auto"
    spec = registry.get("bgnbd" if auto else name)
    unit = unit or "week"
    if spec.discrete and holdout_end is not None:
        raise UsageError("--holdout-end works with the continuous-time models (bgnbd, pareto, mbgnbd, auto), not bgbb")
    if spec.discrete and intervals:
        pass  # the parametric bootstrap works for BG/BB too
    horizon_given = horizon is not None
    horizon = YEAR[unit] if horizon is None else horizon
    if spec.discrete and horizon != int(horizon):
        raise UsageError(f"BG/BB predicts whole periods: --horizon must be a whole number, not {horizon:g}")
    end = None
    if calibration_end is not None:
        if rfm:
            raise UsageError("--calibration-end applies to a transaction log, not to --rfm")
        try:
            end = parse_date(calibration_end, date_format)
        except ValueError:
            raise UsageError(f"--calibration-end {calibration_end!r} is not a date") from None
    split = None
    if db_source is not None and db_source.kind == "db":  # the RFM query runs in the database
        if holdout_end is not None or spec.discrete:
            raise UsageError("with --db/--engine the models fit on the RFM query: --holdout-end and bgbb need a file")
        from ..sql.run import rfm_data
        from .sources import open_source

        src = open_source(db_source, file, delimiter=delimiter, header=header, encoding=encoding)
        try:
            data = rfm_data(src, customer=customer_column, date_column=date_column, amount=amount_column, unit=unit,
                            calibration_end=end, date_format=date_format)
        finally:
            src.engine.close()
        source = src.label
    elif holdout_end is not None:
        if rfm:
            raise UsageError("--holdout-end needs a transaction log, not --rfm")
        if end is None:
            raise UsageError("--holdout-end goes with --calibration-end (the end of the fitting period)")
        try:
            hend = parse_date(holdout_end, date_format)
        except ValueError:
            raise UsageError(f"--holdout-end {holdout_end!r} is not a date") from None
        split, source = _read_split(session, file, unit=unit, calibration_end=end, holdout_end=hend,
                                    date_format=date_format, delimiter=delimiter, header=header, encoding=encoding,
                                    customer_column=customer_column, date_column=date_column, amount_column=amount_column)
        data = split.calibration
        if split.new_in_holdout:
            session.out().note(f"{split.new_in_holdout} customers whose first purchase is in the holdout period were left out")
        if split.ignored_after_holdout:
            session.out().note(f"{split.ignored_after_holdout} rows dated after the holdout end ({hend}) were ignored")
    elif rfm:
        data, source = _read_rfm(session, file, unit=unit, delimiter=delimiter, header=header, encoding=encoding,
                                 customer_column=customer_column, discrete=spec.discrete)
        if spec.discrete and not horizon_given:
            horizon = float(np.max(data.T))
            session.out().note(f"BG/BB horizon: {horizon:g} periods (the longest observation); set it with --horizon")
    elif spec.discrete:
        data, source = _read_periods(session, file, unit=unit, calibration_end=end, date_format=date_format,
                                     delimiter=delimiter, header=header, encoding=encoding,
                                     customer_column=customer_column, date_column=date_column, amount_column=amount_column)
        if data.ignored_after_end:
            session.out().note(f"BG/BB uses whole {unit}s: {data.ignored_after_end} purchases in the incomplete "
                               f"last {unit} (after {data.calibration_end}) were left out")
    else:
        data, source = _read_log(session, file, unit=unit, calibration_end=end, date_format=date_format,
                                 delimiter=delimiter, header=header, encoding=encoding, customer_column=customer_column,
                                 date_column=date_column, amount_column=amount_column)
    if data.n_customers < 2:
        raise DataError(f"the models need at least two customers; {source} has {data.n_customers}")
    x, tx, T = data.frequency, data.recency, data.T
    comparison = None
    if auto:
        spec, fit, comparison, selected_by = _compare_models(session, registry, x, tx, T, split)
    else:
        fit = spec.fit(x, tx, T)
    expected = np.asarray(spec.expected(fit, horizon, x, tx, T), dtype=float).reshape(-1)
    alive = np.asarray(spec.alive(fit, x, tx, T), dtype=float).reshape(-1)
    summary = {
        "model": spec.name,
        "params": fit.params,
        "standard_errors": fit.standard_errors,
        "log_likelihood": fit.log_likelihood,
        "converged": fit.converged,
        "customers": data.n_customers,
        "repeat_customers": data.repeat_customers,
        "unit": unit,
        "horizon": float(horizon),
        "discount_rate": discount_rate,
        "margin": (1.0 if margin is None else margin) if data.has_amounts else None,
        "calibration_end": data.calibration_end.isoformat() if data.calibration_end else None,
        "ignored_after_end": data.ignored_after_end,
        "expected_transactions_mean": float(expected.mean()),
        "probability_alive_mean": float(alive.mean()),
    }
    if spec.discrete:
        summary["unit"] = "period" if rfm else unit
    if comparison is not None:
        summary["comparison"] = comparison
        summary["selected_by"] = selected_by
    if fit.standard_errors is None:
        session.out().warn(f"the {spec.title} standard errors are not available: the likelihood is not curved "
                           "like a proper maximum there")
    prediction = spend = None
    if data.has_amounts:
        spend = gamma_gamma.fit_gamma_gamma(x, data.monetary_value)
        prediction = predicted_clv(fit, spend, x, tx, T, data.monetary_value, horizon=horizon, expected=spec.expected,
                                   discount_rate=discount_rate, margin=1.0 if margin is None else margin,
                                   transactions=expected)
        clv = prediction.clv
        summary["spend"] = {
            "model": "gamma-gamma",
            "params": spend.params,
            "standard_errors": spend.standard_errors,
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
    if margin is not None and prediction is None:
        session.out().warn("--margin was not applied: the log has no amounts, so there is no CLV to scale")
    if data.ignored_after_end:
        session.out().note(f"{data.ignored_after_end} rows dated after the calibration end ({data.calibration_end}) were ignored")
    validation = None
    if split is not None:
        from ..models.holdout import validate

        validation = validate(spec, fit, split)
        summary["holdout"] = {
            "calibration_end": split.calibration_end.isoformat(),
            "holdout_end": split.holdout_end.isoformat(),
            "length": split.holdout_length,
            "new_customers_left_out": split.new_in_holdout,
            **validation.as_dict(),
        }
    bands = None
    if intervals:
        from ..models.bootstrap import bootstrap_intervals

        bands = bootstrap_intervals(
            spec, fit, x, tx, T, horizon=horizon, replicates=200 if replicates is None else replicates, seed=seed,
            spend_fit=spend, monetary_value=data.monetary_value if spend is not None else None,
            discount_rate=discount_rate, margin=1.0 if margin is None else margin,
        )
        summary["intervals"] = bands.as_dict()
        if bands.failed:
            session.out().note(f"{bands.failed} of {bands.failed + bands.replicates} bootstrap refits failed and were left out")

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
            if validation is not None:
                row.update(holdout_actual=float(validation.actual[i]), holdout_predicted=float(validation.predicted[i]))
            if bands is not None:
                for key, (lo, hi) in bands.per_customer.items():
                    row[f"{key}_lower"] = float(lo[i])
                    row[f"{key}_upper"] = float(hi[i])
            rows.append(row)
        fields = PER_CUSTOMER_VIEW.fields
        if bands is not None:
            fields = fields + tuple(
                Field(f"{k}_{side}", f"{k.replace('_', ' ')} {side}", "money" if k == "clv" else "num3")
                for k in bands.per_customer for side in ("lower", "upper"))
        if validation is not None:
            fields = fields + (Field("holdout_actual", "Holdout purchases", "num2"),
                               Field("holdout_predicted", "Predicted holdout purchases", "num3"))
        view = View("predictions", fields, "clv" if prediction is not None else "expected_transactions")
        emit_rows(session, view, rows, fmt_, label_key="customer", quiet=quiet,
                  columns=[f.key for f in view.fields if f.key in rows[0]])
        return
    _emit_clv_model(session, summary, fmt_, quiet, source, top, data, expected, alive, prediction, spec)


def _compare_models(session, registry, x, tx, T, split):
    """Fit every continuous-time model; choose by BIC, or by holdout MAE when there is a holdout."""
    import math

    from ..errors import DataError, ModelError

    n = x.shape[0]
    rows, fits = [], {}
    for name in registry.CONTINUOUS:
        spec = registry.get(name)
        row = {"model": name}
        try:
            fit = spec.fit(x, tx, T)
        except (ModelError, DataError) as exc:
            row["error"] = str(exc)
            rows.append(row)
            continue
        k = len(spec.names)
        ll = float(fit.log_likelihood)
        row.update(params=fit.params, log_likelihood=ll, aic=2 * k - 2 * ll, bic=k * math.log(n) - 2 * ll)
        if split is not None:
            from ..models.holdout import validate

            errors = validate(spec, fit, split).errors
            row.update({f"holdout_{key}": errors[key] for key in ("mae", "rmse", "bias_percent", "correlation")})
        fits[name] = (spec, fit)
        rows.append(row)
    good = [r for r in rows if "error" not in r]
    if not good:
        raise ModelError("none of the models could be fitted: " + "; ".join(f"{r['model']}: {r['error']}" for r in rows))
    by_bic = min(good, key=lambda r: r["bic"])
    chosen, selected_by = by_bic, "bic"
    if split is not None:
        by_holdout = min(good, key=lambda r: r["holdout_mae"])
        if by_holdout is not by_bic:
            session.out().note(f"BIC prefers {by_bic['model']}, the holdout prefers {by_holdout['model']}: "
                               f"using {by_holdout['model']}")
        chosen, selected_by = by_holdout, "holdout_mae"
    for r in rows:
        r["selected"] = r is chosen
    for r in rows:
        if "error" in r:
            session.out().warn(f"--model auto: {r['model']} could not be fitted ({r['error']})")
    spec, fit = fits[chosen["model"]]
    return spec, fit, rows, selected_by


def _spend_key(summary: dict, name: str) -> str:
    """Gamma-Gamma parameter names in flat output; ``spend_gamma`` where the purchase model has its own gamma (BG/BB)."""
    return f"spend_{name}" if name in summary["params"] else name


def _param_fields(summary: dict, title: str) -> list:
    fields = [Field(k, f"{title} {k}", "num4") for k in summary["params"]]
    fields += [Field(f"{k}_se", f"{title} {k} std. error", "num4") for k in (summary.get("standard_errors") or {})]
    spend = summary.get("spend")
    if spend:
        fields += [Field(_spend_key(summary, k), f"Gamma-Gamma {k}", "num4") for k in spend["params"]]
        fields += [Field(f"{_spend_key(summary, k)}_se", f"Gamma-Gamma {k} std. error", "num4")
                   for k in (spend.get("standard_errors") or {})]
    return fields


def _flat_summary(summary: dict) -> dict:
    flat = {k: v for k, v in summary.items() if not isinstance(v, (dict, list))}
    flat.update(summary["params"])
    for k, v in (summary.get("standard_errors") or {}).items():
        flat[f"{k}_se"] = v
    spend = summary.get("spend")
    if spend:
        for k, v in spend["params"].items():
            flat[_spend_key(summary, k)] = v
        for k, v in (spend.get("standard_errors") or {}).items():
            flat[f"{_spend_key(summary, k)}_se"] = v
        flat["spend_log_likelihood"] = spend["log_likelihood"]
        flat["spend_frequency_correlation"] = spend["spend_frequency_correlation"]
    iv = summary.get("intervals")
    if iv:
        for k, (lo, hi) in iv["aggregate"].items():
            flat[f"{k}_lower"], flat[f"{k}_upper"] = lo, hi
    ho = summary.get("holdout")
    if ho:
        flat["holdout_end"] = ho["holdout_end"]
        flat["holdout_length"] = ho["length"]
        for k, v in ho["errors"].items():
            flat[f"holdout_{k}"] = v
    return flat


HOLDOUT_FIELDS = (
    Field("holdout_end", "Holdout end", "text"),
    Field("holdout_length", "Holdout length (units)", "num2"),
    Field("holdout_actual_total", "Holdout purchases: actual", "num2"),
    Field("holdout_predicted_total", "Holdout purchases: predicted", "num2"),
    Field("holdout_bias_percent", "Aggregate bias (%)", "num2"),
    Field("holdout_mae", "MAE per customer", "num3"),
    Field("holdout_rmse", "RMSE per customer", "num3"),
    Field("holdout_correlation", "Correlation (predicted, actual)", "num3"),
)


def line_chart(series: dict[str, list[float]], marks: dict[str, str], *, split: int | None = None, height: int = 10,
               width: int = 78) -> list[str]:
    """A small text line chart of aligned series (one column per point, sampled down to ``width``).

    ``marks`` gives each series' character; where two meet the later one wins
    unless they are equal. ``split`` draws a dotted vertical line before that
    point (the calibration end).
    """
    names = list(series)
    n = len(series[names[0]])
    if n == 0:
        return []
    step = max(1, math.ceil(n / width))
    idx = list(range(0, n, step))
    if idx[-1] != n - 1:
        idx.append(n - 1)
    top = max(max(series[k][i] for i in idx) for k in names) or 1.0
    grid = [[" "] * len(idx) for _ in range(height)]
    if split is not None:
        col = next((c for c, i in enumerate(idx) if i >= split), None)
        if col is not None:
            for row in grid:
                row[col] = "┊"
    for k in names:
        for c, i in enumerate(idx):
            r = height - 1 - round(series[k][i] / top * (height - 1))
            cell = grid[r][c]
            grid[r][c] = "◆" if cell not in (" ", "┊") and cell != marks[k] else marks[k]
    label = len(f"{top:,.0f}")
    lines = []
    for r, row in enumerate(grid):
        y = f"{top:,.0f}" if r == 0 else ("0" if r == height - 1 else "")
        lines.append(f"{y:>{label}} │{''.join(row)}")
    lines.append(" " * label + " └" + "─" * len(idx))
    return lines


def _param_table(summary: dict):
    from rich.table import Table

    iv = summary.get("intervals")
    table = Table(title="Parameters", title_justify="left")
    for name in ("Model", "Parameter", "Estimate", "Std. error"):
        table.add_column(name, justify="left" if name in ("Model", "Parameter") else "right")
    if iv:
        table.add_column(f"{100 * iv['level']:g}% bootstrap interval", justify="right")
    blocks = [(summary["model"], summary["params"], summary.get("standard_errors"))]
    if summary.get("spend"):
        blocks.append(("gamma-gamma", summary["spend"]["params"], summary["spend"].get("standard_errors")))
    for model, params, ses in blocks:
        for name, value in params.items():
            cells = [model, name, fmt(value, "num4"), fmt(None if ses is None else ses[name], "num4")]
            if iv:
                lo, hi = iv["params"][name]
                cells.append(f"{fmt(lo, 'num4')} .. {fmt(hi, 'num4')}")
            table.add_row(*cells)
    return table


def _comparison_table(summary: dict):
    from rich.table import Table

    rows = summary["comparison"]
    holdout = any("holdout_mae" in r for r in rows)
    table = Table(title=f"Model comparison (chosen by {summary['selected_by'].replace('_', ' ').upper() if summary['selected_by'] == 'bic' else 'holdout MAE'})",
                  title_justify="left")
    cols = ["Model", "LL", "AIC", "BIC"] + (["MAE", "RMSE", "Bias %", "Corr."] if holdout else []) + ["Chosen"]
    for c in cols:
        table.add_column(c, justify="left" if c == "Model" else "right")
    for r in rows:
        if "error" in r:
            table.add_row(r["model"], "failed", *[""] * (len(cols) - 2))
            continue
        cells = [r["model"], fmt(r["log_likelihood"], "num2"), fmt(r["aic"], "num2"), fmt(r["bic"], "num2")]
        if holdout:
            cells += [fmt(r["holdout_mae"], "num3"), fmt(r["holdout_rmse"], "num3"), fmt(r["holdout_bias_percent"], "num2"),
                      fmt(r["holdout_correlation"], "num3")]
        cells.append("✓" if r["selected"] else "")
        table.add_row(*cells)
    return table


def _holdout_rich(holdout: dict, unit: str) -> list:
    from rich.table import Table
    from rich.text import Text

    parts = []
    bf = Table(title="Holdout purchases by calibration repeat purchases", title_justify="left")
    for name in ("Repeat purchases", "Customers", "Actual (mean)", "Predicted (mean)"):
        bf.add_column(name, justify="right")
    for r in holdout["by_frequency"]:
        bf.add_row(r["repeat_purchases"], str(r["customers"]), fmt(r["actual_mean"], "num3"), fmt(r["predicted_mean"], "num3"))
    parts.append(bf)
    tr = holdout["tracking"]
    split = next((i for i, r in enumerate(tr) if r["phase"] == "holdout"), None)
    for kind in ("cumulative", "incremental"):
        lines = line_chart({"actual": [r[f"actual_{kind}"] for r in tr], "predicted": [r[f"predicted_{kind}"] for r in tr]},
                           {"actual": "●", "predicted": "·"}, split=split)
        parts.append(Text(f"Repeat purchases per {unit}, {kind}\n● actual  · predicted  ◆ both  ┊ calibration end\n"
                          + "\n".join(lines), no_wrap=True))
    return parts


def _emit_clv_model(session, summary, fmt_, quiet, source, top, data, expected, alive, prediction, spec):
    from .render_metrics import plain_single, rich_summary, write_rows

    out = session.out()
    flat = _flat_summary(summary)
    base = tuple(f for f in CLV_MODEL_VIEW.fields if f.key not in ("r", "alpha", "a", "b", "p", "q", "gamma"))
    view = View(spec.name, base, "clv_mean" if prediction is not None else "expected_transactions_mean")
    extra = _param_fields(summary, spec.title)
    extra += _interval_fields(summary)
    holdout = summary.get("holdout")
    if holdout:
        extra += list(HOLDOUT_FIELDS)
    fmt_ = resolve_format(fmt_, session.env)
    if quiet:
        key = view.headline
        out.write(fmt(flat[key], next(f.kind for f in view.fields if f.key == key)))
    elif fmt_ is TableFormat.json:
        out.json(summary)
    elif fmt_ in (TableFormat.csv, TableFormat.tsv):
        extra_rows = [{"table": "comparison", **{k: v for k, v in r.items() if k != "params"}}
                      for r in summary.get("comparison") or []]
        if holdout or extra_rows:
            write_rows(out, fmt_, [{"table": "summary", **flat}] + extra_rows
                       + [{"table": "by_frequency", **r} for r in (holdout or {}).get("by_frequency", [])]
                       + [{"table": "tracking", **r} for r in (holdout or {}).get("tracking", [])])
        else:
            write_rows(out, fmt_, [flat])
    elif fmt_ is TableFormat.plain:
        plain_single(out, view, flat, extra=extra)
        if summary.get("comparison"):
            keys = ["model", "log_likelihood", "aic", "bic", "holdout_mae", "holdout_rmse", "holdout_bias_percent",
                    "holdout_correlation", "selected", "error"]
            keys = [k for k in keys if any(k in r for r in summary["comparison"])]
            out.write("")
            out.write("# comparison")
            out.write("\t".join(keys))
            for r in summary["comparison"]:
                out.write("\t".join("" if r.get(k) is None else (fmt(r[k], "num3") if isinstance(r[k], float) else clean_line(str(r[k])))
                                    for k in keys))
        if holdout:
            for name, rows in (("by_frequency", holdout["by_frequency"]), ("tracking", holdout["tracking"])):
                out.write("")
                out.write(f"# {name}")
                keys = list(rows[0])
                out.write("\t".join(keys))
                for r in rows:
                    out.write("\t".join("" if r[k] is None else (fmt(r[k], "num3") if isinstance(r[k], float) else str(r[k]))
                                        for k in keys))
    else:
        import numpy as np
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        keep = tuple(f for f in view.fields if not (holdout and f.key == "ignored_after_end"))
        title = f"{spec.title}{' + Gamma-Gamma' if prediction is not None else ''}: {source}"
        parts = [rich_summary(View(view.name, keep, view.headline), flat, title,
                              extra=_interval_fields(summary) + (list(HOLDOUT_FIELDS) if holdout else [])),
                 _param_table(summary)]
        if summary.get("comparison"):
            parts.append(_comparison_table(summary))
        if holdout:
            parts.extend(_holdout_rich(holdout, summary["unit"]))
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


