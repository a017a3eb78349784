"""Reading tables: CSV/TSV/semicolon/pipe files, whitespace-separated
numbers, from a file or stdin.

* Encoding: UTF-8 with or without a byte-order mark, UTF-16 or UTF-32 with
  a BOM (Excel's "Unicode text"), or ``encoding=`` when given; UTF-16/32
  without a BOM is recognised and refused with the option to use.
* Delimiter: sniffed among ``, ; TAB |`` from the first rows (quoted
  fields with embedded delimiters and newlines are understood), else
  whitespace-separated fields, else one column. ``delimiter=`` overrides;
  ``"whitespace"`` splits on runs of blanks (the classic CDNOW files).
* Header: detected when the first row has a label where later rows have
  numbers or dates, or forced with ``header=True/False``.
* Quoting follows the csv module (``strict=False``): a quote opens a quoted
  field only as a field's first character; a quote never closed is an error
  naming where it opened. Line ends are LF, CR LF or a lone CR.
* Rows stream: memory does not grow with the number of rows; a record longer
  than MAX_RECORD characters is an error naming its first line.

Line numbers are physical lines of the input (a quoted field with embedded
newlines spans several), so errors point where an editor would.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from operator import itemgetter
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO

from ..errors import DataError, NotFoundError, UsageError
from . import shown

DELIMITERS = (",", ";", "\t", "|")
WHITESPACE = "whitespace"
SNIFF_BYTES = 1 << 16
CHUNK_CHARS = 1 << 20
SNIFF_ROWS = 50
#: The longest record (one line, or the lines a quoted field spans) read, in
#: characters: a longer one is an error naming its first line, so a missing
#: closing quote or a file without line breaks cannot take all the memory.
#: Tests lower it.
MAX_RECORD = 64 << 20
_END = "\uffff"  # a sentinel record appended to check that a piece ends outside quotes
_NUMBER = re.compile(r"\s*[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?\s*")
_DATE = re.compile(r"\s*\d{4}-?\d{2}-?\d{2}([T ][\d:.]+)?(Z|[+-]\d{2}:?\d{2})?\s*")

csv.field_size_limit(1 << 30)  # long free-text answers are fine


def parse_delimiter(text: str | None) -> str | None:
    """The ``--delimiter`` option: a character, or a name.

    >>> [parse_delimiter(x) for x in (",", "tab", "\\\\t", ";", "space", "whitespace")]
    [',', '\\t', '\\t', ';', 'whitespace', 'whitespace']
    """
    if text is None:
        return None
    named = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|", "space": WHITESPACE, "whitespace": WHITESPACE}
    d = named.get(text.lower(), text)
    if d != WHITESPACE and len(d) != 1:
        raise UsageError(f"--delimiter takes one character or comma, semicolon, tab, pipe, whitespace, not {shown(text)}")
    if d in ('"', "\r", "\n"):
        raise UsageError(f"--delimiter cannot be {shown(d)}: it is the quote character or a line break")
    return d


def looks_typed(cell: str) -> bool:
    """A number (decimal point or comma) or an ISO-like date."""
    return bool(_NUMBER.fullmatch(cell) or _DATE.fullmatch(cell))


def _line_breaks(text: str) -> int:
    """Line breaks as the csv module counts them (LF, CR LF and a lone CR)."""
    n = text.count("\n")
    r = text.count("\r")
    return n + (r - text.count("\r\n") if r else 0)


def _break_before(buf: str, end: int) -> int:
    r"""Position just after the last complete line break ending at or before
    ``end`` (0 when none). A CR is a line break by itself only when the next
    character is known and is not LF (CR LF must never be cut in two).

    >>> [_break_before(s, len(s)) for s in ("a\nb", "a\r\nb", "a\rb", "a\r", "a\r\r", "ab")]
    [2, 3, 2, 0, 2, 0]
    """
    n = buf.rfind("\n", 0, end) + 1
    r = buf.rfind("\r", n, end) + 1
    if r and r == end and (end >= len(buf) or buf[end] == "\n"):
        r = buf.rfind("\r", n, end - 1) + 1
    return r or n


def _cut(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _record_lines(first: int, rows: list[list[str]]) -> list[int]:
    """First line of each parsed record: a record spans one line plus the
    line breaks inside its (quoted) fields, which the csv module keeps."""
    out = []
    line = first
    for rec in rows:
        out.append(line)
        line += 1
        for f in rec:
            if "\n" in f or "\r" in f:
                line += _line_breaks(f)
    return out


_RECORDS: dict[str, re.Pattern] = {}


def _records(d: str) -> re.Pattern:
    """A pattern matching complete records (each ending with a line break)
    by the csv module's rules (``strict=False``): a field is empty, unquoted
    (not starting with a quote; later quotes are literal), or quoted (``""``
    inside is a quote) with any text up to the next delimiter after the
    closing quote. Possessive: linear time, no backtracking."""
    got = _RECORDS.get(d)
    if got is None:
        e = re.escape(d)
        field = f'(?:"(?:[^"]++|"")*+"[^{e}\\r\\n]*+|[^"{e}\\r\\n][^{e}\\r\\n]*+|)'
        got = _RECORDS[d] = re.compile(f"(?:{field}(?:{e}{field})*+(?:\\r\\n|\\n|\\r))*+")
    return got


_LINE_CELLS: dict[tuple, _LineCells] = {}


class _LineCells:
    """A pattern that reads the cells of ``cols`` from quoted text at C speed.

    ``lines`` matches one whole line that is one whole record whose fields up
    to the last of ``cols`` are unquoted (no quote character at all), the
    later fields following the csv module's rules without line breaks inside
    quotes. It captures one string: the text from the first to the last of
    ``cols``; ``split`` turns that text into the tuple of cells in the order
    of ``cols`` (None for one column: the text is the cell). ``lines`` is
    anchored at line starts: when ``findall`` on a piece of whole lines
    gives one match per line break, every line is such a record, and the
    cells are exactly those the csv module gives (``Table._fast_cells``).

    >>> fast = _line_cells(",", (3, 1))
    >>> [fast.split(span) for span in fast.lines.findall('7,b,c,9,"x, ""y"" z"\\n8,e,f,10,\\n')]
    [('9', 'b'), ('10', 'e')]
    """

    def __init__(self, d: str, cols: tuple[int, ...]) -> None:
        e = re.escape(d)
        plain = f'[^"{e}\\r\\n]*+'
        # a quoted field unrolled (runs of other characters between doubled
        # quotes: a fifth faster than an alternation repeated per run)
        single = f'(?:"[^"\\r\\n]*+(?:""[^"\\r\\n]*+)*+"[^{e}\\r\\n]*+|[^"{e}\\r\\n][^{e}\\r\\n]*+|)'
        first, last = min(cols), max(cols)
        lead = "".join(plain + e for _ in range(first))
        span = e.join(plain for _ in range(last - first + 1))
        rest = f"(?:{e}{single})*+\\r?\\n"
        self.lines = re.compile(f"^{lead}({span}){rest}", re.MULTILINE)
        self.split: Callable | None = None
        if len(cols) > 1:
            pick = itemgetter(*(c - first for c in cols))

            def split(text: str, d=d, pick=pick) -> tuple:
                return pick(text.split(d))

            self.split = split


def _line_cells(d: str, cols: tuple[int, ...]) -> _LineCells:
    got = _LINE_CELLS.get((d, cols))
    if got is None:
        got = _LINE_CELLS[(d, cols)] = _LineCells(d, cols)
    return got


class _FastCells:
    """The cells of a piece read with :class:`_LineCells`, one per line."""

    __slots__ = ("cells",)

    def __init__(self, cells: list) -> None:
        self.cells = cells


def _field_end(d: str) -> re.Pattern:
    return re.compile("[" + re.escape(d) + "\r\n]")


def _open_quote(text: str, d: str) -> int | None:
    """Index of the quote opening a quoted field that ``text`` (which starts
    at a record start) leaves open, by the csv module's rules: a quote opens a
    quoted field only as the first character of a field; inside, ``""`` is a
    literal quote; after the closing quote the field goes on unquoted."""
    ends = _field_end(d)
    i, n, start = 0, len(text), True
    while i < n:
        if start and text[i] == '"':
            j = i + 1
            while True:
                q = text.find('"', j)
                if q < 0:
                    return i
                if text.startswith('"', q + 1):
                    j = q + 2
                    continue
                i, start = q + 1, False
                break
            continue
        m = ends.search(text, i)
        if m is None:
            return None
        i, start = m.end(), True
    return None


def _position(text: str, i: int) -> tuple[int, int]:
    """(line breaks before index i, 1-based column of i) in text."""
    last = max(text.rfind("\n", 0, i), text.rfind("\r", 0, i))
    return _line_breaks(text[:i]), i - last


_KEEP = {}


def _uniform(lines: list[str], d: str, width: int) -> bool:
    """Whether every line has exactly ``width`` fields: with all bytes but the
    delimiter and line breaks deleted (C speed), ASCII text must read
    ``d * (width - 1) + "\\n"`` once per line."""
    text = "\n".join(lines) + "\n"
    if not text.isascii():
        return False
    other = _KEEP.get(d)
    if other is None:
        other = _KEEP[d] = bytes(b for b in range(256) if b not in (ord(d), 10))
    return text.encode("ascii").translate(None, other) == (d * (width - 1) + "\n").encode("ascii") * len(lines)


def _split_cells(lines: list[str], d: str, cols: tuple[int, ...], multi: bool, width: int = 0) -> list:
    """Cells of ``cols`` from quote-free lines (C-speed list comprehensions)."""
    if not multi:
        k = cols[0]
        if k and k == width - 1 and len(lines) > 64 and _uniform(lines, d, width):
            # the last column of lines that all have ``width`` fields: rpartition
            # makes one third of the objects split does (the common export layout)
            return [text.rpartition(d)[2] for text in lines]
        try:
            return [text.split(d, k + 1)[k] for text in lines]
        except IndexError:  # a short row: slower, same result as csv
            return [(p[k] if len(p) > k else "") for p in (text.split(d, k + 1) for text in lines)]
    top = max(cols) + 1
    pick = itemgetter(*cols)
    try:
        return [pick(text.split(d, top)) for text in lines]
    except IndexError:
        return [tuple(p[c] if c < len(p) else "" for c in cols) for p in (text.split(d, top) for text in lines)]


def _cell_of(row: list[str], cols: tuple[int, ...], multi: bool):
    if multi:
        return tuple(row[c] if c < len(row) else "" for c in cols)
    return row[cols[0]] if cols[0] < len(row) else ""


def _pick_cells(rows: list[list[str]], cols: tuple[int, ...], multi: bool) -> list:
    """Cells of ``cols`` from parsed rows; a short row gives "" (blank)."""
    try:
        if multi:
            pick = itemgetter(*cols)
            return [pick(r) for r in rows]
        k = cols[0]
        return [r[k] for r in rows]
    except IndexError:
        return [_cell_of(r, cols, multi) for r in rows]


class _LazyLines:
    """The line numbers of a piece's records, computed on first access."""

    def __init__(self, compute) -> None:
        self._compute = compute
        self._lines: list[int] | None = None

    def __getitem__(self, i: int) -> int:
        if self._lines is None:
            self._lines = self._compute()
        return self._lines[i]


