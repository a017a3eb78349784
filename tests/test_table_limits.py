"""The table reader on hostile input: stray and unclosed quotes, CR-only
line ends, over-long records, devices, unreadable files, odd encodings,
huge cells in messages."""

from __future__ import annotations

import codecs
import csv
import io
import os
import random
import subprocess
import sys
import tracemalloc

import pytest

from cxterms.errors import DataError, NotFoundError, UsageError
from cxterms.io import shown
from cxterms.io import table as table_mod
from cxterms.io.records import read_orders
from cxterms.io.scores import make_parser, read_scores
from cxterms.io.table import Table, open_table, parse_delimiter
from cxterms.metrics.scales import Scale

from .conftest import REPO

NPS = make_parser(Scale(0, 10))
STRAY = 'id,comment,score\n1,The 5" screen is great,9\n2,"multi\nline, with a comma",10\n3,ok,0\n'


def table(data: bytes | str, **kw) -> Table:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return Table(io.BytesIO(data), "t.csv", **kw)


def cli(*args, stdin=None, **kw):
    env = dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "cxterms", *map(str, args)], capture_output=True, text=True, stdin=stdin, env=env, timeout=120, **kw)


# -- quotes ----------------------------------------------------------------------

@pytest.mark.parametrize("chunk", [1 << 20, 7, 30])
def test_stray_quote_in_an_unquoted_field_is_a_literal(monkeypatch, chunk):
    """A quote opens a quoted field only as a field's first character."""
    monkeypatch.setattr(table_mod, "CHUNK_CHARS", chunk)
    d = read_scores(table(STRAY), NPS, column="score")
    assert d.overall.counts == {9: 1, 10: 1, 0: 1} and d.rows == 3
    want = list(csv.reader(io.StringIO(STRAY, newline="")))[1:]
    assert [r for _ln, r in table(STRAY).rows()] == want
    assert [ln for ln, _r in table(STRAY).rows()] == [2, 3, 5]


def test_stray_quotes_in_a_big_file_parallel_and_single_pass(tmp_path, monkeypatch):
    """The issue's case over many pieces and ranges: stray quotes on every
    row, and a multi-line quoted comment every few rows."""
    monkeypatch.setattr(table_mod, "CHUNK_CHARS", 997)  # many cuts (the workers inherit it)
    path = tmp_path / "stray.csv"
    rng = random.Random(9)
    rows = ["id,comment,score"]
    for i in range(40_000):
        note = rng.choice(['"two\nlines, ""quoted"""', 'The 5" screen', "plain", '"a, b"'])
        rows.append(f"{i},{note},{i % 11}")
    path.write_text("\n".join(rows) + "\n")
    want = {}
    for rec in list(csv.reader(io.StringIO(path.read_text(), newline="")))[1:]:
        want[int(rec[2])] = want.get(int(rec[2]), 0) + 1
    for workers in (1, 3):
        with open(path, "rb") as fh:
            d = read_scores(Table(fh, str(path), path=str(path)), NPS, column="score", workers=workers)
        assert d.overall.counts == want and d.rows == 40_000


@pytest.mark.parametrize(
    "text, where",
    [
        ('score,comment\n9,"abc\n10,x\n3,y\n', (2, 3)),
        ('score,comment\n9,ok\n10,"a ""b"" c\n', (3, 4)),
        ('score,comment\r\n9,ok\r\n10,x\r\n3,"\r\n', (4, 3)),
        ('"score,x\n9,1\n', (1, 1)),
    ],
)
def test_unclosed_quote_is_an_error_where_it_opened(text, where):
    with pytest.raises(DataError) as err:
        list(table(text, delimiter=",").rows())
    e = err.value
    assert e.message.startswith("unclosed quote") and (e.file, e.line, e.column) == ("t.csv", *where)


def test_unclosed_quote_through_the_cli(tmp_path):
    p = tmp_path / "open.csv"
    p.write_text('score,comment\n9,"abc\n10,x\n3,y\n')
    r = cli("nps", p)
    assert r.returncode == 1 and r.stdout == ""
    first, *rest = r.stderr.splitlines()
    assert first.startswith("cxterms: unclosed quote") and first.endswith(f"({p}:2:3)")
    assert len(rest) <= 1 and all(x.startswith("hint:") for x in rest)


def test_unclosed_quote_in_a_parallel_read(tmp_path):
    path = tmp_path / "open.csv"
    path.write_text("id,score\n" + "".join(f"{i},9\n" for i in range(5000)) + '5000,"9\n' + "".join(f"{i},9\n" for i in range(5001, 9000)))
    with open(path, "rb") as fh, pytest.raises(DataError) as err:
        read_scores(Table(fh, str(path), path=str(path)), NPS, column="score", workers=3)
    assert err.value.message.startswith("unclosed quote") and (err.value.line, err.value.column) == (5002, 6)


