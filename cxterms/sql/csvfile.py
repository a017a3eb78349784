"""A CSV file as DuckDB must read it to see what the built-in reader sees.

``--engine duckdb`` hands the counting of a local CSV file to DuckDB. Its
answers must equal the built-in reader's (``cxterms.io.table``), so nothing
is left to DuckDB's sniffer: the built-in reader looks at the head of the
file (encoding, delimiter, header, width, exactly as it would for the
file path) and DuckDB gets every option pinned -- ``auto_detect=false``,
the delimiter, ``quote='"'`` and ``escape='"'`` (a doubled quote is a
quote), no header but the header's records skipped, one VARCHAR column per
header field under the header's names, ``strict_mode=true`` and no null
padding, so a row with another number of fields, an unclosed quote, text
after a closing quote or mixed line ends is an error rather than a guess.

Where the two dialects still differ on a file DuckDB accepts, the file is
checked before DuckDB reads it:

* DuckDB skips empty lines of a file with several columns, where the csv
  module (and so the built-in reader) returns an empty record, counted as a
  blank answer. The empty records are counted here and added to the view as
  rows of NULLs, which every query treats as blank cells.
* DuckDB reads blanks before a quote at the start of a field (``9, "a,b"``)
  as a quoted field; the csv module reads the blanks and quotes as text.
  Such a file is refused with the line to look at.

Both checks first search the raw bytes for their patterns (``\\n\\n``,
``\\r\\r``, ``\\n\\r``; a blank before a quote at a field start), which
costs a fraction of a second per GB; only a file containing one of them
(an empty line, or a quoted comment with ``, "`` inside) is read once more
with the csv module to decide. Encodings other than UTF-8 and Latin-1
(UTF-16/32 exports) and whitespace-separated files are refused with a hint
to use the built-in reader.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import os
import re
from dataclasses import dataclass

from ..errors import DataError, UsageError

HINT = "leave out --engine duckdb to use the built-in reader"
#: DuckDB's read buffer (bytes): small buffers and a memory cap (see
#: engines.scan_memory) keep the peak memory of a scan flat in rows.
BUFFER = 4 << 20
#: The delimiter of a one-column file (no delimiter found): a control
#: character no survey export contains. A line holding one makes a second
#: field, which strict mode turns into an error.
ONE_COLUMN = "\x1f"
CHUNK = 1 << 22  # bytes read at a time by the pre-check
OVERLAP = 64
_CODECS = {"utf-8": "utf-8", "iso8859-1": "latin-1"}


@dataclass(frozen=True)
class CsvPlan:
    """How DuckDB must read one CSV file."""

    path: str
    delimiter: str | None  # the built-in reader's; None: one field per line, no quoting
    names: tuple[str, ...]
    skip: int  # records before the data (blank lines and the header)
    encoding: str  # DuckDB's name
    empty_records: int = 0  # empty records DuckDB skips and the built-in reader counts (see verify)
    bom: int = 0  # bytes of the byte-order mark

    def sql(self) -> str:
        """SELECT of every column as text, under the header's names."""
        d = self.delimiter if self.delimiter is not None else ONE_COLUMN
        quote = '"' if self.delimiter is not None else ""
        cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(self.names))) + "}"
        opts = (
            f"auto_detect = false, header = false, skip = {self.skip}, delim = {_lit(d)}, quote = {_lit(quote)}, "
            f"escape = {_lit(quote)}, strict_mode = true, null_padding = false, encoding = {_lit(self.encoding)}, "
            f"comment = '', buffer_size = {BUFFER}, columns = {cols}"
        )
        outs = ", ".join(f"c{i} AS {_ident(n)}" for i, n in enumerate(self.names))
        q = f"SELECT {outs} FROM read_csv({_lit(self.path)}, {opts})"
        if self.empty_records:
            nulls = ", ".join(f"CAST(NULL AS VARCHAR) AS {_ident(n)}" for n in self.names)
            q += f" UNION ALL SELECT {nulls} FROM range({int(self.empty_records)})"
        return q


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _names(header: list[str] | None, width: int) -> tuple[str, ...]:
    """The view's column names: the header's, or 1..N without a header
    (numbers select the same columns either way). DuckDB has no empty
    identifiers and renames repeated ones (``a``, ``a_1``), as resolving a
    name takes the first column of that name, like the built-in reader."""
    if not header:
        return tuple(str(i) for i in range(1, width + 1))
    return tuple(h if h else f"(unnamed {i})" for i, h in enumerate(header, 1))


