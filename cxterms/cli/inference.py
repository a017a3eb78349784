"""Statistical tests added to survey results: segments (--by), periods
(--period), comparisons (--compare, --compare-groups), small samples
(--min-n) and the response rate (--invited).

The statistics live in ``cxterms.metrics.inference`` and
``cxterms.metrics.trends``; this module only lines them up with the result
rows built by ``survey._results`` (same order as ``ScoreData.table()``) and
adds documented keys to them.
"""

from __future__ import annotations

from ..errors import DataError, UsageError
from .render_metrics import Field

#: keys added to a row tested against another sample (segment, previous period, other file/group)
TEST_FIELDS = (
    Field("vs", "Compared with", "text"),
    Field("difference", "Diff.", "num2"),
    Field("difference_std_error", "Difference SE", "num2"),
    Field("test", "Test", "text"),
    Field("statistic", "Statistic", "num3"),
    Field("df", "Degrees of freedom", "num2"),
    Field("p_value", "p-value", "num4"),
    Field("p_adjusted", "p adj.", "num3"),
    Field("significant", "Significant", "bool"),
    Field("direction", "Direction", "text"),
    Field("test_note", "Test note", "text"),
)
TREND_FIELDS = (
    Field("trend_slope", "Trend per period", "num3"),
    Field("trend_std_error", "Trend SE", "num3"),
    Field("trend_t", "Trend t", "num3"),
    Field("trend_df", "Trend df", "int"),
    Field("trend_p_value", "Trend p-value", "num4"),
    Field("trend_note", "Trend note", "text"),
    Field("control_low", "Control low", "num2"),
    Field("control_high", "Control high", "num2"),
    Field("out_of_control", "Out of control", "bool"),
)
SMALL_FIELDS = (Field("small_sample", "Small sample", "bool"),)
RESPONSE_FIELDS = (
    Field("invited", "Invited", "int"),
    Field("responses", "Responses", "int"),
    Field("response_rate", "Response rate", "frac"),
)
LOW_RESPONSE_RATE = 0.10  # a share, like response_rate


def _test_keys(d) -> dict:
    """The documented keys of one test (``d`` a Difference or None)."""
    if d is None:
        return {f.key: None for f in TEST_FIELDS}
    return {
        "vs": d.vs, "difference": d.difference, "difference_std_error": d.std_error, "test": d.test,
        "statistic": d.statistic, "df": d.df, "p_value": d.p_value, "p_adjusted": d.p_adjusted,
        "significant": d.significant, "direction": d.direction, "test_note": d.note,
    }


def _trend_keys(measure, series) -> dict:
    """Trend keys of a series of tallies (one per period, gaps included)."""
    from ..metrics.trends import wls_trend

    ys, ses = [], []
    for t in series:
        s = measure.summary(t)
        ys.append(s.value if s is not None else None)
        ses.append(measure.trend_std_error(t) if s is not None else None)
    tr = wls_trend(list(range(len(series))), ys, ses)
    return {"trend_slope": tr.slope, "trend_std_error": tr.std_error, "trend_t": tr.t, "trend_df": tr.df,
            "trend_p_value": tr.p_value, "trend_note": tr.note}


def _control_keys(measure, total, tally) -> dict:
    from ..metrics.trends import control_limits

    centre = measure.summary(total)
    lim = None
    if centre is not None and tally.n and tally.weight_total > 0:
        lim = control_limits(centre.value, measure.observed_variance(total), tally.effective_n, bounds=measure.bounds)
    if lim is None:
        return {"control_low": None, "control_high": None, "out_of_control": None}
    s = measure.summary(tally)
    return {"control_low": lim[0], "control_high": lim[1], "out_of_control": not lim[0] <= s.value <= lim[1]}


def find_group(data, name: str):
    """The group tuple whose label is ``name`` (exact, then ignoring case)."""
    from ..io.scores import group_label

    groups = list(data.groups())
    for exact in (True, False):
        for g in groups:
            label = group_label(g)
            if label == name if exact else label.casefold() == name.strip().casefold():
                return g
    shown = ", ".join(group_label(g) for g in groups[:10]) + (", ..." if len(groups) > 10 else "")
    raise UsageError(f"no group {name!r} in the --by column(s); groups: {shown}")


def find_pair(data, text: str):
    """The two groups of ``--compare-groups A,B``; a label that itself holds
    a comma is found by trying each comma as the separator."""
    cuts = [i for i, ch in enumerate(text) if ch == ","]
    if not cuts:
        raise UsageError(f"--compare-groups takes two group names separated by a comma, not {text!r}")
    for i in cuts:
        left, right = text[:i].strip(), text[i + 1:].strip()
        if left and right:
            try:
                return find_group(data, left), find_group(data, right)
            except UsageError:
                continue
    left, right = text[:cuts[0]].strip(), text[cuts[0] + 1:].strip()
    if not left or not right:
        raise UsageError(f"--compare-groups takes two group names separated by a comma, not {text!r}")
    return find_group(data, left), find_group(data, right)  # raises, naming the groups there are


