"""Read a survey answer column from any source, with every guess reported.

``read_answers`` wraps ``read_scores``: it picks the column (naming the
guess), chooses answer labels for it, decides the date order of the period
column, builds the row filters (``--where``, ``--from``/``--to``), and then
checks the result so that a number is either right or comes with a note:

* skipped cells are always reported (count, share, first three), and more
  than ``max_invalid`` of the non-blank cells stops the run;
* answers that fit another metric's scale (0-10 answers given to ``ces``)
  stop the run with the likely right command;
* a declared scale whose top half is never used gives a warning.

It never prints: notes and warnings come back in ``Answers``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from ..errors import DataError, EmptyDataError, UsageError
from ..metrics.scales import Scale
from . import dates as D
from . import filters as F
from . import labels as L
from .scores import RowFilter, ScoreData, make_parser, read_scores
from .sources import Source

MAX_INVALID = 0.05
SHOWN = 3

#: header words that point at each metric's question, most telling first
WORDS = {
    "nps": ("nps", "recommend", "likelihood", "likely", "score", "rating"),
    "csat": ("csat", "satisfaction", "satisfied", "rating", "score"),
    "ces": ("ces", "effort", "easy", "ease", "score", "rating"),
}
NAMES = ("score", "rating", "nps", "csat", "ces", "response")


@dataclass
class Answers:
    data: ScoreData
    scale: Scale
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # fields to add to the result (response_rate, filtered_out...)
    labels: L.LabelChoice | None = None
    filters: list = field(default_factory=list)  # the RowFilters applied (--where, --from/--to), for a second pass
    # for a second pass over the same rows (the comment themes): the source
    # (``reopen()``), the cell reader with the answer labels, and the columns
    source: Source | None = None
    parse: Callable[[str], int] | None = None
    column_index: int | None = None
    by_indices: tuple[int, ...] = ()


@dataclass
class AnswerOptions:
    column: str | None = None
    by: Sequence[str] = ()
    period: str | None = None
    every: str = "month"
    date_format: str | None = None
    dayfirst: bool | None = None
    tz: str | None = None
    weight: str | None = None
    where: Sequence[str] = ()
    date_from: str | None = None
    date_to: str | None = None
    skip_invalid: bool = False
    max_invalid: float | None = None
    user_map: dict[str, int] | None = None


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} takes a date as YYYY-MM-DD, not {text!r}") from None


def _spec(src: Source, spec: str | None, what: str) -> str | None:
    return None if spec is None else str(src.column(spec, what=what) + 1)


def read_answers(src: Source, scale: Scale, metric: str, opts: AnswerOptions, *, explicit_scale: bool = True,
                 progress=None, extra_filters: Sequence[RowFilter] = ()) -> Answers:
    notes: list[str] = list(src.notes)
    warnings: list[str] = []
    table = src.table
    if opts.max_invalid is not None and not 0.0 <= opts.max_invalid <= 1.0:
        raise UsageError("--max-invalid takes a share between 0 and 1, e.g. 0.1")
    bag = table.delimiter == "whitespace" and opts.column is None and not opts.by and opts.period is None
    col = None
    if not bag:
        col = src.column(opts.column, defaults=NAMES, words=WORDS.get(metric, ()), what="column",
                         notes=notes if opts.column is None else None)
    column_label = src.label(col) if col is not None else "values"

    # labels
    choice = None
    if col is not None:
        choice = L.choose(src.distinct(col), scale_size=scale.high - scale.low + 1, user=opts.user_map,
                          column=f"column {column_label!r}")
    if choice is not None and choice.label_set is not None:
        size = choice.label_set.size
        if size != scale.high - scale.low + 1 or scale.low != 1:
            if explicit_scale or metric == "nps":
                name = choice.label_set.name
                other = "csat" if ("satisf" in name or "Good/Bad" in name) else "ces" if "ease" in name else None
                if metric == "nps":
                    hint = "NPS needs 0-10 answers: choose the likelihood-to-recommend column with -c"
                    if other:
                        hint = f"for {other.upper()}: cxterms {other} {src.name} -c {column_label!r}; " + hint
                else:
                    hint = f"pass --scale 1-{size}"
                raise DataError(f"column {column_label!r} holds {name} labels, not answers on the {scale} scale",
                                file=src.name, hint=hint)
            scale = Scale(1, size)
            notes.append(f"scale set to {scale} by the labels")
        notes.append(f"answers in column {column_label!r} read as labels: {choice.describe()}")
    elif choice is not None:
        notes.append(f"answers in column {column_label!r} read with your labels ({len(choice.mapping)})")
    decimal_comma = table.delimiter not in (",", None)
    base = make_parser(scale, decimal_comma=decimal_comma)
    parse = L.make_reader(base, choice)

    # dates of the period column, and --from/--to
    filters: list[RowFilter] = list(extra_filters)
    date_parser = opts.date_format
    pspec = _spec(src, opts.period, "--period column")
    date_col = int(pspec) - 1 if pspec else None
    if (opts.date_from or opts.date_to) and date_col is None:
        for name in src.layout.date_hint + ("date", "submitted", "created_at", "timestamp", "created at", "submit date (utc)"):
            hit = src.match(name)
            if hit is not None:
                date_col = hit
                notes.append(f"--from/--to apply to column {src.label(hit)!r}")
                break
        if date_col is None:
            raise UsageError("--from/--to need a date column: give --period COLUMN", hint=f"columns: {src.columns_text()}")
    if date_col is not None:
        dlabel = f"date column {src.label(date_col)!r}"
        cells = [r[date_col] for r in src.sample if date_col < len(r)]
        date_parser, dnote = D.make_parser(cells, date_format=opts.date_format, dayfirst=opts.dayfirst, tz=opts.tz,
                                           column=dlabel, source=src.name, serials=src.kind in ("xlsx", "xls", "ods"))
        if dnote:
            notes.append(dnote)
    if opts.date_from or opts.date_to:
        lo = _day(opts.date_from, "--from") if opts.date_from else None
        hi = _day(opts.date_to, "--to") if opts.date_to else None
        fn = date_parser

        def keep(cell: str, lo=lo, hi=hi, fn=fn) -> bool:
            try:
                d = fn(cell)
            except (ValueError, OverflowError):
                return False
            return (lo is None or d >= lo) and (hi is None or d <= hi)

        filters.append(RowFilter(str(date_col + 1), keep, "outside --from/--to"))
    for w in opts.where:
        wh = F.parse_where(w)
        filters.append(RowFilter(str(src.column(wh.column, what="--where column") + 1), wh.keep(), f"--where {w}"))

    # the parse wrapper records answers outside the scale (for the fit checks)
    outside: set[int] = set()

    def parse_rec(cell: str) -> int:
        try:
            return parse(cell)
        except ValueError as e:
            if str(e).startswith("outside"):
                lead = L.leading_number(cell)
                try:
                    from .numbers import parse_whole
                    outside.add(lead if lead is not None else parse_whole(cell, decimal_comma=decimal_comma))
                except ValueError:
                    pass
            raise

    try:
        data = read_scores(
            table, parse_rec, column=None if col is None else str(col + 1), by=[_spec(src, b, "--by column") for b in opts.by],
            period=pspec, every=opts.every, date_format=date_parser,
            weight=_spec(src, opts.weight, "--weight column"), filters=filters, skip_invalid=True,
            progress=progress, allow_empty=True,
        )
    except DataError as e:
        e.line = src.line_of(e.line)
        raise
    data.invalid = [(src.line_of(ln), c, r) for ln, c, r in data.invalid]
    if data.filtered:
        for name, n in data.filtered.items():
            notes.append(f"{n} row{'s' * (n != 1)} left out by {name}")
    ans = Answers(data, scale, notes, warnings, labels=choice, filters=filters, source=src, parse=parse, column_index=col,
                  by_indices=tuple(int(_spec(src, b, "--by column")) - 1 for b in opts.by))
    _check_invalid(src, ans, opts, metric, outside, date_col)
    if data.overall.n == 0:
        parts = [f"{data.overall.blank} blank"] if data.overall.blank else []
        if data.invalid_total:
            parts.append(f"{data.invalid_total} invalid skipped")
        if data.filtered_out:
            parts.append(f"{data.filtered_out} filtered out")
        raise EmptyDataError(f"no valid answers in {data.source}, {data.column}" + (f" ({', '.join(parts)})" if parts else ""))
    _missing_notes(src, ans)
    _check_fit(src, ans, metric, explicit_scale)
    if data.filtered:
        ans.extra["filtered_out"] = data.filtered_out
    return ans


def _share(n: int, total: int) -> str:
    return f"{100 * n / total:.0f}%" if total else "0%"


def _check_invalid(src: Source, ans: Answers, opts: AnswerOptions, metric: str, outside: set[int], date_col) -> None:
    data = ans.data
    bad = data.invalid_total
    if not bad:
        return
    date_bad = [x for x in data.invalid if "date" in x[2]]
    if date_bad and date_col is not None:
        ln, cell, _why = date_bad[0]
        what = f"{cell[:80]!r} is not a date" if cell.strip() else "the date is blank (the answer has no period)"
        raise DataError(
            f"date column {src.label(date_col)!r}: {what}", file=src.name, line=ln,
            hint="give its format with --date-format (e.g. %d.%m.%Y %H:%M), or --dayfirst/--monthfirst",
        )
    nonblank = data.overall.n + bad
    scale = ans.scale
    # answers of another metric's scale: 0-10 given to csat/ces
    if metric in ("csat", "ces") and outside and min(outside) >= 0 and max(outside) <= 10 and max(outside) >= 8 > scale.high:
        other = _other_column(src, ans, metric)
        raise DataError(
            f"column {data.column.removeprefix('column ')} holds answers up to {max(outside)}: 0-10 answers, "
            f"not {scale} {metric.upper()} answers",
            file=src.name,
            hint=(f"for NPS: cxterms nps {src.name} -c {data.column.removeprefix('column ')}"
                  + (f"; for {metric.upper()}: -c {other!r}" if other else "")
                  + f"; or pass --scale {scale.low}-10 if the scale really is {scale.low}-10"),
        )
    examples = "; ".join(f"line {ln}: {cell[:40]!r} ({why})" for ln, cell, why in data.invalid[:SHOWN])
    share = bad / nonblank if nonblank else 1.0
    where = data.invalid_where()
    if not opts.skip_invalid:
        more = f" (first {min(SHOWN, len(data.invalid))} shown)" if bad > SHOWN else ""
        raise DataError(
            f"{bad} invalid value{'s' * (bad != 1)} in {data.source}, {where}{more}: {examples}",
            hint="fix them, or pass --skip-invalid to leave them out (reported, and refused above 5% of the answers)",
        )
    limit = MAX_INVALID if opts.max_invalid is None else opts.max_invalid
    if share > limit:
        allow = f"allow it with --max-invalid {min(1.0, round(share + 0.005, 2))}"
        if data.answers_invalid:
            raise DataError(
                f"{_share(bad, nonblank)} of the answers in {data.column} are not {scale} answers ({bad} of {nonblank}): wrong column or scale?",
                file=src.name, hint=f"first: {examples}; {allow}",
            )
        raise DataError(
            f"{_share(bad, nonblank)} of the answered rows have an invalid cell ({bad} of {nonblank}, in {where})",
            file=src.name, hint=f"first: {examples}; {allow}",
        )
    if data.answers_invalid:
        ans.warnings.append(f"skipped {bad} invalid cell{'s' * (bad != 1)} ({_share(bad, nonblank)} of the non-blank ones) in {data.column}: {examples}")
    else:
        ans.warnings.append(f"skipped {bad} row{'s' * (bad != 1)} with an invalid cell ({_share(bad, nonblank)} of the answered rows) "
                            f"in {where}: {examples}")


def _other_column(src: Source, ans: Answers, metric: str) -> str | None:
    """A column whose sampled answers fit the metric's scale, named by one of its words."""
    import re

    header = src.table.header or []
    for w in WORDS.get(metric, ())[:3]:
        pat = re.compile(rf"\b{re.escape(w)}\b", re.I)
        for i, h in enumerate(header):
            q = src.questions[i] if i < len(src.questions) else ""
            if (pat.search(h) or pat.search(q)) and src.answer_share(i) >= 0.5:
                return h
    return None


