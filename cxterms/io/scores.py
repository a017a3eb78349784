"""Stream a score column into tallies: overall, per group (``--by``) or per
period (``--period``).

Rows are read in chunks; each chunk's cells are counted with ``Counter``
(C speed) and every *distinct* cell is classified once (a number on the
scale, blank, or invalid with a reason). Memory holds one chunk plus one
tally per group or period, whatever the number of rows. Line numbers of
invalid cells are looked up only for the first few, to name them in the
error.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Sequence as SequenceABC
from dataclasses import dataclass, field
from datetime import date

from ..errors import CxtermsError, DataError, EmptyDataError
from ..metrics import periods as P
from ..metrics.scales import Scale
from ..metrics.tally import Tally, TallyTable
from . import shown
from .labels import Missing
from .table import WHITESPACE, Table

CHUNK = 1 << 16
PARALLEL_BYTES = 8 << 20  # files this big are read by several processes
EXAMPLES = 5
BLANK_GROUP = "(blank)"
SCORE_COLUMNS = ("score", "rating", "nps", "csat", "ces", "response", "recommend", "likely")


def make_parser(scale: Scale, *, decimal_comma: bool = False) -> Callable[[str], int]:
    """Parse one cell into an answer on ``scale``; ValueError says why not.

    >>> p = make_parser(Scale(0, 10), decimal_comma=True)
    >>> p(" 9 "), p("10.0"), p("7,0")
    (9, 10, 7)
    >>> for bad in ("ten", "11", "7.5", "nan", "1_0", "1e1", "8.99999999999999999"):
    ...     try:
    ...         p(bad)
    ...     except ValueError as e:
    ...         print(bad, "->", e)
    ten -> not a number
    11 -> outside the 0-10 scale
    7.5 -> not a whole number
    nan -> not a number
    1_0 -> not a number
    1e1 -> not a number
    8.99999999999999999 -> not a whole number
    """

    from .numbers import parse_whole

    def parse(text: str) -> int:
        value = parse_whole(text, decimal_comma=decimal_comma)  # exact: no float rounding
        if not scale.low <= value <= scale.high:
            raise ValueError(f"outside the {scale} scale")
        return value

    return parse


GroupKey = tuple[str, ...]
CellKey = tuple[GroupKey, "date | None"]


@dataclass
class RowFilter:
    """Keep a row only when ``keep(cell)`` is true for the cell of ``column``.

    ``column`` is a header name or 1-based number, resolved like ``--column``;
    ``name`` labels the rows left out in ``ScoreData.filtered`` (``--where
    region=North``, ``Qualtrics preview``...). ``keep`` must be a pure
    function of the cell text: it is called once per distinct cell.
    """

    column: str
    keep: Callable[[str], bool]
    name: str


@dataclass
class ScoreData:
    """What reading a score column produced.

    ``cells`` holds one tally per (group, period) pair when ``--by`` or
    ``--period`` was given: the group is a tuple with one value per ``--by``
    column (``()`` without ``--by``), the period is the start date of the
    period (``None`` without ``--period``). ``groups()`` and ``periods()`` sum
    them over the other dimension; ``table()`` lists every pair in display
    order, with the periods that had no answers filled in.
    """

    source: str
    column: str
    overall: Tally = field(default_factory=Tally)
    by: tuple[str, ...] = ()
    cells: dict | None = None
    every: str | None = None
    invalid: list[tuple[int, str, str]] = field(default_factory=list)  # first few: line, cell, reason
    rows: int = 0
    filtered: dict[str, int] = field(default_factory=dict)  # rows left out, per filter name
    missing: dict[str, int] = field(default_factory=dict)  # blanks in disguise (NA, Offered...), per kind
    weight: str | None = None  # label of the weight column
    invalid_columns: dict[str, int] = field(default_factory=dict)  # invalid cells per column label

    def invalid_where(self) -> str:
        """The column(s) holding the invalid cells: "column 'score'", or
        "column 'w' (2) and column 'score' (1)" when there are several.

        >>> ScoreData("f.csv", "column 'score'").invalid_where()
        "column 'score'"
        >>> ScoreData("f.csv", "column 'score'", invalid_columns={"column 'w'": 2, "column 'score'": 1}).invalid_where()
        "column 'w' (2) and column 'score' (1)"
        """
        cols = [(k, v) for k, v in self.invalid_columns.items() if v]
        if len(cols) <= 1:
            return cols[0][0] if cols else self.column
        cols.sort(key=lambda kv: -kv[1])
        return " and ".join(f"{k} ({v:,})" for k, v in cols)

    @property
    def answers_invalid(self) -> bool:
        """Whether every invalid cell is an answer (not a weight or a date)."""
        return all(k == self.column for k, v in self.invalid_columns.items() if v)

    @property
    def grouped(self) -> bool:
        return bool(self.by)

    @property
    def dated(self) -> bool:
        return self.every is not None

    @property
    def filtered_out(self) -> int:
        return sum(self.filtered.values())

    @property
    def invalid_total(self) -> int:
        return self.overall.invalid

    def groups(self) -> dict[GroupKey, Tally]:
        """Tally per group (summed over periods), in display order."""
        out: dict[GroupKey, Tally] = {}
        for (g, _p), t in (self.cells or {}).items():
            if g in out:
                out[g] += t
            else:
                out[g] = t.copy()
        return {g: out[g] for g in sorted(out, key=group_sort_key)}

    def period_starts(self) -> list[date]:
        """Every period start from the first to the last period seen, gaps included."""
        seen = sorted({p for (_g, p) in (self.cells or {}) if p is not None})
        if not seen or self.every is None:
            return []
        return P.span(seen[0], seen[-1], self.every)

    def periods(self) -> dict[date, Tally]:
        """Tally per period (summed over groups), periods without answers included."""
        out: dict[date, Tally] = {p: Tally() for p in self.period_starts()}
        for (_g, p), t in (self.cells or {}).items():
            if p is not None:
                out[p] += t
        return out

    def table(self) -> Sequence[tuple[GroupKey, date | None, Tally]]:
        """Every (group, period, tally) in display order: groups by name, then
        periods in time order; each group gets every period of the span.
        A lazy sequence: with a million groups the tallies are made one at a time."""
        cells = self.cells or {}
        # computed now, not on the first row: a span that is too long is an
        # error before any output is written
        starts: list = self.period_starts() if self.dated else [None]
        groups = sorted({g for (g, _p) in cells}, key=group_sort_key) if self.grouped else [()]
        return _TableView(cells, groups, starts)

    def invalid_error(self) -> DataError:
        listed = "; ".join(f"line {ln}: {shown(cell)} ({why})" for ln, cell, why in self.invalid)
        n = self.invalid_total
        more = f" (first {len(self.invalid)} shown)" if n > len(self.invalid) else ""
        return DataError(
            f"{n} invalid value{'s' * (n != 1)} in {self.source}, {self.invalid_where()}{more}: {listed}",
            hint="fix them, or pass --skip-invalid to leave them out (they are then counted as 'invalid')",
        )


class _TableView(SequenceABC):
    """``ScoreData.table()``: every (group, period, tally) in display order,
    as a sequence whose tallies are made when an item is read, so a million
    groups never hold a Tally object each."""

    def __init__(self, cells, groups: list, starts: list) -> None:
        self._cells, self._groups, self._starts = cells, groups, starts

    def __len__(self) -> int:
        return len(self._groups) * len(self._starts)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        g, p = self._groups[i // len(self._starts)], self._starts[i % len(self._starts)]
        return g, p, (self._cells[(g, p)] if (g, p) in self._cells else Tally())

    def __iter__(self):
        cells = self._cells
        for g in self._groups:
            for p in self._starts:
                yield g, p, (cells[(g, p)] if (g, p) in cells else Tally())


def group_label(group: GroupKey) -> str:
    """Display label of a group: its values joined by " / ".

    >>> group_label(("North", "Pro")), group_label(("South",))
    ('North / Pro', 'South')
    """
    return " / ".join(group)


def group_sort_key(group: GroupKey) -> tuple:
    """Groups by name whatever the case, then by exact spelling: "North" and
    "north" come in one order, whatever order the rows (or a set) gave them."""
    return tuple((v.casefold(), v) for v in group)


_JOB: tuple | None = None  # (table, cols, counter factory, progress slots) for forked workers


def _work(span: tuple[int, int, int]) -> tuple:
    """Count one byte range of a big file (in a worker process). Lines are
    numbered from 1 in the range; the parent shifts them."""
    table, cols, make, done = _JOB
    counter = make()
    stats: dict = {}
    start, end, slot = span
    handle: list = [None]
    try:
        for keys, first, where in table.slice_cells(start, end, cols, stats, handle):
            counter.flush(keys, where if where is not None else range(first, first + len(keys)))
            if done is not None:
                done[slot] = handle[0].tell() - start
    except CxtermsError as e:
        return None, e, stats
    return counter.state(), None, stats


def _worker(span: tuple[int, int, int], conn) -> None:
    """A worker process: count ``span`` and send the result to the parent.
    Ctrl-C is the parent's to handle (the terminal sends it to the whole
    process group); SIGTERM (from the parent stopping the workers, or from
    anyone) ends the worker at once, without a traceback. Both signals were
    blocked by the parent around the fork, so none can arrive before this."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        result = _work(span)
    except Exception as e:  # a bug: reported by the parent as an internal error, in one line
        result = (None, RuntimeError(f"in a reading process: {type(e).__name__}: {e}"), {})
    try:
        conn.send(result)
    except OSError:  # the parent is gone
        pass
    finally:
        conn.close()


