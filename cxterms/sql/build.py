"""Aggregate-only SQL for each dialect, built as sqlglot expression trees.

User text never becomes SQL text: table and column names are quoted
identifiers and filter values literals, whatever characters they hold. The
queries use only COUNT, SUM and SUM(CASE ...) with explicit casts (no AVG:
T-SQL averages integers as integers), GROUP BY the expressions themselves
(no ordinals: T-SQL rejects them), and each dialect's own date truncation
(weeks start on Monday, as ISO weeks and cxterms' file reader do).

The result columns are exactly what ``--counts`` (survey metrics and churn)
and ``clv --rfm`` read back:

* survey: the ``--by`` columns, ``period``, ``score``, ``count`` and, with a
  weight, ``weight_sum``, ``weight_sq_sum`` and ``weight_invalid``;
* churn: ``period``, ``start``, ``new``, ``lost``, ``lost_new``;
* rfm: ``customer_id``, ``frequency``, ``recency``, ``T``,
  ``monetary_value`` (with an amount column) and ``calibration_end``.
"""

from __future__ import annotations

from ..errors import UsageError
from .spec import DIALECTS, UNIT_DAYS, ChurnSpec, Filter, RFMSpec, ScoreSpec


def _sqlglot():
    try:
        import sqlglot  # noqa: F401
        from sqlglot import exp
    except ImportError:
        from ..errors import CxtermsError

        raise CxtermsError("generating SQL needs sqlglot", hint="pip install 'cxterms[sql]'") from None
    return exp


def check_dialect(dialect: str) -> str:
    d = dialect.lower()
    if d == "postgresql":
        d = "postgres"
    if d == "databricks":
        d = "spark"
    if d not in DIALECTS:
        raise UsageError(f"unknown SQL dialect {dialect!r}", hint=f"choose one of {', '.join(DIALECTS)}")
    return d


# -- small builders ----------------------------------------------------------

def table_ref(name: str):
    """``schema.table`` (or ``catalog.schema.table``) as quoted identifiers."""
    exp = _sqlglot()
    if not name or not name.strip():
        raise UsageError("--table needs a table name")
    parts = name.split(".") if name.count(".") <= 2 and all(p for p in name.split(".")) else [name]
    ids = [exp.to_identifier(p, quoted=True) for p in parts]
    kwargs = dict(zip(("this", "db", "catalog"), reversed(ids)))
    return exp.Table(**kwargs)


def col(name: str):
    exp = _sqlglot()
    return exp.Column(this=exp.to_identifier(name, quoted=True))


def _q(table_alias: str, name: str):
    exp = _sqlglot()
    return exp.Column(this=exp.to_identifier(name, quoted=True), table=exp.to_identifier(table_alias, quoted=True))


def _alias(e, name: str):
    exp = _sqlglot()
    return exp.alias_(e, exp.to_identifier(name, quoted=True))


def _s(text: str):
    return _sqlglot().Literal.string(text)


def _n(x) -> object:
    return _sqlglot().Literal.number(repr(x) if isinstance(x, float) else str(x))


def _text(e):
    """TRIM(CAST(e AS TEXT))."""
    exp = _sqlglot()
    return exp.Trim(this=exp.cast(e, "text"))


def _double(e, text: bool):
    exp = _sqlglot()
    if text:
        return exp.TryCast(this=_text(e), to=exp.DataType.build("double"))
    return exp.cast(e, "double")


def _case(cond, then, default):
    exp = _sqlglot()
    return exp.Case(ifs=[exp.If(this=cond, true=then)], default=default)


def _sum(e):
    return _sqlglot().Sum(this=e)


def _count_star():
    exp = _sqlglot()
    return exp.Count(this=exp.Star())


def _and(conds):
    exp = _sqlglot()
    out = None
    for c in conds:
        out = c if out is None else exp.And(this=out, expression=c)
    return out


