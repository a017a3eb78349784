"""The drivers command: which attribute ratings move the outcome most."""

from __future__ import annotations

import re
from typing import Annotated, Optional

import typer

from .metric_options import (
    ConfidenceOpt, DelimiterOpt, EncodingOpt, FileArg, HeaderOpt, OUTPUT, QuietOpt, TableFormatOpt,
)
from .output import TableFormat

app = typer.Typer()

MISSING = frozenset({"", "na", "n/a", "#n/a", "null", "none", "-", "nan"})
# "5", "4.5", "5 - Very satisfied", "7 (Strongly agree)", "10 = Extremely likely"
_NUMBER = re.compile(r"\s*([+-]?\d+(?:\.\d+)?)\s*(?:$|[-=(:–]\s*\D)")
RATING_SPAN = 10  # a column whose answers span more than this is not a rating (ids, amounts)


def parse_rating(cell: str) -> float | None:
    """The number in a rating cell, None for a missing one; ValueError otherwise.

    >>> parse_rating(" 4 "), parse_rating("5 - Very satisfied"), parse_rating("N/A")
    (4.0, 5.0, None)
    """
    t = cell.strip()
    if t.casefold() in MISSING:
        return None
    m = _NUMBER.match(t)
    if not m:
        raise ValueError(cell)
    return float(m.group(1))


def read_ratings(table, outcome: str, drivers: list[str] | None):
    """(outcome label, driver labels, rows of floats, rows dropped).

    Without ``drivers``, every other column whose cells are all numbers
    (or missing) within a span of RATING_SPAN is a driver."""
    from ..errors import DataError, UsageError

    if not table.header:
        raise UsageError("drivers needs a header row to name the columns", hint="add one, or pass --header")
    ocol = table.column(outcome, what="--outcome column")
    if drivers:
        dcols = [table.column(d, what="--driver column") for d in drivers]
        if ocol in dcols:
            raise UsageError("the outcome cannot also be a driver")
        if len(set(dcols)) != len(dcols):
            raise UsageError("a --driver column is given twice")
    else:
        dcols = [i for i in range(table.width) if i != ocol]
    candidates = {c: True for c in dcols}
    lo = {c: float("inf") for c in dcols}
    hi = {c: float("-inf") for c in dcols}
    rows: list[tuple[float | None, list[float | None]]] = []
    dropped_bad: list[tuple[int, str, str]] = []
    for line, row in table.rows():
        cells = [row[c] if c < len(row) else "" for c in range(table.width)]
        try:
            y = parse_rating(cells[ocol])
        except ValueError:
            raise DataError(
                f"the outcome column {table.column_label(ocol)!r} holds {cells[ocol][:40]!r}, not a rating",
                file=table.name, line=line,
            ) from None
        xs: list[float | None] = []
        for c in dcols:
            v = None
            if candidates[c]:
                try:
                    v = parse_rating(cells[c])
                except ValueError:
                    if drivers:
                        dropped_bad.append((line, table.column_label(c), cells[c][:40]))
                    else:
                        candidates[c] = False
                if v is not None:
                    lo[c], hi[c] = min(lo[c], v), max(hi[c], v)
            xs.append(v)
        rows.append((y, xs))
    if dropped_bad:
        ln, col, cell = dropped_bad[0]
        raise DataError(f"driver column {col!r} holds {cell!r}, not a rating", file=table.name, line=ln)
    keep = [j for j, c in enumerate(dcols) if candidates[c] and hi[c] > float("-inf")
            and (drivers or hi[c] - lo[c] <= RATING_SPAN)]
    if not keep:
        raise DataError("no numeric rating columns besides the outcome", hint="name them with --driver COLUMN")
    labels = [table.column_label(dcols[j]) for j in keep]
    complete = [(y, [xs[j] for j in keep]) for y, xs in rows]
    full = [(y, xs) for y, xs in complete if y is not None and all(v is not None for v in xs)]
    return table.column_label(ocol), labels, full, len(complete) - len(full)


