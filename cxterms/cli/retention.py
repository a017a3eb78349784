"""``retention``: cohort retention with the shifted-beta-geometric model
(one cohort's survivor counts, or a cohort matrix / long table fitted per
cohort and pooled). numpy and scipy are imported only when it runs, after
``cxterms.models.require()`` has checked them."""

from typing import Annotated, Optional

import typer

from .metric_options import ColumnOpt, DateFormatOpt, DelimiterOpt, EncodingOpt, FileArg, HeaderOpt, QuietOpt, TableFormatOpt
from .output import TableFormat, clean_line, resolve_format
from .render_metrics import Field, View, fmt

app = typer.Typer()

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
    Field("value_per_period", "Value per period", "money"),
    Field("residual_value", "Residual value of the active customers", "money"),
), "next_retention_rate")


def _read_cohorts(table, layout):
    """[(label, [active at period 0, 1, ...])] from a matrix or a long table."""
    from ..errors import DataError, UsageError

    rows = [(ln, r) for ln, r in table.rows() if any(c.strip() for c in r)]
    cohorts: list = []
    if layout == "matrix":
        for ln, r in rows:
            values = []
            for j, cell in enumerate(r[1:], start=2):
                text = cell.strip()
                if not text:
                    if any(c.strip() for c in r[j:]):
                        raise DataError("a blank cell before later counts", file=table.name, line=ln, column=j)
                    break
                try:
                    values.append(float(text))
                except ValueError:
                    raise DataError(f"active count {text!r} is not a number", file=table.name, line=ln, column=j) from None
            cohorts.append((r[0].strip() if r else "", values, ln))
    else:
        names = {h.casefold(): i for i, h in enumerate(table.header or [])}
        act = next((names[c] for c in ("active", "survivors", "customers", "count", "retained") if c in names), None)
        if act is None or "cohort" not in names or "period" not in names:
            raise UsageError("--layout long needs columns cohort, period and active", hint=f"columns: {table.columns_text()}")
        ci, pi = names["cohort"], names["period"]
        by: dict = {}
        for ln, r in rows:
            label = r[ci].strip() if ci < len(r) else ""
            try:
                period = float(r[pi])
                value = float(r[act])
            except (ValueError, IndexError):
                raise DataError("period and active must be numbers", file=table.name, line=ln) from None
            if period != int(period) or period < 0:
                raise DataError(f"period {period:g} is not a whole number >= 0", file=table.name, line=ln, column=pi + 1)
            entry = by.setdefault(label, ({}, ln))
            if int(period) in entry[0]:
                raise DataError(f"cohort {label!r} has period {int(period)} twice", file=table.name, line=ln)
            entry[0][int(period)] = value
        for label, (periods, ln) in by.items():
            k = max(periods)
            missing = [t for t in range(k + 1) if t not in periods]
            if missing:
                raise DataError(f"cohort {label!r} lacks period {missing[0]}", file=table.name, line=ln)
            cohorts.append((label, [periods[t] for t in range(k + 1)], ln))
    if not cohorts:
        raise DataError(f"no cohorts in {table.name}")
    for label, values, ln in cohorts:
        if len(values) < 2:
            raise DataError(f"cohort {label!r} needs its size and at least one later period", file=table.name, line=ln)
    return cohorts