class _Terminated(BaseException):
    """SIGTERM arrived while workers were reading (they are stopped first)."""


def _run_workers(ctx, spans, progress, done) -> list:
    """Run ``_work`` over the spans, one forked process each, and collect
    the results in order. Ctrl-C (KeyboardInterrupt) and SIGTERM (turned into
    ``_Terminated`` here) stop the workers before they propagate; a worker
    that dies without a result (killed) is an error, never a hang."""
    import signal
    from multiprocessing.connection import wait

    def on_term(signum, frame):
        raise _Terminated()

    procs: list = []
    old_term = signal.signal(signal.SIGTERM, on_term)
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        conns = {}
        for i, (a, b) in enumerate(spans):
            reader, writer = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_worker, args=((a, b, i), writer), daemon=True)
            procs.append(proc)
            proc.start()
            writer.close()
            conns[reader] = i
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)  # a pending Ctrl-C or SIGTERM arrives here
        results: list = [None] * len(spans)
        while conns:
            for reader in wait(list(conns), timeout=0.1):
                i = conns.pop(reader)
                try:
                    results[i] = reader.recv()
                except EOFError:
                    procs[i].join()
                    code = procs[i].exitcode
                    why = f"was killed by signal {-code}" if code is not None and code < 0 else "ended without a result"
                    raise DataError(f"a process reading part of the file {why}") from None
                finally:
                    reader.close()
            if progress is not None:
                progress(spans[0][0] + sum(done))
        return results
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
        for proc in procs:
            if proc.exitcode is None:
                proc.terminate()
        for proc in procs:
            proc.join()
        signal.signal(signal.SIGTERM, old_term)


