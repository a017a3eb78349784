"""Survey metric commands: nps, csat, ces."""

from collections.abc import Iterator
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
from .comments import (
    BuiltinTopicsOpt, CommentOptions, CommentsOpt, IdOpt, ListOpt, NoBuiltinTopicsOpt, TopOpt, TopicsOpt,
)
from .metric_options import (
    Adjust, AdjustOpt, CompareGroupsOpt, CompareOpt, InvitedOpt, MinNOpt, TESTS, VsOpt, WeightOpt,
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
    Field("weight_total", "Weight total", "num2"),
    Field("effective_n", "Effective n", "num2"),
    Field("promoters", "Promoters (9-10)", "int"),
    Field("promoters_pct", "Promoters %", "pct"),
    Field("passives", "Passives (7-8)", "int"),
    Field("passives_pct", "Passives %", "pct"),
    Field("detractors", "Detractors (0-6)", "int"),
    Field("detractors_pct", "Detractors %", "pct"),
    Field("std_error", "Standard error", "num2"),
    Field("std_error_observed", "Standard error (observed)", "num2"),
    Field("margin_of_error", "Margin of error", "num2"),
    Field("ci_low", "CI low", "num2"),
    Field("ci_high", "CI high", "num2"),
    Field("confidence", "Confidence", "conf"),
    Field("interval", "Interval", "text"),
    Field("nps_adjusted", "Adjusted NPS", "num2"),
    Field("blank", "Blank", "int"),
    Field("invalid", "Invalid", "int"),
    Field("note", "Note", "text"),
), "nps")

CSAT_VIEW = View("CSAT", (
    Field("csat", "CSAT %", "pct"),
    Field("n", "Respondents", "int"),
    Field("weight_total", "Weight total", "num2"),
    Field("effective_n", "Effective n", "num2"),
    Field("satisfied", "Satisfied", "int"),
    Field("satisfied_min", "Satisfied from", "int"),
    Field("scale", "Scale", "text"),
    Field("mean", "Mean answer", "num2"),
    Field("std_dev", "Standard deviation", "num2"),
    Field("std_error", "Standard error (points)", "num2"),
    Field("ci_low", "CI low %", "pct"),
    Field("ci_high", "CI high %", "pct"),
    Field("confidence", "Confidence", "conf"),
    Field("blank", "Blank", "int"),
    Field("invalid", "Invalid", "int"),
), "csat")

