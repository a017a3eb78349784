"""The table reader against Python's csv module, on random files.

"Equal to csv" means: the records, and the line each starts on, are those
``csv.reader(io.StringIO(text, newline=""), delimiter=d, strict=False)``
gives for the decoded text (without its BOM). One exception, by design: where
the csv module would silently take everything after an unclosed quote as one
field, the reader stops with an error naming the line and column where that
quoted field opened. Whether the csv module ends inside a quoted field is
itself asked of the csv module: a line appended after the text stays a record
of its own only when the text ends outside quotes.

Both readers are checked: the single pass (``rows()`` and ``cells()``) with
pieces of a few characters, so that pieces are cut everywhere, and the
parallel split (``byte_ranges`` + ``slice_cells`` + the merge rule of
``scores._combine``) with many ranges, run in-process here (the forked run
is covered in test_scores.py). Every example generates many files from one
seed, to test thousands of files in a few seconds.
"""

from __future__ import annotations

import codecs
import csv
import io
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxterms.errors import DataError
from cxterms.io import scores as scores_mod
from cxterms.io import table as table_mod
from cxterms.io.table import Table

FILES_PER_EXAMPLE = 12
SENTINEL = "\uffff"


# -- random files ------------------------------------------------------------

def field(rng: random.Random, d: str) -> str:
    """A well-formed field: empty, unquoted (stray quotes after the first
    character included), or quoted (delimiters, line breaks and doubled
    quotes inside, sometimes text after the closing quote)."""
    roll = rng.random()
    if roll < 0.2:
        return ""
    if roll < 0.6:
        chars = [rng.choice('ab 9."é') for _ in range(rng.randint(1, 6))]
        if chars[0] == '"':
            chars[0] = "x"
        return "".join(chars)
    body = "".join(rng.choice(["a", " ", '""', d, "\n", "\r\n", "\r", "9", "é"]) for _ in range(rng.randint(0, 6)))
    tail = ""
    if rng.random() < 0.15:  # `"ab"c"d`: after the closing quote the field goes on unquoted
        tail = rng.choice("ab") + "".join(rng.choice('a"') for _ in range(rng.randint(0, 2)))
    return '"' + body + '"' + tail


def well_formed(rng: random.Random, d: str) -> str:
    out = []
    for _ in range(rng.randint(0, 12)):
        if rng.random() < 0.1:
            out.append("")  # a blank line
        else:
            out.append(d.join(field(rng, d) for _ in range(rng.randint(1, 4))))
        out.append(rng.choice(["\n", "\r\n", "\r"]))
    if out and rng.random() < 0.3:
        out.pop()  # no line break after the last record
    return "".join(out)


def with_unclosed(rng: random.Random, d: str) -> tuple[str, tuple[int, int]]:
    """A well-formed text followed by a record whose last field opens a quote
    that is never closed; also (line, column) of that quote."""
    text = well_formed(rng, d)
    if text and not text.endswith(("\n", "\r")):
        text += "\n"
    lead = d.join(field(rng, d) for _ in range(rng.randint(0, 2)))
    lead = lead + d if lead or rng.random() < 0.5 else lead
    before = text + lead
    body = "".join(rng.choice(["a", d, "\n", "\r\n", " "]) for _ in range(rng.randint(0, 8)))
    lines = list(io.StringIO(before, newline=""))
    if lines and lines[-1].endswith(("\n", "\r")):
        lines.append("")
    line, col = max(len(lines), 1), len(lines[-1]) + 1 if lines else 1
    return before + '"' + body, (line, col)


def chaos(rng: random.Random, d: str) -> str:
    """Anything: quotes, delimiters and line breaks in any order."""
    return "".join(rng.choice(['"', '"', d, "\n", "\r", "\r\n", "a", " "]) for _ in range(rng.randint(0, 40)))


def reference(text: str, d: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=d, strict=False)
    out, start = [], 1
    for rec in reader:
        out.append((start, rec))
        start = reader.line_num + 1
    return out


def ends_in_quotes(text: str, d: str) -> bool:
    if not text:
        return False
    tail = "" if text.endswith(("\n", "\r")) else "\n"
    rows = list(csv.reader(io.StringIO(text + tail + SENTINEL, newline=""), delimiter=d, strict=False))
    return rows[-1] != [SENTINEL]


def record_starts(text: str, d: str) -> set[int]:
    """Character offsets where the csv module starts a record (and the end)."""
    starts_at_line = [0]
    for piece in io.StringIO(text, newline=""):
        starts_at_line.append(starts_at_line[-1] + len(piece))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=d, strict=False)
    out = {0, len(text)}
    for _ in reader:
        out.add(starts_at_line[min(reader.line_num, len(starts_at_line) - 1)])
    return out


def expected_after_header(records, header: bool):
    if not header:
        return None, records
    for i, (_ln, rec) in enumerate(records):
        if rec:
            return [h.strip() for h in rec], records[i + 1:]
    return None, []


