"""Reading tables: encodings, delimiters, headers, quotes, line numbers, columns."""

import codecs
import io

import pytest

from cxterms.errors import DataError, NotFoundError, UsageError
from cxterms.io.table import WHITESPACE, Table, detect_header, open_table, parse_delimiter, sniff_delimiter

from .conftest import REPO


def table(data: bytes | str, **kw) -> Table:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return Table(io.BytesIO(data), "t.csv", **kw)


def rows(t: Table):
    return [(line, r) for line, r in t.rows()]


@pytest.mark.parametrize(
    "data",
    [
        b"score,name\n9,a\n10,b\n",
        codecs.BOM_UTF8 + b"score,name\r\n9,a\r\n10,b\r\n",
        codecs.BOM_UTF16_LE + "score\tname\r\n9\ta\r\n10\tb\r\n".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "score;name\n9;a\n10;b\n".encode("utf-16-be"),
        b"score|name\n9|a\n10|b\n",
    ],
)
def test_encodings_and_delimiters(data):
    t = table(data)
    assert t.header == ["score", "name"]
    assert rows(t) == [(2, ["9", "a"]), (3, ["10", "b"])]


def test_quoted_fields_with_delimiters_and_newlines_keep_physical_lines():
    t = table('id,comment,score\n1,"fine, thanks",9\n2,"two\nline\ncomment",3\n3,"he said ""hi""",10\n')
    assert rows(t) == [(2, ["1", "fine, thanks", "9"]), (3, ["2", "two\nline\ncomment", "3"]), (6, ["3", 'he said "hi"', "10"])]


def test_semicolon_with_decimal_commas_is_sniffed():
    t = table("Datum;Filiale;Empfehlung;Umsatz\n01/02/2026;Köln;9;12,50\n03/02/2026;Zürich;7;3,10\n")
    assert t.delimiter == ";" and t.header[2] == "Empfehlung"