CES_VIEW = View("CES", (
    Field("ces", "CES (mean)", "num2"),
    Field("n", "Respondents", "int"),
    Field("weight_total", "Weight total", "num2"),
    Field("effective_n", "Effective n", "num2"),
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
    Field("note", "Note", "text"),
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


def _source(file, counts, count_column, weight_sum_column, weight_sq_column, db, table, engine, compare_with=None):
    """The --counts / --db / --engine choice, checked (cli/sources.py)."""
    from ..errors import UsageError
    from .sources import SourceOpts

    opts = SourceOpts(counts, count_column, weight_sum_column, weight_sq_column, db, table, engine)
    opts.check(file)
    if compare_with is not None and opts.kind == "db":
        raise UsageError("--compare reads a second file; it does not go with --db or --engine")
    return opts


def empty_result(view: View, tally) -> dict:
    """The row of a group or period without valid answers (n 0), or whose
    answers all weigh 0: no scores."""
    d = {f.key: None for f in view.fields}
    d.update(n=tally.n, blank=tally.blank, invalid=tally.invalid)
    return d


def row_labels(data) -> tuple[str, ...]:
    """The label keys of per-group / per-period rows."""
    return (("group",) if data.grouped else ()) + (("period",) if data.dated else ())


def _results(data, compute, view: View) -> list[dict]:
    """One dict per (group, period), periods and groups without answers
    included (n 0, scores None), in display order. The rows come from an
    iterator, made as they are written, so a million groups never sit in
    memory; what can fail (the span of periods) is checked first.""" 
    from ..errors import EmptyDataError
    from ..io.scores import group_label
    from ..metrics import periods as P

    table = data.table()  # before any row is written: errors come first

    def rows():
        for group, start, tally in table:
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
            yield d

    # a list: the inference (tests across every group, Holm adjustment) and
    # the report need every row; emit_rows still streams an iterator
    return list(rows())


def emit(session, view: View, overall, rows, *, data=None, fmt_, quiet, title, colour_of=None, extra=None, extra_fields=(),
         tests=None, comments=None):
    """Write one result, or per-group/per-period rows followed by the overall.

    ``tests`` (a ``Tests``) adds the inference keys: segment or period tests,
    trend and control limits, small_sample, response rate.
    ``comments``: the (scan, metric, options) of --comments/--topics, added as
    JSON keys and Rich tables (plain and CSV output of those is handled by
    ``comments.emit_tables``)."""
    from .output import resolve_format
    from .render_metrics import emit_rows, emit_single, rich_distribution

    main = overall.as_dict() if hasattr(overall, "as_dict") else dict(overall)
    if extra:
        main.update(extra)
    notes: list[str] = []
    if rows is not None and (tests is not None or comments is not None):
        rows = list(rows)  # tests and comments look at every row
    if tests is not None:
        main, rows, view, extra_fields, notes = tests.apply(session, view, main, rows, data, extra_fields, quiet)
    after = []
    if comments is not None and not quiet:
        from . import comments as C

        scan, metric, copts = comments
        fmt_ = resolve_format(fmt_, session.env)
        if fmt_ is TableFormat.json:
            C.augment(scan, metric, copts)(main, rows)
        elif fmt_ is TableFormat.rich:
            after = C.rich_blocks(scan, metric, copts)
        else:
            C.emit_tables(session, scan, metric, copts, fmt_)
            return
    if rows is None:
        charts = []
        if main.get("distribution") and colour_of is not None and not quiet:
            charts.append(rich_distribution(main["distribution"], colour_of))
        emit_single(session, view, main, fmt_, quiet=quiet, title=title, extra_fields=extra_fields,
                    extra_rich=[*charts, *after], notes=notes)
        return
    labels = row_labels(data)
    overall_row = {**{k: None for k in labels}, **({"period_start": None} if data.dated else {}), **main}
    columns = ROW_COLUMNS[view.name] + (tests.columns(data) if tests is not None else ())
    # a list (tests and comments need every row) keeps the union of its keys;
    # an iterator streams, one row made and written at a time
    from itertools import chain

    every = [*rows, overall_row] if isinstance(rows, list) else chain(rows, [overall_row])
    emit_rows(session, view, every, fmt_, label_key=labels, quiet=quiet,
              columns=columns, trend=data.dated, notes=notes, header_from=overall_row)
    if after:
        session.out().print(*after)


def _comment_pass(session, ans, copts, metric):
    """The second pass of --comments/--topics/--list (None when not asked)."""
    from . import comments as C

    if not copts.active:
        return None
    return C.run(session, ans, metric=metric, opts=copts)


def _stdin_for_comments(session, file, copts):
    """Comment features read the rows twice: stdin is copied to a temporary
    file (removed at exit), named "<stdin>" in messages."""
    from . import comments as C

    if copts.active and file in (None, "-") and not session.env.stdin_isatty:
        return C.spool_stdin(session)
    return file


def _finish_comments(session, copts, metric, scan, fmt_, quiet) -> bool:
    """Emit a --list; True when that was the whole output."""
    if scan is None or copts.list_group is None:
        return False
    from . import comments as C

    C.emit_list(session, scan, fmt_, quiet)
    return True


class Tests:
    """The inference options of one run and how they change the output."""

    def __init__(self, measure, *, vs="rest", adjust=Adjust.holm, min_n=30.0, confidence=0.95, invited=None):
        self.measure, self.vs, self.adjust = measure, vs, getattr(adjust, "value", adjust)
        self.min_n, self.confidence, self.invited = min_n, confidence, invited

    def columns(self, data) -> tuple:
        return ("difference", "p_adjusted") if data.grouped or data.dated else ()

    def apply(self, session, view, main, rows, data, extra_fields, quiet):
        from . import inference as inf

        if self.invited is not None:
            main.update(inf.response_keys(self.invited, main.get("n") or 0))
            extra_fields = (*extra_fields, *inf.RESPONSE_FIELDS)
        legend = []
        if rows is not None:
            main.update(inf.annotate_rows(data, rows, main, self.measure, vs=self.vs, adjust=self.adjust,
                                          confidence=self.confidence, min_n=self.min_n))
            added = inf.TEST_FIELDS + (inf.TREND_FIELDS if data.dated else ())
            view = view._replace(fields=(*view.fields, *added, *inf.SMALL_FIELDS, *extra_fields))
            legend.append(inf.legend(self.measure, vs=self.vs, adjust=self.adjust, confidence=self.confidence,
                                     dated=data.dated))
            if any(r.get("small_sample") and r.get("n") for r in rows):
                legend.append(f"dim rows: fewer than {self.min_n:g} answers (effective n): small samples, read with care")
        else:
            main["small_sample"] = (main.get("effective_n") or 0) < self.min_n
            extra_fields = (*extra_fields, *inf.SMALL_FIELDS)
            if main["small_sample"] and main.get("n"):
                legend.append(f"small sample: fewer than {self.min_n:g} answers (effective n): read with care")
        inf.notes(session.out(), rows=rows, overall=main, min_n=self.min_n, quiet=quiet)
        return main, rows, view, extra_fields, legend


class Setup:
    """What a command computes once the scale is known (labels can set it while reading)."""

    def __init__(self, compute, tests, colour_of, metric):
        self.compute, self.tests, self.colour_of, self.metric = compute, tests, colour_of, metric


def _run(session, view: View, setup, *, file, by, period, compare_with, compare_groups, opts, fmt_, quiet,
         title, label, copts=None):
    """Read, compute and emit one survey metric, with --compare/--compare-groups
    and the comment pass of --comments/--topics/--list (``copts``).

    ``setup(scale)`` -> ``Setup``: called with the scale given, to check the
    options before reading, then with the scale read."""
    from ..errors import UsageError
    from ..io.scores import group_label
    from . import inference as inf

    first = setup(opts["scale"])
    if compare_with is not None and (by or period or compare_groups):
        raise UsageError("--compare works on overall results; drop --by/--period/--compare-groups")
    if compare_groups is not None and (not by or period):
        raise UsageError("--compare-groups A,B needs --by (and no --period)")
    if first.tests.vs != "rest" and (not by or period):
        raise UsageError("--vs total|GROUP needs --by (without --period, periods are compared with the previous one)")
    if copts is not None:
        from . import comments as C
        from .output import resolve_format

        C.check(copts, first.metric, quiet=quiet, fmt_=resolve_format(fmt_, session.env))
        file = _stdin_for_comments(session, file, copts)
    ans = _read(session, file, by=by, period=period, **opts)
    data = ans.data
    s = setup(ans.scale) if ans.scale != opts["scale"] else first
    compute, tests, colour_of, metric = s.compute, s.tests, s.colour_of, s.metric
    measure = tests.measure
    extra0, fields0 = dict(ans.extra), _input_fields(ans.extra)
    scan = None
    if copts is not None and not (quiet and copts.list_group is None):
        scan = _comment_pass(session, ans, copts, metric)
    if copts is not None and _finish_comments(session, copts, metric, scan, fmt_, quiet):
        return
    comments = (scan, metric, copts) if scan is not None and (copts.comments or copts.wants_topics) else None
    if compare_with is not None:
        other_ans = _read(session, compare_with, by=None, period=None, **opts)
        if getattr(other_ans, "scale", None) != getattr(ans, "scale", None):
            from ..errors import DataError

            raise DataError(f"cannot compare answers on the {ans.scale} scale with answers on the {other_ans.scale} scale "
                            f"({compare_with})", hint="give --scale to read both files on the same scale")
        other = other_ans.data
        extra = {**extra0, **inf.compare_keys(measure, data.overall, other.overall, confidence=tests.confidence)}
        emit(session, view, compute(data.overall), None, data=data, fmt_=fmt_, quiet=quiet,
             title=f"{title}: {data.source} vs {other.source}", colour_of=colour_of, extra=extra,
             extra_fields=(*fields0, *inf.compare_fields(measure.name, label)), tests=tests, comments=comments)
        return
    if compare_groups is not None:
        a, b = inf.find_pair(data, compare_groups)
        groups = data.groups()
        ta, tb = groups[a], groups[b]
        from ..errors import EmptyDataError

        try:
            result = compute(ta)
        except EmptyDataError:
            raise EmptyDataError(f"group {group_label(a)!r} has no valid answers") from None
        extra = {"group": group_label(a), **extra0,
                 **inf.compare_keys(measure, ta, tb, confidence=tests.confidence, other_label=group_label(b))}
        emit(session, view, {"group": group_label(a), **result.as_dict()}, None, data=data, fmt_=fmt_, quiet=quiet,
             title=f"{title}: {group_label(a)} vs {group_label(b)}", colour_of=colour_of, extra=extra,
             extra_fields=(*fields0, *inf.compare_fields(measure.name, label)), tests=tests, comments=comments)
        return
    rows = _results(data, compute, view) if (by or period) else None
    emit(session, view, compute(data.overall), rows, data=data, fmt_=fmt_, quiet=quiet, title=f"{title}: {data.source}",
         colour_of=colour_of, extra=extra0 or None, extra_fields=fields0, tests=tests, comments=comments)


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
    weight: WeightOpt = None,
    vs: VsOpt = "rest",
    adjust: AdjustOpt = Adjust.holm,
    min_n: MinNOpt = 30,
    compare_with: CompareOpt = None,
    compare_groups: CompareGroupsOpt = None,
    invited: InvitedOpt = None,
    interval: Annotated[Interval, typer.Option("--interval", case_sensitive=False, help="adjusted-wald (default; Rocks 2016, Lewis & Sauro: +3/4 promoter and detractor, +3 respondents; never zero width) or wald. Tests follow it.", rich_help_panel=TESTS)] = Interval.adjusted_wald,
    counts: CountsOpt = False,
    count_column: CountColumnOpt = None,
    weight_sum_column: WeightSumColumnOpt = None,
    weight_sq_column: WeightSqColumnOpt = None,
    db: DbOpt = None,
    table: TableOpt = None,
    engine: EngineOpt = None,
    confidence: ConfidenceOpt = 0.95,
    format: TableFormatOpt = TableFormat.auto,
    comments: CommentsOpt = None,
    topics: TopicsOpt = None,
    builtin_topics: BuiltinTopicsOpt = False,
    no_builtin_topics: NoBuiltinTopicsOpt = False,
    list_group: ListOpt = None,
    id_column: IdOpt = None,
    top: TopOpt = 10,
    quiet: QuietOpt = False,
) -> None:
    """Net Promoter Score from 0-10 answers, with margin of error and tests.

    NPS = % promoters (9-10) - % detractors (0-6), in points from -100 to
    100. The standard error uses the trinomial variance
    var = pP + pD - (pP - pD)^2 and SE = 100 x sqrt(var / n). The default
    adjusted-Wald interval adds 3/4 of a promoter, 3/4 of a detractor and 3
    respondents first; --interval wald uses the observed shares. With --by
    each segment is tested against the rest (Holm-adjusted); with --period
    each period against the previous one, plus a trend test and control
    limits. Blank cells are skipped and counted; invalid cells stop the
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
        cxterms nps examples/survey.csv --by region --compare-groups North,South
    """
    from ..errors import UsageError
    from ..metrics import nps as core
    from ..metrics.scales import Scale
    from .inputs import check_confidence, check_count

    from ..metrics.inference import NPSMeasure

    session = ctx.obj
    check_confidence(confidence)
    source = _source(file, counts, count_column, weight_sum_column, weight_sq_column, db, table, engine, compare_with)
    tests = Tests(NPSMeasure(interval.value), vs=vs, adjust=adjust, min_n=min_n, confidence=confidence, invited=invited)
    counts = (promoters, passives, detractors)
    for value, option in zip(counts, ("--promoters", "--passives", "--detractors")):
        check_count(value, option)
    if any(c is not None for c in counts):
        if file is not None or by or period or compare_with or compare_groups or weight or source.kind != "file":
            raise UsageError("--promoters/--passives/--detractors replace FILE, --by, --period, --weight and --compare")
        result = core.nps_from_counts(*(c or 0 for c in counts), confidence=confidence, interval=interval.value)
        emit(session, NPS_VIEW, result, None, fmt_=format, quiet=quiet, title="Net Promoter Score", colour_of=_nps_colour,
             tests=tests)
        return

    def compute(tally):
        return core.nps_from_tally(tally, confidence=confidence, interval=interval.value)

    from . import comments as C

    def setup(sc):
        metric = C.Metric("nps", ("detractors", "passives", "promoters"), lambda v: core.group_of(v) + "s", compute,
                          "nps", tests.measure, tests.adjust)
        return Setup(compute, tests, _nps_colour, metric)

    copts = CommentOptions(comments, topics or [], builtin_topics, no_builtin_topics, list_group, id_column, top)
    opts = dict(metric="nps", scale=Scale(0, 10), column=column, every=every, date_format=date_format, delimiter=delimiter,
                header=header, encoding=encoding, skip_invalid=skip_invalid, weight=weight, inp=_inp(locals()), source=source)
    _run(session, NPS_VIEW, setup, file=file, by=by, period=period, compare_with=compare_with,
         compare_groups=compare_groups, opts=opts, fmt_=format, quiet=quiet, title="Net Promoter Score",
         label="NPS", copts=copts)


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
    weight: WeightOpt = None,
    vs: VsOpt = "rest",
    adjust: AdjustOpt = Adjust.holm,
    min_n: MinNOpt = 30,
    compare_with: CompareOpt = None,
    compare_groups: CompareGroupsOpt = None,
    invited: InvitedOpt = None,
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
    comments: CommentsOpt = None,
    topics: TopicsOpt = None,
    builtin_topics: BuiltinTopicsOpt = False,
    no_builtin_topics: NoBuiltinTopicsOpt = False,
    list_group: ListOpt = None,
    id_column: IdOpt = None,
    top: TopOpt = 10,
    quiet: QuietOpt = False,
) -> None:
    """Customer satisfaction: the share of satisfied answers, and the mean.

    CSAT = 100 x (answers >= K) / n, with K = MAX-1 by default: the
    top-2-box share (4s and 5s on 1-5). The mean answer is reported too,
    since some teams quote CSAT as a mean. The interval is the Wilson score
    interval of the share. Segments, periods and --compare use the
    two-proportion z-test on the satisfied share.

    Example:

        cxterms csat examples/support-csat.csv
        cxterms csat examples/zendesk-csat.csv
        cxterms csat examples/surveymonkey.csv -c Quality
        cxterms csat ratings.csv --scale 1-10 --satisfied 8
        cxterms csat ratings.csv --by channel --format json
        cxterms csat ratings.csv --by channel --compare-groups email,chat
    """
    from ..metrics import csat as core
    from ..metrics.scales import parse_scale
    from .inputs import check_confidence

    from ..metrics.inference import CSATMeasure

    session = ctx.obj
    check_confidence(confidence)
    source = _source(file, counts, count_column, weight_sum_column, weight_sq_column, db, table, engine, compare_with)
    sc = parse_scale(scale or "1-5")
    core.threshold(sc, satisfied)  # checked before reading the file

    from . import comments as C

    def setup(sc):
        k = core.threshold(sc, satisfied)

        def compute(tally):
            return core.csat_from_tally(tally, scale=sc, satisfied=satisfied, confidence=confidence)

        tests = Tests(CSATMeasure(k), vs=vs, adjust=adjust, min_n=min_n, confidence=confidence, invited=invited)
        metric = C.Metric("csat", ("low", "high"), lambda v: "high" if v >= k else "low", compute, "csat",
                          tests.measure, tests.adjust)
        return Setup(compute, tests, lambda v: "green" if v >= k else "red", metric)

    copts = CommentOptions(comments, topics or [], builtin_topics, no_builtin_topics, list_group, id_column, top)
    opts = dict(metric="csat", scale=sc, explicit_scale=scale is not None, column=column, every=every,
                date_format=date_format, delimiter=delimiter, header=header, encoding=encoding,
                skip_invalid=skip_invalid, weight=weight, inp=_inp(locals()), source=source)
    _run(session, CSAT_VIEW, setup, file=file, by=by, period=period, compare_with=compare_with,
         compare_groups=compare_groups, opts=opts, fmt_=format, quiet=quiet, title="CSAT", label="CSAT", copts=copts)


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
    weight: WeightOpt = None,
    vs: VsOpt = "rest",
    adjust: AdjustOpt = Adjust.holm,
    min_n: MinNOpt = 30,
    compare_with: CompareOpt = None,
    compare_groups: CompareGroupsOpt = None,
    invited: InvitedOpt = None,
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
    comments: CommentsOpt = None,
    topics: TopicsOpt = None,
    builtin_topics: BuiltinTopicsOpt = False,
    no_builtin_topics: NoBuiltinTopicsOpt = False,
    list_group: ListOpt = None,
    id_column: IdOpt = None,
    top: TopOpt = 10,
    quiet: QuietOpt = False,
) -> None:
    """Customer effort score: the mean answer, easy and difficult shares.

    Default: CES 2.0, agreement with "the company made it easy for me to
    handle my issue" on 1-7, higher is easier; easy = 5-7, difficult = 1-3.
    For the original effort question use --scale 1-5 --lower-is-better
    (easy = 1-2, difficult = 4-5). In general "easy" is the good side of
    the scale's midpoint. The interval is mean +/- t(n-1) x s / sqrt(n).
    Segments, periods and --compare use Welch's t-test.

    Example:

        cxterms ces examples/effort.csv
        cxterms ces examples/typeform.csv
        cxterms ces effort-1-5.csv --scale 1-5 --lower-is-better
        cxterms ces examples/effort.csv --period date --every week -q
    """
    from ..metrics import ces as core
    from ..metrics.scales import parse_scale
    from .inputs import check_confidence

    from ..metrics.inference import CESMeasure

    session = ctx.obj
    check_confidence(confidence)
    source = _source(file, counts, count_column, weight_sum_column, weight_sq_column, db, table, engine, compare_with)
    sc = parse_scale(scale or "1-7")

    from . import comments as C

    def setup(sc):
        def compute(tally):
            return core.ces_from_tally(tally, scale=sc, lower_is_better=lower_is_better, confidence=confidence)

        def side(v):
            return "high" if core.is_easy(v, sc, lower_is_better) else "low" if core.is_difficult(v, sc, lower_is_better) else None

        def colour(v):
            return "green" if core.is_easy(v, sc, lower_is_better) else "red" if core.is_difficult(v, sc, lower_is_better) else "yellow"

        tests = Tests(CESMeasure(), vs=vs, adjust=adjust, min_n=min_n, confidence=confidence, invited=invited)
        metric = C.Metric("ces", ("low", "high"), side, compute, "ces", tests.measure, tests.adjust)
        return Setup(compute, tests, colour, metric)

    copts = CommentOptions(comments, topics or [], builtin_topics, no_builtin_topics, list_group, id_column, top)
    opts = dict(metric="ces", scale=sc, explicit_scale=scale is not None, column=column, every=every,
                date_format=date_format, delimiter=delimiter, header=header, encoding=encoding,
                skip_invalid=skip_invalid, weight=weight, inp=_inp(locals()), source=source)
    _run(session, CES_VIEW, setup, file=file, by=by, period=period, compare_with=compare_with,
         compare_groups=compare_groups, opts=opts, fmt_=format, quiet=quiet, title="Customer effort score",
         label="CES", copts=copts)
