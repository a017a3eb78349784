"""File formats told by content, not by name, and readers for the ones that
are not delimited text.

* ``sniff(prefix)`` names the format from the first bytes: a zip container
  (xlsx/xlsm/ods, or another zip), an OLE2 file (xls), Parquet, JSON, JSON
  Lines, or one of the binaries a user may pick by mistake (gzip, PNG, PDF,
  ...), else "text" (left to the CSV reader).
* Spreadsheets are read with python-calamine (Rust, no dependencies of its
  own, reads xlsx, xlsm, xlsb, xls and ods; Excel date cells come back as
  dates). JSON uses the standard library. Parquet uses pyarrow, in the
  optional ``parquet`` extra.

Each reader yields ``(line, cells)`` records as strings, where ``line`` is
the spreadsheet row, the JSON Lines line, or the JSON array element.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from ..errors import DataError, MissingDependencyError, UsageError

#: magic bytes of binaries that are not tables
BINARIES = (
    (b"\x1f\x8b", "a gzip-compressed file", "decompress it first (gunzip FILE)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", None),
    (b"%PDF-", "a PDF document", "export the survey as CSV or Excel instead"),
    (b"\xff\xd8\xff", "a JPEG image", None),
    (b"GIF8", "a GIF image", None),
    (b"BZh", "a bzip2-compressed file", "decompress it first (bunzip2 FILE)"),
    (b"\xfd7zXZ\x00", "an xz-compressed file", "decompress it first (unxz FILE)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", None),
    (b"\x28\xb5\x2f\xfd", "a zstd-compressed file", "decompress it first (unzstd FILE)"),
    (b"\x7fELF", "a program (ELF executable)", None),
    (b"SQLite format 3\x00", "an SQLite database", None),
)
SPREADSHEETS = ("xlsx", "xls", "ods")


def sniff(prefix: bytes) -> str:
    """The format of a file from its first bytes: zip, xls, parquet, json,
    jsonl, text, or a binary's description.

    >>> sniff(b"PK\\x03\\x04..."), sniff(b"\\xd0\\xcf\\x11\\xe0\\xa1\\xb1\\x1a\\xe1"), sniff(b"PAR1...")
    ('zip', 'xls', 'parquet')
    >>> sniff(b' [{"score": 9}]'), sniff(b'{"score": 9}\\n{"score": 3}\\n'), sniff(b"score\\n9\\n")
    ('json', 'jsonl', 'text')
    >>> sniff(b"\\x1f\\x8b\\x08\\x00")
    'a gzip-compressed file'
    """
    if prefix.startswith(b"PK\x03\x04") or prefix.startswith(b"PK\x05\x06"):
        return "zip"
    if prefix.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if prefix.startswith(b"PAR1"):
        return "parquet"
    for magic, what, _hint in BINARIES:
        if prefix.startswith(magic):
            return what
    head = prefix.lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"["):
        return "json"
    if head.startswith(b"{"):
        first = head.split(b"\n", 1)[0].strip()
        try:
            json.loads(first)
            return "jsonl"
        except ValueError:
            return "json"  # one object spread over lines
    return "text"


def binary_hint(kind: str) -> str | None:
    return next((hint for _m, what, hint in BINARIES if what == kind), None)


def zip_kind(source) -> str:
    """xlsx, ods, or 'a zip archive' for a zip container (path or file object)."""
    import zipfile  # imports bz2 and lzma: only when a zip shows up

    try:
        with zipfile.ZipFile(source) as z:
            names = set(z.namelist())
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                return "xlsx"
            if "mimetype" in names and b"opendocument.spreadsheet" in z.read("mimetype"):
                return "ods"
            if "word/document.xml" in names:
                return "a Word document"
            if "ppt/presentation.xml" in names:
                return "a PowerPoint file"
    except (zipfile.BadZipFile, OSError, KeyError):
        return "a damaged zip archive"
    return "a zip archive"


# -- cell values as text ------------------------------------------------------

def cell_text(value) -> str:
    """A typed cell (spreadsheet, JSON, Parquet) as the text a CSV export holds.

    >>> [cell_text(v) for v in (None, 9, 9.0, 7.25, True, "x", date(2026, 3, 28))]
    ['', '9', '9', '7.25', 'true', 'x', '2026-03-28']
    >>> cell_text(datetime(2026, 3, 28, 16, 28)), cell_text(float("nan"))
    ('2026-03-28 16:28:00', '')
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "" if math.isnan(value) else str(value)
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


# -- spreadsheets --------------------------------------------------------------