def _parallel(table: Table, cols: tuple[int, ...], counter: _Counter, spans, progress) -> bool:
    """Count the ranges in worker processes and merge; False when a cut fell
    inside a quoted field (the caller then reads the file in one pass).

    Each worker reads its range as if it began at a record start. The first
    range does; if it also ends outside quotes, the second range begins at a
    record start too, and so on: the split is right when every range but the
    last ended outside quotes (by the csv module's rules, which the reader
    follows). An error in a range counts only when the ranges before it
    were read right. A quote left open at the end of the file also sends the
    caller to the single pass, which reports it."""
    import multiprocessing
    import os
    import signal

    global _JOB
    ctx = multiprocessing.get_context("fork")
    done = ctx.Array("q", len(spans), lock=False) if progress is not None else None
    _JOB = (table, cols, counter.fresh, done)
    try:
        results = _run_workers(ctx, spans, progress, done)
    except _Terminated:
        # the workers are stopped: end as SIGTERM would have ended us
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        raise KeyboardInterrupt from None  # not reached
    finally:
        _JOB = None
    parts = _combine(results, table.header_line if table.header is not None else 0)
    if parts is None:
        return False
    for (overall, cells, filtered, invalid, rows, missing, kinds), shift in parts:
        counter.merge((overall, cells, filtered, [(ln + shift, c, r) for ln, c, r in invalid], rows, missing, kinds))
    return True