def _retention_cohorts(session, cohorts, layout, source, *, project, discount_rate, value_per_period, fmt_, quiet):
    import math

    from ..errors import DataError, ModelError
    from ..models import sbg

    labels = [c[0] for c in cohorts]
    try:
        pooled = sbg.fit_sbg_pooled([c[1] for c in cohorts])
    except DataError as exc:
        raise DataError(f"{source}: {exc.args[0] if exc.args else exc}") from None
    out_cohorts = []
    total_h = [0.0] * project
    residual_total = 0.0
    residual_known = True
    for label, values, _ln in cohorts:
        fit, fitted_by, note = pooled, "pooled", None
        if len(values) >= 3:
            try:
                fit, fitted_by = sbg.fit_sbg(values), "cohort"
            except (DataError, ModelError) as exc:
                note = f"own fit failed ({exc.args[0] if exc.args else exc}); pooled parameters used"
        else:
            note = "fewer than 3 periods; pooled parameters used"
        if note:
            session.out().note(f"cohort {label!r}: {note}")
        k = len(values) - 1
        active = values[-1]
        ahead = [float(v) for v in sbg.project_active(fit, active, k, project)]
        for h in range(project):
            total_h[h] += ahead[h]
        lifetime = sbg.expected_lifetime(fit)
        derl = sbg.discounted_expected_residual_lifetime(fit, k, discount_rate) if discount_rate > 0 or lifetime != math.inf else None
        row = {
            "cohort": label, "size": values[0], "periods": k, "active": active,
            "fitted_by": fitted_by, "params": fit.params,
            "standard_errors": fit.standard_errors if fitted_by == "cohort" else None,
            "log_likelihood": fit.log_likelihood if fitted_by == "cohort" else None,
            "observed": values,
            "retention_curve": [float(v) for v in sbg.survival(fit, list(range(k + project + 1)))],
            "projection": [{"period": k + h + 1, "active": ahead[h]} for h in range(project)],
            "next_retention_rate": float(sbg.retention_rate(fit, k + 1)),
            "expected_lifetime": None if lifetime == math.inf else lifetime,
            "derl": derl,
        }
        if value_per_period is not None:
            row["residual_value"] = None if derl is None else active * value_per_period * derl
            if derl is None:
                residual_known = False
            else:
                residual_total += row["residual_value"]
        out_cohorts.append(row)
    lifetime = sbg.expected_lifetime(pooled)
    result = {
        "model": "sbg", "layout": layout, "source": source, "discount_rate": discount_rate,
        "value_per_period": value_per_period,
        "cohorts": out_cohorts,
        "pooled": {
            "params": pooled.params, "standard_errors": pooled.standard_errors, "log_likelihood": pooled.log_likelihood,
            "retention_curve": [float(v) for v in sbg.survival(pooled, list(range(pooled.periods + project + 1)))],
            "expected_lifetime": None if lifetime == math.inf else lifetime,
        },
        "total": {
            "cohorts": len(out_cohorts),
            "acquired": float(sum(c["size"] for c in out_cohorts)),
            "active": float(sum(c["active"] for c in out_cohorts)),
            "projection": [{"ahead": h + 1, "active": total_h[h]} for h in range(project)],
            "residual_value": (residual_total if residual_known else None) if value_per_period is not None else None,
        },
    }
    if value_per_period is not None and not residual_known:
        session.out().warn("some residual values are infinite (alpha <= 1 with no discounting): give --discount-rate")
    _emit_cohorts(session, result, fmt_, quiet)


COHORT_FIELDS = (
    Field("size", "Size", "int"), Field("periods", "Age", "int"), Field("active", "Active", "int"),
    Field("fitted_by", "Fit", "text"), Field("alpha", "alpha", "num3"), Field("beta", "beta", "num3"),
    Field("next_retention_rate", "Next ret.", "frac"), Field("expected_lifetime", "Lifetime", "num2"),
    Field("derl", "DERL", "num2"), Field("residual_value", "Residual", "money"),
)


def _cell(row, f):
    if f.key == "expected_lifetime" and row.get(f.key) is None:
        return "infinite"
    return fmt(row.get(f.key), f.kind)


def _emit_cohorts(session, result, fmt_, quiet):
    from .render_metrics import sparkline, write_rows

    out = session.out()
    fmt_ = resolve_format(fmt_, session.env)
    flat_rows = []
    for c in result["cohorts"]:
        row = {k: v for k, v in c.items() if not isinstance(v, (list, dict))}
        row.update(c["params"])
        flat_rows.append(row)
    total = result["total"]
    if quiet:
        out.write(fmt(total["residual_value"], "money") if result["value_per_period"] is not None else fmt(total["active"], "num2"))
    elif fmt_ is TableFormat.json:
        out.json(result)
    elif fmt_ in (TableFormat.csv, TableFormat.tsv):
        write_rows(out, fmt_, flat_rows + [{"cohort": "total", "size": total["acquired"], "active": total["active"],
                                             "fitted_by": "pooled", **result["pooled"]["params"],
                                             "residual_value": total["residual_value"]}])
    elif fmt_ is TableFormat.plain:
        keys = ["cohort"] + [f.key for f in COHORT_FIELDS if any(f.key in r for r in flat_rows)]
        kinds = {f.key: f.kind for f in COHORT_FIELDS}
        out.write("\t".join(keys))
        for r in flat_rows:
            out.write("\t".join(clean_line(str(r[k])) if k == "cohort" else _cell(r, Field(k, "", kinds[k])) for k in keys))
        out.write("")
        pooled = result["pooled"]
        out.write(f"pooled_alpha\t{fmt(pooled['params']['alpha'], 'num4')}")
        out.write(f"pooled_beta\t{fmt(pooled['params']['beta'], 'num4')}")
        out.write(f"total_active\t{fmt(total['active'], 'num2')}")
        for p in total["projection"]:
            out.write(f"total_active_ahead_{p['ahead']}\t{fmt(p['active'], 'num2')}")
        if total["residual_value"] is not None:
            out.write(f"total_residual_value\t{fmt(total['residual_value'], 'money')}")
    else:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        from rich import box

        table = Table(title=Text(clean_line(f"sBG retention by cohort: {result['source']}")), title_justify="left",
                      box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, collapse_padding=True)
        keys = [f for f in COHORT_FIELDS if any(f.key in r for r in flat_rows) and f.key not in ("size", "fitted_by")]
        table.add_column("Cohort", no_wrap=True)
        for f in keys:
            table.add_column(f.label, justify="right", no_wrap=True)
        for r in flat_rows:
            table.add_row(Text(clean_line(str(r["cohort"]))), *[_cell(r, f) for f in keys])
        pooled = result["pooled"]
        lines = [f"Pooled sBG: alpha {fmt(pooled['params']['alpha'], 'num4')}, beta {fmt(pooled['params']['beta'], 'num4')}",
                 f"Active now: {fmt(total['active'], 'num2')} of {fmt(total['acquired'], 'num2')} acquired; "
                 f"projected {', '.join(fmt(p['active'], 'num2') for p in total['projection'])}"]
        if total["residual_value"] is not None:
            lines.append(f"Residual value of the active base: {fmt(total['residual_value'], 'money')}")
        lines.append(f"Pooled retention curve {sparkline(pooled['retention_curve'])}")
        out.print(Group(table, Text("\n".join(lines))))