def plan(path: str, *, delimiter: str | None = None, header: bool | None = None,
         encoding: str | None = None) -> CsvPlan:
    """Look at the head of ``path`` as the built-in reader does and check
    that DuckDB can read it the same way; raises DataError (exit 1) naming
    what it cannot. ``verify`` checks the rest of the file."""
    from ..io.table import WHITESPACE, detect_encoding, open_table

    table = open_table(path, None, delimiter=delimiter, header=header, encoding=encoding)
    try:
        from ..io.sources import _is_values_row

        if table.header is None and table.width > 1 and _is_values_row(table._sample):
            raise UsageError(f"{path} holds one row of values, which the built-in reader takes as a list of answers; "
                             "DuckDB would read a table of one row", hint=HINT)
        d = table.delimiter
        names = _names(table.header if table.has_header else None, max(table.width, 1))
        codec = codecs.lookup(table.encoding).name
    finally:
        table.close()
    if d == WHITESPACE:
        if delimiter is not None:
            raise UsageError("DuckDB cannot split on runs of whitespace", hint=HINT)
        raise DataError(f"DuckDB cannot read {path}: its fields are separated by runs of blanks", hint=HINT)
    if codec not in _CODECS:
        raise DataError(f"DuckDB cannot read {path}: it reads UTF-8 and Latin-1 text, not {table.encoding}", hint=HINT)
    pyenc = "utf-8-sig" if codec == "utf-8" else codec
    with open(path, "rb") as fh:
        bom = detect_encoding(fh.read(4))[1] if codec == "utf-8" else 0
    skip = _records_before_data(path, pyenc, d, table.has_header)
    return CsvPlan(path, d, names, skip, _CODECS[codec], 0, bom)


def verify(p: CsvPlan) -> CsvPlan:
    """The plan with the empty records DuckDB would skip counted, or a
    DataError for blanks before a quote at a field start. Reads the whole
    file (the byte search; the csv module only when the search finds a
    candidate): run it while DuckDB counts (see DuckDBEngine)."""
    if p.delimiter is None:
        return p
    codec = "utf-8" if p.encoding == "utf-8" else "iso8859-1"
    pyenc = "utf-8-sig" if codec == "utf-8" else codec
    many = len(p.names) > 1
    try:
        if not _suspect(p.path, p.bom, p.delimiter.encode(codec), blank_lines=many):
            return p
        empty = _check(p.path, pyenc, p.delimiter, p.skip, count_empty=many)
    except OSError as e:
        raise DataError(f"cannot read {p.path}: {e.strerror or e}") from None
    return dataclasses.replace(p, empty_records=empty)


def _records_before_data(path: str, pyenc: str, d: str | None, header: bool) -> int:
    """Records up to and including the header (the first non-empty one), as
    DuckDB's ``skip`` counts them (an empty line is one). DuckDB takes the
    line end of the file from the first one it meets: the lines it skips and
    the first data line must all end the same way, or it would count them
    differently (an error names the mixed line ends)."""
    n = physical = 0
    with open(path, encoding=pyenc, errors="replace", newline="") as fh:
        if header and d is None:
            n = physical = 1  # one field per line: the first line is the header
        elif header:
            reader = csv.reader(fh, delimiter=d, strict=False)
            for rec in reader:
                n += 1
                if rec:
                    break
            physical = reader.line_num
        fh.seek(0)
        ends = set()
        for i, line in enumerate(fh):
            if i > physical:
                break
            end = line[len(line.rstrip("\r\n")):]
            if end:
                ends.add(end)
    if len(ends) > 1:
        raise DataError(f"DuckDB cannot read {path}: its first lines end in different ways (LF, CR LF, CR)", hint=HINT)
    return n


