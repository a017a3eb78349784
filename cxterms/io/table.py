"""Reading tables: CSV/TSV/semicolon/pipe files, whitespace-separated
numbers, from a file or stdin.

* Encoding: UTF-8 with or without a byte-order mark, UTF-16 with a BOM
  (Excel's "Unicode text"), or ``encoding=`` when given.
* Delimiter: sniffed among ``, ; TAB |`` from the first rows (quoted
  fields with embedded delimiters and newlines are understood), else
  whitespace-separated fields, else one column. ``delimiter=`` overrides;
  ``"whitespace"`` splits on runs of blanks (the classic CDNOW files).
* Header: detected when the first row has a label where later rows have
  numbers or dates, or forced with ``header=True/False``.
* Rows stream: memory does not grow with the number of rows.

Line numbers are physical lines of the input (a quoted field with embedded
newlines spans several), so errors point where an editor would.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from operator import itemgetter
from collections.abc import Iterator, Sequence
from typing import BinaryIO

from ..errors import DataError, NotFoundError, UsageError

DELIMITERS = (",", ";", "\t", "|")
WHITESPACE = "whitespace"
SNIFF_BYTES = 1 << 16
CHUNK_CHARS = 1 << 20
SNIFF_ROWS = 50
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
        raise UsageError(f"--delimiter takes one character or comma, semicolon, tab, pipe, whitespace, not {text!r}")
    return d


def looks_typed(cell: str) -> bool:
    """A number (decimal point or comma) or an ISO-like date."""
    return bool(_NUMBER.fullmatch(cell) or _DATE.fullmatch(cell))


def _line_breaks(text: str) -> int:
    """Line breaks as the csv module counts them (LF, CR LF and a lone CR)."""
    n = text.count("\n")
    r = text.count("\r")
    return n + (r - text.count("\r\n") if r else 0)


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
    """Passes (line, piece) pairs through, counting line breaks and quotes."""

    def __init__(self, pieces) -> None:
        self._pieces = pieces
        self.lines = 0
        self.quotes = 0

    def __iter__(self):
        for line, piece in self._pieces:
            self.lines += _line_breaks(piece)
            self.quotes += piece.count('"')
            yield line, piece


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
    """
    if prefix.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if prefix.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if prefix.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    return "utf-8", 0


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
        prefix = stream.read(SNIFF_BYTES)
        complete = len(prefix) < SNIFF_BYTES
        if encoding:
            codec, skip = encoding, 0
            try:
                codecs.lookup(codec)
            except LookupError:
                raise UsageError(f"unknown encoding {encoding!r}") from None
        else:
            codec, skip = detect_encoding(prefix)
        self.encoding = codec
        self._bom = skip
        self._data_start = skip  # byte offset of the first data record (after the header)
        raw = _Prefixed(prefix[skip:], stream)
        self._text = io.TextIOWrapper(io.BufferedReader(raw, 1 << 16), encoding=codec, errors="strict", newline="")
        sample = self._read_sample(prefix[skip:], codec, complete)
        self.delimiter = delimiter if delimiter is not None else sniff_delimiter(sample, complete)
        if self.delimiter is None and '"' in sample:
            self.delimiter = ","  # one quoted column ("8"): the csv rules unquote it
        sample_rows = self._split_sample(sample, complete)
        self.has_header = detect_header(sample_rows) if header is None else header
        self._sample = sample_rows[1:] if self.has_header else sample_rows
        self.header: list[str] | None = None
        self.header_line = 0
        self._pieces = self._read_pieces(self._text, 1)
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
        for line, piece in self._pieces:
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
                        self._pending = (line + used, rest)
                    if line == 1:
                        self._data_start = self._bom + len(piece[:consumed].encode(self.encoding))
                    return

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

    def _read_pieces(self, text, first_line: int) -> Iterator[tuple[int, str]]:
        """(first line number, text) pieces of the input, each ending at a
        record boundary: a line break outside quotes. Pieces are about
        CHUNK_CHARS long unless one record is longer."""
        quote = '"' if self._quoted_mode() else None
        line = first_line
        carry = ""
        try:
            while True:
                block = text.read(CHUNK_CHARS)
                if not block:
                    if carry:
                        yield line, carry
                    return
                buf = carry + block if carry else block
                cut = buf.rfind("\n") + 1
                if quote and cut and quote in buf:
                    inside = buf.count(quote, 0, cut) % 2
                    while inside and cut:
                        earlier = buf.rfind("\n", 0, cut - 1) + 1
                        inside ^= buf.count(quote, earlier, cut) % 2
                        cut = earlier
                if not cut:
                    carry = buf
                    continue
                piece, carry = buf[:cut], buf[cut:]
                yield line, piece
                line += _line_breaks(piece)
        except UnicodeDecodeError:
            raise DataError(
                f"not valid {self.encoding} text", file=self.name, line=self._decode_error_line(),
                hint="save the file as UTF-8, or name its encoding with --encoding (e.g. latin-1, cp1252)",
            ) from None

    def _all_pieces(self) -> Iterator[tuple[int, str]]:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            yield pending
        yield from self._pieces

    def _simple(self, piece: str) -> list[str] | None:
        """The lines of a piece when splitting on line breaks is exact: no
        quote character (in delimited mode) and no lone carriage return."""
        if self._quoted_mode() and '"' in piece:
            return None
        if "\r" in piece:
            if piece.count("\r") != piece.count("\r\n"):
                return None
            piece = piece.replace("\r\n", "\n")
        lines = piece.split("\n")
        if lines[-1] == "":
            lines.pop()
        return lines

    def _records_of(self, line: int, piece: str) -> Iterator[tuple[int, list[str]]]:
        lines = self._simple(piece)
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
        try:
            reader = csv.reader(io.StringIO(piece, newline=""), delimiter=self.delimiter, strict=False)
            start = line
            for record in reader:
                yield start, record
                start = line + reader.line_num
        except csv.Error as e:
            raise DataError(f"cannot parse the table: {e}", file=self.name) from None

    def _iter_rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line, fields) per record; an empty line is an empty list (a blank
        cell for a score column; skipped by readers of records)."""
        for line, piece in self._all_pieces():
            yield from self._records_of(line, piece)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        return self._iter_rows()

    def byte_ranges(self, n: int, min_bytes: int) -> list[tuple[int, int]] | None:
        """Split the data records of a big UTF-8 file into ``n`` byte ranges
        that end on line breaks. A cut may still fall inside a quoted field
        that spans lines: ``slice_cells`` counts the quotes of its range so
        the caller can check and fall back to one pass. None when the input
        is not such a file (stdin, UTF-16, small)."""
        if not self._path or self.encoding != "utf-8" or not self._quoted_mode() or n < 2:
            return None
        import os

        size = os.path.getsize(self._path)
        start = self._data_start
        if size - start < max(min_bytes, 1):
            return None
        spans = []
        with open(self._path, "rb") as fh:
            for i in range(1, n + 1):
                end = size
                if i < n:
                    fh.seek(start + (size - start) // (n - i + 1))
                    while True:  # to the next line break
                        block = fh.read(1 << 16)
                        if not block:
                            break
                        nl = block.find(b"\n")
                        if nl >= 0:
                            end = fh.tell() - len(block) + nl + 1
                            break
                if end > start:
                    spans.append((start, end))
                    start = end
                if start >= size:
                    break
        return spans if len(spans) > 1 else None

    def slice_cells(self, start: int, end: int, cols: tuple[int, ...], stats: dict, position: list | None = None):
        """``cells`` over the byte range [start, end) of the file, with line
        numbers counted from 1 at ``start``; ``stats`` receives the range's
        ``lines`` and ``quotes`` counts when done. ``position[0]``, when
        given, follows the bytes read so far (for progress reports)."""
        with open(self._path, "rb") as fh:
            if position is not None:
                position[0] = fh
            fh.seek(start)
            text = io.TextIOWrapper(
                io.BufferedReader(_Limited(fh, end - start), 1 << 16), encoding=self.encoding, errors="strict", newline=""
            )
            counted = _Counted(self._read_pieces(text, 1))
            yield from self._cells_of(counted, cols)
            stats["lines"] = counted.lines
            stats["quotes"] = counted.quotes

    def cells(self, cols: tuple[int, ...]) -> Iterator[tuple[list, int, list[int] | None]]:
        """Chunks of the cells in ``cols`` (one column: strings; several:
        tuples), as ``(keys, first_line, lines)``. ``lines`` gives each key's
        line, or is None when key i sits on line ``first_line + i``. Missing
        cells are "" (blank). Quote-free pieces are split directly, others go
        through the csv module: the results are the same."""
        return self._cells_of(self._all_pieces(), cols)

    def _cells_of(self, pieces, cols: tuple[int, ...]):
        multi = len(cols) > 1
        for line, piece in pieces:
            lines = self._simple(piece) if self._quoted_mode() else None
            if lines is not None:
                yield _split_cells(lines, self.delimiter, cols, multi, self.width), line, None
                continue
            if not self._quoted_mode():
                records = [(ln, row) for ln, row in self._records_of(line, piece)]
                yield [_cell_of(row, cols, multi) for _, row in records], line, [ln for ln, _ in records]
                continue
            try:
                rows = list(csv.reader(io.StringIO(piece, newline=""), delimiter=self.delimiter, strict=False))
            except csv.Error as e:
                raise DataError(f"cannot parse the table: {e}", file=self.name) from None
            keys = _pick_cells(rows, cols, multi)
            # line numbers are only needed to name invalid cells: worked out on demand
            yield keys, line, _LazyLines(lambda p=piece, ln=line: [n for n, _ in self._records_of(ln, p)])

    @property
    def size(self) -> int | None:
        """Size in bytes of the input file (None for stdin)."""
        if not self._path:
            return None
        import os

        return os.path.getsize(self._path)

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

    def _decode_error_line(self) -> int | None:
        """Line of the first undecodable byte (files only: stdin cannot be re-read)."""
        if not self._path:
            return None
        dec = codecs.getincrementaldecoder(self.encoding)()
        line = 1
        with open(self._path, "rb") as fh:
            while chunk := fh.read(1 << 16):
                try:
                    text = dec.decode(chunk)
                except UnicodeDecodeError as e:
                    return line + codecs.decode(chunk[: e.start], self.encoding, "replace").count("\n")
                line += text.count("\n")
        return None

    # -- columns ----------------------------------------------------------
    def columns_text(self) -> str:
        if self.header:
            return ", ".join(f"{i}:{h}" if h else f"{i}:(unnamed)" for i, h in enumerate(self.header, 1))
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
                f"no {what} {spec!r} in {self.name}", hint=f"columns: {self.columns_text()}"
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
) -> Table:
    """Open ``path`` (``-`` or None: ``stdin``) as a Table. Raises NotFoundError
    for a missing file, DataError for one that cannot be read."""
    if path is None or path == "-":
        if stdin is None:
            raise UsageError("no input: give a FILE or pipe data into stdin")
        return Table(stdin, "<stdin>", delimiter=delimiter, header=header, encoding=encoding)
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        raise NotFoundError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise DataError(f"{path} is a folder, not a file") from None
    except OSError as e:
        raise DataError(f"cannot open {path}: {e.strerror or e}") from None
    return Table(fh, path, delimiter=delimiter, header=header, encoding=encoding, path=path)
