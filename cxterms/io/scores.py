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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ..errors import CxtermsError, DataError, EmptyDataError
from ..metrics import periods as P
from ..metrics.scales import Scale
from ..metrics.tally import Tally
from . import shown
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
    >>> for bad in ("ten", "11", "7.5", "nan", "1_0"):
    ...     try:
    ...         p(bad)
    ...     except ValueError as e:
    ...         print(bad, "->", e)
    ten -> not a number
    11 -> outside the 0-10 scale
    7.5 -> not a whole number
    nan -> not a number
    1_0 -> not a number
    """

    def parse(text: str) -> int:
        t = text.strip()
        if "_" in t:
            raise ValueError("not a number")
        try:
            value = int(t)
        except ValueError:
            try:
                f = float(t.replace(",", ".") if decimal_comma else t)
            except ValueError:
                raise ValueError("not a number") from None
            if not math.isfinite(f):
                raise ValueError("not a number") from None
            if not f.is_integer():
                raise ValueError("not a whole number") from None
            value = int(f)
        if not scale.low <= value <= scale.high:
            raise ValueError(f"outside the {scale} scale")
        return value

    return parse


@dataclass
class ScoreData:
    """What reading a score column produced."""

    source: str
    column: str
    overall: Tally = field(default_factory=Tally)
    groups: dict[str, Tally] | None = None
    periods: dict[date, Tally] | None = None
    every: str | None = None
    invalid: list[tuple[int, str, str]] = field(default_factory=list)  # first few: line, cell, reason
    rows: int = 0

    @property
    def invalid_total(self) -> int:
        return self.overall.invalid

    def invalid_error(self) -> DataError:
        listed = "; ".join(f"line {ln}: {shown(cell)} ({why})" for ln, cell, why in self.invalid)
        n = self.invalid_total
        more = f" (first {len(self.invalid)} shown)" if n > len(self.invalid) else ""
        return DataError(
            f"{n} invalid value{'s' * (n != 1)} in {self.source}, {self.column}{more}: {listed}",
            hint="fix them, or pass --skip-invalid to leave them out (they are then counted as 'invalid')",
        )


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
    for (overall, groups, periods, invalid, rows), shift in parts:
        counter.merge((overall, groups, periods, [(ln + shift, c, r) for ln, c, r in invalid], rows))
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
    file is read in parallel, merged at the end."""

    def __init__(self, parse, *, grouped: bool, dated: bool, every: str, date_format: str | None) -> None:
        self.parse = parse
        self.grouped = grouped
        self.dated = dated
        self.every = every
        self.date_format = date_format
        self.cache: dict = {}
        self.dates: dict[str, date | str] = {}
        self.overall = Tally()
        self.groups: dict[str, Tally] = {}
        self.periods: dict[date, Tally] = {}
        self.invalid: list[tuple[int, str, str]] = []
        self.rows = 0

    # A cell or (group/date cell, score cell) pair classifies as
    # ("ok", answer, where) | ("blank", None, where) | ("invalid", reason, shown)
    # where ``where`` is the group label or period start (None overall) and
    # ``shown`` is the cell to quote in the error.
    def value_class(self, cell: str) -> tuple[str, object]:
        if not cell.strip():
            return "blank", None
        try:
            return "ok", self.parse(cell)
        except ValueError as e:
            return "invalid", str(e)

    def period_of(self, cell: str) -> date | str:
        got = self.dates.get(cell)
        if got is None:
            if not cell.strip():
                got = "no date"
            else:
                try:
                    got = P.period_start(P.parse_date(cell, self.date_format), self.every)
                except ValueError:
                    got = f"not a date in the format {self.date_format}" if self.date_format else "not a date"
            if len(self.dates) < 100_000:
                self.dates[cell] = got
        return got

    def classify(self, key) -> tuple[str, object, object]:
        got = self.cache.get(key)
        if got is not None:
            return got
        if not (self.grouped or self.dated):
            kind, payload = self.value_class(key)
            got = (kind, payload, key)
        else:
            other, cell = key
            kind, payload = self.value_class(cell)
            if kind == "invalid":
                got = (kind, payload, cell)
            elif self.grouped:
                got = (kind, payload, other.strip() or BLANK_GROUP)
            else:
                when = self.period_of(other)
                if isinstance(when, date):
                    got = (kind, payload, when)
                elif kind == "blank":
                    got = (kind, None, None)
                else:
                    got = ("invalid", when, other)
        if len(self.cache) > 200_000:  # unique junk must not grow memory with the rows
            self.cache.clear()
        self.cache[key] = got
        return got

    def tallies(self, where) -> list[Tally]:
        if self.grouped:
            return [self.overall, self.groups.setdefault(where, Tally())]
        if self.dated and where is not None:
            return [self.overall, self.periods.setdefault(where, Tally())]
        return [self.overall]

    def flush(self, keys: list, lines) -> None:
        """Count one chunk; ``lines[i]`` is the line of ``keys[i]``."""
        self.rows += len(keys)
        bad: dict = {}
        for key, count in Counter(keys).items():
            kind, payload, where = self.classify(key)
            if kind == "ok":
                for t in self.tallies(where):
                    t.add(payload, count)
            elif kind == "blank":
                for t in self.tallies(where):
                    t.blank += count
            else:
                self.overall.invalid += count
                bad[key] = (payload, where)
        if bad and len(self.invalid) < EXAMPLES:
            for i, key in enumerate(keys):
                if key in bad:
                    reason, shown = bad[key]
                    self.invalid.append((lines[i], shown, reason))
                    if len(self.invalid) >= EXAMPLES:
                        break

    def fresh(self) -> _Counter:
        """An empty counter with the same settings (for a worker)."""
        return _Counter(self.parse, grouped=self.grouped, dated=self.dated, every=self.every, date_format=self.date_format)

    def state(self) -> tuple:
        return self.overall, self.groups, self.periods, self.invalid, self.rows

    def merge(self, state: tuple) -> None:
        overall, groups, periods, invalid, rows = state
        self.overall += overall
        for k, t in groups.items():
            self.groups.setdefault(k, Tally()).__iadd__(t)
        for k, t in periods.items():
            self.periods.setdefault(k, Tally()).__iadd__(t)
        self.invalid = sorted(self.invalid + invalid)[:EXAMPLES]
        self.rows += rows


