"""Survey metric commands: nps, csat, ces."""

from enum import Enum
from typing import Annotated, Optional

import typer

from .metric_options import (
    ByOpt, ColumnOpt, ConfidenceOpt, DateFormatOpt, DelimiterOpt, EncodingOpt, Every, EveryOpt, FileArg,
    HeaderOpt, PeriodOpt, QuietOpt, SkipInvalidOpt, TableFormatOpt, OUTPUT,
    CountColumnOpt, CountsOpt, DbOpt, EngineOpt, TableOpt, WeightSqColumnOpt, WeightSumColumnOpt,
    DayfirstOpt, FromOpt, HeaderRowsOpt, IncludePartialOpt, LabelsOpt, MapOpt, MaxInvalidOpt, SheetOpt,
    SkipRowsOpt, ToOpt, TzOpt, WhereOpt,
)

_INPUT_KEYS = ("sheet", "header_rows", "skip_rows", "include_partial", "map_", "labels", "where", "date_from",
               "date_to", "dayfirst", "tz", "max_invalid")


def _inp(values: dict) -> dict:
    """The reading options of a command's parameters (see metric_options)."""
    d = {k.rstrip("_"): values[k] for k in _INPUT_KEYS}
    return d
from .output import TableFormat
from .render_metrics import Field, View

INPUT_FIELDS = (
    Field("response_rate", "Response rate", "frac"),
    Field("asked", "Asked", "int"),
    Field("filtered_out", "Filtered out", "int"),
)


def _input_fields(extra: dict | None) -> tuple:
    """Fields for what reading added to a result (response rate, rows filtered out)."""
    return tuple(f for f in INPUT_FIELDS if extra and f.key in extra)



app = typer.Typer()

NPS_VIEW = View("NPS", (
    Field("nps", "NPS", "pts"),
    Field("n", "Respondents", "int"),
    Field("promoters", "Promoters (9-10)", "int"),
    Field("promoters_pct", "Promoters %", "pct"),
    Field("passives", "Passives (7-8)", "int"),
    Field("passives_pct", "Passives %", "pct"),
    Field("detractors", "Detractors (0-6)", "int"),
    Field("detractors_pct", "Detractors %", "pct"),
    Field("std_error", "Standard error", "num2"),
    Field("margin_of_error", "Margin of error", "num2"),
    Field("ci_low", "CI low", "num2"),
    Field("ci_high", "CI high", "num2"),
    Field("confidence", "Confidence", "conf"),
    Field("interval", "Interval", "text"),
    Field("nps_adjusted", "Adjusted NPS", "num2"),
    Field("blank", "Blank", "int"),
    Field("invalid", "Invalid", "int"),
), "nps")

COMPARE_FIELDS = (
    Field("other_nps", "Other NPS", "pts"),
    Field("other_n", "Other respondents", "int"),
    Field("difference", "Difference", "pts"),
    Field("difference_std_error", "Difference SE", "num2"),
    Field("z", "z", "num3"),
    Field("p_value", "p-value", "num4"),
    Field("significant", "Significant", "bool"),
)

CSAT_VIEW = View("CSAT", (
    Field("csat", "CSAT %", "pct"),
    Field("n", "Respondents", "int"),
    Field("satisfied", "Satisfied", "int"),
    Field("satisfied_min", "Satisfied from", "int"),
    Field("scale", "Scale", "text"),
    Field("mean", "Mean answer", "num2"),
    Field("std_dev", "Standard deviation", "num2"),
    Field("ci_low", "CI low %", "pct"),
    Field("ci_high", "CI high %", "pct"),
    Field("confidence", "Confidence", "conf"),
    Field("blank", "Blank", "int"),
    Field("invalid", "Invalid", "int"),
), "csat")

CES_VIEW = View("CES", (
    Field("ces", "CES (mean)", "num2"),
    Field("n", "Respondents", "int"),
    Field("easy", "Easy", "int"),
    Field("easy_pct", "Easy %", "pct"),
    Field("difficult", "Difficult", "int"),
    Field("difficult_pct", "Difficult %", "pct"),
    Field("std_dev", "Standard deviation", "num2"),
    Field("std_error", "Standard error", "num3"),
    Field("ci_low", "CI low", "num2"),
    Field("ci_high", "CI high", "num2"),
    Field("confidence", "Confidence", "conf"),
    Field("scale", "Scale", "text"),
    Field("lower_is_better", "Lower is better", "bool"),
    Field("blank", "Blank", "int"),
    Field("invalid", "Invalid", "int"),
), "ces")