#: From this size on (bytes) the check is vectorised with numpy: importing it
#: costs about as long as the substring search of 16 MB.
NUMPY_FROM = 16 << 20


def _suspect(path: str, bom: int, d: bytes, *, blank_lines: bool) -> bool:
    """Whether the raw bytes hold an empty line, or blanks then a quote at a
    field start (see ``_suspect_bytes``): for a big file vectorised with numpy when it is
    installed (about four times faster: byte classes compared as arrays,
    instead of one substring search per pattern), else by substring search."""
    np = None
    try:
        if os.path.getsize(path) >= NUMPY_FROM:
            import numpy as np
    except (ImportError, OSError):  # an unreadable file: the byte search reports it
        np = None
    if np is None:
        return _suspect_bytes(path, bom, d, blank_lines=blank_lines)
    return _suspect_numpy(np, path, bom, d, blank_lines=blank_lines)


def _suspect_numpy(np, path: str, bom: int, d: bytes, *, blank_lines: bool) -> bool:
    """``_suspect_bytes`` on arrays. Adjacent byte pairs are read as 16-bit
    numbers (two views, at even and odd offsets), so an empty line is one
    comparison per view, and the blank-then-quote pairs are found the same
    way; only at those few places are the one or two bytes before looked at
    (a delimiter or line end, or more blanks). A line feed stands before the
    file's first byte: the start of the file is a line start. One buffer of
    CHUNK bytes plus the OVERLAP kept from the piece before is reused."""
    LF, CR, SP = 10, 13, 32
    starts = np.array([d[0], LF, CR], dtype=np.uint8)
    pairs_blank = [LF | LF << 8, LF | CR << 8, CR | CR << 8]  # LF LF, LF CR (CR LF CR LF), CR CR
    blank_quote = SP | 34 << 8
    buf = np.empty(OVERLAP + CHUNK, dtype=np.uint8)
    view = memoryview(buf)
    buf[0] = LF
    first = 1  # where blank-quote pairs are looked at: after the virtual line feed, then after the overlap
    with open(path, "rb") as fh:
        fh.seek(bom)
        got = fh.readinto(view[1:1 + CHUNK])
        n = 1 + got if got else 0
        while n:
            a = buf[:n]
            even = a[: n - n % 2].view("<u2")  # pairs at 0, 2, 4...
            odd = a[1: n - (n - 1) % 2].view("<u2")  # pairs at 1, 3, 5...
            if blank_lines:
                codes = pairs_blank if (a == CR).any() else pairs_blank[:1]
                if any((even == c).any() or (odd == c).any() for c in codes):
                    return True
            at = np.concatenate((2 * np.flatnonzero(even == blank_quote), 2 * np.flatnonzero(odd == blank_quote) + 1))
            at = at[at >= first]  # earlier ones lie in the overlap: seen with the piece before
            if at.size:
                b1, b2 = a[at - 1], a[np.maximum(at - 2, 0)]
                one = np.isin(b1, starts)  # delimiter or line end, blank, quote
                more = (b1 == SP) & (np.isin(b2, starts) | (b2 == SP))  # two blanks after one, or three blanks
                if one.any() or more.any():
                    return True
            keep = min(OVERLAP, n)
            buf[:keep] = buf[n - keep:n]
            first = max(keep - 1, 0)  # the pair across the seam is new
            got = fh.readinto(view[keep:keep + CHUNK])
            n = keep + got if got else 0
    return False


