"""cxterms report: one shareable page (HTML, Markdown or JSON) from a survey file.

This module only gathers results: it reads the file with the same readers
and computes them with the same functions as ``nps``, ``csat`` and ``ces``
(``survey._read``/``_results``, ``inference.annotate_rows``,
``comments.run``/``augment``), so every number on the page is one those
commands print. ``cxterms.report`` turns the result document into a page.
"""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from .comments import CommentOptions, CommentsOpt, NoBuiltinTopicsOpt, TopOpt, TopicsOpt
from .metric_options import (
    Adjust, AdjustOpt, ByOpt, ColumnOpt, ConfidenceOpt, DateFormatOpt, DayfirstOpt, DelimiterOpt, EncodingOpt, Every,
    EveryOpt, FileArg, FromOpt, HeaderOpt, HeaderRowsOpt, IncludePartialOpt, LabelsOpt, MapOpt, MaxInvalidOpt, MinNOpt,
    OUTPUT, PeriodOpt, SheetOpt, SkipInvalidOpt, SkipRowsOpt, TESTS, ToOpt, TzOpt, VsOpt, WeightOpt, WhereOpt,
)

app = typer.Typer()


class MetricName(str, Enum):
    nps = "nps"
    csat = "csat"
    ces = "ces"


class ReportFormat(str, Enum):
    html = "html"
    markdown = "markdown"
    json = "json"


#: words in a column header that name the metric (checked in this order)
METRIC_WORDS = (("ces", ("ces", "effort", "easy")), ("csat", ("csat", "satisf", "rating")), ("nps", ("nps", "recommend", "likely")))


def detect_metric(column_label: str) -> MetricName | None:
    """The metric a score column's header names, or None.

    >>> detect_metric("CSAT (1-5)"), detect_metric("How likely to recommend"), detect_metric("score")
    (<MetricName.csat: 'csat'>, <MetricName.nps: 'nps'>, None)
    """
    import re

    folded = column_label.casefold()
    for name, words in METRIC_WORDS:
        if any(re.search(rf"(^|[^a-z]){w}", folded) for w in words):
            return MetricName(name)
    return None


class Spec:
    """How one metric is read, computed and tested (mirrors the nps/csat/ces commands)."""

    def __init__(self, metric: MetricName, *, scale: str | None, satisfied: int | None, lower_is_better: bool,
                 interval: str, confidence: float, adjust: str = "holm", read_scale=None) -> None:
        from ..io.scores import make_parser
        from ..metrics import inference as I
        from ..metrics.scales import Scale, parse_scale
        from . import comments as C
        from . import survey as S

        self.name = metric.value
        if metric is MetricName.nps:
            from ..metrics import nps as core

            if scale not in (None, "0-10"):
                from ..errors import UsageError

                raise UsageError("--scale applies to csat and ces; NPS is always 0-10")
            self.scale = Scale(0, 10)
            self.view = S.NPS_VIEW
            self.measure = I.NPSMeasure(interval)
            self.interval = interval

            def compute(t):
                return core.nps_from_tally(t, confidence=confidence, interval=interval)

            def side(v):
                return core.group_of(v) + "s"

            self.comment_metric = C.Metric("nps", ("detractors", "passives", "promoters"), side, compute, "nps",
                                           self.measure, adjust)
            self.label, self.unit = "NPS", "points, -100 to 100"
        elif metric is MetricName.csat:
            from ..metrics import csat as core

            self.scale = read_scale or parse_scale(scale or "1-5")
            k = core.threshold(self.scale, satisfied)
            self.view = S.CSAT_VIEW
            self.measure = I.CSATMeasure(k)
            self.interval = "wilson"
            self.satisfied_min = k

            def compute(t):
                return core.csat_from_tally(t, scale=self.scale, satisfied=satisfied, confidence=confidence)

            def side(v):
                return "high" if v >= k else "low"

            self.comment_metric = C.Metric("csat", ("low", "high"), side, compute, "csat", self.measure, adjust)
            self.label, self.unit = "CSAT", "% satisfied"
        else:
            from ..metrics import ces as core

            self.scale = read_scale or parse_scale(scale or "1-7")
            self.view = S.CES_VIEW
            self.measure = I.CESMeasure()
            self.interval = "t"
            self.lower_is_better = lower_is_better
            sc = self.scale

            def compute(t):
                return core.ces_from_tally(t, scale=sc, lower_is_better=lower_is_better, confidence=confidence)

            def side(v):
                return "high" if core.is_easy(v, sc, lower_is_better) else "low" if core.is_difficult(v, sc, lower_is_better) else None

            self.comment_metric = C.Metric("ces", ("low", "high"), side, compute, "ces", self.measure, adjust)
            self.label, self.unit = "CES", f"mean answer, {sc.low}-{sc.high}"
        self.metric, self.given_scale = metric, scale
        self.satisfied, self.lower_is_better_, self.interval_, self.confidence = satisfied, lower_is_better, interval, confidence
        self.adjust = adjust
        self.compute = compute
        self.side = side

    def rescaled(self, scale) -> "Spec":
        """The same spec on the scale the reader settled on (answer labels can set it)."""
        if scale == self.scale:
            return self
        return Spec(self.metric, scale=self.given_scale, satisfied=self.satisfied, lower_is_better=self.lower_is_better_,
                    interval=self.interval_, confidence=self.confidence, adjust=self.adjust, read_scale=scale)