def _combine(results: list, offset: int) -> list | None:
    """``(state, line shift)`` per range from the workers' ``(state, error,
    stats)``, in file order; None when the split was wrong (a range ended
    inside quotes). Raises the first error of a range whose start was right;
    ``offset`` is the line before the first range."""
    parts = []
    for state, err, stats in results:
        if err is not None:
            if getattr(err, "line", None) is not None:
                err.line += offset
            raise err
        if not stats.get("clean"):  # a cut inside quotes, or a quote left open at the end
            return None
        parts.append((state, offset))
        offset += stats["lines"]
    return parts


def _count_cells(table: Table, cols: tuple[int, ...], counter: _Counter, workers: int | None, progress=None) -> None:
    """Feed every chunk of cells to ``counter``; big files in parallel.
    ``progress(bytes_read)`` is called as reading advances."""
    import gc
    import os

    n = workers if workers is not None else min(os.cpu_count() or 1, 4)
    spans = table.byte_ranges(n, PARALLEL_BYTES if workers is None else 0) if n > 1 else None
    gc_was = gc.isenabled()
    gc.disable()  # millions of short-lived lists and tuples: collection only costs time here
    try:
        if spans and _parallel(table, cols, counter, spans, progress):
            return
        for keys, first, where in table.cells(cols):
            counter.flush(keys, where if where is not None else range(first, first + len(keys)))
            if progress is not None:
                progress(table.bytes_read())
    finally:
        if gc_was:
            gc.enable()