@pytest.mark.parametrize(
    "sample, expected",
    [
        ("a,b\n1,2\n", ","),
        ("a;b;c\n1;2,5;3\n4;5,5;6\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ("score\n9\n10\n", None),
        ("10 9 3 7\n", WHITESPACE),
        ("   1    19970101   2   29.33\n   2    19970112   1   11.77\n", WHITESPACE),
    ],
)
def test_sniff(sample, expected):
    assert sniff_delimiter(sample, True) == expected


@pytest.mark.parametrize(
    "sample, header",
    [
        ([["score"], ["9"]], True),
        ([["9"], ["10"]], False),
        ([["date", "score"], ["2026-01-01", "9"]], True),
        ([["2026-01-01", "9"], ["2026-01-02", "8"]], False),
        ([["name", "team"], ["x", "y"]], True),
        ([["score"]], True),
        ([["7"]], False),
        ([], False),
    ],
)
def test_detect_header(sample, header):
    assert detect_header(sample) is header


def test_forced_header_choice():
    assert table("9\n10\n", header=True).header == ["9"]
    t = table("score\n9\n", header=False)
    assert t.header is None and rows(t) == [(1, ["score"]), (2, ["9"])]


def test_blank_lines_are_empty_rows_with_their_line_numbers():
    t = table("score\n9\n\n10\n")
    assert rows(t) == [(2, ["9"]), (3, []), (4, ["10"])]


def test_columns():
    t = table("Respondent,Region,NPS Score,Comment\n1,N,9,x\n")
    assert t.column("region") == 1 and t.column("3") == 2 and t.column(None, defaults=("score",)) == 2
    with pytest.raises(NotFoundError) as err:
        t.column("missing")
    assert err.value.hint == "columns: 1:Respondent, 2:Region, 3:NPS Score, 4:Comment"
    with pytest.raises(NotFoundError):
        t.column("9")


def test_default_column_prefers_numbers():
    t = table("why is your score low,How likely to recommend?,id\nslow,9,1\nprice,3,2\n")
    assert t.column(None, defaults=("score", "recommend")) == 1


def test_several_columns_without_header_need_a_choice():
    t = table("1,9\n2,10\n")
    with pytest.raises(UsageError, match="choose one with --column"):
        t.column(None, defaults=("score",))
    assert t.column("2") == 1


def test_invalid_utf8_is_a_clear_error(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes(b"score,shop\n" + b"9,ok\n" * 10000 + b"7,caf\xe9\n")
    with pytest.raises(DataError) as err:
        rows(open_table(str(p), None))
    assert err.value.message == "not valid utf-8 text" and "--encoding" in err.value.hint
    assert (err.value.file, err.value.line) == (str(p), 10002)
    assert rows(open_table(str(p), None, encoding="latin-1"))[-1] == (10002, ["7", "café"])


def test_unknown_encoding_is_a_usage_error():
    with pytest.raises(UsageError):
        table(b"x", encoding="klingon")


def test_open_table_errors(tmp_path):
    with pytest.raises(NotFoundError, match="no such file"):
        open_table(str(tmp_path / "none.csv"), None)
    with pytest.raises(DataError, match="is a folder"):
        open_table(str(tmp_path), None)
    with pytest.raises(UsageError):
        open_table(None, None)


@pytest.mark.parametrize("text, d", [("comma", ","), ("TAB", "\t"), ("\\t", "\t"), ("|", "|"), ("space", WHITESPACE)])
def test_parse_delimiter(text, d):
    assert parse_delimiter(text) == d


def test_parse_delimiter_rejects_words():
    with pytest.raises(UsageError):
        parse_delimiter("colon-ish")


def test_big_sample_beyond_sniff_window(tmp_path):
    p = tmp_path / "big.csv"
    p.write_text("id,score\n" + "".join(f"{i},{i % 11}\n" for i in range(20000)))
    t = open_table(str(p), None)
    assert t.delimiter == "," and t.header == ["id", "score"]
    assert sum(1 for _ in t.rows()) == 20000


def test_example_files_open():
    for name in ("survey.csv", "survey-eu.csv", "survey-utf16.txt", "surveymonkey-export.csv"):
        t = open_table(str(REPO / "examples" / name), None)
        assert t.header and sum(1 for _ in t.rows()) > 50


# -- the chunked reader: fast split path and csv path agree ------------------

import csv as _csv  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cxterms.io import table as table_mod  # noqa: E402

CELL = st.one_of(
    st.text(alphabet="abc 019.,;é\"\n\r", max_size=6),
    st.sampled_from(["", "9", "10", " 7 ", "x", '"q"', "a,b", "two\nlines", "cr\r\nlf"]),
)
ROWS = st.lists(st.lists(CELL, min_size=1, max_size=4), min_size=1, max_size=40)


def reference(text: str, delimiter: str):
    """What the csv module alone makes of the text: (start line, record) pairs."""
    reader = _csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    out, start = [], 1
    for rec in reader:
        out.append((start, rec))
        start = reader.line_num + 1
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ROWS, st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n"]), st.integers(8, 64), st.booleans())
def test_chunked_rows_match_the_csv_module(rows, d, eol, chunk, trailing):
    buf = io.StringIO()
    w = _csv.writer(buf, delimiter=d, lineterminator=eol)
    w.writerows(rows)
    text = buf.getvalue() if trailing else buf.getvalue()[: -len(eol)]
    old = table_mod.CHUNK_CHARS
    table_mod.CHUNK_CHARS = chunk  # force many pieces, cut everywhere
    try:
        t = table(("h1" + d + "h2" + eol + text).encode(), delimiter=d, header=True)
        got = list(t.rows())
        t2 = table(("h1" + d + "h2" + eol + text).encode(), delimiter=d, header=True)
        cells = [(k, (ln if ls is None else ls[i])) for ks, first, ls in t2.cells((1,)) for i, (k, ln) in enumerate((k, first + i) for i, k in enumerate(ks))]
    finally:
        table_mod.CHUNK_CHARS = old
    want = [(ln + 1, rec) for ln, rec in reference(text, d)]
    assert got == want
    assert [c for c, _ in cells] == [rec[1] if len(rec) > 1 else "" for _, rec in want]
    assert [ln for _, ln in cells] == [ln for ln, _ in want]


SIMPLE = st.text(alphabet="ab 09.", max_size=4)  # ASCII: the shortcut applies


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 5), st.data())
def test_last_column_shortcut_matches_csv(width, data):
    """Pieces of more than 64 lines whose lines all have ``width`` fields take
    the rpartition path; a single longer or shorter line must not fool it."""
    n = data.draw(st.integers(65, 150))
    rows = [[data.draw(SIMPLE) for _ in range(width)] for _ in range(n)]
    if data.draw(st.booleans()):  # break uniformity somewhere
        i = data.draw(st.integers(0, n - 1))
        rows[i] = rows[i][:-1] if data.draw(st.booleans()) else rows[i] + ["extra"]
        j = data.draw(st.integers(0, n - 1))
        rows[j] = rows[j] + ["more"] if data.draw(st.booleans()) else rows[j][:-1]
    text = "".join(",".join(r) + "\n" for r in rows)
    head = ",".join(f"h{i}" for i in range(width)) + "\n"
    t = table((head + text).encode(), delimiter=",", header=True)
    got = [k for keys, _first, _lines in t.cells((width - 1,)) for k in keys]
    want = [rec[width - 1] if len(rec) > width - 1 else "" for _ln, rec in reference(text, ",")]
    assert got == want