def annotate_rows(data, rows: list[dict], overall: dict, measure, *, vs: str, adjust: str, confidence: float,
                  min_n: float) -> dict:
    """Add tests to the result rows in place; return the keys for the overall row.

    * ``--by`` alone: each segment against the rest / total / a named
      segment (``vs``), p adjusted across segments.
    * ``--period`` (with or without ``--by``): each period against the
      previous one with answers in the same series (p adjusted across the
      series' comparisons), control limits, and the series' trend test
      (repeated on every row of the series; the overall row carries the
      trend of the overall series).
    * every row: ``small_sample`` (effective n below ``min_n``).
    """
    from ..io.scores import group_label
    from ..metrics import inference as I
    from ..metrics import periods as P

    alpha = 1.0 - confidence
    table = data.table()
    assert len(table) == len(rows)
    extra: list[dict] = [{} for _ in rows]
    overall_extra: dict = {}
    if data.grouped and not data.dated:
        groups = data.groups()
        ref = "rest" if vs == "rest" else "total" if vs == "total" else find_group(data, vs)
        res = I.compare_segments(measure, groups, vs=ref, adjust=adjust, alpha=alpha, label=group_label)
        for e, (g, _start, _t) in zip(extra, table):
            e.update(_test_keys(res[g]))
        overall_extra.update(_test_keys(None))
    elif data.dated:
        if vs not in ("rest",):
            raise UsageError("--vs applies to --by segments; with --period each period is compared with the previous one")
        series: dict = {}
        for i, (g, start, t) in enumerate(table):
            series.setdefault(g, []).append((i, start, t))
        for g, items in series.items():
            tallies = [t for _, _, t in items]
            labels = [P.label(s, data.every) for _, s, _ in items]
            seq = I.compare_sequence(measure, tallies, adjust=adjust, alpha=alpha, labels=labels)
            total = I.Tally()
            for t in tallies:
                total += t
            trend = _trend_keys(measure, tallies)
            for (i, _s, t), d in zip(items, seq):
                extra[i].update(_test_keys(d))
                extra[i].update(trend)
                extra[i].update(_control_keys(measure, total, t))
        periods = list(data.periods().values())
        overall_extra.update(_test_keys(None))
        overall_extra.update(_trend_keys(measure, periods))
        overall_extra.update(control_low=None, control_high=None, out_of_control=None)
    for r, e in zip(rows, extra):
        r.update(e)
        r["small_sample"] = (r.get("effective_n") or 0) < min_n
    overall_extra["small_sample"] = (overall.get("effective_n") or 0) < min_n
    return overall_extra


def compare_keys(measure, a, b, *, confidence: float, other_label: str | None = None) -> dict:
    """Keys of a two-sample comparison of tallies ``a`` and ``b`` (``--compare``)."""
    d = measure.compare(a, b)
    sig = None if d.p_value is None else d.p_value < 1.0 - confidence
    stat = "t" if d.df is not None or measure.name == "ces" else "z"
    out = {
        f"other_{measure.name}": d.other_value, "other_n": b.n, "other_effective_n": b.effective_n,
        "difference": d.difference, "difference_std_error": d.std_error, "test": d.test,
        stat: d.statistic, "p_value": d.p_value, "significant": sig, "test_note": d.note,
    }
    if stat == "t":
        out["df"] = d.df
    if other_label is not None:
        out = {"other_group": other_label, **out}
    return out


def compare_fields(name: str, label: str) -> tuple:
    stat = (Field("t", "t", "num3"), Field("df", "Degrees of freedom", "num2")) if name == "ces" else (Field("z", "z", "num3"),)
    return (
        Field("other_group", "Other group", "text"),
        Field(f"other_{name}", f"Other {label}", "pts" if name != "ces" else "num2"),
        Field("other_n", "Other respondents", "int"),
        Field("difference", "Difference", "num2"),
        Field("difference_std_error", "Difference SE", "num2"),
        Field("test", "Test", "text"),
        *stat,
        Field("p_value", "p-value", "num4"),
        Field("significant", "Significant", "bool"),
        Field("test_note", "Test note", "text"),
    )


def response_keys(invited: int, responses: int) -> dict:
    """``invited``, ``responses`` and ``response_rate`` (a share 0-1, as the
    response rate read from a status column)."""
    if invited < responses:
        raise DataError(f"--invited {invited} is smaller than the {responses} responses read")
    return {"invited": invited, "responses": responses, "response_rate": responses / invited if invited else None}


def notes(out, *, rows: list[dict] | None, overall: dict, min_n: float, quiet: bool) -> None:
    """stderr notes: small samples (with -q: the table shows them otherwise),
    a low response rate, and intervals that could not be given."""
    items = [overall] if rows is None else [r for r in rows if r.get("n")]
    small = [r for r in items if r.get("small_sample")]
    if quiet and small:
        what = "the result has" if rows is None else f"{len(small)} of {len(items)} results have"
        out.note(f"note: {what} fewer than {min_n:g} answers (effective); small samples are unreliable")
    rate = overall.get("response_rate")
    if rate is not None and rate < LOW_RESPONSE_RATE:
        out.note(f"note: response rate {100 * rate:.1f}% is below {100 * LOW_RESPONSE_RATE:g}%: "
                 "non-response bias can be large")
    if overall.get("note"):
        out.warn(overall["note"])


def legend(measure, *, vs: str, adjust: str, confidence: float, dated: bool) -> str:
    """One line naming the test behind the ▲/▼ marks."""
    adj = {"holm": "Holm-adjusted", "bh": "Benjamini-Hochberg-adjusted", "none": "unadjusted"}[adjust]
    against = "the previous period" if dated else {"rest": "the rest of the sample", "total": "the total"}.get(vs, vs)
    text = (f"▲/▼ significantly higher/lower than {against} ({measure.test}, {adj} p < {1 - confidence:.2g})")
    if dated:
        text += "; ! outside the control limits (overall ± 3 SE)"
    return text