class _Counter:
    """Classifies chunks of cells into tallies; one per process when a big
    file is read in parallel, merged at the end.

    A key is the score cell alone, or a tuple laid out as ``layout`` says:
    the score cell, then one cell per --by column, the period cell, the
    weight cell and one cell per row filter (those present)."""

    def __init__(self, parse, *, nby: int = 0, dated: bool = False, weighted: bool = False,
                 filters: tuple = (), every: str = "month", date_format: str | None = None) -> None:
        self.parse = parse
        self.nby = nby
        self.dated = dated
        self.weighted = weighted
        self.filters = filters  # (name, keep) pairs
        self.every = every
        self.date_format = date_format
        self.multi = bool(nby or dated or weighted or filters)
        self.keyed = bool(nby or dated)  # tallies per (group, period)
        self.cache: dict = {}
        self.dates: dict[str, date | str] = {}
        self.keep_cache: list[dict] = [{} for _ in filters]
        self.overall = Tally()
        # one compact column store, not a Tally per (group, period): a group
        # costs about a hundred bytes, so a million groups fit in memory
        self.cells: TallyTable = TallyTable(weighted=weighted)
        self.filtered: dict[str, int] = {}
        self.missing: dict[str, int] = {}
        self.invalid: list[tuple[int, str, str]] = []
        self.invalid_kinds: dict[str, int] = {}  # "answer", "weight", "date": invalid cells of each
        self.rows = 0

    def value_class(self, cell: str) -> tuple[str, object]:
        if not cell.strip():
            return "blank", None
        try:
            return "ok", self.parse(cell)
        except Missing as e:  # NA, N/A, Offered...: a blank, counted by kind
            return "blank", e.kind
        except ValueError as e:
            return "invalid", str(e)

    def period_of(self, cell: str) -> date | str:
        got = self.dates.get(cell)
        if got is None:
            if not cell.strip():
                got = "no date"
            else:
                try:
                    fmt = self.date_format
                    day = fmt(cell) if callable(fmt) else P.parse_date(cell, fmt)
                    got = P.period_start(day, self.every)
                except (ValueError, OverflowError):
                    got = f"not a date in the format {self.date_format}" if isinstance(self.date_format, str) else "not a date"
            if len(self.dates) < 100_000:
                self.dates[cell] = got
        return got

    def weight_of(self, cell: str) -> float | str:
        t = cell.strip()
        if not t:
            return "blank weight"
        try:
            w = float(t)
        except ValueError:
            return "weight is not a number"
        if not math.isfinite(w):
            return "weight is not a number"
        if w < 0:
            return "negative weight"
        return w

    def kept(self, i: int, cell: str) -> bool:
        cache = self.keep_cache[i]
        got = cache.get(cell)
        if got is None:
            got = bool(self.filters[i][1](cell))
            if len(cache) < 100_000:
                cache[cell] = got
        return got

    # A key classifies as ("ok", (answer, weight), where) | ("blank", missing kind or None, where)
    # | ("invalid", reason, (shown, cell kind)) | ("filtered", name, None); ``where`` is the
    # (group, period) pair or None, ``shown`` the cell to quote in the error and
    # the cell kind "answer", "date" or "weight" (the column it is counted against).
    def classify(self, key) -> tuple[str, object, object]:
        got = self.cache.get(key)
        if got is not None:
            return got
        got = self._classify(key)
        if len(self.cache) > 200_000:  # unique junk must not grow memory with the rows
            self.cache.clear()
        self.cache[key] = got
        return got

    def _classify(self, key) -> tuple[str, object, object]:
        if not self.multi:
            kind, payload = self.value_class(key)
            if kind == "ok":
                return (kind, (payload, None), None)
            return (kind, payload, (key, "answer") if kind == "invalid" else None)
        cell = key[0]
        i = 1 + self.nby
        group = tuple(v.strip() or BLANK_GROUP for v in key[1:i])
        when = None
        if self.dated:
            when_cell, i = key[i], i + 1
        if self.weighted:
            weight_cell, i = key[i], i + 1
        for j, (name, _keep) in enumerate(self.filters):
            if not self.kept(j, key[i + j]):
                return ("filtered", name, None)
        kind, payload = self.value_class(cell)
        if kind == "invalid":
            return (kind, payload, (cell, "answer"))
        if self.dated:
            when = self.period_of(when_cell)
            if not isinstance(when, date):
                if kind == "blank":
                    return ("blank", payload, None)  # no answer and no date: nothing to place
                return ("invalid", when, (when_cell, "date"))
        where = (group, when) if self.keyed else None
        if kind == "blank":
            return ("blank", payload, where)
        weight = None
        if self.weighted:
            weight = self.weight_of(weight_cell)
            if isinstance(weight, str):
                return ("invalid", weight, (weight_cell, "weight"))
        return ("ok", (payload, weight), where)

    def flush(self, keys: list, lines) -> None:
        """Count one chunk; ``lines[i]`` is the line of ``keys[i]``."""
        self.rows += len(keys)
        cells = self.cells
        bad: dict = {}
        for key, count in Counter(keys).items():
            kind, payload, where = self.classify(key)
            if kind == "ok":
                answer, weight = payload
                if weight is None:
                    self.overall.add(answer, count)
                    if where is not None:
                        cells.add(where, answer, count)
                else:
                    ws, wq = weight * count, weight * weight * count
                    self.overall.add_weighted(answer, count, ws, wq)
                    if where is not None:
                        cells.add_weighted(where, answer, count, ws, wq)
            elif kind == "blank":
                self.overall.blank += count
                if where is not None:
                    cells.add_blank(where, count)
                if payload is not None:
                    self.missing[payload] = self.missing.get(payload, 0) + count
            elif kind == "filtered":
                self.filtered[payload] = self.filtered.get(payload, 0) + count
            else:
                self.overall.invalid += count
                shown, what = where
                bad[key] = (payload, shown)
                self.invalid_kinds[what] = self.invalid_kinds.get(what, 0) + count
        if bad and len(self.invalid) < EXAMPLES:
            for i, key in enumerate(keys):
                if key in bad:
                    reason, shown = bad[key]
                    self.invalid.append((lines[i], shown, reason))
                    if len(self.invalid) >= EXAMPLES:
                        break

    def fresh(self) -> _Counter:
        """An empty counter with the same settings (for a worker)."""
        return _Counter(self.parse, nby=self.nby, dated=self.dated, weighted=self.weighted, filters=self.filters,
                        every=self.every, date_format=self.date_format)

    def state(self) -> tuple:
        return self.overall, self.cells, self.filtered, self.invalid, self.rows, self.missing, self.invalid_kinds

    def merge(self, state: tuple) -> None:
        overall, cells, filtered, invalid, rows, missing, kinds = state
        for k, v in missing.items():
            self.missing[k] = self.missing.get(k, 0) + v
        for k, v in kinds.items():
            self.invalid_kinds[k] = self.invalid_kinds.get(k, 0) + v
        self.overall += overall
        if not self.cells and isinstance(cells, TallyTable):
            self.cells = cells  # the first share: adopt it instead of copying a million groups
        else:
            self.cells.merge(cells)
        for k, v in filtered.items():
            self.filtered[k] = self.filtered.get(k, 0) + v
        self.invalid = sorted(self.invalid + invalid)[:EXAMPLES]
        self.rows += rows