def _probe_column(session, file, column, table_opts) -> str:
    """The header label of the score column (for --metric detection)."""
    from ..io.scores import SCORE_COLUMNS
    from .inputs import open_input

    try:
        table = open_input(session, file, **table_opts)
        return table.column_label(table.column(column, defaults=SCORE_COLUMNS))
    except Exception:  # not a plain table, or no such column: the real read reports it in its own words
        return column or ""


class _NotesOnce:
    """A session whose stderr notes and warnings are written once each (the
    report reads the file once per section; the reader's notes would repeat)."""

    def __init__(self, session) -> None:
        self._session, self._seen = session, set()

    def __getattr__(self, name):
        return getattr(self._session, name)

    def out(self):
        outer, seen = self._session.out(), self._seen

        class Once:
            def __getattr__(self, name):
                return getattr(outer, name)

            def note(self, message: str) -> None:
                if message not in seen:
                    seen.add(message)
                    outer.note(message)

            def warn(self, message: str) -> None:
                self.note(f"warning: {message}")

        return Once()


def gather(session, *, file, spec: Spec, column, by, period, every, date_format, table_opts, skip_invalid, weight,
           vs, adjust, min_n, confidence, copts: CommentOptions | None, inp: dict | None = None) -> dict:
    """The report document: the overall result, segments, periods, comments and method."""
    from .. import __version__
    from . import comments as C
    from . import inference as inf
    from . import survey as S

    session = _NotesOnce(session)
    opts = dict(metric=spec.name, scale=spec.scale, explicit_scale=spec.given_scale is not None, column=column,
                every=every, date_format=date_format, skip_invalid=skip_invalid, weight=weight, inp=inp or {},
                **table_opts)
    first = None
    segments = periods = None
    seg_extra = per_extra = {}
    extra: dict = {}
    if by:
        ans = seg_ans = S._read(session, file, by=by, period=None, **opts)
        spec = spec.rescaled(ans.scale)
        data_seg = first = ans.data
        extra = dict(ans.extra)
        main = spec.compute(data_seg.overall).as_dict()
        segments = S._results(data_seg, spec.compute, spec.view)
        seg_extra = inf.annotate_rows(data_seg, segments, main, spec.measure, vs=vs, adjust=adjust,
                                      confidence=confidence, min_n=min_n)
    if period:
        ans = S._read(session, file, by=None, period=period, **opts)
        spec = spec.rescaled(ans.scale)
        data_per = ans.data
        first = first or data_per
        extra = extra or dict(ans.extra)
        main = spec.compute(data_per.overall).as_dict()
        periods = S._results(data_per, spec.compute, spec.view)
        per_extra = inf.annotate_rows(data_per, periods, main, spec.measure, vs="rest", adjust=adjust,
                                      confidence=confidence, min_n=min_n)
    if first is None:
        ans = S._read(session, file, by=None, period=None, **opts)
        spec = spec.rescaled(ans.scale)
        first = ans.data
        extra = dict(ans.extra)
        main = spec.compute(first.overall).as_dict()
    data = first
    main.update(extra)
    overall = dict(main)
    overall["small_sample"] = (overall.get("effective_n") or 0) < min_n
    for k, v in per_extra.items():
        if k.startswith("trend_"):
            overall[k] = v

    change = None
    if periods:
        with_answers = [r for r in periods if r.get("n")]
        if with_answers:
            last = with_answers[-1]
            change = {k: last.get(k) for k in ("period", "period_start", spec.name, "n", "vs", "difference",
                                               "difference_std_error", "test", "statistic", "df", "p_value",
                                               "p_adjusted", "significant", "direction", "test_note", "small_sample")}
            overall["period_first"] = with_answers[0]["period"]
            overall["period_last"] = last["period"]

    comments = None
    if copts is not None and copts.active:
        scan = C.run(session, seg_ans if by else ans, metric=spec.comment_metric, opts=copts)  # themes per segment too
        holder: dict = {}
        C.augment(scan, spec.comment_metric, copts)(holder, segments)
        comments = {
            **holder.get("comments", {}),
            "groups": list(scan.groups),
            "themes": holder.get("themes"),
            "topics": holder.get("topics"),
            "examples": _examples(holder.get("themes") or {}),
        }

    skipped = {"blank": data.overall.blank, "invalid": data.overall.invalid, **data.filtered}
    method = {
        "metric": spec.name,
        "label": spec.label,
        "unit": spec.unit,
        "scale": f"{spec.scale.low}-{spec.scale.high}",
        "interval": spec.interval,
        "confidence": confidence,
        "segment_test": spec.measure.test if by else None,
        "test": spec.measure.test,
        "segments_vs": vs if by else None,
        "adjust": adjust,
        "min_n": min_n,
        "weight": data.weight,
        "every": every.value if period else None,
        "by": list(data.by) if by else [],
        "period": period,
        "filters": dict(data.filtered),
        "where": list((inp or {}).get("where") or []),
        "date_from": (inp or {}).get("date_from"),
        "date_to": (inp or {}).get("date_to"),
        "skipped": skipped,
        "satisfied_min": getattr(spec, "satisfied_min", None),
        "lower_is_better": getattr(spec, "lower_is_better", None),
        "command": command_line(),
        "version": __version__,
    }
    return {
        "report": 1,
        "title": f"{spec.label} report",
        "source": data.source,
        "column": data.column,
        "metric": spec.name,
        "overall": overall,
        "change": change,
        "segments": segments,
        "segments_by": list(data.by) if by else None,
        "periods": periods,
        "every": every.value if period else None,
        "comments": comments,
        "method": method,
    }