class _Counted:
    """Passes (line, piece, records) through, counting line breaks."""

    def __init__(self, pieces) -> None:
        self._pieces = pieces
        self.lines = 0

    def __iter__(self):
        for item in self._pieces:
            self.lines += _line_breaks(item[1])
            yield item


def _next_break(fh: BinaryIO, pos: int, size: int) -> int:
    """Byte offset just after the first line break at or after ``pos`` (LF,
    CR LF, or a lone CR; never between CR and LF), or ``size``."""
    fh.seek(pos)
    while True:
        block = fh.read(1 << 16)
        if not block:
            return size
        nl, cr = block.find(b"\n"), block.find(b"\r")
        if cr < 0 or (0 <= nl < cr):
            if nl >= 0:
                return fh.tell() - len(block) + nl + 1
            continue
        here = fh.tell() - len(block) + cr  # a CR: look at the byte after it
        if cr + 1 < len(block):
            after = block[cr + 1 : cr + 2]
        else:
            after = fh.read(1)
        return here + (2 if after == b"\n" else 1) if after else size


class _Limited(io.RawIOBase):
    """A raw stream reading at most ``size`` bytes of ``stream``."""

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self._stream = stream
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self._left <= 0:
            return 0
        data = self._stream.read(min(len(b), self._left))
        n = len(data)
        b[:n] = data
        self._left -= n
        return n


