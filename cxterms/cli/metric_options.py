"""Options shared by the metric commands (one definition, many commands)."""

from enum import Enum
from typing import Annotated, Optional

import typer

from .complete import complete_columns
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
    typer.Argument(metavar="[FILE]", help="CSV/TSV, Excel, OpenDocument, JSON, JSON Lines or Parquet file (told by content), or - for stdin (the default). Plain numbers work too.", show_default=False),
]
ColumnOpt = Annotated[
    Optional[str],
    typer.Option("--column", "-c", metavar="NAME|N", help="Answer column: header name (any case), question text or sub-header of a platform export, or 1-based number. Default: the only column, the platform's answer column, one named score, rating, nps, csat, ces or response, else the answer column whose name or question has the command's words (recommend, satisfied, easy...); the choice is named on stderr.", rich_help_panel=INPUT, autocompletion=complete_columns),
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
    typer.Option("--skip-invalid", help="Leave out invalid cells instead of stopping: always reported on stderr (count, share, first three), and refused above --max-invalid (5%).", rich_help_panel=INPUT),
]
DateFormatOpt = Annotated[
    Optional[str],
    typer.Option("--date-format", metavar="FMT", help="strptime format of non-ISO dates, e.g. %d/%m/%Y.", rich_help_panel=INPUT),
]
ByOpt = Annotated[
    Optional[list[str]],
    typer.Option("--by", metavar="COLUMN", help="One result per value of this column, plus the overall. Repeat for combinations (--by region --by plan); combines with --period.", rich_help_panel=GROUPING, autocompletion=complete_columns),
]
PeriodOpt = Annotated[
    Optional[str],
    typer.Option("--period", metavar="COLUMN", help="Date column: one result per period, in time order.", rich_help_panel=GROUPING, autocompletion=complete_columns),
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

# -- reading real exports (all in the Input panel) ------------------------------
SheetOpt = Annotated[
    Optional[str],
    typer.Option("--sheet", metavar="NAME|N", help="Spreadsheet sheet by name or 1-based number. Default: the first sheet with data.", rich_help_panel=INPUT),
]
HeaderRowsOpt = Annotated[
    Optional[int],
    typer.Option("--header-rows", metavar="N", min=0, max=20, help="Number of header rows (after --skip-rows); names combine them. Default: 1, or the platform's layout.", rich_help_panel=INPUT),
]
SkipRowsOpt = Annotated[
    int,
    typer.Option("--skip-rows", metavar="N", min=0, max=10_000, help="Preamble lines above the header to skip.", rich_help_panel=INPUT),
]
IncludePartialOpt = Annotated[
    bool,
    typer.Option("--include-partial", help="Keep unfinished responses (Qualtrics Finished = false); preview and test responses stay out.", rich_help_panel=INPUT),
]
MapOpt = Annotated[
    Optional[str],
    typer.Option("--map", metavar="LABEL=N,...", help="Answer labels as numbers, e.g. \"Good=2,Bad=1\".", rich_help_panel=INPUT),
]
LabelsOpt = Annotated[
    Optional[str],
    typer.Option("--labels", metavar="FILE.yaml", help="A YAML mapping of answer label to number.", rich_help_panel=INPUT),
]
WhereOpt = Annotated[
    Optional[list[str]],
    typer.Option("--where", metavar="EXPR", help="Keep rows where EXPR holds: col=value, col!=value, col>=value, col<value, col~text, 'col in a|b'. Repeatable (all must hold).", rich_help_panel=INPUT),
]
FromOpt = Annotated[
    Optional[str],
    typer.Option("--from", metavar="DATE", help="Keep rows dated on or after DATE (YYYY-MM-DD), on the --period column or the export's date column.", rich_help_panel=INPUT),
]
ToOpt = Annotated[
    Optional[str],
    typer.Option("--to", metavar="DATE", help="Keep rows dated on or before DATE (YYYY-MM-DD).", rich_help_panel=INPUT),
]
DayfirstOpt = Annotated[
    Optional[bool],
    typer.Option("--dayfirst/--monthfirst", help="Order of day and month in dates like 03/04/2026. Default: decided from the column.", show_default=False, rich_help_panel=INPUT),
]
TzOpt = Annotated[
    Optional[str],
    typer.Option("--tz", metavar="ZONE", help="Convert datetimes that carry an offset to ZONE (e.g. Europe/Berlin, UTC) before taking their date. Default: the offset they were written in.", rich_help_panel=INPUT),
]
def _share(text: str) -> float:
    """A share for --max-invalid: ``0.1``, ``10%`` (or ``10``: above 1 is a percentage)."""
    t = str(text).strip()
    pct = t.endswith("%")
    try:
        v = float(t[:-1] if pct else t)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a share such as 0.1 or 10%") from None
    if pct or v > 1:
        v /= 100.0
    if not 0.0 <= v <= 1.0:  # NaN fails this too
        raise typer.BadParameter(f"{text!r} is not a share between 0 and 1 (0% and 100%)")
    return v


MaxInvalidOpt = Annotated[
    Optional[float],
    typer.Option("--max-invalid", metavar="SHARE", parser=_share, help="With --skip-invalid: the largest share of non-blank cells that may be skipped: 0.1 or 10% (default 5%).", rich_help_panel=INPUT),
]
DecimalOpt = Annotated[
    Optional[str],
    typer.Option("--decimal", metavar="point|comma", help="Decimal mark of amounts. Default: decided from the column.", rich_help_panel=INPUT),
]


# -- inference: weights, tests, small samples, response rate (issue 11) -----

TESTS = "Tests and weights"


class Adjust(str, Enum):
    holm = "holm"
    bh = "bh"
    none = "none"


WeightOpt = Annotated[
    Optional[str],
    typer.Option("--weight", metavar="COLUMN", help="Weight column: weighted shares and means; intervals and tests use Kish's effective sample size (sum w)^2 / sum w^2. Blank, negative or non-numeric weights are invalid cells.", rich_help_panel=TESTS),
]
VsOpt = Annotated[
    str,
    typer.Option("--vs", metavar="rest|total|GROUP", help="With --by: test each segment against the rest of the sample, the total, or one named group.", rich_help_panel=TESTS),
]
AdjustOpt = Annotated[
    Adjust,
    typer.Option("--adjust", case_sensitive=False, help="Multiple-comparison adjustment of p-values across segments or periods: holm (family-wise), bh (Benjamini-Hochberg, false discovery rate), none.", rich_help_panel=TESTS),
]
MinNOpt = Annotated[
    float,
    typer.Option("--min-n", metavar="N", min=0, help="Results with fewer (effective) answers are flagged small_sample and greyed. 30 is a common rule of thumb, not a law.", rich_help_panel=TESTS),
]
CompareOpt = Annotated[
    Optional[str],
    typer.Option("--compare", metavar="OTHER", help="Second file (same options): difference, test and p-value.", rich_help_panel=TESTS),
]
CompareGroupsOpt = Annotated[
    Optional[str],
    typer.Option("--compare-groups", metavar="A,B", help="With --by: compare group A with group B of the same file.", rich_help_panel=TESTS),
]
InvitedOpt = Annotated[
    Optional[int],
    typer.Option("--invited", metavar="N", min=0, help="People invited: adds invited, responses and response_rate (a note below 10%).", rich_help_panel=TESTS),
]