@app.command()
def drivers(
    ctx: typer.Context,
    file: FileArg = None,
    outcome: Annotated[str, typer.Option("--outcome", "-o", metavar="COLUMN", help="The overall rating to explain: 0-10 likelihood, CSAT or CES.")] = ...,
    driver: Annotated[Optional[list[str]], typer.Option("--driver", metavar="COLUMN", help="An attribute rating (repeatable). Default: every other numeric rating column.")] = None,
    bootstrap: Annotated[int, typer.Option("--bootstrap", metavar="N", min=0, max=100_000, help="Bootstrap resamples for the intervals (0: none).")] = 1000,
    seed: Annotated[int, typer.Option("--seed", metavar="S", help="Seed of the bootstrap resampling (same seed, same intervals).")] = 1,
    delimiter: DelimiterOpt = None,
    header: HeaderOpt = None,
    encoding: EncodingOpt = None,
    confidence: ConfidenceOpt = 0.95,
    format: TableFormatOpt = TableFormat.auto,
    quiet: QuietOpt = False,
) -> None:
    """Key driver analysis: how much each attribute rating explains of the outcome.

    Importance is Johnson's relative weight (2000): the part of the
    regression R^2 that each driver accounts for, which stays meaningful
    when drivers are correlated. The weights sum to R^2; intervals are
    bootstrap percentiles. Performance is the driver's mean answer; drivers
    above average importance and below average performance are "fix first".
    Rows with a missing value are left out and counted. Needs numpy:
    pip install 'cxterms[models]'.

    Example:

        cxterms drivers examples/survey.csv --outcome score
        cxterms drivers ratings.csv -o overall --driver speed --driver staff -f json
    """
    from ..models.drivers import analyse
    from .inputs import check_confidence, open_input

    session = ctx.obj
    check_confidence(confidence)
    table = open_input(session, file, delimiter=delimiter, header=header, encoding=encoding)
    out_label, labels, full, dropped = read_ratings(table, outcome, driver)
    if not driver:
        session.out().note(f"note: drivers: {', '.join(labels)}")
    x = [xs for _y, xs in full]
    y = [yv for yv, _xs in full]
    if len(full) < len(labels) + 2:
        from ..errors import DataError

        raise DataError(f"{len(full)} complete rows for {len(labels)} drivers in {table.name}: need at least {len(labels) + 2}")
    result = analyse(labels, x, y, outcome=out_label, dropped=dropped, bootstrap=bootstrap, seed=seed, confidence=confidence)
    out = session.out()
    if dropped:
        out.note(f"note: {dropped} row{'s' * (dropped != 1)} with a missing answer left out ({len(full)} used)")
    for n in result.notes:
        out.warn(n)
    _emit(session, result, format, quiet)


def _emit(session, result, fmt_, quiet: bool) -> None:
    from .output import resolve_format
    from .render_metrics import write_rows
    from ..textutil import clean_line

    out = session.out()
    fmt_ = resolve_format(fmt_, session.env)
    if quiet:
        out.lines(f"{clean_line(d.name)}\t{d.share:.1f}" for d in result.drivers)
    elif fmt_ is TableFormat.json:
        out.json(result.as_dict())
    elif fmt_ in (TableFormat.csv, TableFormat.tsv):
        write_rows(out, fmt_, [{"driver": d.name, **{k: v for k, v in d.as_dict().items() if k != "name"}} for d in result.drivers])
    elif fmt_ is TableFormat.plain:
        out.write(f"outcome\t{clean_line(result.outcome)}")
        out.write(f"n\t{result.n}")
        out.write(f"dropped\t{result.dropped}")
        out.write(f"r_squared\t{result.r_squared:.4f}")
        out.write("driver\tweight\tci_low\tci_high\tshare\tmean\tquadrant")
        for d in result.drivers:
            ci = (f"{d.ci_low:.4f}", f"{d.ci_high:.4f}") if d.ci_low is not None else ("", "")
            out.write(f"{clean_line(d.name)}\t{d.weight:.4f}\t{ci[0]}\t{ci[1]}\t{d.share:.1f}\t{d.mean:.2f}\t{d.quadrant}")
    else:
        out.print(_rich(result))


def _rich(result):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from ..textutil import clean_line

    colour = {"fix first": "red", "keep up": "green", "lower priority": "dim", "maybe overdoing": "yellow"}
    top = max((d.share for d in result.drivers), default=1.0) or 1.0
    t = Table(title=Text(f"Key drivers of {clean_line(result.outcome)}"), title_justify="left")
    t.add_column("Driver", style="bold", overflow="fold")
    t.add_column("Importance", justify="right")
    t.add_column("")
    t.add_column("Weight", justify="right")
    t.add_column(f"{round(100 * result.confidence)}% interval", justify="right")
    t.add_column("Mean", justify="right")
    t.add_column("Quadrant")
    for d in result.drivers:
        bar = "█" * max(1, round(10 * d.share / top)) if d.share > 0 else ""
        ci = f"{d.ci_low:.3f}–{d.ci_high:.3f}" if d.ci_low is not None else "-"
        t.add_row(Text(clean_line(d.name)), f"{d.share:.1f}%", Text(bar, style="cyan"), f"{d.weight:.3f}", ci,
                  f"{d.mean:.2f}", Text(d.quadrant, style=colour[d.quadrant]))
    foot = Text(
        f"R² {result.r_squared:.3f} from {result.n} complete rows"
        + (f" ({result.dropped} left out)" if result.dropped else "")
        + (f"; {result.bootstrap} bootstrap resamples, seed {result.seed}" if result.bootstrap else "")
        + ". Importance: Johnson's relative weights, as % of R².",
        style="dim",
    )
    return Group(t, foot)