def cell(rec: list[str], k: int) -> str:
    return rec[k] if k < len(rec) else ""


# -- the readers ---------------------------------------------------------------

def single_pass(data: bytes, d: str, header: bool, k: int):
    t = Table(io.BytesIO(data), "t.csv", delimiter=d, header=header)
    got_rows = list(t.rows())
    t2 = Table(io.BytesIO(data), "t.csv", delimiter=d, header=header)
    got_cells = [
        ((lines[i] if lines is not None else first + i), key)
        for keys, first, lines in t2.cells((k,))
        for i, key in enumerate(keys)
    ]
    return t.header, got_rows, got_cells


def parallel(path, d: str, header: bool, k: int, n: int):
    """What the parallel reader would count: (header, ranges, merged cells
    or None when it falls back to one pass)."""
    with open(path, "rb") as fh:
        t = Table(fh, str(path), delimiter=d, header=header, path=str(path))
        spans = t.byte_ranges(n, 0)
        if spans is None:
            return t.header, None, "no split"
        results = []
        for a, b in spans:
            stats: dict = {}
            got = [
                ((lines[i] if lines is not None else first + i), key)
                for keys, first, lines in t.slice_cells(a, b, (k,), stats)
                for i, key in enumerate(keys)
            ]
            results.append((got, None, stats))
        parts = scores_mod._combine(results, t.header_line if t.header is not None else 0)
        if parts is None:
            return t.header, spans, None
        return t.header, spans, [(ln + shift, key) for got, shift in parts for ln, key in got]


@pytest.fixture
def tiny_pieces(monkeypatch):
    def use(chars: int) -> None:
        monkeypatch.setattr(table_mod, "CHUNK_CHARS", chars)

    return use


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), d=st.sampled_from([",", ";", "\t", "|"]), chunk=st.sampled_from([1, 2, 3, 5, 8, 13, 64]))
def test_single_pass_equals_csv(tiny_pieces, seed, d, chunk):
    tiny_pieces(chunk)
    rng = random.Random(seed)
    for _ in range(FILES_PER_EXAMPLE):
        kind = rng.random()
        where = None
        if kind < 0.55:
            text = well_formed(rng, d)
        elif kind < 0.75:
            text, where = with_unclosed(rng, d)
        else:
            text = chaos(rng, d)
        bom = rng.random() < 0.2
        data = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
        header = rng.random() < 0.3
        k = rng.randint(0, 2)
        if ends_in_quotes(text, d):
            with pytest.raises(DataError) as err:
                single_pass(data, d, header, k)
            assert err.value.message.startswith("unclosed quote"), (text, err.value)
            if where is not None:
                assert (err.value.line, err.value.column) == where, text
            else:  # the quote opens within the last record the csv module reads
                last_start = reference(text, d)[-1][0]
                assert last_start <= err.value.line <= last_start + table_mod._line_breaks(text), text
            continue
        assert where is None
        want_header, want = expected_after_header(reference(text, d), header)
        got_header, got_rows, got_cells = single_pass(data, d, header, k)
        assert got_header == want_header, text
        assert got_rows == want, text
        assert got_cells == [(ln, cell(rec, k)) for ln, rec in want], text


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), d=st.sampled_from([",", ";", "|"]), chunk=st.sampled_from([2, 5, 16, 64]), n=st.integers(2, 9))
def test_parallel_split_equals_csv(tmp_path, tiny_pieces, seed, d, chunk, n):
    """Every range but a wrong one is read as the csv module reads it, and the
    merge falls back to one pass exactly when a cut is not a record start
    (inside a quoted field that spans lines) or a quote is left open."""
    tiny_pieces(chunk)
    rng = random.Random(seed)
    path = tmp_path / "p.csv"
    for _ in range(FILES_PER_EXAMPLE):
        kind = rng.random()
        if kind < 0.6:
            text = well_formed(rng, d) + well_formed(rng, d)
        elif kind < 0.75:
            text = with_unclosed(rng, d)[0]
        else:
            text = chaos(rng, d)
        bom = rng.random() < 0.2
        prefix = codecs.BOM_UTF8 if bom else b""
        path.write_bytes(prefix + text.encode("utf-8"))
        header = rng.random() < 0.3
        k = rng.randint(0, 2)
        unclosed = ends_in_quotes(text, d)
        try:
            got_header, spans, merged = parallel(path, d, header, k, n)
        except DataError as e:  # the open quote swallowed the header's piece
            assert unclosed and header and e.message.startswith("unclosed quote"), (text, e)
            continue
        want_header, want = expected_after_header(reference(text, d), header)
        assert got_header == want_header, text
        if merged == "no split":
            continue
        starts = {len(prefix) + len(text[:c].encode("utf-8")) for c in record_starts(text, d)}
        bad_cut = any(b not in starts for _a, b in spans[:-1])
        if unclosed or bad_cut:
            assert merged is None, (text, spans)
        else:
            assert merged == [(ln, cell(rec, k)) for ln, rec in want], (text, spans)