def test_unclosed_quote_memory_is_bounded(tmp_path, monkeypatch):
    """A quote left open at line 2 of a big file: an error once the open
    field passes MAX_RECORD, not the whole file in memory."""
    monkeypatch.setattr(table_mod, "MAX_RECORD", 1 << 20)
    path = tmp_path / "open.csv"
    with open(path, "w") as fh:
        fh.write('score,comment\n9,"never closed\n')
        fh.write("10,some text\n" * 600_000)  # 7 MB
    tracemalloc.start()
    try:
        with open(path, "rb") as fh, pytest.raises(DataError) as err:
            read_scores(Table(fh, str(path), path=str(path)), NPS, column="score", workers=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.message == "unclosed quote: the quoted field opened here is not closed within 1 MiB"
    assert (err.value.line, err.value.column) == (2, 3)
    assert peak < 24 << 20, peak


# -- line ends, long records, devices ----------------------------------------------

def test_cr_only_line_ends_are_line_ends_with_flat_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(table_mod, "CHUNK_CHARS", 1 << 16)  # steady state with small files

    def read(n):
        path = tmp_path / f"cr{n}.csv"
        path.write_bytes(b"id,seg,score\r" + b"".join(b"%d,%s,%d\r" % (i, b"AB"[i % 2 : i % 2 + 1], i % 11) for i in range(n)))
        tracemalloc.start()
        try:
            with open(path, "rb") as fh:
                d = read_scores(Table(fh, str(path), path=str(path)), NPS, column="score", by="seg", workers=1)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert d.rows == n and d.overall.n == n and sorted(d.groups()) == [("A",), ("B",)]
        return peak

    small, large = read(30_000), read(120_000)
    assert large < 1.3 * small, (small, large)
    t = table(b"a,b\r1,2\r\r3,\"x\ry\"\r")
    assert list(t.rows()) == [(2, ["1", "2"]), (3, []), (4, ["3", "x\ry"])]


@pytest.mark.parametrize("workers", [1, 3])
def test_cr_only_parallel_line_numbers(tmp_path, workers):
    path = tmp_path / "cr.csv"
    path.write_bytes(b"id,score\r" + b"".join(b"%d,9\r" % i for i in range(3000)) + b"3000,oops\r" + b"3001,9\r")
    with open(path, "rb") as fh, pytest.raises(DataError, match="line 3002: 'oops'"):
        read_scores(Table(fh, str(path), path=str(path)), NPS, column="score", workers=workers)


def test_a_record_longer_than_the_limit_names_its_line(monkeypatch):
    monkeypatch.setattr(table_mod, "MAX_RECORD", 1 << 20)
    data = b"score,comment\n9,ok\n" + b"x" * (3 << 20) + b"\n10,ok\n"
    with pytest.raises(DataError) as err:
        list(table(data).rows())
    assert err.value.message == "record longer than 1 MiB starting at line 3" and err.value.line == 3
    # just under the limit is fine
    ok = b"score,comment\n9," + b"x" * ((1 << 20) - 10) + b"\n10,ok\n"
    assert [len(r) for _ln, r in table(ok).rows()] == [2, 2]


def test_endless_stream_without_line_breaks_stops(monkeypatch):
    """Reading /dev/zero as stdin: an error after MAX_RECORD, not growth."""
    monkeypatch.setattr(table_mod, "MAX_RECORD", 1 << 20)
    with open("/dev/zero", "rb") as zero, pytest.raises(DataError, match="record longer than 1 MiB starting at line 1"):
        list(Table(zero, "<stdin>").rows())


def test_devices_and_folders_are_refused(tmp_path):
    with pytest.raises(DataError, match="not a regular file or a pipe"):
        open_table("/dev/zero", None)
    with pytest.raises(DataError, match="is a folder"):
        open_table(str(tmp_path), None)
    r = cli("nps", "/dev/zero")
    assert r.returncode == 1 and r.stdout == "" and r.stderr.startswith("cxterms: /dev/zero is not a regular file")


def test_unreadable_files_are_one_line_errors(tmp_path):
    """(Python itself refuses to start with a folder on stdin, so that case
    is checked on the Table.)"""
    r = cli("nps", "/proc/self/mem")
    assert r.returncode == 1 and r.stdout == ""
    [line] = r.stderr.splitlines()
    assert line.startswith("cxterms: cannot ") and line.endswith("/proc/self/mem: Input/output error")
    with pytest.raises(DataError, match="cannot read /proc/self/mem: Input/output error"):
        open_table("/proc/self/mem", None)

    class Fd(io.RawIOBase):  # what the shell hands over for `cxterms nps < folder`
        def __init__(self, fd):
            self.fd = fd

        def readable(self):
            return True

        def readinto(self, b):
            data = os.read(self.fd, len(b))
            b[: len(data)] = data
            return len(data)

    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        with pytest.raises(DataError) as err:
            Table(io.BufferedReader(Fd(fd)), "<stdin>")
    finally:
        os.close(fd)
    assert err.value.message == "cannot read <stdin>: Is a directory"


def test_a_named_pipe_is_read_like_stdin(tmp_path):
    fifo = tmp_path / "scores.fifo"
    os.mkfifo(fifo)
    proc = subprocess.Popen(["sh", "-c", f"printf 'score\\n9\\n10\\n3\\n' > {fifo}"])
    try:
        t = open_table(str(fifo), None)
        assert [r for _ln, r in t.rows()] == [["9"], ["10"], ["3"]]
    finally:
        proc.wait(timeout=10)


@pytest.mark.parametrize("text", ['"', "\n", "\r"])
def test_quote_and_line_breaks_are_not_delimiters(text):
    with pytest.raises(UsageError):
        parse_delimiter(text)


# -- encodings ------------------------------------------------------------------

TEXT = "score;name\n9;Zoë\n10;b\n"


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be"])
def test_utf32_with_bom_is_read(codec):
    bom = codecs.BOM_UTF32_LE if codec.endswith("le") else codecs.BOM_UTF32_BE
    t = table(bom + TEXT.encode(codec))
    assert t.encoding == codec and t.header == ["score", "name"]
    assert list(t.rows()) == [(2, ["9", "Zoë"]), (3, ["10", "b"])]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_bomless_utf16_and_utf32_are_named(codec):
    data = TEXT.encode(codec)
    with pytest.raises(DataError) as err:
        table(data)
    assert codec.upper() in err.value.message and f"--encoding {codec}" in err.value.hint
    t = table(data, encoding=codec)  # and the hint works
    assert t.header == ["score", "name"] and list(t.rows())[0] == (2, ["9", "Zoë"])


def test_not_a_text_encoding_is_a_usage_error():
    with pytest.raises(UsageError):
        table(b"score\n9\n", encoding="rot13")


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("workers", [1, 3])
def test_bad_byte_line_on_both_paths(tmp_path, monkeypatch, eol, workers):
    monkeypatch.setattr(table_mod, "CHUNK_CHARS", 4096)  # the bad byte is not in the header's piece
    path = tmp_path / "bad.csv"
    lines = ["id,score"] + [f"{i},9" for i in range(6000)]
    lines[4500] = "4499,9 caf\udce9"  # an undecodable byte on line 4501
    path.write_bytes(eol.join(lines).encode("utf-8", "surrogateescape") + eol.encode())
    with open(path, "rb") as fh, pytest.raises(DataError) as err:
        read_scores(Table(fh, str(path), path=str(path)), NPS, column="score", workers=workers)
    assert err.value.message == "not valid utf-8 text" and err.value.line == 4501


# -- what messages quote -----------------------------------------------------------

def test_messages_quote_at_most_about_80_characters():
    huge = "x" * 100_000
    assert len(shown(huge)) < 120 and shown("ten") == "'ten'"
    with pytest.raises(DataError) as err:
        read_scores(table(f"score\n9\n{huge}\n"), NPS)
    assert len(str(err.value)) < 300
    t = table(f"{huge},score\n1,9\n")
    with pytest.raises(NotFoundError) as err:
        t.column(huge[:500] + "y")
    assert len(str(err.value)) < 300 and len(err.value.hint) < 300
    with pytest.raises(UsageError) as err:
        parse_delimiter(huge)
    assert len(str(err.value)) < 300
    t = table(f"customer,date,amount\nc1,2026-01-01,{huge}\n")
    with pytest.raises(DataError) as err:
        list(read_orders(t, 0, 1, 2))
    assert len(str(err.value)) < 300


def test_term_file_messages_quote_at_most_about_80_characters():
    from cxterms.errors import GlossaryError
    from cxterms.io.yamlfile import read_records

    key = "k" * 900  # (PyYAML allows plain keys up to 1024 characters)
    with pytest.raises(GlossaryError) as err:
        read_records(f"- id: a\n  {key}: 1\n  {key}: 2\n", "t.yaml")
    assert "duplicate key" in err.value.message and len(str(err.value)) < 300
