"""The churn command: from counts, from revenue (MRR), or per period from a customer table."""

from enum import Enum
from typing import Annotated, Optional

import typer

from .metric_options import (
    CountsOpt, DateFormatOpt, DayfirstOpt, DbOpt, DelimiterOpt, EncodingOpt, EngineOpt, Every, EveryOpt, FileArg,
    HeaderOpt, QuietOpt, TableFormatOpt, TableOpt,
)
from .output import TableFormat
from .render_metrics import Field, View

app = typer.Typer()


class Period(str, Enum):
    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


COUNTS_VIEW = View("churn", (
    Field("churn_rate", "Churn rate", "frac"),
    Field("retention_rate", "Retention rate", "frac"),
    Field("customers_start", "Customers at start", "int"),
    Field("lost", "Lost", "int"),
    Field("new", "New", "int"),
    Field("lost_new", "New customers also lost", "int"),
    Field("customers_end", "Customers at end", "int"),
    Field("expected_lifetime", "Expected lifetime (periods)", "num2"),
    Field("period", "Period", "text"),
    Field("annual_churn_rate", "Annual churn rate", "frac"),
    Field("annual_retention_rate", "Annual retention rate", "frac"),
), "churn_rate")

REVENUE_VIEW = View("revenue", (
    Field("nrr", "Net revenue retention (NRR)", "frac"),
    Field("grr", "Gross revenue retention (GRR)", "frac"),
    Field("gross_revenue_churn", "Gross revenue churn", "frac"),
    Field("net_revenue_churn", "Net revenue churn", "frac"),
    Field("mrr_start", "MRR at start", "money"),
    Field("churned", "Churned MRR", "money"),
    Field("contraction", "Contraction MRR", "money"),
    Field("expansion", "Expansion MRR", "money"),
    Field("mrr_end", "MRR at end", "money"),
), "nrr")

PERIOD_VIEW = View("periods", (
    Field("period_start", "Start", "text"),
    Field("period_end", "End", "text"),
    Field("customers_start", "At start", "int"),
    Field("new", "New", "int"),
    Field("lost", "Lost", "int"),
    Field("lost_new", "Lost new", "int"),
    Field("customers_end", "At end", "int"),
    Field("churn_rate", "Churn rate", "frac"),
    Field("retention_rate", "Retention", "frac"),
), "churn_rate")

COUNTS = "From counts"
REVENUE = "From revenue (MRR)"
TABLE = "From a customer table"