def read_scores(
    table: Table,
    parse: Callable[[str], int],
    *,
    column: str | None = None,
    by: str | None = None,
    period: str | None = None,
    every: str = "month",
    date_format: str | None = None,
    skip_invalid: bool = False,
    defaults: tuple[str, ...] = SCORE_COLUMNS,
    workers: int | None = None,
    progress=None,
) -> ScoreData:
    """Read the score column of ``table`` into tallies.

    Big files are split at record boundaries and read by ``workers``
    processes (default: one per CPU, at most 4, for files of PARALLEL_BYTES
    or more); the result is the same as reading them in one pass.
    ``progress(bytes_read)``, when given, is called as reading advances
    (the caller draws the bar: this module never prints).

    Raises DataError naming the first invalid cells (unless
    ``skip_invalid``) and EmptyDataError when no valid answer is left.
    """
    bag = table.delimiter == WHITESPACE and column is None and by is None and period is None
    if bag:
        col, label = -1, "values"
    else:
        col = table.column(column, defaults=defaults)
        label = f"column {table.column_label(col)!r}" if table.header else f"column {col + 1}"
    gcol = table.column(by, what="--by column") if by is not None else None
    pcol = table.column(period, what="--period column") if period is not None else None
    if pcol is not None:
        P.check_every(every)
    counter = _Counter(parse, grouped=gcol is not None, dated=pcol is not None, every=every, date_format=date_format)

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
        cols = (col,) if gcol is None and pcol is None else ((gcol, col) if gcol is not None else (pcol, col))
        _count_cells(table, cols, counter, workers, progress)

    data = ScoreData(
        table.name, label, counter.overall,
        groups=counter.groups if gcol is not None else None,
        periods=counter.periods if pcol is not None else None,
        every=every if pcol is not None else None,
        invalid=counter.invalid, rows=counter.rows,
    )

    if data.invalid_total and not skip_invalid:
        raise data.invalid_error()
    if data.overall.n == 0:
        parts = [f"{data.overall.blank} blank"] if data.overall.blank else []
        if data.invalid_total:
            parts.append(f"{data.invalid_total} invalid skipped")
        detail = f" ({', '.join(parts)})" if parts else ""
        raise EmptyDataError(f"no valid answers in {data.source}, {data.column}{detail}")
    return data


