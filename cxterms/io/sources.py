"""One entry point for every table a command reads: ``open_source``.

It tells the format by content (``formats``), recognises platform layouts
(``layouts``), and hands the metric readers an ordinary ``Table``:

* plain delimited text without a special layout is read directly (streaming,
  parallel for big files);
* everything else (spreadsheets, JSON, JSON Lines, Parquet, multi-row
  headers, ``--skip-rows``, responses to leave out) is rewritten once into a
  normalized CSV in a temporary spool (in memory up to 32 MiB, then on disk),
  keeping a map from its lines back to the rows of the original, so
  messages still name the original line (or spreadsheet row).

What was guessed or left out is returned in ``notes`` for the command to
print on stderr.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import tempfile
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from ..errors import DataError, NotFoundError, UsageError
from . import formats, labels, layouts
from .numbers import parse_whole
from .table import SNIFF_BYTES, Table, _Prefixed, detect_header, open_table

SPOOL_BYTES = 32 << 20
SAMPLE_ROWS = 200


@dataclass
class ReadOptions:
    delimiter: str | None = None
    header: bool | None = None
    encoding: str | None = None
    sheet: str | None = None
    header_rows: int | None = None
    skip_rows: int = 0
    include_partial: bool = False
    name: str | None = None  # the file's name in messages (default: its path)


@dataclass
class Source:
    table: Table
    kind: str = "text"  # text, xlsx, xls, ods, json, jsonl, parquet
    layout: layouts.Layout = field(default_factory=lambda: layouts.Layout(""))
    notes: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    aliases: list[list[str]] = field(default_factory=list)
    excluded: Counter = field(default_factory=Counter)  # reason -> rows left out
    sample: list[list[str]] = field(default_factory=list)  # first data rows
    _starts: array | None = None
    _origs: array | None = None
    _reopen: Callable[[], Table] | None = None

    def reopen(self) -> Table:
        """A fresh Table over the same rows, for a second pass (the comment
        themes): the same file read with the same settings, or the same
        normalized spool. A pipe can be read only once."""
        if self._reopen is None:
            raise UsageError(f"{self.name} is a pipe and can be read only once: save it to a file first")
        return self._reopen()

    @property
    def name(self) -> str:
        return self.table.name

    def line_of(self, line: int | None) -> int | None:
        """The original line (or spreadsheet row) of a line of the table read."""
        if line is None or self._starts is None or not len(self._starts):
            return line
        i = bisect_right(self._starts, line) - 1
        return self._origs[i] if i >= 0 else line

    # -- columns -----------------------------------------------------------
    def match(self, spec: str) -> int | None:
        """The column a name, alias or question text names (any case and spacing), or None."""
        want = labels.norm(spec)
        header = self.table.header or []
        for pool in (header, [a for a in self.aliases], self.questions):
            for i, names in enumerate(pool):
                cands = names if isinstance(names, list) else [names]
                if any(c and labels.norm(c) == want for c in cands):
                    return i
        return None

    def column(self, spec: str | None, *, defaults: Sequence[str] = (), words: Sequence[str] = (),
               what: str = "column", notes: list[str] | None = None) -> int:
        """0-based index of the column ``spec`` names: a header name, a
        SurveyMonkey sub-header or question, a Qualtrics question text (any
        case and spacing), or a 1-based number. Without ``spec``: the only
        column, the layout's score column, a column named as in
        ``defaults``, or the one answer-like column whose name or question
        has one of ``words``; the guess is added to ``notes``."""
        t = self.table
        if spec is not None:
            hit = self.match(spec)
            if hit is not None:
                return hit
            if spec.strip().isdigit() and 1 <= int(spec) <= max(t.width, 1):
                return int(spec) - 1
            raise NotFoundError(f"no {what} {spec!r} in {t.name}", hint=f"columns: {self.columns_text()}")
        if t.width == 1:
            return 0
        header = t.header or []
        chosen, why = None, ""
        for name in self.layout.score_hint:
            hit = self.match(name)
            if hit is not None:
                chosen, why = hit, f"the {self.layout.name}'s score column"
                break
        if chosen is None and header:
            wanted = {labels.norm(d) for d in defaults}
            hits = [i for i, h in enumerate(header) if labels.norm(h) in wanted]
            if len(hits) == 1:
                chosen, why = hits[0], "by its name"
        if chosen is None and header:
            for w in words:
                pat = re.compile(rf"\b{re.escape(w)}\b", re.I)
                hits = [
                    i for i in range(len(header))
                    if (pat.search(header[i]) or (i < len(self.questions) and pat.search(self.questions[i])))
                    and self.answer_share(i) >= 0.5
                ]
                if len(hits) == 1:
                    chosen, why = hits[0], f"its {'question' if not pat.search(header[hits[0]]) else 'name'} has the word {w!r}"
                    break
        if chosen is None:
            raise UsageError(f"{t.name} has several columns; choose one with --column", hint=f"columns: {self.columns_text()}")
        if notes is not None:
            notes.append(f"answers read from column {self.label(chosen)!r} ({why}); choose another with --column")
        return chosen

    def answer_share(self, index: int) -> float:
        """Share of a column's non-blank sampled cells that read as answers
        (whole numbers, labelled answers, built-in labels, missing tokens)."""
        cells = [r[index] for r in self.sample if index < len(r) and r[index].strip()]
        if not cells:
            return 0.0
        ok = 0
        for c in cells:
            kind = labels.classify(c)
            if kind in ("number", "labelled", "missing") or (kind == "text" and any(labels.norm(c) in s.mapping() for s in labels.BUILTIN)):
                ok += 1
        return ok / len(cells)

    def label(self, index: int) -> str:
        return self.table.column_label(index)

    def columns_text(self) -> str:
        return self.table.columns_text()

    def distinct(self, index: int, limit: int = 1000) -> list[str]:
        seen: dict[str, None] = {}
        for r in self.sample:
            if index < len(r) and r[index].strip():
                seen.setdefault(r[index], None)
                if len(seen) >= limit:
                    break
        return list(seen)


# -- opening -------------------------------------------------------------------

def _raw_text_rows(table: Table) -> Iterator[tuple[int, list[str]]]:
    if table.header is not None:
        yield table.header_line, list(table.header)
    yield from table.rows()


def _is_values_row(rows: list[list[str]]) -> bool:
    """One row of several numbers (``echo 10,9,3,7``)."""
    if len(rows) != 1 or len(rows[0]) < 2:
        return False
    for c in rows[0]:
        if c.strip():
            try:
                parse_whole(c)
            except ValueError:
                return False
    return True


def open_source(path: str | None, stdin: BinaryIO | None, opts: ReadOptions | None = None, *,
                values_row: bool = True, force_text: bool = False) -> Source:
    """Open ``path`` (None or ``-``: stdin) whatever its format. ``values_row``
    lets a single row of numbers read as a list of answers."""
    opts = opts or ReadOptions()
    if opts.skip_rows < 0 or (opts.header_rows is not None and opts.header_rows < 0):
        raise UsageError("--skip-rows and --header-rows take 0 or more")
    if path is None or path == "-":
        if stdin is None:
            raise UsageError("no input: give a FILE or pipe data into stdin")
        name = "<stdin>"
        prefix = stdin.read(SNIFF_BYTES)
        rest = stdin
    else:
        name = opts.name or path
        try:
            fh = open(path, "rb")
            try:
                mode = os.fstat(fh.fileno()).st_mode
                regular = stat.S_ISREG(mode)
                if not regular and not stat.S_ISFIFO(mode):
                    raise DataError(f"{path} is not a regular file or a pipe (a device such as /dev/zero never ends)")
                prefix = fh.read(SNIFF_BYTES)
            except BaseException:
                fh.close()
                raise
            if regular:
                fh.close()  # read again by name (the parallel reader needs the path)
        except FileNotFoundError:
            raise NotFoundError(f"no such file: {path}") from None
        except IsADirectoryError:
            raise DataError(f"{path} is a folder, not a file") from None
        except OSError as e:
            raise DataError(f"cannot open {path}: {e.strerror or e}") from None
        rest = None if regular else fh  # a pipe (<(...)) or device: read once, as a stream
    kind = "text" if force_text else formats.sniff(prefix)
    if opts.encoding and kind in ("json", "jsonl"):
        kind = "text" if not prefix.lstrip().startswith((b"[", b"{")) else kind

    def whole() -> bytes | str:
        if rest is None:
            return path
        return prefix + rest.read()

    if kind not in ("zip", "xls", "parquet", "json", "jsonl", "text"):
        raise DataError(f"{name} is {kind}, not a table", hint=formats.binary_hint(kind) or "give a CSV, TSV, Excel, OpenDocument, JSON, JSON Lines or Parquet file")
    if kind == "zip":
        src = whole()
        kind = formats.zip_kind(src if isinstance(src, str) else io.BytesIO(src))
        if kind not in formats.SPREADSHEETS:
            raise DataError(f"{name} is {kind}, not a table", hint="give a CSV, TSV, Excel, OpenDocument, JSON, JSON Lines or Parquet file")
    if opts.sheet is not None and kind not in formats.SPREADSHEETS:
        raise UsageError(f"--sheet applies to spreadsheets, and {name} is {'delimited text' if kind == 'text' else kind}")
    notes: list[str] = []
    if kind == "text":
        stream = io.BufferedReader(_Prefixed(prefix, rest)) if rest is not None else None
        plain_header = opts.header if not (opts.skip_rows or opts.header_rows is not None) else False
        reopen = None
        if stream is not None:
            table = Table(stream, name, delimiter=opts.delimiter, header=plain_header, encoding=opts.encoding)
        else:
            def reopen() -> Table:
                return open_table(path, None, delimiter=opts.delimiter, header=plain_header, encoding=opts.encoding, name=name)

            table = reopen()
        head_rows = ([list(table.header)] if table.header is not None else []) + [list(r) for r in table._sample]
        layout = layouts.detect(head_rows) if opts.header is not False and not opts.skip_rows and opts.header_rows is None else layouts.Layout("")
        needs = (
            layout.multi_row or layout.status_col is not None or layout.finished_col is not None
            or opts.skip_rows or opts.header_rows is not None
            or (values_row and table.header is None and _is_values_row(table._sample) and table.width > 1)
        )
        if not needs:
            src = Source(table, "text", layout, notes, questions=list(layout.questions), aliases=[[] for _ in range(table.width)],
                         sample=[list(r) for r in table._sample[:SAMPLE_ROWS]], _reopen=reopen)
            if layout.name:
                dated = next((h for h in layout.date_hint if src.match(h) is not None), None)
                notes.append(f"{layout.name}: header row 1" + (f", response dates in column {dated!r}" if dated else ""))
            return src
        if values_row and table.header is None and _is_values_row(table._sample) and table.width > 1:
            row = table._sample[0]
            return _materialize(name, "text", iter([(1, [c]) for c in row]), opts, notes, header=False)
        return _materialize(name, "text", _raw_text_rows(table), opts, notes, header=opts.header)
    if kind in formats.SPREADSHEETS:
        src = whole()
        rows = formats.spreadsheet_rows(src if isinstance(src, str) else io.BytesIO(src), name, opts.sheet, notes)
        return _materialize(name, kind, rows, opts, notes, header=opts.header)
    if kind == "parquet":
        src = whole()
        rows = formats.parquet_rows(src if isinstance(src, str) else io.BytesIO(src), name)
        return _materialize(name, kind, rows, opts, notes, header=True)
    data = whole()
    if kind == "jsonl" and isinstance(data, str):
        rows = formats.jsonl_rows(data, name)  # streamed from the file, twice
        if _lines_at_least(data, 2):
            return _materialize(name, kind, rows, opts, notes, header=True)
    if isinstance(data, str):
        with open(data, "rb") as fh:
            data = fh.read()
    if kind == "jsonl" and len([ln for ln in data.splitlines() if ln.strip()]) == 1:
        kind = "json"  # one object on one line: {"responses": [...]}
    if kind == "json":
        import json as _json

        try:
            _json.loads(data.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            first = data.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
            if any(d.encode() in first for d in (",", ";", "\t", "|")) and not first.strip().endswith((b"[", b"{")):
                # "[Q1] How likely...",score: text that happens to start with a bracket
                return open_source(None if path in (None, "-") else path, io.BytesIO(data) if path in (None, "-") else None, opts,
                                   values_row=values_row, force_text=True)
    rows = formats.json_rows(data, name) if kind == "json" else formats.jsonl_rows(data, name)
    return _materialize(name, kind, rows, opts, notes, header=True)


def _lines_at_least(path: str, n: int) -> bool:
    """Whether a file has at least ``n`` non-blank lines."""
    seen = 0
    with open(path, "rb") as fh:
        for line in fh:
            if line.strip():
                seen += 1
                if seen >= n:
                    return True
    return False


def _header_from(rows: list[list[str]], n: int) -> tuple[list[str], list[list[str]]]:
    """Names and aliases from ``n`` header rows: a column's name is its
    lowest non-blank header cell; a blank top cell inherits the one to its
    left (merged cells), and ``top - lower`` is an alias."""
    width = max((len(r) for r in rows), default=0)
    names, aliases = [], []
    filled = [[""] * width for _ in rows]
    for k, r in enumerate(rows):
        cur = ""
        for j in range(width):
            c = r[j].strip() if j < len(r) else ""
            if c:
                cur = c
            filled[k][j] = c or (cur if k < len(rows) - 1 else "")
    for j in range(width):
        parts = [filled[k][j] for k in range(len(rows)) if filled[k][j]]
        own = [rows[k][j].strip() for k in range(len(rows)) if j < len(rows[k]) and rows[k][j].strip()]
        names.append(own[-1] if own else (parts[-1] if parts else ""))
        aliases.append([" - ".join(parts)] + parts if len(parts) > 1 else parts)
    return names, aliases


def _materialize(name: str, kind: str, rows: Iterator[tuple[int, list[str]]], opts: ReadOptions,
                 notes: list[str], *, header: bool | None) -> Source:
    rows = iter(rows)
    head: list[tuple[int, list[str]]] = []
    for line, r in rows:
        if opts.skip_rows and line <= opts.skip_rows and line > 0:
            continue
        if not any(c.strip() for c in r) and not head:
            continue
        head.append((line, r))
        if len(head) >= SAMPLE_ROWS + 3:
            break
    if opts.skip_rows:
        notes.append(f"{opts.skip_rows} preamble line{'s' * (opts.skip_rows != 1)} skipped")
    layout = layouts.Layout("")
    if opts.header_rows is not None:
        n = opts.header_rows
    elif header is False:
        n = 0
    else:
        layout = layouts.detect([r for _, r in head[:5]])
        if layout.multi_row:
            n = layout.header_rows
        elif header is True:
            n = 1
        else:
            n = 1 if detect_header([r for _, r in head[:50]]) else 0
    if n > len(head):
        raise DataError(f"{name} has {len(head)} non-blank row{'s' * (len(head) != 1)} after the skipped lines, fewer than the {n} header rows",
                        hint="check --header-rows and --skip-rows")
    if n:
        names, aliases = (layout.names, [[q] if q else [] for q in layout.questions]) if layout.multi_row else _header_from([r for _, r in head[:n]], n)
        if layout.name == "SurveyMonkey export":
            aliases = [[q] for q in layout.questions]
        if layout.name and not layout.multi_row:
            names = [c.strip() for c in head[0][1]]
            aliases = [[] for _ in names]
    else:
        names, aliases = [], []
    questions = list(layout.questions) if layout.name == "Qualtrics export" else [""] * len(names)
    data_rows = head[n:]
    status, finished = layout.status_col, layout.finished_col
    excluded: Counter = Counter()

    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b")
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    w = csv.writer(text, lineterminator="\n")
    starts, origs = array("q"), array("q")
    out_line = 1
    if n:
        w.writerow([" ".join(c.split()) for c in names])
        starts.append(1)
        origs.append(head[n - 1][0] if head else 1)
        out_line = 2
    sample: list[list[str]] = []

    def emit(line: int, r: list[str]) -> None:
        nonlocal out_line
        if status is not None and status < len(r) and layouts.excluded_status(r[status]):
            excluded["preview"] += 1
            return
        if finished is not None and finished < len(r) and layouts.unfinished(r[finished]):
            if not opts.include_partial:
                excluded["unfinished"] += 1
                return
            excluded["unfinished kept"] += 1
        w.writerow(r)  # an empty record stays one: a blank answer, as in the direct reader
        starts.append(out_line)
        origs.append(line)
        out_line += 1 + sum(c.count("\n") + c.count("\r") - c.count("\r\n") for c in r if "\n" in c or "\r" in c)
        if len(sample) < SAMPLE_ROWS:
            sample.append(r)

    for line, r in data_rows:
        emit(line, r)
    for line, r in rows:
        emit(line, r)
    text.flush()
    text.detach()
    out.seek(0)
    table = Table(out, name, delimiter=",", header=bool(n), encoding="utf-8")

    def reopen() -> Table:
        out.seek(0)
        return Table(out, name, delimiter=",", header=bool(n), encoding="utf-8")

    if n and table.header is not None:
        aliases = (aliases + [[] for _ in table.header])[: len(table.header)]
        questions = (questions + [""] * len(table.header))[: len(table.header)]
    src = Source(table, kind, layout, notes, questions=questions, aliases=aliases, excluded=excluded, sample=sample,
                 _starts=starts, _origs=origs, _reopen=reopen)
    if layout.name:
        parts = [f"header rows 1-{layout.header_rows}" if layout.multi_row else "header row 1"]
        if layout.status_col is not None or layout.finished_col is not None:
            left = []
            if excluded["preview"]:
                left.append(f"{excluded['preview']} preview")
            if excluded["unfinished"]:
                left.append(f"{excluded['unfinished']} unfinished")
            if left:
                parts.append(" and ".join(left) + f" response{'s' * (sum(excluded[k] for k in ('preview', 'unfinished')) != 1)} left out")
            if excluded["unfinished kept"]:
                parts.append(f"{excluded['unfinished kept']} unfinished kept (--include-partial)")
            elif excluded["unfinished"]:
                parts.append("--include-partial keeps unfinished ones")
        notes.insert(0, f"{layout.name}: " + ", ".join(parts))
    elif opts.header_rows and opts.header_rows > 1:
        notes.append(f"header rows 1-{opts.header_rows} combined")
    if kind != "text":
        notes.insert(0, f"read as {_KIND_NAMES.get(kind, kind)}")
    return src


_KIND_NAMES = {"xlsx": "an Excel workbook", "xls": "an Excel 97-2003 workbook", "ods": "an OpenDocument spreadsheet",
               "json": "a JSON array", "jsonl": "JSON Lines", "parquet": "a Parquet file"}