def spreadsheet_rows(source, name: str, sheet: str | None, notes: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Rows of one sheet (``sheet``: a name or a 1-based number; default the
    first sheet with data) as text."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(source) if isinstance(source, str) else pc.CalamineWorkbook.from_filelike(source)
    except Exception as e:  # calamine raises its own classes for damaged files
        raise DataError(f"cannot read the spreadsheet: {str(e)[:120]}", file=name) from None
    names = wb.sheet_names
    if sheet is not None:
        if sheet in names:
            chosen = sheet
        elif sheet.strip().isdigit() and 1 <= int(sheet) <= len(names):
            chosen = names[int(sheet) - 1]
        else:
            folded = [n for n in names if n.casefold() == sheet.strip().casefold()]
            if not folded:
                raise UsageError(f"no sheet {sheet!r} in {name}", hint="sheets: " + ", ".join(f"{i}:{n}" for i, n in enumerate(names, 1)))
            chosen = folded[0]
        data = wb.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    else:
        chosen, data = None, []
        for n in names:
            data = wb.get_sheet_by_name(n).to_python(skip_empty_area=False)
            if any(any(c not in (None, "") for c in row) for row in data):
                chosen = n
                break
        if chosen is None:
            raise DataError("the spreadsheet has no data", file=name)
        if len(names) > 1:
            notes.append(f"sheet {chosen!r} of {len(names)} ({', '.join(names)}); choose another with --sheet")
    for i, row in enumerate(data, 1):
        cells = [cell_text(c) for c in row]
        while cells and cells[-1] == "":
            cells.pop()
        yield i, cells


# -- JSON ----------------------------------------------------------------------

def _records_to_rows(records, name: str, first_line: int = 1, lines=None) -> Iterator[tuple[int, list[str]]]:
    """Objects (a header of the union of their keys) or arrays (the first is the header)."""
    records = list(records)
    if not records:
        raise DataError("the JSON holds no records", file=name)
    if all(isinstance(r, dict) for r in records):
        keys: dict[str, None] = {}
        for r in records:
            for k in r:
                keys.setdefault(str(k), None)
        header = list(keys)
        yield 0, header
        for i, r in enumerate(records):
            yield (lines[i] if lines else first_line + i), [cell_text(r.get(k)) for k in header]
        return
    if all(isinstance(r, list) for r in records):
        for i, r in enumerate(records):
            yield (lines[i] if lines else first_line + i), [cell_text(c) for c in r]
        return
    if all(not isinstance(r, (dict, list)) for r in records):  # [9, 10, 3]
        yield 0, ["value"]
        for i, r in enumerate(records):
            yield (lines[i] if lines else first_line + i), [cell_text(r)]
        return
    raise DataError("the JSON array mixes objects, arrays and plain values", file=name)


def json_rows(data: bytes, name: str) -> Iterator[tuple[int, list[str]]]:
    """A JSON array of objects (or arrays), or an object holding one such array."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DataError("the JSON is not UTF-8 text", file=name) from None
    except json.JSONDecodeError as e:
        raise DataError(f"not valid JSON: {e.msg}", file=name, line=e.lineno, column=e.colno) from None
    if isinstance(doc, dict):
        lists = [(k, v) for k, v in doc.items() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)]
        if len(lists) > 1:
            raise DataError(f"the JSON object holds several arrays of records ({', '.join(k for k, _ in lists[:5])})", file=name,
                            hint="give one array of objects, e.g. [{\"score\": 9}, ...], or JSON Lines")
        doc = lists[0][1] if lists else [doc]  # one object: one record
    if not isinstance(doc, list):
        raise DataError("the JSON is not an array of records", file=name)
    yield from _records_to_rows(doc, name, first_line=1)


def _jsonl_lines(source, name: str) -> Iterator[tuple[int, object]]:
    """(line, parsed value) per non-blank line of bytes or a file path."""
    fh = open(source, "rb") if isinstance(source, str) else io.BytesIO(source)
    with fh:
        for i, raw in enumerate(fh, 1):
            if i == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            try:
                yield i, json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                raise DataError("the JSON Lines file is not UTF-8 text", file=name, line=i) from None
            except json.JSONDecodeError as e:
                raise DataError(f"not valid JSON: {e.msg}", file=name, line=i, column=e.colno) from None


def jsonl_rows(source, name: str) -> Iterator[tuple[int, list[str]]]:
    """JSON Lines (bytes, or a path read twice: once for the keys, once for
    the rows, so memory does not grow with the file); blank lines are skipped."""
    keys: dict[str, None] = {}
    kinds = set()
    for _i, rec in _jsonl_lines(source, name):
        kinds.add("object" if isinstance(rec, dict) else "array" if isinstance(rec, list) else "value")
        if isinstance(rec, dict):
            for k in rec:
                keys.setdefault(str(k), None)
    if not kinds:
        raise DataError("the JSON Lines file holds no records", file=name)
    if len(kinds) > 1:
        raise DataError("the JSON Lines mix objects, arrays and plain values", file=name)
    kind = kinds.pop()
    if kind == "object":
        header = list(keys)
        yield 0, header
        for i, rec in _jsonl_lines(source, name):
            yield i, [cell_text(rec.get(k)) for k in header]
    elif kind == "array":
        for i, rec in _jsonl_lines(source, name):
            yield i, [cell_text(c) for c in rec]
    else:
        yield 0, ["value"]
        for i, rec in _jsonl_lines(source, name):
            yield i, [cell_text(rec)]


# -- Parquet -------------------------------------------------------------------

def parquet_rows(source, name: str) -> Iterator[tuple[int, list[str]]]:
    """Rows of a Parquet file, in record batches (line = row number + 1, the header being line 1)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError(
            f"{name} is a Parquet file, and reading Parquet needs pyarrow",
            hint="pip install 'cxterms[parquet]'",
        ) from None
    try:
        pf = pq.ParquetFile(source)
    except Exception as e:  # pyarrow's ArrowInvalid and friends
        raise DataError(f"cannot read the Parquet file: {str(e)[:120]}", file=name) from None
    header = list(pf.schema_arrow.names)
    yield 1, header
    line = 2
    for batch in pf.iter_batches(batch_size=8192):
        columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        for values in zip(*columns):
            yield line, [cell_text(v) for v in values]
            line += 1
