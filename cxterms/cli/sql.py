"""``cxterms sql``: print the aggregate-only query of a metric for a SQL
dialect. Run it in the warehouse and pipe the result back:
``bq query --format=csv '...' | cxterms nps --counts``."""

from datetime import date
from typing import Annotated, Optional

import typer

from .metric_options import ByOpt, ColumnOpt, DateFormatOpt, Every, EveryOpt, PeriodOpt

app = typer.Typer()
sql_app = typer.Typer(
    name="sql",
    help="""Print the aggregate SQL of a metric for a warehouse dialect.

    Run the query where the data lives; its result is exactly what
    --counts (nps, csat, ces, churn) and --rfm (clv) read back.

    Example:

        cxterms sql nps --dialect bigquery --table cx.responses --by region --period submitted
        psql --csv -c "$(cxterms sql nps --dialect postgres --table responses)" | cxterms nps --counts
    """,
    no_args_is_help=True,
)
app.add_typer(sql_app, name="sql")

DialectOpt = Annotated[
    str,
    typer.Option("--dialect", metavar="NAME", help="duckdb, sqlite, postgres, bigquery, snowflake, redshift, spark (Databricks), trino or tsql."),
]
TableArg = Annotated[str, typer.Option("--table", metavar="NAME", help="Table or view, e.g. analytics.responses (each part quoted).")]
WhereOpt = Annotated[
    Optional[list[str]],
    typer.Option("--where", metavar="COL=VALUE", help="Keep rows where COLUMN = VALUE (also != < <= > >=; text for = and !=, numbers for the others). Repeatable: all must hold."),
]
WeightOpt = Annotated[Optional[str], typer.Option("--weight", metavar="COLUMN", help="Weight column: adds weight_sum, weight_sq_sum, weight_invalid.")]
TextOpt = Annotated[bool, typer.Option("--text-columns", help="Date and weight columns hold text (ISO dates, or --date-format).")]


def _filters(where):
    from ..sql.spec import parse_where

    return tuple(parse_where(w) for w in where or ())


def _emit(ctx, sql: str) -> None:
    ctx.obj.out().write(sql + ";")


def _survey(ctx, table, dialect, column, by, period, every, weight, where, date_format, text):
    from ..sql.build import score_query
    from ..sql.spec import ScoreSpec

    spec = ScoreSpec(table, column, by=tuple(by or ()), period=period, every=every.value, weight=weight,
                     filters=_filters(where), text=text or date_format is not None, date_format=date_format)
    _emit(ctx, score_query(spec, dialect))


def _survey_command(name: str, default_column: str, doc: str):
    def command(
        ctx: typer.Context,
        table: TableArg,
        dialect: DialectOpt = "duckdb",
        column: ColumnOpt = None,
        by: ByOpt = None,
        period: PeriodOpt = None,
        every: EveryOpt = Every.month,
        weight: WeightOpt = None,
        where: WhereOpt = None,
        date_format: DateFormatOpt = None,
        text_columns: TextOpt = False,
    ) -> None:
        _survey(ctx, table, dialect, column or default_column, by, period, every, weight, where, date_format, text_columns)

    command.__doc__ = doc
    command.__name__ = name
    sql_app.command(name)(command)


_survey_command("nps", "score", """Counts of each 0-10 answer, per --by group and --period.

    Output columns: the --by columns, period, score, count (and with
    --weight: weight_sum, weight_sq_sum, weight_invalid), which is what
    `cxterms nps --counts` reads. The score column defaults to "score".

    Example:

        cxterms sql nps --dialect bigquery --table cx.responses --by region --period submitted
        bq query --format=csv --use_legacy_sql=false "$(cxterms sql nps --dialect bigquery --table cx.responses --by region)" | cxterms nps --counts --by region
""")
_survey_command("csat", "rating", """Counts of each CSAT answer (the scale is applied when reading back).

    Example:

        cxterms sql csat --dialect snowflake --table SUPPORT.TICKETS --column rating --by channel
        ... | cxterms csat --counts --by channel --scale 1-5
""")
_survey_command("ces", "ces", """Counts of each CES answer (the scale is applied when reading back).

    Example:

        cxterms sql ces --dialect postgres --table effort --period date --every week
        psql --csv -c "$(cxterms sql ces --dialect postgres --table effort)" | cxterms ces --counts
""")


@sql_app.command("churn")
def churn(
    ctx: typer.Context,
    table: TableArg,
    dialect: DialectOpt = "duckdb",
    start_column: Annotated[str, typer.Option("--start-column", metavar="NAME", help="Date the customer started.")] = "start_date",
    end_column: Annotated[str, typer.Option("--end-column", metavar="NAME", help="Date the customer left (NULL: still a customer).")] = "end_date",
    every: EveryOpt = Every.month,
    where: WhereOpt = None,
    date_format: DateFormatOpt = None,
    text_columns: TextOpt = False,
) -> None:
    """Customers at the start, new, lost and lost_new per period.

    Output columns: period, start, new, lost, lost_new, which is what
    `cxterms churn --counts --every ...` reads (use the same --every).

    Example:

        cxterms sql churn --dialect redshift --table crm.subscriptions --every month
    """
    from ..sql.build import churn_query
    from ..sql.spec import ChurnSpec

    spec = ChurnSpec(table, start_column, end_column, every=every.value, filters=_filters(where),
                     text=text_columns or date_format is not None, date_format=date_format)
    _emit(ctx, churn_query(spec, dialect))


@sql_app.command("rfm")
def rfm(
    ctx: typer.Context,
    table: TableArg,
    dialect: DialectOpt = "duckdb",
    customer_column: Annotated[str, typer.Option("--customer-column", metavar="NAME", help="Customer id column.")] = "customer_id",
    date_column: Annotated[str, typer.Option("--date-column", metavar="NAME", help="Order date column.")] = "order_date",
    amount_column: Annotated[Optional[str], typer.Option("--amount-column", metavar="NAME", help="Order amount column (adds monetary_value for Gamma-Gamma).")] = None,
    no_amount: Annotated[bool, typer.Option("--no-amount", help="No amounts: BG/NBD only.")] = False,
    unit: Annotated[str, typer.Option("--unit", help="Time unit of recency and T: day, week or month (30.4375 days).")] = "week",
    calibration_end: Annotated[Optional[str], typer.Option("--calibration-end", metavar="DATE", help="End of the calibration period (default: the last order date).")] = None,
    where: WhereOpt = None,
    date_format: DateFormatOpt = None,
    text_columns: TextOpt = False,
) -> None:
    """One row per customer: frequency, recency, T, monetary_value.

    Output columns: customer_id, frequency, recency, T, monetary_value,
    calibration_end, which is what `cxterms clv --rfm --model bgnbd` reads
    (give the same --unit).

    Example:

        cxterms sql rfm --dialect spark --table sales.orders --amount-column amount --unit week
    """
    from ..errors import UsageError
    from ..metrics.periods import parse_date
    from ..sql.build import rfm_query
    from ..sql.spec import RFMSpec

    end = None
    if calibration_end is not None:
        try:
            end = parse_date(calibration_end)
        except ValueError:
            raise UsageError(f"--calibration-end {calibration_end!r} is not an ISO date") from None
    amount = None if no_amount else (amount_column or "amount")
    spec = RFMSpec(table, customer_column, date_column, amount, unit=unit, calibration_end=end, filters=_filters(where),
                   text=text_columns or date_format is not None, date_format=date_format)
    _emit(ctx, rfm_query(spec, dialect))


_ = date  # used in type hints of the specs