ROW_COLUMNS = {
    "NPS": ("n", "nps", "ci_low", "ci_high", "promoters_pct", "detractors_pct"),
    "CSAT": ("n", "csat", "ci_low", "ci_high", "mean"),
    "CES": ("n", "ces", "ci_low", "ci_high", "easy_pct", "difficult_pct"),
}


class Interval(str, Enum):
    wald = "wald"
    adjusted_wald = "adjusted-wald"


def _read(session, file, *, metric, scale, column, by, period, every, date_format, delimiter, header, encoding,
          skip_invalid, weight=None, filters=(), inp=None, explicit_scale=True, source=None):
    """Open FILE whatever its format and read the answer column; notes and
    warnings go to stderr (also with -q). Returns ``Answers`` (.data is the
    ScoreData, .scale the scale used, .extra fields for the result)."""
    if source is not None and source.kind != "file":  # --counts, --db, --engine: cli/sources.py
        from .sources import read_answers_from

        return read_answers_from(session, file, source, scale=scale, column=column, by=by, period=period, every=every,
                                 date_format=date_format, delimiter=delimiter, header=header, encoding=encoding,
                                 skip_invalid=skip_invalid, weight=weight, filters=filters, inp=inp or {})
    from ..io.answers import AnswerOptions, read_answers
    from ..io.sources import ReadOptions
    from .inputs import open_any, user_labels
    from .progress import reading

    inp = inp or {}
    from ..io.table import parse_delimiter

    ropts = ReadOptions(delimiter=parse_delimiter(delimiter), header=header, encoding=encoding, sheet=inp.get("sheet"),
                        header_rows=inp.get("header_rows"), skip_rows=inp.get("skip_rows") or 0,
                        include_partial=bool(inp.get("include_partial")))
    src = open_any(session, file, ropts)
    aopts = AnswerOptions(
        column=column, by=tuple(by or ()), period=period, every=every.value, date_format=date_format,
        dayfirst=inp.get("dayfirst"), tz=inp.get("tz"), weight=weight, where=tuple(inp.get("where") or ()),
        date_from=inp.get("date_from"), date_to=inp.get("date_to"), skip_invalid=skip_invalid,
        max_invalid=inp.get("max_invalid"), user_map=user_labels(inp.get("map"), inp.get("labels")),
    )
    out = session.out()
    try:
        with reading(session, src.table) as progress:
            ans = read_answers(src, scale, metric, aopts, explicit_scale=explicit_scale, progress=progress,
                               extra_filters=filters)
    finally:
        src.table.close()
    for note in ans.notes:
        out.note(f"note: {note}")
    for warning in ans.warnings:
        out.warn(warning)
    return ans


def _source(file, counts, count_column, weight_sum_column, weight_sq_column, db, table, engine):
    """The --counts / --db / --engine choice, checked (cli/sources.py)."""
    from .sources import SourceOpts

    opts = SourceOpts(counts, count_column, weight_sum_column, weight_sq_column, db, table, engine)
    opts.check(file)
    return opts


def empty_result(view: View, tally) -> dict:
    """The row of a group or period without valid answers: n 0, no scores."""
    d = {f.key: None for f in view.fields}
    d.update(n=0, blank=tally.blank, invalid=tally.invalid)
    return d


def row_labels(data) -> tuple[str, ...]:
    """The label keys of per-group / per-period rows."""
    return (("group",) if data.grouped else ()) + (("period",) if data.dated else ())


def _results(data, compute, view: View) -> list[dict]:
    """One dict per (group, period), periods and groups without answers
    included (n 0, scores None), in display order."""
    from ..errors import EmptyDataError
    from ..io.scores import group_label
    from ..metrics import periods as P

    out = []
    for group, start, tally in data.table():
        d: dict = {}
        if data.grouped:
            d["group"] = group_label(group)
            if len(data.by) > 1:
                d["by"] = dict(zip(data.by, group))
        if data.dated:
            d["period"] = P.label(start, data.every)
            d["period_start"] = start.isoformat()
        try:
            d.update(compute(tally).as_dict())
        except EmptyDataError:
            d.update(empty_result(view, tally))
        out.append(d)
    return out