def _examples(themes: dict, per_group: int = 3) -> dict:
    """A few distinct verbatims per answer group: the examples of its top themes."""
    out = {}
    for group, items in themes.items():
        seen: list[str] = []
        for t in items:
            ex = t.get("example")
            if ex and ex not in seen:
                seen.append(ex)
            if len(seen) >= per_group:
                break
        out[group] = seen
    return out


def command_line() -> str:
    """The command as typed (argv quoted for a POSIX shell)."""
    import shlex

    args = sys.argv[1:]
    return "cxterms " + " ".join(shlex.quote(a) for a in args)


OutputOpt = Annotated[
    Optional[str],
    typer.Option("--output", "-o", metavar="PATH", help="Write here (atomically). Default: report.html (report.md, report.json) in the current folder; - for stdout.", rich_help_panel=OUTPUT),
]


@app.command()
def report(
    ctx: typer.Context,
    file: FileArg = None,
    column: ColumnOpt = None,
    metric: Annotated[Optional[MetricName], typer.Option("--metric", "-m", case_sensitive=False, help="nps, csat or ces. Default: named by the score column's header (effort/ces, csat/satisfaction/rating, nps/recommend), else nps.")] = None,
    scale: Annotated[Optional[str], typer.Option("--scale", metavar="MIN-MAX", help="Answer scale for csat (1-5) and ces (1-7).")] = None,
    satisfied: Annotated[Optional[int], typer.Option("--satisfied", metavar="K", help="csat: lowest satisfied answer (default MAX-1).")] = None,
    lower_is_better: Annotated[bool, typer.Option("--lower-is-better", help="ces: low answers mean low effort.")] = False,
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
    weight: WeightOpt = None,
    vs: VsOpt = "rest",
    adjust: AdjustOpt = Adjust.holm,
    min_n: MinNOpt = 30,
    interval: Annotated[str, typer.Option("--interval", metavar="adjusted-wald|wald", help="nps: interval method (tests follow it).", rich_help_panel=TESTS)] = "adjusted-wald",
    confidence: ConfidenceOpt = 0.95,
    comments: CommentsOpt = None,
    topics: TopicsOpt = None,
    no_builtin_topics: NoBuiltinTopicsOpt = False,
    top: TopOpt = 8,
    title: Annotated[Optional[str], typer.Option("--title", metavar="TEXT", help="Page title. Default: '<metric> report: <file>'.", rich_help_panel=OUTPUT)] = None,
    output: OutputOpt = None,
    format: Annotated[ReportFormat, typer.Option("--format", "-f", case_sensitive=False, help="html (one self-contained page), markdown (with the charts as SVG files beside it), json (the numbers).", rich_help_panel=OUTPUT)] = ReportFormat.html,
) -> None:
    """A shareable report: headline, distribution, trend, segments, comments, method.

    One self-contained HTML page (charts inline as SVG, no scripts, no
    external requests; prints on A4/Letter; readable on a phone), or the
    same report as Markdown with the charts as SVG files beside it, or the
    numbers as JSON. Every number is the one nps/csat/ces print for the same
    options. --comments adds comment themes, the built-in topics (unless
    --no-builtin-topics) plus any --topics files, and example verbatims.

    The page is written atomically to -o PATH (default report.html,
    report.md or report.json); -o - writes to stdout. Charts need the
    'report' extra (matplotlib).

    Example:

        cxterms report examples/survey.csv --by region --period submitted --comments comment -o report.html
        cxterms report examples/support-csat.csv --metric csat --by channel --period closed -o csat.html
        cxterms report examples/survey.csv --by region --format json -o - | jq .segments
    """
    from ..errors import UsageError
    from . import comments as C
    from .inputs import check_confidence

    session = ctx.obj
    inp = {"sheet": sheet, "header_rows": header_rows, "skip_rows": skip_rows, "include_partial": include_partial,
           "map": map_, "labels": labels, "where": where, "date_from": date_from, "date_to": date_to,
           "dayfirst": dayfirst, "tz": tz, "max_invalid": max_invalid}
    check_confidence(confidence)
    if interval not in ("adjusted-wald", "wald"):
        raise UsageError(f"--interval must be adjusted-wald or wald, not {interval!r}")
    if vs != "rest" and not by:
        raise UsageError("--vs total|GROUP needs --by")
    if topics and not comments:
        raise UsageError("--topics needs --comments COLUMN")
    renderer = None
    if format is not ReportFormat.json:
        from ..report import load_charts

        renderer = load_charts()  # missing matplotlib: exit 1 with the install hint, before reading anything
    if file in (None, "-") and not session.env.stdin_isatty:
        file = C.spool_stdin(session)  # read twice (segments, periods, comments)
        spooled = True
    else:
        spooled = False
    table_opts = dict(delimiter=delimiter, header=header, encoding=encoding)
    if metric is None:
        label = _probe_column(session, file, column, table_opts)
        metric = detect_metric(label) or MetricName.nps
        session.out().note(f"note: --metric {metric.value} ({'named by' if detect_metric(label) else 'default; nothing named by'} "
                           f"column {label!r}; use --metric to choose)")
    spec = Spec(metric, scale=scale, satisfied=satisfied, lower_is_better=lower_is_better, interval=interval,
                confidence=confidence, adjust=getattr(adjust, "value", adjust))
    copts = None
    if comments:
        copts = CommentOptions(comments, list(topics or []), not no_builtin_topics, no_builtin_topics, None, None, top)
    doc = gather(session, file=file, spec=spec, column=column, by=by, period=period, every=every,
                 date_format=date_format, table_opts=table_opts, skip_invalid=skip_invalid, weight=weight, vs=vs,
                 adjust=getattr(adjust, "value", adjust), min_n=min_n, confidence=confidence, copts=copts, inp=inp)
    if spooled:
        doc["source"] = "stdin"  # not the temporary copy's name
    import os

    doc["title"] = title or f"{spec.label} report: {os.path.basename(doc['source']) or doc['source']}"  # full path below
    from ..report import write_report

    target = output
    if target is None:
        target = {"html": "report.html", "markdown": "report.md", "json": "report.json"}[format.value]
    try:
        written = write_report(doc, format.value, target, renderer=renderer, stdout=session.env.stdout)
    except OSError as e:
        from ..errors import CxtermsError

        raise CxtermsError(f"cannot write the report: {e.strerror or e} ({e.filename or target})",
                           hint="choose another path with -o (nothing was replaced)") from None
    for w in written:
        session.out().note(f"wrote {w}")