def _missing_notes(src: Source, ans: Answers) -> None:
    m = ans.data.missing
    if not m:
        return
    parts = []
    words = {"missing": "missing-value tokens (NA, N/A, null, -...)", "asked": "asked but not answered (e.g. Offered)",
             "not asked": "never asked (e.g. Unoffered)", "declined": "declined (prefer not to say, don't know)"}
    for kind in ("missing", "asked", "not asked", "declined"):
        if m.get(kind):
            parts.append(f"{m[kind]} {words[kind]}")
    ans.notes.append(f"counted as blank in {ans.data.column}: " + ", ".join(parts))
    if m.get("asked") or m.get("not asked"):
        answered = ans.data.overall.n
        asked = answered + m.get("asked", 0)
        if asked:
            ans.extra["response_rate"] = answered / asked
            ans.extra["asked"] = asked
            ans.notes.append(f"response rate {100 * answered / asked:.1f}% ({answered} answered of {asked} asked)")


def _check_fit(src: Source, ans: Answers, metric: str, explicit_scale: bool) -> None:
    """Warn when the top half of the declared scale is never used."""
    t = ans.data.overall
    scale = ans.scale
    if t.n < 5 or not t.counts:
        return
    top = max(t.counts)
    if scale.high - scale.low >= 4 and top <= scale.midpoint:
        ans.warnings.append(
            f"no answer in {ans.data.column} is above {top} on the {scale} scale: "
            f"is the scale really {scale}? (e.g. --scale {scale.low}-{top if top > scale.low else scale.low + 1})"
            if metric != "nps" else
            f"no answer in {ans.data.column} is above {top} on the 0-10 scale: is it really an NPS question?"
        )