def emit(session, view: View, overall, rows, *, data=None, fmt_, quiet, title, colour_of=None, extra=None, extra_fields=()):
    """Write one result, or per-group/per-period rows followed by the overall."""
    from .render_metrics import emit_rows, emit_single, rich_distribution

    main = overall.as_dict()
    if extra:
        main.update(extra)
    if rows is None:
        charts = []
        if main.get("distribution") and colour_of is not None and not quiet:
            charts.append(rich_distribution(main["distribution"], colour_of))
        emit_single(session, view, main, fmt_, quiet=quiet, title=title, extra_fields=extra_fields, extra_rich=charts)
        return
    labels = row_labels(data)
    overall_row = {**{k: None for k in labels}, **({"period_start": None} if data.dated else {}), **main}
    emit_rows(session, view, [*rows, overall_row], fmt_, label_key=labels, quiet=quiet,
              columns=ROW_COLUMNS[view.name], trend=data.dated and not data.grouped)


def _nps_colour(v: int) -> str:
    return "green" if v >= 9 else "yellow" if v >= 7 else "red"


@app.command()
def nps(
    ctx: typer.Context,
    file: FileArg = None,
    column: ColumnOpt = None,
    by: ByOpt = None,
    period: PeriodOpt = None,
    every: EveryOpt = Every.month,
    date_format: DateFormatOpt = None,
    delimiter: DelimiterOpt = None,
    header: HeaderOpt = None,
    encoding: EncodingOpt = None,
    skip_invalid: SkipInvalidOpt = False,
    sheet: SheetOpt = None,
    header_rows: HeaderRowsOpt = None,
    skip_rows: SkipRowsOpt = 0,
    include_partial: IncludePartialOpt = False,
    map_: MapOpt = None,
    labels: LabelsOpt = None,
    where: WhereOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    dayfirst: DayfirstOpt = None,
    tz: TzOpt = None,
    max_invalid: MaxInvalidOpt = None,
    promoters: Annotated[Optional[int], typer.Option("--promoters", min=0, help="Compute from counts instead of a file.", rich_help_panel="From counts")] = None,
    passives: Annotated[Optional[int], typer.Option("--passives", min=0, help="Passive count (with --promoters).", rich_help_panel="From counts")] = None,
    detractors: Annotated[Optional[int], typer.Option("--detractors", min=0, help="Detractor count (with --promoters).", rich_help_panel="From counts")] = None,
    compare_with: Annotated[Optional[str], typer.Option("--compare", metavar="OTHER", help="Second file (same options): difference, z-test and p-value.", rich_help_panel=OUTPUT)] = None,
    interval: Annotated[Interval, typer.Option("--interval", case_sensitive=False, help="wald, or adjusted-wald (Lewis & Sauro: +0.75 promoters and detractors, +3 respondents).", rich_help_panel=OUTPUT)] = Interval.wald,
    counts: CountsOpt = False,
    count_column: CountColumnOpt = None,
    weight_sum_column: WeightSumColumnOpt = None,
    weight_sq_column: WeightSqColumnOpt = None,
    db: DbOpt = None,
    table: TableOpt = None,
    engine: EngineOpt = None,
    confidence: ConfidenceOpt = 0.95,
    format: TableFormatOpt = TableFormat.auto,
    quiet: QuietOpt = False,
) -> None:
    """Net Promoter Score from 0-10 answers, with margin of error.

    NPS = % promoters (9-10) - % detractors (0-6), in points from -100 to
    100. The standard error uses the trinomial variance
    var = pP + pD - (pP - pD)^2 and SE = 100 x sqrt(var / n); the margin
    of error is z x SE and the interval NPS +/- margin (clipped to
    -100..100). Blank cells are skipped and counted; invalid cells stop the
    run with their line numbers unless --skip-invalid.

    Example:

        cxterms nps examples/survey.csv
        cxterms nps examples/survey.csv --by region
        cxterms nps examples/survey.csv --period submitted --every month
        cxterms nps examples/qualtrics.csv
        cxterms nps examples/survey.xlsx --where region=North --from 2026-02-01
        cxterms nps --promoters 50 --passives 30 --detractors 20
        echo 10 9 3 7 | cxterms nps -q
        cxterms nps q1.csv --compare q2.csv
    """
    from ..errors import UsageError
    from ..metrics import nps as core
    from ..metrics.scales import Scale
    from .inputs import check_confidence

    session = ctx.obj
    check_confidence(confidence)
    source = _source(file, counts, count_column, weight_sum_column, weight_sq_column, db, table, engine)
    tallies = (promoters, passives, detractors)
    if any(c is not None for c in tallies):
        if file is not None or by or period or compare_with or source.kind != "file":
            raise UsageError("--promoters/--passives/--detractors replace FILE, --by, --period and --compare")
        result = core.nps_from_counts(*(c or 0 for c in tallies), confidence=confidence, interval=interval.value)
        emit(session, NPS_VIEW, result, None, fmt_=format, quiet=quiet, title="Net Promoter Score", colour_of=_nps_colour)
        return
    if compare_with is not None and (by or period):
        raise UsageError("--compare works on overall results; drop --by/--period")
    if compare_with is not None and source.kind == "db":
        raise UsageError("--compare reads a second file; it does not go with --db or --engine")

    def compute(tally):
        return core.nps_from_tally(tally, confidence=confidence, interval=interval.value)

    opts = dict(metric="nps", scale=Scale(0, 10), column=column, every=every, date_format=date_format, delimiter=delimiter,
                header=header, encoding=encoding, skip_invalid=skip_invalid, inp=_inp(locals()), source=source)
    ans = _read(session, file, by=by, period=period, **opts)
    data = ans.data
    overall = compute(data.overall)
    extra, extra_fields = dict(ans.extra) or None, ()
    if compare_with is not None:
        other_data = _read(session, compare_with, by=None, period=None, **opts).data
        other = compute(other_data.overall)
        c = core.compare(overall, other, confidence=confidence)
        extra = {
            **(extra or {}),
            "other_nps": c.other_nps, "other_n": c.other_n, "difference": c.difference,
            "difference_std_error": c.std_error, "z": c.z, "p_value": c.p_value, "significant": c.significant,
        }
        extra_fields = COMPARE_FIELDS
    extra_fields = (*_input_fields(extra), *extra_fields)
    rows = _results(data, compute, NPS_VIEW) if (by or period) else None
    emit(session, NPS_VIEW, overall, rows, data=data, fmt_=format, quiet=quiet,
         title=f"Net Promoter Score: {data.source}", colour_of=_nps_colour, extra=extra, extra_fields=extra_fields)