def predicate(f: Filter, text: bool):
    """The SQL form of a --where filter (same meaning as Filter.keep on a cell)."""
    exp = _sqlglot()
    c = col(f.column)
    if f.op in ("=", "!=", "in"):
        cell = exp.Lower(this=exp.Coalesce(this=_text(c), expressions=[_s("")]))
        if f.op == "in":
            return exp.In(this=cell, expressions=[_s(v.casefold()) for v in f.values])
        node = exp.EQ if f.op == "=" else exp.NEQ
        return node(this=cell, expression=_s(f.value.casefold()))
    node = {"<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}[f.op]
    return node(this=_double(c, text), expression=_n(f.number))


def _where(select, filters, text, extra=()):
    cond = _and([predicate(f, text) for f in filters] + list(extra))
    return select.where(cond) if cond is not None else select


def day_expr(name: str, dialect: str, *, text: bool, date_format: str | None):
    """The DATE of a date/timestamp column (or of ISO / ``date_format`` text)."""
    exp = _sqlglot()
    c = col(name)
    if text:
        t = _text(c)
        if date_format:
            if dialect == "duckdb":
                return exp.cast(exp.Anonymous(this="TRY_STRPTIME", expressions=[t, _s(date_format)]), "date")
            return exp.StrToDate(this=t, format=_s(date_format))
        # the date as written: the first ten characters of an ISO date or datetime
        return exp.TryCast(this=exp.Substring(this=t, start=_n(1), length=_n(10)), to=exp.DataType.build("date"))
    if date_format:
        return exp.StrToDate(this=_text(c), format=_s(date_format))
    return exp.cast(c, "date")


_UNIT = {"week": "WEEK", "month": "MONTH", "quarter": "QUARTER", "year": "YEAR"}


def trunc(day, every: str, dialect: str):
    """First day of the period (ISO week: Monday) containing ``day``, as a DATE."""
    exp = _sqlglot()
    if every == "day":
        return day
    if every not in _UNIT:
        raise UsageError(f"--every must be one of day, week, month, quarter, year, not {every!r}")
    fn = exp.Anonymous
    if dialect == "sqlite":
        if every == "week":  # back 6 days, then forward to the next Monday
            return fn(this="DATE", expressions=[day, _s("-6 days"), _s("weekday 1")])
        if every == "month":
            return fn(this="DATE", expressions=[day, _s("start of month")])
        if every == "year":
            return fn(this="DATE", expressions=[day, _s("start of year")])
        month = exp.cast(fn(this="STRFTIME", expressions=[_s("%m"), day]), "int")
        back = exp.Paren(this=exp.Mod(this=exp.Paren(this=exp.Sub(this=month, expression=_n(1))), expression=_n(3)))
        shift = exp.DPipe(this=exp.DPipe(this=_s("-"), expression=back), expression=_s(" months"))
        return fn(this="DATE", expressions=[day, _s("start of month"), shift])
    if dialect == "bigquery":
        unit = "ISOWEEK" if every == "week" else _UNIT[every]
        return fn(this="DATE_TRUNC", expressions=[day, exp.var(unit)])
    if dialect == "tsql":  # SQL Server 2022+
        unit = "iso_week" if every == "week" else every
        return exp.cast(fn(this="DATETRUNC", expressions=[exp.var(unit), day]), "date")
    if dialect == "spark":
        return fn(this="TRUNC", expressions=[day, _s(_UNIT[every])])
    # duckdb, postgres, redshift, snowflake (default WEEK_START 0 = Monday), trino
    return exp.cast(fn(this="DATE_TRUNC", expressions=[_s(_UNIT[every].lower()), day]), "date")


# -- the queries ---------------------------------------------------------------

def score_select(spec: ScoreSpec, dialect: str):
    exp = _sqlglot()
    dialect = check_dialect(dialect)
    keys: list = []
    outs: list = []
    for b in spec.by:
        keys.append(col(b))
        outs.append(_alias(col(b), b))
    if spec.period is not None:
        p = trunc(day_expr(spec.period, dialect, text=spec.text, date_format=spec.date_format), spec.every, dialect)
        keys.append(p)
        outs.append(_alias(p, "period"))
    score = col(spec.column)
    keys.append(score)
    outs.append(_alias(score, "score"))
    outs.append(_alias(_count_star(), "count"))
    if spec.weight is not None:
        w = _double(col(spec.weight), spec.text)
        ok = exp.GTE(this=w, expression=_n(0))
        outs.append(_alias(_sum(_case(ok, w, exp.Null())), "weight_sum"))
        outs.append(_alias(_sum(_case(ok, exp.Mul(this=w, expression=w.copy()), exp.Null())), "weight_sq_sum"))
        outs.append(_alias(_sum(_case(ok.copy(), _n(0), _n(1))), "weight_invalid"))
    q = exp.select(*outs).from_(table_ref(spec.table))
    q = _where(q, spec.filters, spec.text)
    q = q.group_by(*[k.copy() for k in keys]).order_by(*[k.copy() for k in keys])
    return q


def score_query(spec: ScoreSpec, dialect: str) -> str:
    """The aggregate query of a survey metric.

    >>> print(score_query(ScoreSpec("responses", "score", by=("region",)), "postgres"))
    SELECT "region" AS "region", "score" AS "score", COUNT(*) AS "count" FROM "responses" GROUP BY "region", "score" ORDER BY "region", "score"
    """
    return score_select(spec, dialect).sql(dialect=check_dialect(dialect))


def filtered_query(filters: tuple[Filter, ...], table: str, dialect: str, *, text: bool) -> str | None:
    """Rows each filter leaves out (a row counts against the first filter
    that rejects it, as the file reader counts them)."""
    exp = _sqlglot()
    if not filters:
        return None
    outs = []
    for i, f in enumerate(filters):
        before = _and([predicate(g, text) for g in filters[:i]])
        rejected = _case(predicate(f, text), _n(0), _n(1))
        e = rejected if before is None else _case(before, rejected, _n(0))
        outs.append(_alias(_sum(e), f"filter_{i}"))
    return exp.select(*outs).from_(table_ref(table)).sql(dialect=check_dialect(dialect))


def churn_query(spec: ChurnSpec, dialect: str) -> str:
    """Per period: customers at the start, new, lost, lost_new."""
    exp = _sqlglot()
    dialect = check_dialect(dialect)
    s_day = day_expr(spec.start, dialect, text=spec.text, date_format=spec.date_format)
    e_day = day_expr(spec.end, dialect, text=spec.text, date_format=spec.date_format)
    spans = exp.select(
        _alias(trunc(s_day, spec.every, dialect), "first_period"),
        _alias(trunc(e_day, spec.every, dialect), "last_period"),
    ).from_(table_ref(spec.table))
    spans = _where(spans, spec.filters, spec.text, [exp.Not(this=exp.Is(this=s_day.copy(), expression=exp.Null()))])
    fp, lp = col("first_period"), col("last_period")
    starts = exp.select(_alias(fp, "period"), _alias(_n(1), "new"), _alias(_n(0), "ended"), _alias(_n(0), "ended_new")).from_("cx_spans")
    ends = exp.select(
        _alias(lp.copy(), "period"), _alias(_n(0), "new"), _alias(_n(1), "ended"),
        _alias(_case(exp.EQ(this=lp.copy(), expression=fp.copy()), _n(1), _n(0)), "ended_new"),
    ).from_("cx_spans").where(exp.Not(this=exp.Is(this=lp.copy(), expression=exp.Null())))
    events = exp.union(starts, ends, distinct=False)
    per = exp.select(
        _alias(col("period"), "period"),
        _alias(_sum(col("new")), "new"), _alias(_sum(col("ended")), "ended"), _alias(_sum(col("ended_new")), "ended_new"),
    ).from_("cx_events").group_by(col("period"))
    change = exp.Sub(this=col("new"), expression=col("ended"))
    before = exp.Window(
        this=_sum(change),
        order=exp.Order(expressions=[exp.Ordered(this=col("period"))]),
        spec=exp.WindowSpec(kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end=_n(1), end_side="PRECEDING"),
    )
    final = exp.select(
        _alias(col("period"), "period"),
        _alias(exp.cast(exp.Coalesce(this=before, expressions=[_n(0)]), "bigint"), "start"),
        _alias(exp.cast(col("new"), "bigint"), "new"),
        _alias(exp.cast(exp.Sub(this=col("ended"), expression=col("ended_new")), "bigint"), "lost"),
        _alias(exp.cast(col("ended_new"), "bigint"), "lost_new"),
    ).from_("cx_periods").order_by(col("period"))
    final = final.with_("cx_spans", as_=spans).with_("cx_events", as_=events).with_("cx_periods", as_=per)
    return _fix_ctes(final).sql(dialect=dialect)


def _fix_ctes(q):
    """Quote the CTE names and the tables that refer to them like any identifier."""
    exp = _sqlglot()
    for t in q.find_all(exp.Table):
        if isinstance(t.this, exp.Identifier) and t.name.startswith("cx_"):
            t.this.set("quoted", True)
    for c in q.find_all(exp.CTE):
        c.alias_column_names  # noqa: B018 - touch
        ident = c.args["alias"].this
        ident.set("quoted", True)
    return q


def churn_check_query(spec: ChurnSpec, dialect: str) -> str:
    """Rows the per-period counts cannot place: no start date, or an end before the start."""
    exp = _sqlglot()
    dialect = check_dialect(dialect)
    s_day = day_expr(spec.start, dialect, text=spec.text, date_format=spec.date_format)
    e_day = day_expr(spec.end, dialect, text=spec.text, date_format=spec.date_format)
    no_start = _sum(_case(exp.Is(this=s_day, expression=exp.Null()), _n(1), _n(0)))
    backwards = _sum(_case(exp.LT(this=e_day, expression=s_day.copy()), _n(1), _n(0)))
    q = exp.select(_alias(_count_star(), "customers"), _alias(no_start, "no_start"), _alias(backwards, "end_before_start")).from_(table_ref(spec.table))
    return _where(q, spec.filters, spec.text).sql(dialect=dialect)


def rfm_query(spec: RFMSpec, dialect: str) -> str:
    """One row per customer: frequency (repeat purchase days), recency and T
    in ``unit`` (days / unit length) and the mean spend of the repeat days."""
    exp = _sqlglot()
    dialect = check_dialect(dialect)
    if spec.unit not in UNIT_DAYS:
        raise UsageError(f"unknown time unit {spec.unit!r} (choose day, week or month)")
    u = _n(UNIT_DAYS[spec.unit])
    day = day_expr(spec.date, dialect, text=spec.text, date_format=spec.date_format)
    cust = _text(col(spec.customer))
    cols = [_alias(cust, "customer_key"), _alias(day, "day")]
    if spec.amount is not None:
        cols.append(_alias(_sum(_double(col(spec.amount), spec.text)), "amount"))
    extra = []
    if spec.calibration_end is not None:
        end_lit = exp.cast(_s(spec.calibration_end.isoformat()), "date")
        extra.append(exp.LTE(this=day.copy(), expression=end_lit))
    days = exp.select(*cols).from_(table_ref(spec.table))
    days = _where(days, spec.filters, spec.text, extra).group_by(cust.copy(), day.copy())
    if spec.calibration_end is not None:
        ends = exp.select(_alias(exp.cast(_s(spec.calibration_end.isoformat()), "date"), "end_day"))
    else:
        ends = exp.select(_alias(exp.Max(this=col("day")), "end_day")).from_("cx_days")
    firsts = exp.select(
        _alias(col("customer_key"), "customer_key"), _alias(exp.Min(this=col("day")), "first_day"),
        _alias(exp.Max(this=col("day")), "last_day"), _alias(_count_star(), "days"),
    ).from_("cx_days").group_by(col("customer_key"))

    def diff(a, b):
        return exp.cast(exp.DateDiff(this=a, expression=b, unit=exp.var("DAY")), "double")

    f, d, e = "f", "d", "e"
    freq = exp.Sub(this=_q(f, "days"), expression=_n(1))
    outs = [
        _alias(_q(f, "customer_key"), "customer_id"),
        _alias(exp.cast(freq, "bigint"), "frequency"),
        _alias(exp.Div(this=diff(_q(f, "last_day"), _q(f, "first_day")), expression=u), "recency"),
        _alias(exp.Div(this=diff(_q(e, "end_day"), _q(f, "first_day")), expression=u.copy()), "T"),
    ]
    group = [_q(f, "customer_key"), _q(f, "days"), _q(f, "first_day"), _q(f, "last_day"), _q(e, "end_day")]
    if spec.amount is not None:
        repeat = _sum(_case(exp.GT(this=_q(d, "day"), expression=_q(f, "first_day")), _q(d, "amount"), _n(0.0)))
        mean = exp.Div(this=repeat, expression=exp.cast(freq.copy(), "double"))
        outs.append(_alias(_case(exp.GT(this=_q(f, "days"), expression=_n(1)), mean, _n(0.0)), "monetary_value"))
    outs.append(_alias(_q(e, "end_day"), "calibration_end"))
    q = (
        exp.select(*outs)
        .from_(exp.alias_(exp.to_table("cx_firsts"), exp.to_identifier(f, quoted=True), table=True))
        .join(exp.alias_(exp.to_table("cx_days"), exp.to_identifier(d, quoted=True), table=True),
              on=exp.EQ(this=_q(d, "customer_key"), expression=_q(f, "customer_key")))
        .join(exp.alias_(exp.to_table("cx_end"), exp.to_identifier(e, quoted=True), table=True), join_type="cross")
        .group_by(*group)
        .order_by(_q(f, "customer_key"))
    )
    q = q.with_("cx_days", as_=days).with_("cx_end", as_=ends).with_("cx_firsts", as_=firsts)
    return _fix_ctes(q).sql(dialect=dialect)


def orders_query(spec: RFMSpec, dialect: str) -> str:
    """Per customer: orders, revenue, first and last order date (historic CLV)."""
    exp = _sqlglot()
    dialect = check_dialect(dialect)
    day = day_expr(spec.date, dialect, text=spec.text, date_format=spec.date_format)
    cust = _text(col(spec.customer))
    q = exp.select(
        _alias(cust, "customer_id"), _alias(_count_star(), "orders"),
        _alias(_sum(_double(col(spec.amount), spec.text)), "revenue"),
        _alias(exp.Min(this=day), "first_order"), _alias(exp.Max(this=day.copy()), "last_order"),
    ).from_(table_ref(spec.table))
    q = _where(q, spec.filters, spec.text).group_by(cust.copy()).order_by(cust.copy())
    return q.sql(dialect=dialect)