@app.command()
def churn(
    ctx: typer.Context,
    file: FileArg = None,
    start: Annotated[Optional[int], typer.Option("--start", min=0, help="Customers at the start of the period.", rich_help_panel=COUNTS)] = None,
    lost: Annotated[Optional[int], typer.Option("--lost", min=0, help="Customers lost during the period (of those at the start).", rich_help_panel=COUNTS)] = None,
    new: Annotated[int, typer.Option("--new", min=0, help="Customers won during the period.", rich_help_panel=COUNTS)] = 0,
    lost_new: Annotated[int, typer.Option("--lost-new", min=0, help="New customers who also left during the period (not in the rate; at most --new).", rich_help_panel=COUNTS)] = 0,
    period: Annotated[Optional[Period], typer.Option("--period", case_sensitive=False, help="Length of the period (labels the result; needed by --annualize).", rich_help_panel=COUNTS)] = None,
    annualize: Annotated[bool, typer.Option("--annualize", help="Also convert to a yearly rate: 1 - (1 - churn)^k.", rich_help_panel=COUNTS)] = False,
    mrr_start: Annotated[Optional[float], typer.Option("--mrr-start", min=0, metavar="S", help="MRR at the start of the period.", rich_help_panel=REVENUE)] = None,
    mrr_churned: Annotated[float, typer.Option("--mrr-churned", min=0, metavar="C", help="MRR lost with customers who left.", rich_help_panel=REVENUE)] = 0.0,
    contraction: Annotated[float, typer.Option("--contraction", min=0, metavar="X", help="MRR lost to downgrades.", rich_help_panel=REVENUE)] = 0.0,
    expansion: Annotated[float, typer.Option("--expansion", min=0, metavar="Y", help="MRR gained from upgrades and add-ons.", rich_help_panel=REVENUE)] = 0.0,
    start_column: Annotated[Optional[str], typer.Option("--start-column", metavar="NAME|N", help="Date the customer started. Default: a column named start, start_date, signup, created...", rich_help_panel=TABLE)] = None,
    end_column: Annotated[Optional[str], typer.Option("--end-column", metavar="NAME|N", help="Date the customer left; blank = still a customer. Default: end, end_date, churn_date, cancelled_at...", rich_help_panel=TABLE)] = None,
    every: EveryOpt = Every.month,
    since: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="First period to report (the one containing DATE).", rich_help_panel=TABLE)] = None,
    until: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Last period to report (the one containing DATE).", rich_help_panel=TABLE)] = None,
    date_format: DateFormatOpt = None,
    dayfirst: DayfirstOpt = None,
    delimiter: DelimiterOpt = None,
    header: HeaderOpt = None,
    encoding: EncodingOpt = None,
    counts: Annotated[bool, typer.Option("--counts", help="FILE holds per-period counts: period,start,new,lost[,lost_new] (the output of 'cxterms sql churn'); give the same --every.", rich_help_panel="Counts and databases")] = False,
    db: DbOpt = None,
    table: TableOpt = None,
    engine: EngineOpt = None,
    format: TableFormatOpt = TableFormat.auto,
    quiet: QuietOpt = False,
) -> None:
    """Churn and retention: from counts, from MRR, or per period from a customer table.

    Counts: churn rate = lost / customers at the start, retention = 1 - churn,
    where lost counts only customers who were there at the start (so it is at
    most --start); new customers who also left go in --lost-new,
    expected lifetime = 1 / churn periods; --annualize gives 1 - (1 - churn)^k
    (k = 12 for months, 4 for quarters, 52 for weeks).

    Revenue: gross revenue churn = (churned + contraction) / starting MRR, net
    revenue churn = (churned + contraction - expansion) / starting MRR,
    GRR = 1 - gross, NRR = 1 - net (headline).

    Table (one row per customer, a start date and an end date, blank = still
    a customer): per period, customers at the start, new, lost, at the end,
    and churn = lost among those active at the start / customers at the
    start (empty when there were none). Customers who join and leave in the
    same period count in new and in lost_new, not in the rate. A customer is
    lost in the period that contains their end date.

    Example:

        cxterms churn --start 1200 --lost 54 --new 80 --period month --annualize
        cxterms churn --mrr-start 100000 --mrr-churned 4000 --contraction 1000 --expansion 8000
        cxterms churn examples/customers.csv --every month
        cxterms churn examples/customers.csv --every quarter --from 2025-01-01 -f csv
        cxterms churn --db sqlite:///crm.db --table subscriptions --every quarter
    """
    from ..errors import UsageError
    from ..metrics import churn as core
    from .inputs import check_count, check_number
    from .render_metrics import emit_single
    from .sources import SourceOpts

    session = ctx.obj
    for value, option in ((start, "--start"), (lost, "--lost"), (new, "--new"), (lost_new, "--lost-new")):
        check_count(value, option)
    for value, option in ((mrr_start, "--mrr-start"), (mrr_churned, "--mrr-churned"), (contraction, "--contraction"), (expansion, "--expansion")):
        check_number(value, option)
    source = SourceOpts(counts=counts, db=db, table=table, engine=engine)
    source.check(file)
    if counts and (start_column or end_column):
        raise UsageError("--start-column/--end-column read a customer table, not --counts")
    table_mode = file is not None or start_column is not None or end_column is not None or source.kind != "file"
    modes = [m for m, on in (("counts", start is not None or lost is not None), ("revenue", mrr_start is not None), ("table", table_mode)) if on]
    if len(modes) > 1:
        raise UsageError(f"choose one input: counts (--start/--lost), revenue (--mrr-start) or a customer table; got {' and '.join(modes)}")
    mode = modes[0] if modes else "table"
    if mode == "counts":
        if start is None or lost is None:
            raise UsageError("counts need both --start and --lost")
        if lost > start:
            raise UsageError(
                f"--lost ({lost}) counts customers lost of the {start} at the start, so it cannot exceed --start",
                hint="count new customers who also left during the period with --lost-new (at most --new)",
            )
        if lost_new > new:
            raise UsageError(f"--lost-new ({lost_new}) cannot exceed --new ({new})")
        result = core.churn_from_counts(start, lost, new, lost_new=lost_new, period=period.value if period else None, annual=annualize)
        emit_single(session, COUNTS_VIEW, result.as_dict(), format, quiet=quiet, title="Churn")
        return
    if annualize or period is not None or lost_new or new:
        raise UsageError("--new, --lost-new, --period and --annualize go with --start/--lost")
    if mode == "revenue":
        result = core.revenue_churn(mrr_start, mrr_churned, contraction, expansion)
        emit_single(session, REVENUE_VIEW, result.as_dict(), format, quiet=quiet, title="Revenue churn")
        return
    _table(session, file, start_column, end_column, every, since, until, date_format, delimiter, header, encoding, format, quiet,
           source, dayfirst=dayfirst)