@app.command()
def csat(
    ctx: typer.Context,
    file: FileArg = None,
    column: ColumnOpt = None,
    scale: Annotated[Optional[str], typer.Option("--scale", metavar="MIN-MAX", help="Answer scale. Default: 1-5, or the scale of the answer labels (Good/Bad: 1-2).", show_default=False)] = None,
    satisfied: Annotated[Optional[int], typer.Option("--satisfied", metavar="K", help="Lowest satisfied answer. Default: MAX-1 (top-2-box).")] = None,
    by: ByOpt = None,
    period: PeriodOpt = None,
    every: EveryOpt = Every.month,
    date_format: DateFormatOpt = None,
    delimiter: DelimiterOpt = None,
    header: HeaderOpt = None,
    encoding: EncodingOpt = None,
    skip_invalid: SkipInvalidOpt = False,
    sheet: SheetOpt = None,
    header_rows: HeaderRowsOpt = None,
    skip_rows: SkipRowsOpt = 0,
    include_partial: IncludePartialOpt = False,
    map_: MapOpt = None,
    labels: LabelsOpt = None,
    where: WhereOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    dayfirst: DayfirstOpt = None,
    tz: TzOpt = None,
    max_invalid: MaxInvalidOpt = None,
    counts: CountsOpt = False,
    count_column: CountColumnOpt = None,
    weight_sum_column: WeightSumColumnOpt = None,
    weight_sq_column: WeightSqColumnOpt = None,
    db: DbOpt = None,
    table: TableOpt = None,
    engine: EngineOpt = None,
    confidence: ConfidenceOpt = 0.95,
    format: TableFormatOpt = TableFormat.auto,
    quiet: QuietOpt = False,
) -> None:
    """Customer satisfaction: the share of satisfied answers, and the mean.

    CSAT = 100 x (answers >= K) / n, with K = MAX-1 by default: the
    top-2-box share (4s and 5s on 1-5). The mean answer is reported too,
    since some teams quote CSAT as a mean. The interval is the Wilson score
    interval of the share.

    Example:

        cxterms csat examples/support-csat.csv
        cxterms csat examples/zendesk-csat.csv
        cxterms csat examples/surveymonkey.csv -c Quality
        cxterms csat ratings.csv --scale 1-10 --satisfied 8
        cxterms csat ratings.csv --by channel --format json
    """
    from ..metrics import csat as core
    from ..metrics.scales import parse_scale
    from .inputs import check_confidence

    session = ctx.obj
    check_confidence(confidence)
    sc = parse_scale(scale or "1-5")
    core.threshold(sc, satisfied)  # checked before reading the file
    source = _source(file, counts, count_column, weight_sum_column, weight_sq_column, db, table, engine)

    ans = _read(session, file, metric="csat", scale=sc, explicit_scale=scale is not None, column=column, by=by,
                period=period, every=every, date_format=date_format, delimiter=delimiter, header=header,
                encoding=encoding, skip_invalid=skip_invalid, inp=_inp(locals()), source=source)
    data, sc = ans.data, ans.scale
    k = core.threshold(sc, satisfied)

    def compute(tally):
        return core.csat_from_tally(tally, scale=sc, satisfied=satisfied, confidence=confidence)

    emit(session, CSAT_VIEW, compute(data.overall), _results(data, compute, CSAT_VIEW) if (by or period) else None,
         data=data, fmt_=format, quiet=quiet, title=f"CSAT: {data.source}", extra=dict(ans.extra) or None,
         extra_fields=_input_fields(ans.extra),
         colour_of=lambda v: "green" if v >= k else "red")