class _Prefixed(io.RawIOBase):
    """A raw stream that first returns ``prefix`` then the rest of ``stream``."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._prefix = memoryview(prefix)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self._prefix:
            n = min(len(b), len(self._prefix))
            b[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._stream.read(len(b))
        n = len(data)
        b[:n] = data
        return n


def detect_encoding(prefix: bytes) -> tuple[str, int]:
    """(codec, BOM length) from the first bytes.

    >>> detect_encoding(codecs.BOM_UTF8 + b"a"), detect_encoding(codecs.BOM_UTF16_LE + b"a\\x00")
    (('utf-8', 3), ('utf-16-le', 2))
    >>> detect_encoding(codecs.BOM_UTF32_LE + b"a\\x00\\x00\\x00")
    ('utf-32-le', 4)
    """
    if prefix.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    # UTF-32 first: its little-endian BOM starts with UTF-16's
    if prefix.startswith(codecs.BOM_UTF32_LE):
        return "utf-32-le", 4
    if prefix.startswith(codecs.BOM_UTF32_BE):
        return "utf-32-be", 4
    if prefix.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if prefix.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    return "utf-8", 0


def bomless_unicode(prefix: bytes) -> str | None:
    """The UTF-16/UTF-32 encoding whose NUL-byte pattern the first bytes show
    (text in such an encoding without a byte-order mark), or None.

    >>> bomless_unicode("score\\n9\\n".encode("utf-16-le")), bomless_unicode("score\\n9\\n".encode("utf-32-be"))
    ('utf-16-le', 'utf-32-be')
    >>> bomless_unicode(b"score\\n9\\n") is None
    True
    """
    data = prefix[:4096]
    n = len(data) // 4 * 4
    if n < 8:
        return None
    nul = [data[i:n:4].count(0) / (n // 4) for i in range(4)]

    def zero(*pos):
        return all(nul[i] >= 0.9 for i in pos) and all(nul[i] <= 0.1 for i in range(4) if i not in pos)

    if zero(1, 2, 3):
        return "utf-32-le"
    if zero(0, 1, 2):
        return "utf-32-be"
    if zero(1, 3):
        return "utf-16-le"
    if zero(0, 2):
        return "utf-16-be"
    return None


def _sample_rows(sample: str, delimiter: str) -> list[list[str]]:
    rows = []
    try:
        for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
            if row:
                rows.append(row)
            if len(rows) > SNIFF_ROWS:
                break
    except csv.Error:
        return []
    return rows


def sniff_delimiter(sample: str, complete: bool) -> str | None:
    """Pick the delimiter that splits the sample rows most consistently.

    ``complete`` says the sample is the whole input (otherwise its last,
    possibly cut, row is ignored). None means one column per line.

    >>> sniff_delimiter("a;b;c\\n1;2,5;x\\n", True), sniff_delimiter("score\\n9\\n", True)
    (';', None)
    >>> sniff_delimiter("10 9 3 7\\n", True)
    'whitespace'
    >>> sniff_delimiter("Q1\\n10 - Extremely likely\\n9\\n", True) is None
    True
    """
    best: tuple[float, int, str] | None = None
    for d in DELIMITERS:
        rows = _sample_rows(sample, d)
        if not complete and len(rows) > 1:
            rows = rows[:-1]
        widths = [len(r) for r in rows]
        if not widths:
            continue
        modal = max(set(widths), key=widths.count)
        if modal < 2:
            continue
        consistency = widths.count(modal) / len(widths)
        score = (consistency, modal, d)
        if best is None or score[:2] > best[:2]:
            best = score
    if best is not None and best[0] >= 0.5:
        return best[2]
    lines = [ln for ln in sample.splitlines() if ln.strip()]
    if not complete and len(lines) > 1:
        lines = lines[:-1]
    # numbers (and dates) separated by blanks; text with spaces is one column
    if any(len(ln.split()) > 1 for ln in lines) and all(looks_typed(t) for ln in lines[1:] for t in ln.split()):
        return WHITESPACE
    return None


def detect_header(rows: Sequence[Sequence[str]]) -> bool:
    """True when the first row labels columns that hold numbers or dates below.

    >>> detect_header([["score"], ["9"], ["10"]]), detect_header([["9"], ["10"]])
    (True, False)
    >>> detect_header([["id", "comment"], ["1", "fine"]]), detect_header([["a", "b"], ["c", "d"]])
    (True, True)
    >>> detect_header([["10"], ["9"], ["abc"], ["3"]])
    False
    """
    if not rows:
        return False
    first, rest = rows[0], rows[1:]
    if any(c.strip() for c in first) and all(_NUMBER.fullmatch(c) for c in first if c.strip()):
        return False  # a header is words: a first row of numbers is data, even above a text cell
    if not rest:
        return not any(looks_typed(c) for c in first if c.strip())
    width = max(len(r) for r in rows)
    typed_columns = []
    for j in range(width):
        cells = [r[j] for r in rest if j < len(r) and r[j].strip()]
        if cells and all(looks_typed(c) for c in cells):
            typed_columns.append(j)
    if typed_columns:
        return any(j < len(first) and first[j].strip() and not looks_typed(first[j]) for j in typed_columns)
    return True  # text everywhere: exports nearly always carry a header


class Table:
    """An open table: ``name`` for messages, ``header`` (or None), and
    ``rows()`` yielding ``(line_number, fields)`` once."""

    def __init__(
        self,
        stream: BinaryIO,
        name: str,
        *,
        delimiter: str | None = None,
        header: bool | None = None,
        encoding: str | None = None,
        path: str | None = None,
    ) -> None:
        self.name = name
        self._path = path
        self._stream = stream
        try:
            prefix = stream.read(SNIFF_BYTES)
        except OSError as e:
            raise self._read_error(e) from None
        complete = len(prefix) < SNIFF_BYTES
        if encoding:
            codec, skip = encoding, 0
            try:
                info = codecs.lookup(codec)
            except LookupError:
                raise UsageError(f"unknown encoding {shown(encoding)}") from None
            if not getattr(info, "_is_text_encoding", True):
                raise UsageError(f"{shown(encoding)} is not a text encoding", hint="e.g. utf-8, latin-1, cp1252, utf-16")
        else:
            codec, skip = detect_encoding(prefix)
            if not skip:
                guess = bomless_unicode(prefix)
                if guess:
                    raise DataError(
                        f"{name} looks like {guess.upper()} text without a byte-order mark",
                        hint=f"read it with --encoding {guess}",
                    )
        self.encoding = codec
        self._bom = skip
        self._data_start = skip  # byte offset of the first data record (after the header)
        raw = _Prefixed(prefix[skip:], stream)
        try:
            self._text = io.TextIOWrapper(io.BufferedReader(raw, 1 << 16), encoding=codec, errors="strict", newline="")
        except LookupError:  # a codec that is not a text encoding
            raise UsageError(f"{shown(encoding)} is not a text encoding") from None
        sample = self._read_sample(prefix[skip:], codec, complete)
        self.delimiter = delimiter if delimiter is not None else sniff_delimiter(sample, complete)
        if self.delimiter is None and '"' in sample:
            self.delimiter = ","  # one quoted column ("8"): the csv rules unquote it
        sample_rows = self._split_sample(sample, complete)
        self.has_header = detect_header(sample_rows) if header is None else header
        self._sample = sample_rows[1:] if self.has_header else sample_rows
        self.header: list[str] | None = None
        self.header_line = 0
        self._fast: _LineCells | None = None  # set by cells(): see _line_cells
        self._fast_skip = self._fast_backoff = 0  # see _fast_cells
        # a short first piece: the header is taken from it, and its records
        # would be parsed for that alone
        self._pieces = self._read_pieces(self._text, 1, first=SNIFF_BYTES)
        self._pending: tuple[int, str] | None = None
        if self.has_header:
            self._take_header()
        self.width = len(self.header) if self.header else max((len(r) for r in sample_rows), default=1)

    # -- setup ------------------------------------------------------------
    def _read_sample(self, data: bytes, codec: str, complete: bool) -> str:
        dec = codecs.getincrementaldecoder(codec)(errors="replace")
        return dec.decode(data, final=complete)

    def _split_sample(self, sample: str, complete: bool) -> list[list[str]]:
        if self.delimiter == WHITESPACE or self.delimiter is None:
            lines = [ln for ln in sample.splitlines() if ln.strip()]
            if not complete and len(lines) > 1:
                lines = lines[:-1]
            lines = lines[:SNIFF_ROWS]
            return [ln.split() if self.delimiter == WHITESPACE else [ln] for ln in lines]
        rows = _sample_rows(sample, self.delimiter)
        return rows[:-1] if not complete and len(rows) > 1 else rows

    def _take_header(self) -> None:
        """Consume the first non-empty record as the header."""
        skipped = 0  # bytes of the pieces of blank lines before it
        for line, piece, _rows in self._pieces:
            consumed = used = 0

            def feed():
                nonlocal consumed, used
                for text in io.StringIO(piece, newline=""):
                    consumed += len(text)
                    used += 1
                    yield text

            for record in self._parse(feed()):
                if record:
                    self.header_line = line + used - 1
                    self.header = [h.strip() for h in record]
                    rest = piece[consumed:]
                    if rest:
                        self._pending = (line + used, rest, None)
                    self._data_start = self._bom + skipped + len(piece[:consumed].encode(self.encoding))
                    return
            skipped += len(piece.encode(self.encoding))
        self._data_start = self._bom + skipped  # blank lines only: nothing left to read

    # -- reading ----------------------------------------------------------
    def _quoted_mode(self) -> bool:
        """Whether fields are delimited (and may be quoted), as opposed to
        whitespace-separated or one field per line."""
        return self.delimiter not in (None, WHITESPACE)

    def _parse(self, lines) -> Iterator[list[str]]:
        """Records from an iterator of text lines (line ends kept)."""
        if self._quoted_mode():
            yield from csv.reader(lines, delimiter=self.delimiter, strict=False)
            return
        for text in lines:
            text = text.rstrip("\r\n")
            if self.delimiter == WHITESPACE:
                yield text.split()
            else:
                yield [text] if text.strip() else []

    def _csv(self, lines) -> Iterator[list[str]]:
        return csv.reader(lines, delimiter=self.delimiter, strict=False)

    def _closed(self, piece: str) -> list[list[str]] | None:
        """The records of ``piece`` (which starts at a record start and ends
        with a line break) when it also ends outside quotes, else None. A
        sentinel record appended to the text stays a record of its own only
        when the csv module is outside a quoted field where the piece ends."""
        rows = list(self._csv(io.StringIO(piece + _END, newline="")))
        if rows and rows[-1] == [_END]:
            rows.pop()
            return rows
        return None

    def _fast_cells(self, buf: str, cut: int) -> _FastCells | None:
        """The cells wanted by ``cells()`` from ``buf[:cut]`` when every line
        there is a record that :class:`_LineCells` reads (one ``findall``
        match per line break), else None: the csv module's path then reads
        the piece. After a piece that fails, the next 1, 2, 4 ... 16 pieces
        (doubling while they keep failing) go straight to the csv module, so
        that a file with line breaks inside quotes everywhere does not pay
        for a ``findall`` whose work is lost on every piece."""
        if self._fast_skip:
            self._fast_skip -= 1
            return None
        if cut and buf[cut - 1] == "\n":
            found = self._fast.lines.findall(buf, 0, cut)
            if len(found) == buf.count("\n", 0, cut):
                self._fast_backoff = 0
                return _FastCells(self._split(found))
        self._fast_backoff = min(max(1, 2 * self._fast_backoff), 16)
        self._fast_skip = self._fast_backoff
        return None

    def _split(self, found: list) -> list:
        split = self._fast.split
        if split is None:
            return found
        tuples = {text: split(text) for text in set(found)}  # each distinct text split once; rows share the tuples
        return list(map(tuples.__getitem__, found))

    def _cut(self, buf: str, cut: int) -> tuple[int, list[list[str]] | None]:
        """Move ``cut`` (just after the last line break of ``buf``, which
        starts at a record start) back to a record boundary, and parse the
        records before it. Quotes counted in pairs give the boundary of
        well-formed CSV at C speed (checked by ``_closed``); a literal quote
        inside an unquoted field (``5" screen``) breaks the pairing, and then
        a pattern that follows the csv module's rules finds the boundary."""
        guess = cut
        inside = buf.count('"', 0, guess) & 1
        steps = 0
        while inside and guess and steps < 64:
            earlier = _break_before(buf, guess - 1)
            inside ^= buf.count('"', earlier, guess) & 1
            guess = earlier
            steps += 1
        if guess and not inside:
            rows = self._closed(buf[:guess])
            if rows is not None:
                return guess, rows
        if not cut:
            return 0, None
        end = _records(self.delimiter).match(buf, 0, cut).end()
        if not end:
            return 0, None
        rows = self._closed(buf[:end])
        if rows is None:  # the pattern and the csv module disagree: never seen, but no wrong number
            raise DataError("cannot split the table into records", file=self.name)
        return end, rows

    def _read_pieces(
        self, text, first_line: int, tail: dict | None = None, span: tuple = (0, None), first: int = CHUNK_CHARS,
    ) -> Iterator[tuple[int, str, list | None]]:
        """(first line number, text, records or None) pieces of the input, each
        ending at a record boundary: a line break outside quotes, by the csv
        module's rules. Pieces are about CHUNK_CHARS long; pieces with quotes
        come parsed (the parse is what checks the boundary). A record longer
        than MAX_RECORD is an error; so is a quote left open at the end, unless
        ``tail`` is given (a byte range of a file read in parallel): then
        ``tail["clean"]`` says whether the range ended outside quotes. The
        first piece is about ``first`` characters long."""
        quoted = self._quoted_mode()
        line = first_line
        carry = ""
        want = first
        try:
            while True:
                block = text.read(want)
                buf = carry + block if carry else block
                if not block:
                    if buf:
                        yield from self._last_piece(line, buf, tail)
                    elif tail is not None:
                        tail["clean"] = True
                    return
                cut = _break_before(buf, len(buf))
                rows = None
                if quoted and buf.find('"', 0, cut or len(buf)) >= 0:
                    rows = self._fast_cells(buf, cut) if self._fast is not None else None
                    if rows is None:
                        cut, rows = self._cut(buf, cut)
                if cut:
                    piece, carry = buf[:cut], buf[cut:]
                    yield line, piece, rows
                    line += _line_breaks(piece)
                else:
                    carry = buf
                if len(carry) > MAX_RECORD:
                    raise self._too_long(carry, line)
                # a long record: read more at once, so that it is scanned a
                # bounded number of times (not once per CHUNK_CHARS)
                want = max(CHUNK_CHARS, min(len(carry), MAX_RECORD + 1 - len(carry)))
        except UnicodeDecodeError:
            raise DataError(
                f"not valid {self.encoding} text", file=self.name, line=self._decode_error_line(*span),
                hint="save the file as UTF-8, or name its encoding with --encoding (e.g. latin-1, cp1252)",
            ) from None
        except OSError as e:
            raise self._read_error(e) from None

    def _last_piece(self, line: int, buf: str, tail: dict | None):
        """The rest of the input: complete, or a quote left open."""
        if not self._quoted_mode() or '"' not in buf:
            if tail is not None:
                tail["clean"] = True
            yield line, buf, None
            return
        text = buf if buf.endswith(("\n", "\r")) else buf + "\n"
        cut = _records(self.delimiter).match(text).end()  # C speed, no copies: where an open quote's record starts
        if cut == len(text):
            rows = self._closed(text)
            if rows is None:  # the pattern and the csv module disagree: never seen, but no wrong number
                raise DataError("cannot split the table into records", file=self.name)
            if tail is not None:
                tail["clean"] = True
            yield line, buf, rows
            return
        if tail is not None:  # a cut of the parallel reader fell inside quotes (or a real unclosed quote)
            tail["clean"] = False
            return
        raise self._unclosed(buf[cut:], line + _line_breaks(buf[:cut]), "runs to the end of the input")

    def _unclosed(self, record: str, line: int, what: str) -> DataError:
        at = _open_quote(record, self.delimiter)
        breaks, col = _position(record, at or 0)
        return DataError(
            f"unclosed quote: the quoted field opened here {what}", file=self.name, line=line + breaks, column=col,
            hint='a field that starts with " ends at the next " that is not doubled; '
            "fix the quote, or save the file again from the program that wrote it",
        )

    def _too_long(self, carry: str, line: int) -> DataError:
        limit = f"{MAX_RECORD >> 20} MiB" if MAX_RECORD >= 1 << 20 else f"{MAX_RECORD:,} characters"
        if self._quoted_mode() and '"' in carry and _open_quote(carry, self.delimiter) is not None:
            return self._unclosed(carry, line, f"is not closed within {limit}")
        return DataError(
            f"record longer than {limit} starting at line {line}", file=self.name, line=line,
            hint="is this a table? cxterms reads delimited text with line breaks between records",
        )

    def _read_error(self, e: OSError) -> DataError:
        return DataError(f"cannot read {self.name}: {e.strerror or e}")

    def _all_pieces(self) -> Iterator[tuple[int, str, list | None]]:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            yield pending
        yield from self._pieces

    def _simple(self, piece: str) -> list[str] | None:
        """The lines of a piece when splitting on line breaks is exact: no
        quote character (in delimited mode), and one kind of line end."""
        if self._quoted_mode() and '"' in piece:
            return None
        sep = "\n"
        if "\r" in piece:
            crlf = piece.count("\r\n")
            if not crlf and "\n" not in piece:  # CR line ends only (classic Mac)
                sep = "\r"
            elif piece.count("\r") == crlf:
                piece = piece.replace("\r\n", "\n")
            else:
                return None
        lines = piece.split(sep)
        if lines[-1] == "":
            lines.pop()
        return lines

    def _parsed(self, piece: str, rows: list | None) -> list[list[str]]:
        if rows is not None and not isinstance(rows, _FastCells):
            return rows
        try:
            return list(self._csv(io.StringIO(piece, newline="")))
        except csv.Error as e:
            raise DataError(f"cannot parse the table: {e}", file=self.name) from None

    def _records_of(self, line: int, piece: str, rows: list | None = None) -> Iterator[tuple[int, list[str]]]:
        if isinstance(rows, _FastCells):  # read for cells(): the records are parsed again
            rows = None
        lines = self._simple(piece) if rows is None else None
        if lines is not None:
            d = self.delimiter
            for i, text in enumerate(lines):
                if d == WHITESPACE:
                    if text.strip():
                        yield line + i, text.split()
                elif d is None:
                    yield line + i, ([text] if text.strip() else [])
                else:
                    yield line + i, (text.split(d) if text else [])
            return
        if not self._quoted_mode():  # lone carriage returns in a line-based table
            for i, text in enumerate(io.StringIO(piece, newline="")):
                record = next(self._parse([text]))
                if record or self.delimiter is None:
                    yield line + i, record
            return
        rows = self._parsed(piece, rows)
        yield from zip(_record_lines(line, rows), rows)

    def _iter_rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line, fields) per record; an empty line is an empty list (a blank
        cell for a score column; skipped by readers of records)."""
        for line, piece, rows in self._all_pieces():
            yield from self._records_of(line, piece, rows)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        return self._iter_rows()

    def byte_ranges(self, n: int, min_bytes: int) -> list[tuple[int, int]] | None:
        """Split the data records of a big UTF-8 file into ``n`` byte ranges
        that end on line breaks (LF, CR LF or a lone CR). A cut may still fall
        inside a quoted field that spans lines: ``slice_cells`` reports whether
        its range ended outside quotes, so the caller can check and fall back
        to one pass. None when the input is not such a file (stdin, UTF-16,
        small)."""
        if not self._path or self.encoding != "utf-8" or not self._quoted_mode() or n < 2:
            return None
        import os

        try:
            size = os.path.getsize(self._path)
        except OSError:
            return None
        start = self._data_start
        if size - start < max(min_bytes, 1):
            return None
        spans = []
        try:
            with open(self._path, "rb") as fh:
                for i in range(1, n + 1):
                    end = size
                    if i < n:
                        end = _next_break(fh, start + (size - start) // (n - i + 1), size)
                    if end > start:
                        spans.append((start, end))
                        start = end
                    if start >= size:
                        break
        except OSError:
            return None
        return spans if len(spans) > 1 else None

    def slice_cells(self, start: int, end: int, cols: tuple[int, ...], stats: dict, position: list | None = None):
        """``cells`` over the byte range [start, end) of the file, with line
        numbers counted from 1 at ``start``; ``stats`` receives the range's
        ``lines`` count and ``clean`` (whether it ended outside quotes) when
        done. ``position[0]``, when given, follows the bytes read so far (for
        progress reports)."""
        try:
            fh = open(self._path, "rb")
        except OSError as e:
            raise self._read_error(e) from None
        with fh:
            if position is not None:
                position[0] = fh
            fh.seek(start)
            text = io.TextIOWrapper(
                io.BufferedReader(_Limited(fh, end - start), 1 << 16), encoding=self.encoding, errors="strict", newline=""
            )
            self._fast = _line_cells(self.delimiter, cols) if self._quoted_mode() and cols else None
            counted = _Counted(self._read_pieces(text, 1, stats, (start, end)))
            yield from self._cells_of(counted, cols)
            stats["lines"] = counted.lines

    def cells(self, cols: tuple[int, ...]) -> Iterator[tuple[list, int, list[int] | None]]:
        """Chunks of the cells in ``cols`` (one column: strings; several:
        tuples), as ``(keys, first_line, lines)``. ``lines`` gives each key's
        line, or is None when key i sits on line ``first_line + i``. Missing
        cells are "" (blank). Quote-free pieces are split directly, others go
        through the csv module (or, when every line of a piece is a record
        whose wanted cells are unquoted, a pattern: see ``_line_cells``): the
        results are the same."""
        self._fast = _line_cells(self.delimiter, cols) if self._quoted_mode() and cols else None
        return self._cells_of(self._all_pieces(), cols)

    def _cells_of(self, pieces, cols: tuple[int, ...]):
        multi = len(cols) > 1
        for line, piece, rows in pieces:
            if rows is None and self._fast is not None and '"' in piece:  # the piece after the header
                rows = self._fast_cells(piece, len(piece))
            if isinstance(rows, _FastCells):
                yield rows.cells, line, None
                continue
            lines = self._simple(piece) if self._quoted_mode() and rows is None else None
            if lines is not None:
                yield _split_cells(lines, self.delimiter, cols, multi, self.width), line, None
                continue
            if not self._quoted_mode():
                records = [(ln, row) for ln, row in self._records_of(line, piece)]
                yield [_cell_of(row, cols, multi) for _, row in records], line, [ln for ln, _ in records]
                continue
            rows = self._parsed(piece, rows)
            keys = _pick_cells(rows, cols, multi)
            # line numbers are only needed to name invalid cells: worked out on demand
            yield keys, line, _LazyLines(lambda r=rows, ln=line: _record_lines(ln, r))

    @property
    def size(self) -> int | None:
        """Size in bytes of the input file (None for stdin)."""
        if not self._path:
            return None
        import os

        try:
            return os.path.getsize(self._path)
        except OSError:
            return None

    def bytes_read(self) -> int:
        """How far into the input file reading has got (0 for stdin)."""
        try:
            return self._stream.tell() if self._path else 0
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        try:
            self._stream.close() if self._path else None
        except OSError:
            pass

    def _decode_error_line(self, start: int = 0, end: int | None = None) -> int | None:
        """Line of the first undecodable byte in the byte range [start, end) of
        the file, counted from 1 at ``start`` (files only: stdin cannot be
        re-read). Line breaks are LF, CR LF and a lone CR, as everywhere."""
        if not self._path:
            return None
        dec = codecs.getincrementaldecoder(self.encoding)()
        line = 1
        cr = False  # the text so far ended with CR (its LF may come next)
        try:
            with open(self._path, "rb") as fh:
                fh.seek(start)
                left = end - start if end is not None else None
                while left is None or left > 0:
                    chunk = fh.read(1 << 16 if left is None else min(1 << 16, left))
                    if not chunk:
                        return None
                    if left is not None:
                        left -= len(chunk)
                    try:
                        text = dec.decode(chunk)
                    except UnicodeDecodeError as e:
                        text = codecs.decode(chunk[: e.start], self.encoding, "replace")
                        return line + _line_breaks(text) - (cr and text.startswith("\n"))
                    if text:
                        line += _line_breaks(text) - (cr and text.startswith("\n"))
                        cr = text.endswith("\r")
        except OSError:
            return None
        return None

    # -- columns ----------------------------------------------------------
    def columns_text(self) -> str:
        if self.header:
            return ", ".join(f"{i}:{_cut(h)}" if h else f"{i}:(unnamed)" for i, h in enumerate(self.header, 1))
        return f"{self.width} unnamed column{'s' * (self.width != 1)} (number them 1-{self.width})"

    def column(self, spec: str | None, *, defaults: Sequence[str] = (), what: str = "column", option: str = "--column") -> int:
        """0-based index of the column ``spec`` names (header name, any case, or
        1-based number); with ``spec`` None the only column, or the one whose
        name is among ``defaults``."""
        if spec is not None:
            want = spec.strip()
            if self.header:
                for i, h in enumerate(self.header):
                    if h.casefold() == want.casefold():
                        return i
            if want.isdigit() and 1 <= int(want) <= max(self.width, 1):
                return int(want) - 1
            raise NotFoundError(
                f"no {what} {shown(spec)} in {self.name}", hint=f"columns: {self.columns_text()}"
            )
        if self.width == 1:
            return 0
        if self.header:
            wanted = {d.casefold() for d in defaults}
            hits = [i for i, h in enumerate(self.header) if h.casefold() in wanted]
            if len(hits) == 1:
                return hits[0]
            # a header containing one of the words ("NPS score", "How likely ... to
            # recommend ...?"), among columns that hold numbers in the first rows
            for d in defaults:
                hits = [
                    i for i, h in enumerate(self.header)
                    if re.search(rf"\b{re.escape(d)}\b", h, re.I) and self.numeric_share(i) >= 0.5
                ]
                if len(hits) == 1:
                    return hits[0]
        raise UsageError(
            f"{self.name} has several columns; choose one with {option}",
            hint=f"columns: {self.columns_text()}",
        )

    def numeric_share(self, index: int) -> float:
        """Share of non-blank cells of a column, in the sampled rows, that are numbers."""
        cells = [r[index] for r in self._sample if index < len(r) and r[index].strip()]
        return sum(bool(_NUMBER.fullmatch(c)) for c in cells) / len(cells) if cells else 0.0

    def column_label(self, index: int) -> str:
        if self.header and index < len(self.header) and self.header[index]:
            return self.header[index]
        return f"column {index + 1}"


def open_table(
    path: str | None,
    stdin: BinaryIO | None,
    *,
    delimiter: str | None = None,
    header: bool | None = None,
    encoding: str | None = None,
    name: str | None = None,
) -> Table:
    """Open ``path`` (``-`` or None: ``stdin``) as a Table, called ``name``
    in messages (default: the path). Raises NotFoundError for a missing
    file, DataError for one that cannot be read."""
    if path is None or path == "-":
        if stdin is None:
            raise UsageError("no input: give a FILE or pipe data into stdin")
        return Table(stdin, "<stdin>", delimiter=delimiter, header=header, encoding=encoding)
    import os
    import stat

    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        raise NotFoundError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise DataError(f"{path} is a folder, not a file") from None
    except OSError as e:
        raise DataError(f"cannot open {path}: {e.strerror or e}") from None
    try:
        mode = os.fstat(fh.fileno()).st_mode
    except OSError as e:
        fh.close()
        raise DataError(f"cannot open {path}: {e.strerror or e}") from None
    if stat.S_ISDIR(mode):
        fh.close()
        raise DataError(f"{path} is a folder, not a file")
    if stat.S_ISFIFO(mode):  # a named pipe: read as it comes, like stdin
        return Table(fh, name or path, delimiter=delimiter, header=header, encoding=encoding)
    if not stat.S_ISREG(mode):
        fh.close()
        raise DataError(f"{path} is not a regular file or a pipe (a device such as /dev/zero never ends)")
    try:
        return Table(fh, name or path, delimiter=delimiter, header=header, encoding=encoding, path=path)
    except BaseException:
        fh.close()
        raise