def read_scores(
    table: Table,
    parse: Callable[[str], int],
    *,
    column: str | None = None,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    every: str = "month",
    date_format: str | None = None,
    weight: str | None = None,
    filters: Sequence[RowFilter] = (),
    skip_invalid: bool = False,
    defaults: tuple[str, ...] = SCORE_COLUMNS,
    workers: int | None = None,
    progress=None,
    allow_empty: bool = False,
) -> ScoreData:
    """Read the score column of ``table`` into tallies: overall, and per
    (group, period) with ``by`` (one or several columns) and ``period``.

    ``weight`` names a column of non-negative weights: the tallies then keep
    weight sums (blank, negative or non-numeric weights are invalid cells).
    Rows that a ``filters`` entry rejects are left out and counted per filter
    in ``ScoreData.filtered``.

    Big files are split at record boundaries and read by ``workers``
    processes (default: one per CPU, at most 4, for files of PARALLEL_BYTES
    or more); the result is the same as reading them in one pass.
    ``progress(bytes_read)``, when given, is called as reading advances
    (the caller draws the bar: this module never prints).

    Raises DataError naming the first invalid cells (unless
    ``skip_invalid``) and EmptyDataError when no valid answer is left.
    """
    bys = (by,) if isinstance(by, str) else tuple(by or ())
    bag = table.delimiter == WHITESPACE and column is None and not bys and period is None and weight is None and not filters
    if bag:
        col, label = -1, "values"
    else:
        col = table.column(column, defaults=defaults)
        label = f"column {table.column_label(col)!r}" if table.header else f"column {col + 1}"
    gcols = tuple(table.column(b, what="--by column") for b in bys)
    pcol = table.column(period, what="--period column") if period is not None else None
    wcol = table.column(weight, what="--weight column") if weight is not None else None
    fcols = tuple(table.column(f.column, what="column") for f in filters)
    if pcol is not None:
        P.check_every(every)
    counter = _Counter(
        parse, nby=len(gcols), dated=pcol is not None, weighted=wcol is not None,
        filters=tuple((f.name, f.keep) for f in filters), every=every, date_format=date_format,
    )

    if bag:
        keys: list = []
        lines: list[int] = []
        for line, row in table.rows():
            for cell in row:
                keys.append(cell)
                lines.append(line)
            if len(keys) >= CHUNK:
                counter.flush(keys, lines)
                keys, lines = [], []
        if keys:
            counter.flush(keys, lines)
    else:
        cols = (col, *gcols, *((pcol,) if pcol is not None else ()), *((wcol,) if wcol is not None else ()), *fcols)
        _count_cells(table, cols, counter, workers, progress)

    data = ScoreData(
        table.name, label, counter.overall,
        by=tuple(table.column_label(c) if table.header else f"column {c + 1}" for c in gcols),
        cells=counter.cells if counter.keyed else None,
        every=every if pcol is not None else None,
        invalid=counter.invalid, rows=counter.rows, filtered=counter.filtered, missing=counter.missing,
        weight=(table.column_label(wcol) if table.header else f"column {wcol + 1}") if wcol is not None else None,
    )
    names = {"answer": label}
    if wcol is not None:
        names["weight"] = f"column {table.column_label(wcol)!r}" if table.header else f"column {wcol + 1}"
    if pcol is not None:
        names["date"] = f"column {table.column_label(pcol)!r}" if table.header else f"column {pcol + 1}"
    for what, n in counter.invalid_kinds.items():
        name = names.get(what, label)
        data.invalid_columns[name] = data.invalid_columns.get(name, 0) + n

    if data.invalid_total and not skip_invalid:
        raise data.invalid_error()
    if data.overall.n == 0 and not allow_empty:
        parts = [f"{data.overall.blank} blank"] if data.overall.blank else []
        if data.invalid_total:
            parts.append(f"{data.invalid_total} invalid skipped")
        if data.filtered_out:
            parts.append(f"{data.filtered_out} filtered out")
        detail = f" ({', '.join(parts)})" if parts else ""
        raise EmptyDataError(f"no valid answers in {data.source}, {data.column}{detail}")
    return data
