"""Options shared by the metric commands (one definition, many commands)."""

from enum import Enum
from typing import Annotated, Optional

import typer

from .output import TableFormat


class Every(str, Enum):
    day = "day"
    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


INPUT = "Input"
GROUPING = "Grouping and trends"
OUTPUT = "Output"

FileArg = Annotated[
    Optional[str],
    typer.Argument(metavar="[FILE]", help="CSV/TSV file, or - for stdin (the default). Plain numbers work too.", show_default=False),
]
ColumnOpt = Annotated[
    Optional[str],
    typer.Option("--column", "-c", metavar="NAME|N", help="Score column: header name (any case) or 1-based number. Default: the only column, else one named score, rating, nps, csat, ces or response, else a numeric column whose header has one of those words or 'recommend'.", rich_help_panel=INPUT),
]
DelimiterOpt = Annotated[
    Optional[str],
    typer.Option("--delimiter", "-d", metavar="CHAR", help="Field separator: a character or comma, semicolon, tab, pipe, whitespace. Default: sniffed.", rich_help_panel=INPUT),
]
HeaderOpt = Annotated[
    Optional[bool],
    typer.Option("--header/--no-header", help="Whether the first row is a header. Default: detected.", show_default=False, rich_help_panel=INPUT),
]
EncodingOpt = Annotated[
    Optional[str],
    typer.Option("--encoding", metavar="NAME", help="Text encoding. Default: UTF-8, or UTF-16 when the file starts with its byte-order mark.", rich_help_panel=INPUT),
]
SkipInvalidOpt = Annotated[
    bool,
    typer.Option("--skip-invalid", help="Leave out invalid cells (counted as 'invalid') instead of stopping.", rich_help_panel=INPUT),
]
DateFormatOpt = Annotated[
    Optional[str],
    typer.Option("--date-format", metavar="FMT", help="strptime format of non-ISO dates, e.g. %d/%m/%Y.", rich_help_panel=INPUT),
]
ByOpt = Annotated[
    Optional[list[str]],
    typer.Option("--by", metavar="COLUMN", help="One result per value of this column, plus the overall. Repeat for combinations (--by region --by plan); combines with --period.", rich_help_panel=GROUPING),
]
PeriodOpt = Annotated[
    Optional[str],
    typer.Option("--period", metavar="COLUMN", help="Date column: one result per period, in time order.", rich_help_panel=GROUPING),
]
EveryOpt = Annotated[
    Every,
    typer.Option("--every", help="Period length for --period.", case_sensitive=False, rich_help_panel=GROUPING),
]
ConfidenceOpt = Annotated[
    float,
    typer.Option("--confidence", metavar="LEVEL", help="Confidence level of intervals, between 0 and 1.", rich_help_panel=OUTPUT),
]
TableFormatOpt = Annotated[
    TableFormat,
    typer.Option("--format", "-f", case_sensitive=False, help="auto (Rich on a terminal, plain when piped), rich, plain, json, csv, tsv.", rich_help_panel=OUTPUT),
]
QuietOpt = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="Print only the headline number as displayed (with --by/--period: group<TAB>value lines).", rich_help_panel=OUTPUT),
]

# -- counts in, databases (see README "Scaling out"); used through cli/sources.py
SCALE_OUT = "Counts and databases"

CountsOpt = Annotated[
    bool,
    typer.Option("--counts", help="FILE holds counts, one row per answer value: score,count (plus --by/--period columns, weight_sum, weight_sq_sum), e.g. the output of 'cxterms sql'.", rich_help_panel=SCALE_OUT),
]
CountColumnOpt = Annotated[
    Optional[str],
    typer.Option("--count-column", metavar="NAME|N", help="With --counts: the count column (default: count or n). --column names the score column.", rich_help_panel=SCALE_OUT),
]
WeightSumColumnOpt = Annotated[
    Optional[str],
    typer.Option("--weight-sum-column", metavar="NAME|N", help="With --counts: the column of weight sums (default: weight_sum).", rich_help_panel=SCALE_OUT),
]
WeightSqColumnOpt = Annotated[
    Optional[str],
    typer.Option("--weight-sq-column", metavar="NAME|N", help="With --counts: the column of squared-weight sums (default: weight_sq_sum).", rich_help_panel=SCALE_OUT),
]
DbOpt = Annotated[
    Optional[str],
    typer.Option("--db", metavar="URL", help="Count in a database: duckdb:, duckdb:///file.db, sqlite:///file.db, postgresql://user@host:port/db, spark:local[*] or sc://host:port. Needs --table (or FILE with duckdb:/spark).", rich_help_panel=SCALE_OUT),
]
TableOpt = Annotated[
    Optional[str],
    typer.Option("--table", metavar="NAME", help="With --db: the table or view (schema.table allowed).", rich_help_panel=SCALE_OUT),
]
EngineOpt = Annotated[
    Optional[str],
    typer.Option("--engine", metavar="duckdb", help="Read FILE (CSV, Parquet, JSON) with DuckDB instead of the built-in reader: same results, faster on big files.", rich_help_panel=SCALE_OUT),
]