def _table(session, file, start_column, end_column, every, since, until, date_format, delimiter, header, encoding, fmt_, quiet,
           source=None, dayfirst=None):
    from ..errors import DataError, UsageError
    from ..io.records import END_COLUMNS, START_COLUMNS, DuplicateRows, read_spans
    from ..metrics import churn as core
    from ..metrics.periods import parse_date
    from .inputs import open_input
    from .render_metrics import emit_rows

    def day(text, option):
        if text is None:
            return None
        try:
            return parse_date(text, date_format)
        except ValueError:
            raise UsageError(f"{option} {text!r} is not a date") from None

    lo, hi = day(since, "--from"), day(until, "--to")
    if source is not None and source.kind != "file":  # --counts, --db, --engine: the same counter
        counter = _counter_from(session, source, file, start_column, end_column, every, date_format, delimiter, header, encoding)
        if lo is not None and lo < counter.first and getattr(counter, "carried_in", 0):
            raise UsageError(f"--from {since} is before the first period of the counts ({counter.first})")
        _emit_periods(session, counter, lo, hi, fmt_, quiet)
        return
    table = open_input(session, file, delimiter=delimiter, header=header, encoding=encoding)
    scol = table.column(start_column, defaults=START_COLUMNS, what="start column", option="--start-column")
    ecol = table.column(end_column, defaults=END_COLUMNS, what="end column", option="--end-column")
    if scol == ecol:
        raise UsageError("the start and end columns must differ", hint=f"columns: {table.columns_text()}")
    counter = core.CustomerCounter(every.value)
    # Identical rows are only looked for when the table has more than the two
    # date columns (an id, an e-mail...): two customers who joined on the same
    # day and are still active legitimately give identical (start, end) rows.
    dupes = DuplicateRows() if len(table.header or ()) > 2 else None
    notes: list[str] = []
    for _line, s, e in read_spans(table, scol, ecol, date_format, dayfirst=dayfirst, notes=notes, duplicates=dupes):
        counter.add(s, e)
    for note in notes:
        session.out().note(f"note: {note}")
    if counter.customers == 0:
        raise DataError(f"no customers in {table.name}")
    if dupes is not None and dupes.count:
        lines = ", ".join(map(str, dupes.lines)) + (", ..." if dupes.count > len(dupes.lines) else "")
        session.out().warn(
            f"{dupes.count} row{'s' * (dupes.count != 1)} of {table.name} repeat an earlier row exactly "
            f"(line{'s' * (dupes.count != 1)} {lines}); each is counted as a customer: remove duplicates if they are the same customer"
        )
    _emit_periods(session, counter, lo, hi, fmt_, quiet)


def _counter_from(session, source, file, start_column, end_column, every, date_format, delimiter, header, encoding):
    """A CustomerCounter from --counts FILE or from a database."""
    if source.kind == "counts":
        from ..io.counts import read_churn_counts
        from .inputs import open_input

        table = open_input(session, file, delimiter=delimiter, header=header, encoding=encoding)
        return read_churn_counts(table, every.value, date_format)
    from ..sql.run import churn_counter
    from .sources import open_source

    src = open_source(source, file, delimiter=delimiter, header=header, encoding=encoding)
    try:
        return churn_counter(src, start=start_column, end=end_column, every=every.value, date_format=date_format)
    finally:
        src.engine.close()


def _emit_periods(session, counter, lo, hi, fmt_, quiet):
    from .render_metrics import emit_rows

    rows = [r.as_dict() for r in counter.table(lo, hi)]
    emit_rows(session, PERIOD_VIEW, rows, fmt_, label_key="period", quiet=quiet,
              columns=("customers_start", "new", "lost", "lost_new", "customers_end", "churn_rate"), trend=True)
