"""Counts in: tallies from aggregate rows instead of one row per answer.

A counts table has one row per answer value (per group and period) with the
number of answers, and optionally the sums of the respondents' weights and
squared weights: what ``cxterms sql nps ...`` emits and any engine returns
(``SELECT score, COUNT(*) ... GROUP BY score``). ``tally_rows`` turns such
rows into the same ``ScoreData`` as reading the raw answers, so every
statistic downstream is computed from identical tallies:

* a blank score (NULL or empty) counts as blank; a score off the scale or
  not a whole number is invalid (an error unless ``skip_invalid``);
* a blank ``--by`` value is the group ``(blank)``; a period is any date in
  the period (it is moved to the period's first day);
* ``weight_invalid`` answers (blank or negative weights) are invalid;
  ``weight_sum`` / ``weight_sq_sum`` cover the others.

``read_churn_counts`` does the same for ``period,start,new,lost[,lost_new]``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from ..errors import DataError, EmptyDataError, UsageError
from ..metrics import periods as P
from ..metrics.tally import Tally
from .labels import missing_kind
from .scores import BLANK_GROUP, ScoreData

COUNT_COLUMNS = ("count", "n", "responses", "respondents", "answers")
SCORE_COLUMNS = ("score", "answer", "value", "rating", "nps", "csat", "ces", "response")
WEIGHT_SUM_COLUMNS = ("weight_sum", "sum_weight", "weights")
WEIGHT_SQ_COLUMNS = ("weight_sq_sum", "sum_weight_sq", "weights_sq")
WEIGHT_INVALID_COLUMNS = ("weight_invalid",)
EXAMPLES = 5


@dataclass
class CountRow:
    """One aggregate row; ``where`` locates it in errors (file:line) or is None."""

    group: tuple
    period: object
    score: object
    count: int
    weight_sum: float | None = None
    weight_sq_sum: float | None = None
    weight_invalid: int = 0
    where: tuple[str, int] | None = None


def _is_blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _cell_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _as_date(v, date_format: str | None) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return P.parse_date(str(v), date_format)


def tally_rows(
    rows: Iterable[CountRow],
    parse: Callable[[str], int],
    *,
    source: str,
    column: str,
    by: Sequence[str] = (),
    every: str | None = None,
    date_format: str | None = None,
    weighted: bool = False,
    weight: str | None = None,
    filtered: dict[str, int] | None = None,
    skip_invalid: bool = False,
) -> ScoreData:
    """Aggregate rows -> ScoreData, exactly as read_scores builds it from answers."""
    keyed = bool(by) or every is not None
    overall = Tally()
    cells: dict = {}
    invalid: list[tuple[str, str]] = []  # (shown cell, reason) of the first few
    rows_seen = 0
    parsed: dict = {}
    dates: dict = {}
    missing: dict[str, int] = {}

    def bad(n: int, shown, reason: str) -> None:
        overall.invalid += n
        if len(invalid) < EXAMPLES:
            invalid.append((shown, reason))

    for r in rows:
        n = int(r.count or 0)
        if n < 0:
            raise DataError(f"count {n} is negative", **_loc(r))
        if n == 0:
            continue
        rows_seen += n
        where = None
        if keyed:
            group = tuple(BLANK_GROUP if _is_blank(v) else _cell_text(v).strip() or BLANK_GROUP for v in r.group)
            when = None
            if every is not None:
                if _is_blank(r.period):
                    if _is_blank(r.score):
                        overall.blank += n  # no answer and no date: nothing to place
                    else:
                        bad(n, "", "no date")
                    continue
                key = r.period
                when = dates.get(key)
                if when is None:
                    try:
                        when = P.period_start(_as_date(key, date_format), every)
                    except (ValueError, OverflowError):
                        when = "not a date"
                    dates[key] = when
                if isinstance(when, str):
                    if _is_blank(r.score):
                        overall.blank += n
                    else:
                        bad(n, str(key), when)
                    continue
            where = (group, when)
        if _is_blank(r.score):
            targets = [overall] if where is None else [overall, cells.setdefault(where, Tally())]
            for t in targets:
                t.blank += n
            continue
        text = _cell_text(r.score)
        got = parsed.get(text)
        if got is None:
            kind = missing_kind(text)  # NA, N/A, null...: blanks in disguise, as for files
            if kind is not None:
                got = ("missing", kind)
            else:
                try:
                    got = parse(text)
                except ValueError as e:
                    got = str(e)
            parsed[text] = got
        if isinstance(got, tuple):
            targets = [overall] if where is None else [overall, cells.setdefault(where, Tally())]
            for t in targets:
                t.blank += n
            missing[got[1]] = missing.get(got[1], 0) + n
            continue
        if isinstance(got, str):
            bad(n, text, got)
            continue
        targets = [overall] if where is None else [overall, cells.setdefault(where, Tally())]
        if weighted:
            wbad = int(r.weight_invalid or 0)
            if wbad:
                bad(wbad, text, "blank or negative weight")
            ok = n - wbad
            ws, wq = float(r.weight_sum or 0.0), float(r.weight_sq_sum or 0.0)
            if not (math.isfinite(ws) and math.isfinite(wq)) or ws < 0 or wq < 0 or ok < 0:
                raise DataError(f"weight sums {ws:g}, {wq:g} are not valid for {n} answers", **_loc(r))
            for t in targets:
                t.add_weighted(got, ok, ws, wq)
        else:
            for t in targets:
                t.add(got, n)

    data = ScoreData(
        source, column, overall, by=tuple(by), cells=cells if keyed else None, every=every,
        invalid=[], rows=rows_seen, filtered=dict(filtered or {}), weight=weight,
    )
    if missing and hasattr(data, "missing"):
        data.missing = missing
    if overall.invalid and not skip_invalid:
        shown = "; ".join(f"{cell!r} ({why})" for cell, why in invalid)
        k = overall.invalid
        raise DataError(
            f"{k} invalid value{'s' * (k != 1)} in {source}, {column}: {shown}",
            hint="fix them, or pass --skip-invalid to leave them out (they are then counted as 'invalid')",
        )
    if overall.n == 0:
        parts = [f"{overall.blank} blank"] if overall.blank else []
        if overall.invalid:
            parts.append(f"{overall.invalid} invalid skipped")
        if data.filtered_out:
            parts.append(f"{data.filtered_out} filtered out")
        detail = f" ({', '.join(parts)})" if parts else ""
        raise EmptyDataError(f"no valid answers in {source}, {column}{detail}")
    return data


def _loc(r: CountRow) -> dict:
    return {"file": r.where[0], "line": r.where[1]} if r.where else {}


def _number(table, line: int, row: list[str], col: int | None, what: str, *, whole: bool):
    if col is None:
        return None
    text = row[col].strip() if col < len(row) else ""
    if not text:
        return 0 if whole else None
    try:
        x = float(text)
    except ValueError:
        x = math.nan
    if not math.isfinite(x) or x < 0 or (whole and not x.is_integer()):
        kind = "a whole number of answers" if whole else "a non-negative number"
        raise DataError(f"{what} {text!r} is not {kind}", file=table.name, line=line, column=col + 1)
    return int(x) if whole else x


def _optional_column(table, spec: str | None, defaults: Sequence[str], what: str) -> int | None:
    if spec is not None:
        return table.column(spec, what=what)
    names = {h.casefold(): i for i, h in enumerate(table.header or ())}
    return next((names[d] for d in defaults if d in names), None)


def read_counts(
    table,
    parse: Callable[[str], int],
    *,
    column: str | None = None,
    count: str | None = None,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    every: str = "month",
    date_format: str | None = None,
    weight_sum: str | None = None,
    weight_sq_sum: str | None = None,
    skip_invalid: bool = False,
) -> ScoreData:
    """Read a counts table (header required): score and count columns, the
    ``by`` and ``period`` columns, and weight sums when present."""
    if not table.header:
        raise UsageError("--counts needs a header row naming the score and count columns",
                         hint="e.g. score,count (and weight_sum,weight_sq_sum for weighted counts)")
    bys = (by,) if isinstance(by, str) else tuple(by or ())
    scol = _optional_column(table, column, SCORE_COLUMNS, "score column")
    ccol = _optional_column(table, count, COUNT_COLUMNS, "count column")
    if scol is None or ccol is None:
        missing = "score" if scol is None else "count"
        raise UsageError(f"no {missing} column in {table.name}",
                         hint=f"name it with --{'column' if missing == 'score' else 'count-column'}; columns: {table.columns_text()}")
    gcols = tuple(table.column(b, what="--by column") for b in bys)
    pcol = table.column(period, what="--period column") if period is not None else None
    if pcol is not None:
        P.check_every(every)
    wcol = _optional_column(table, weight_sum, WEIGHT_SUM_COLUMNS, "weight-sum column")
    qcol = _optional_column(table, weight_sq_sum, WEIGHT_SQ_COLUMNS, "weight-square-sum column")
    icol = _optional_column(table, None, WEIGHT_INVALID_COLUMNS, "weight_invalid column")
    if (wcol is None) != (qcol is None):
        raise UsageError("weighted counts need both weight_sum and weight_sq_sum columns",
                         hint=f"columns: {table.columns_text()}")
    weighted = wcol is not None

    def cell(row, i):
        return row[i] if i < len(row) else ""

    def rows():
        for line, row in table.rows():
            if not any(c.strip() for c in row):
                continue
            yield CountRow(
                group=tuple(cell(row, g) for g in gcols),
                period=cell(row, pcol) if pcol is not None else None,
                score=cell(row, scol),
                count=_number(table, line, row, ccol, "count", whole=True),
                weight_sum=_number(table, line, row, wcol, "weight_sum", whole=False),
                weight_sq_sum=_number(table, line, row, qcol, "weight_sq_sum", whole=False),
                weight_invalid=_number(table, line, row, icol, "weight_invalid", whole=True) or 0,
                where=(table.name, line),
            )

    label = f"column {table.column_label(scol)!r}"
    return tally_rows(
        rows(), parse, source=table.name, column=label,
        by=tuple(table.column_label(c) for c in gcols), every=every if pcol is not None else None,
        date_format=date_format, weighted=weighted, weight=table.column_label(wcol) if weighted else None,
        skip_invalid=skip_invalid,
    )


# -- churn -----------------------------------------------------------------------

def churn_counter(rows: Iterable[tuple], every: str, *, source: str, date_format: str | None = None):
    """A CustomerCounter from ``(period, start, new, lost, lost_new, where)``
    rows, checking that each period starts with the customers the one
    before ended with."""
    from ..metrics.churn import CustomerCounter

    counter = CustomerCounter(every)
    expected = None
    first = None
    last_end = None
    seen: set = set()
    for period, start, new, lost, lost_new, where in sorted(rows, key=lambda r: r[0]):
        loc = {"file": where[0], "line": where[1]} if where else {}
        if period in seen:
            raise DataError(f"period {period} appears twice (are the counts per shorter periods than --every {every}?)", **loc,
                            hint="give --every the period length the counts were made with")
        seen.add(period)
        if expected is not None and start != expected:
            raise DataError(f"{start} customers at the start of {period}, but the periods before end with {expected}", **loc)
        if first is None:
            first = period
            if start:
                # customers from before the first period: counted as joining just before it
                before = P.period_start(first.fromordinal(first.toordinal() - 1), every)
                counter.new[before] = start
                counter.customers += start
                counter.carried_in = start
        counter.new[period] = counter.new.get(period, 0) + new
        counter.ended[period] = lost + lost_new
        counter.ended_new[period] = lost_new
        counter.customers += new
        expected = start + new - lost - lost_new
        if expected < 0:
            raise DataError(f"more customers lost than there were in {period}", **loc)
        last_end = period
    if first is None:
        raise DataError(f"no periods in {source}")
    counter.first, counter.last = first, last_end
    return counter


def read_churn_counts(table, every: str, date_format: str | None = None):
    """``period,start,new,lost[,lost_new]`` (header names, any order)."""
    if not table.header:
        raise UsageError("churn --counts needs a header: period,start,new,lost[,lost_new]")
    P.check_every(every)
    cols = {}
    for name in ("period", "start", "new", "lost"):
        cols[name] = table.column(name, what=f"{name} column")
    lost_new = _optional_column(table, None, ("lost_new",), "lost_new column")

    def rows():
        for line, row in table.rows():
            if not any(c.strip() for c in row):
                continue
            text = row[cols["period"]].strip() if cols["period"] < len(row) else ""
            try:
                p = P.period_start(P.parse_date(text, date_format), every)
            except ValueError:
                raise DataError(f"period {text!r} is not a date", file=table.name, line=line, column=cols["period"] + 1) from None
            nums = [_number(table, line, row, cols[k], k, whole=True) for k in ("start", "new", "lost")]
            ln = _number(table, line, row, lost_new, "lost_new", whole=True) if lost_new is not None else 0
            yield (p, *nums, ln, (table.name, line))

    return churn_counter(list(rows()), every, source=table.name, date_format=date_format)