# -- the speculative fast path of cells() ----------------------------------------

def export_like(rng: random.Random, d: str) -> str:
    """Survey-export-shaped text: leading unquoted fields (now and then with a
    stray quote or a quoted cell), trailing quoted free text (delimiters,
    doubled quotes, sometimes line breaks inside), blank and short lines, and
    every kind of line end: the shapes where the pattern reads the cells and
    the ones where it must hand over to the csv module."""
    out = []
    width = rng.randint(2, 5)
    ends = rng.choice([["\n"], ["\r\n"], ["\n", "\r\n"], ["\n", "\r"]])
    for _ in range(rng.randint(0, 30)):
        roll = rng.random()
        if roll < 0.04:
            out.append("")
        else:
            fields = []
            for i in range(width if roll > 0.08 else rng.randint(1, width)):
                if i < width - 1:
                    cell_text = "".join(rng.choice("0123456789ab é") for _ in range(rng.randint(0, 3)))
                    if rng.random() < 0.03:
                        cell_text = rng.choice(['5" x', '"7"', '"a' + d + 'b"'])
                else:
                    body = "".join(rng.choice(["fine", " ", d, '""', "é"] + (["\n", "\r\n"] if rng.random() < 0.05 else []))
                                   for _ in range(rng.randint(0, 5)))
                    cell_text = '"' + body + '"' if rng.random() < 0.8 else body.replace('"', "").replace("\n", "").replace("\r", "")
                fields.append(cell_text)
            out.append(d.join(fields))
        out.append(rng.choice(ends))
    return "".join(out)


def check_cells(text: str, d: str, header: bool, cols: tuple[int, ...]) -> None:
    t = Table(io.BytesIO(text.encode("utf-8")), "t.csv", delimiter=d, header=header)
    got = [
        ((lines[i] if lines is not None else first + i), key)
        for keys, first, lines in t.cells(cols)
        for i, key in enumerate(keys)
    ]
    _h, want = expected_after_header(reference(text, d), header)
    if len(cols) == 1:
        expect = [(ln, cell(rec, cols[0])) for ln, rec in want]
    else:
        expect = [(ln, tuple(cell(rec, c) for c in cols)) for ln, rec in want]
    assert got == expect, (text, cols)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), d=st.sampled_from([",", ";", "\t", "|"]), chunk=st.sampled_from([16, 64, 512, 1 << 20]))
def test_cells_of_exports_equal_csv(tiny_pieces, seed, d, chunk):
    """cells() of one or several columns (any order, repeats allowed) equals
    the csv module's cells, whether a piece is read by the pattern of
    ``_line_cells`` or by the csv module."""
    tiny_pieces(chunk)
    rng = random.Random(seed)
    for _ in range(FILES_PER_EXAMPLE):
        text = export_like(rng, d)
        if not ends_in_quotes(text, d):
            check_cells(text, d, rng.random() < 0.5, tuple(rng.randint(0, 4) for _ in range(rng.choice([1, 1, 2, 3]))))


def test_the_pattern_reads_most_export_pieces(tiny_pieces, monkeypatch):
    """On 400 export-shaped files the pattern reads a fair share of the
    pieces it tries (counted, so that the fast path cannot silently stop
    working), and the cells still equal the csv module's."""
    tiny_pieces(256)
    taken = []
    real = Table._fast_cells

    def spy(self, buf, cut):
        skipped = self._fast_skip
        got = real(self, buf, cut)
        if not skipped:
            taken.append(got is not None)
        return got

    monkeypatch.setattr(Table, "_fast_cells", spy)
    rng = random.Random(12)
    for _ in range(400):
        d = rng.choice(",;\t|")
        text = export_like(rng, d)
        if not ends_in_quotes(text, d):
            check_cells(text, d, rng.random() < 0.5, tuple(sorted(rng.sample(range(3), rng.choice([1, 2])))))
    assert len(taken) > 200 and sum(taken) > 0.15 * len(taken), (sum(taken), len(taken))


def test_line_cells_reads_an_export_in_one_pass():
    """A typical export (comment last, quoted, with delimiters and doubled
    quotes inside) is read by the pattern, the cells in the order asked."""
    text = "id,seg,score,comment\n" + "".join(f'{i},S{i % 3},{i % 11},"ok, ""fine"" {i}"\r\n' for i in range(200))
    t = Table(io.BytesIO(text.encode()), "t.csv", delimiter=",")
    pieces = list(t._read_pieces(io.StringIO(text[text.index("\n") + 1:], newline=""), 2))
    assert all(rows is None or not isinstance(rows, table_mod._FastCells) for _l, _p, rows in pieces)  # no cells() asked
    t = Table(io.BytesIO(text.encode()), "t.csv", delimiter=",")
    chunks = list(t.cells((2, 1, 2)))
    assert [k for keys, _f, _l in chunks for k in keys] == [(str(i % 11), f"S{i % 3}", str(i % 11)) for i in range(200)]
    assert all(lines is None for _k, _f, lines in chunks)