@app.command()
def ces(
    ctx: typer.Context,
    file: FileArg = None,
    column: ColumnOpt = None,
    scale: Annotated[Optional[str], typer.Option("--scale", metavar="MIN-MAX", help="Answer scale. Default: 1-7 (agreement), or the scale of the answer labels.", show_default=False)] = None,
    lower_is_better: Annotated[bool, typer.Option("--lower-is-better", help="Low answers mean low effort (the original 1-5 effort question).")] = False,
    by: ByOpt = None,
    period: PeriodOpt = None,
    every: EveryOpt = Every.month,
    date_format: DateFormatOpt = None,
    delimiter: DelimiterOpt = None,
    header: HeaderOpt = None,
    encoding: EncodingOpt = None,
    skip_invalid: SkipInvalidOpt = False,
    sheet: SheetOpt = None,
    header_rows: HeaderRowsOpt = None,
    skip_rows: SkipRowsOpt = 0,
    include_partial: IncludePartialOpt = False,
    map_: MapOpt = None,
    labels: LabelsOpt = None,
    where: WhereOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    dayfirst: DayfirstOpt = None,
    tz: TzOpt = None,
    max_invalid: MaxInvalidOpt = None,
    counts: CountsOpt = False,
    count_column: CountColumnOpt = None,
    weight_sum_column: WeightSumColumnOpt = None,
    weight_sq_column: WeightSqColumnOpt = None,
    db: DbOpt = None,
    table: TableOpt = None,
    engine: EngineOpt = None,
    confidence: ConfidenceOpt = 0.95,
    format: TableFormatOpt = TableFormat.auto,
    quiet: QuietOpt = False,
) -> None:
    """Customer effort score: the mean answer, easy and difficult shares.

    Default: CES 2.0, agreement with "the company made it easy for me to
    handle my issue" on 1-7, higher is easier; easy = 5-7, difficult = 1-3.
    For the original effort question use --scale 1-5 --lower-is-better
    (easy = 1-2, difficult = 4-5). In general "easy" is the good side of
    the scale's midpoint. The interval is mean +/- t(n-1) x s / sqrt(n).

    Example:

        cxterms ces examples/effort.csv
        cxterms ces examples/typeform.csv
        cxterms ces effort-1-5.csv --scale 1-5 --lower-is-better
        cxterms ces examples/effort.csv --period date --every week -q
    """
    from ..metrics import ces as core
    from ..metrics.scales import parse_scale
    from .inputs import check_confidence

    session = ctx.obj
    check_confidence(confidence)
    sc = parse_scale(scale or "1-7")
    source = _source(file, counts, count_column, weight_sum_column, weight_sq_column, db, table, engine)
    ans = _read(session, file, metric="ces", scale=sc, explicit_scale=scale is not None, column=column, by=by,
                period=period, every=every, date_format=date_format, delimiter=delimiter, header=header,
                encoding=encoding, skip_invalid=skip_invalid, inp=_inp(locals()), source=source)
    data, sc = ans.data, ans.scale

    def compute(tally):
        return core.ces_from_tally(tally, scale=sc, lower_is_better=lower_is_better, confidence=confidence)

    def colour(v):
        return "green" if core.is_easy(v, sc, lower_is_better) else "red" if core.is_difficult(v, sc, lower_is_better) else "yellow"

    emit(session, CES_VIEW, compute(data.overall), _results(data, compute, CES_VIEW) if (by or period) else None,
         data=data, fmt_=format, quiet=quiet, title=f"Customer effort score: {data.source}", extra=dict(ans.extra) or None,
         extra_fields=_input_fields(ans.extra),
         colour_of=colour)