def _suspect_bytes(path: str, bom: int, d: bytes, *, blank_lines: bool) -> bool:
    """Whether the raw bytes hold an empty line, or blanks then a quote at a
    field start, outside or inside quoted fields. Read in pieces with a few bytes of
    overlap (not mapped: mapped pages would count as the process's memory)
    and searched for a few fixed byte strings (bytes.find speed); three
    blanks or more before a quote anywhere count, to keep the list short."""
    with open(path, "rb") as fh:
        fh.seek(bom)
        piece = fh.read(CHUNK)
        if piece[:1] == b" " and piece.lstrip(b" ")[:1] == b'"':
            return True
        if blank_lines and piece[:1] in (b"\n", b"\r"):
            return True
        blanks = (b"\n\n", b"\r\r", b"\n\r")  # LF LF, CR CR, CR LF CR LF, LF CR, CR LF CR
        quotes = [p + b" " * k + b'"' for p in (d, b"\n", b"\r") for k in (1, 2)] + [b'   "']
        # a piece without CR (one-byte search, memchr speed) needs fewer patterns
        lf_blanks = (b"\n\n",)
        lf_quotes = [q for q in quotes if b"\r" not in q]
        # one buffer, reused: fresh 4 MB pieces would leave the allocator's
        # arenas (this runs in a thread) growing with the file
        buf = bytearray(OVERLAP + CHUNK)
        view = memoryview(buf)
        n = len(piece)
        buf[:n] = piece
        del piece
        while n:
            cr = buf.find(b"\r", 0, n) >= 0
            if blank_lines and any(buf.find(p, 0, n) >= 0 for p in (blanks if cr else lf_blanks)):
                return True
            if buf.find(b' "', 0, n) >= 0 and any(buf.find(p, 0, n) >= 0 for p in (quotes if cr else lf_quotes)):
                return True
            keep = min(OVERLAP, n)
            buf[:keep] = buf[n - keep:n]
            got = fh.readinto(view[keep:])
            n = keep + got if got else 0
        view.release()
    return False


_STARTS_BLANK_QUOTE = re.compile(' +"')


def _check(path: str, pyenc: str, d: str, skip: int, *, count_empty: bool) -> int:
    """Read the file with the csv module: refuse blanks before a quote at a
    field start; return the empty records after the header."""
    empty = 0
    with open(path, encoding=pyenc, errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=d, strict=False)
        line = 1
        n = 0
        try:
            for rec in reader:
                n += 1
                if not rec:
                    if n > skip and count_empty:
                        empty += 1
                elif any(f[:1] == " " and _STARTS_BLANK_QUOTE.match(f) for f in rec):
                    raise DataError(
                        f"DuckDB would read blanks before a quote as a quoted field, unlike the built-in reader ({path}:{line})",
                        hint=HINT,
                    )
                line = reader.line_num + 1
        except csv.Error:
            return empty  # the built-in reader and DuckDB both refuse what csv cannot read
    return empty


_LINE = re.compile(r"CSV Error on Line:\s*(\d+)")
_REASON = re.compile(r"Expected Number of Columns: \d+ Found: \d+|Value with unterminated quote found"
                     r"|Invalid unicode \(byte sequence mismatch\) detected|Maximum line size of \d+ bytes exceeded"
                     r"|[Uu]nterminated quote")


def duckdb_error(message: str, path: str) -> DataError | None:
    """A one-line DataError for DuckDB's multi-line CSV error message, or
    None when the message is not about reading the file.

    >>> duckdb_error("Invalid Input Error: CSV Error on Line: 2\\nOriginal Line: 9\\n"
    ...              "Expected Number of Columns: 2 Found: 1\\n\\nPossible fixes:", "f.csv").message
    'DuckDB cannot read f.csv: Expected Number of Columns: 2 Found: 1 (f.csv:2)'
    """
    head = message.strip().splitlines()[0] if message.strip() else ""
    m = _LINE.search(head)
    if "state machine" in head:
        reason = "its CSV parser reached an invalid state (mixed line ends, or a quote it cannot place)"
    elif m is not None:
        known = _REASON.search(message)
        reason = known.group(0) if known else "a row its CSV dialect cannot read"
    elif any(k in head for k in ("CSV", "unicode", "Maximum line size")):
        reason = head.split("Error:", 1)[-1].strip().rstrip(".")
    else:
        return None
    where = f" ({path}:{m.group(1)})" if m is not None else ""
    return DataError(f"DuckDB cannot read {path}: {reason}{where}", hint=HINT)