@app.command()
def retention(
    ctx: typer.Context,
    file: FileArg = None,
    survivors: Annotated[Optional[str], typer.Option("--survivors", metavar="N0,N1,...", help="Active customers of one cohort at period 0, 1, 2, ... (instead of FILE).")] = None,
    column: ColumnOpt = None,
    project: Annotated[int, typer.Option("--project", min=0, metavar="N", help="Periods to project beyond the data.")] = 5,
    discount_rate: Annotated[str, typer.Option("--discount-rate", metavar="D", help="Per-period discount rate for the residual lifetime: 0.1 or 10%.")] = "10%",
    layout: Annotated[str, typer.Option("--layout", metavar="L", help="FILE layout: auto, column (one cohort, one row per period), matrix (one row per cohort, one column per period) or long (cohort, period, active).")] = "auto",
    value_per_period: Annotated[Optional[float], typer.Option("--value-per-period", min=0, metavar="V", help="Margin per active customer per period: adds the residual value of the active base.")] = None,
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

        cxterms retention --survivors 1000,631,468,382,326,289,262,241 --project 5
        cxterms retention examples/cohort.csv --column active --discount-rate 10%
        cxterms retention --survivors 1000,869,743,653,593 -q
        cxterms retention examples/cohorts.csv --value-per-period 20 --discount-rate 1%

    A cohort matrix (one row per cohort: a label, then the active customers
    at period 0, 1, 2, ...; younger cohorts leave later cells blank) or a
    long table (cohort, period, active) fits sBG to each cohort with at
    least three periods and to all cohorts pooled, projects every cohort,
    and reports per cohort and in total the expected lifetime, DERL and,
    with --value-per-period, the residual value of the active customers
    (Fader & Hardie 2010).
    """
    import math

    from ..errors import DataError, UsageError
    from ..models import require
    from .inputs import MAX_COUNT, MAX_PROJECT, check_count, float_column, open_input, parse_fraction

    del date_format  # accepted for symmetry with the other table options
    session = ctx.obj
    check_count(project, "--project", high=MAX_PROJECT)
    d = parse_fraction(discount_rate, "--discount-rate")
    if survivors is not None:
        if file is not None:
            raise UsageError("give --survivors or a FILE, not both")
        try:
            counts = [float(v) for v in survivors.replace(";", ",").split(",") if v.strip()]
        except ValueError:
            raise UsageError(f"--survivors takes numbers separated by commas, not {survivors[:40]!r}") from None
        for i, v in enumerate(counts):
            if not (math.isfinite(v) and 0 <= v <= MAX_COUNT):
                raise UsageError(f"--survivors: period {i} must be a finite count from 0 to {MAX_COUNT}, not {v!r}")
        source = "--survivors"
    else:
        if layout not in ("auto", "column", "matrix", "long"):
            raise UsageError(f"--layout must be auto, column, matrix or long, not {layout!r}")
        table = open_input(session, file, delimiter=delimiter, header=header, encoding=encoding)
        names = [h.casefold() for h in (table.header or [])]
        chosen = layout
        if layout == "auto":
            if "cohort" in names and "period" in names:
                chosen = "long"
            elif names and names[0] == "cohort" and len(names) >= 3:
                chosen = "matrix"
            else:
                chosen = "column"
        if chosen != "column":
            if column is not None:
                raise UsageError("--column goes with a one-cohort column layout")
            cohorts = _read_cohorts(table, chosen)
            require()
            _retention_cohorts(session, cohorts, chosen, table.name, project=project, discount_rate=d,
                               value_per_period=value_per_period, fmt_=format, quiet=quiet)
            return
        col = table.column(column, defaults=("survivors", "active", "customers", "count", "retained"))
        rows = [(ln, r) for ln, r in table.rows() if any(c.strip() for c in r)]
        counts = float_column(table, col, "survivor count", rows)
        for (line, _row), v in zip(rows, counts):
            if not (math.isfinite(v) and 0 <= v <= MAX_COUNT):
                raise DataError(f"survivor count {v!r} is not a finite count from 0 to {MAX_COUNT}", file=table.name, line=line, column=col + 1)
        source = table.name
    require()
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
    if value_per_period is not None:
        result["value_per_period"] = value_per_period
        result["residual_value"] = None if result["derl"] is None else counts[-1] * value_per_period * result["derl"]
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
