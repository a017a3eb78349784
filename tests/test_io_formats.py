"""The same table read through every supported format gives the same counts
(CSV, TSV, xlsx, JSON, JSON Lines, Parquet when pyarrow is installed), and
unit checks of the format sniffer and cell readers."""

import csv
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxterms.errors import CxtermsError
from cxterms.io import formats
from cxterms.io.answers import AnswerOptions, read_answers
from cxterms.io.numbers import Ambiguous, decide_decimal, parse_amount
from cxterms.io.sources import ReadOptions, open_source
from cxterms.metrics.scales import Scale

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"), exclude_characters="="),
               max_size=8) | st.sampled_from(['a,b', 'say "hi"', "two\nlines", "Zürich", " x ", "1,000"])
SCORE = st.one_of(
    st.integers(0, 10),
    st.sampled_from(["", "NA", "N/A", "null", "-", "10 - Extremely likely", "0 - Not at all likely", "x", "11", "7.5", "9.0"]),
)
ROWS = st.lists(st.tuples(SCORE, TEXT), min_size=1, max_size=25)


def write_all(rows, folder):
    header = ["score", "group"]
    paths = {}
    for name, delim in (("t.csv", ","), ("t.tsv", "\t")):
        with open(folder / name, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, delimiter=delim)
            w.writerow(header)
            w.writerows([[str(s), g] for s, g in rows])
        paths[name] = folder / name
    recs = [{"score": s, "group": g} for s, g in rows]
    (folder / "t.json").write_text(json.dumps(recs, ensure_ascii=False), encoding="utf-8")
    (folder / "t.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    paths["t.json"], paths["t.jsonl"] = folder / "t.json", folder / "t.jsonl"
    try:
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(header)
        for s, g in rows:
            ws.append([s if s != "" else None, g if g != "" else None])
        wb.save(folder / "t.xlsx")
        paths["t.xlsx"] = folder / "t.xlsx"
    except ImportError:
        pass
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({"score": [None if s == "" else str(s) for s, _ in rows],
                                 "group": [g for _, g in rows]}), folder / "t.parquet")
        paths["t.parquet"] = folder / "t.parquet"
    except ImportError:
        pass
    return paths


def counts(path):
    src = open_source(str(path), None, ReadOptions())
    try:
        ans = read_answers(src, Scale(0, 10), "nps", AnswerOptions(column="score", by=("group",), skip_invalid=True, max_invalid=1.0))
    except CxtermsError as e:
        return type(e).__name__
    finally:
        src.table.close()
    d = ans.data
    return d.overall, {g: t for g, t in d.groups().items()}, d.missing


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS)
def test_every_format_gives_the_same_counts(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("fmt")
    paths = write_all(rows, folder)
    got = {name: counts(p) for name, p in paths.items()}
    first = got["t.csv"]
    for name, value in got.items():
        assert value == first, name
    if not isinstance(first, str):  # and the counts are right
        overall = first[0]
        valid = [s if isinstance(s, int) else {"10 - Extremely likely": 10, "0 - Not at all likely": 0, "9.0": 9}.get(s)
                 for s, _ in rows]
        assert overall.n == sum(v is not None for v in valid)
        assert overall.invalid == sum(s in ("x", "11", "7.5") for s, _ in rows)


def test_sniff_by_content():
    assert formats.sniff(b"PK\x03\x04") == "zip"
    assert formats.sniff(b"\x89PNG\r\n\x1a\n....") == "a PNG image"
    assert formats.sniff(b"%PDF-1.4") == "a PDF document"
    assert formats.sniff(b"\xef\xbb\xbf[{\"a\": 1}]") == "json"
    assert formats.sniff(b"a,b\n1,2\n") == "text"


@pytest.mark.parametrize("text,mark,value", [
    ("$2,110.50", "point", "2110.50"), ("€1.234,56", "comma", "1234.56"), ("1 234,56", "comma", "1234.56"),
    ("(15.00)", "point", "-15.00"), ("USD 99", "point", "99"), ("-$5.25", "point", "-5.25"), ("12,50 €", "comma", "12.50"),
])
def test_amounts(text, mark, value):
    from decimal import Decimal

    assert parse_amount(text, mark) == Decimal(value)


def test_decimal_mark_per_column():
    assert decide_decimal(["$2,110.50", "$15.00"]) == "point"
    assert decide_decimal(["1.234,56", "3,5"]) == "comma"
    assert decide_decimal(["1,000", "2,500"]) is None  # ambiguous: ask
    with pytest.raises(Ambiguous):
        decide_decimal(["1,5", "2.5"])


def test_missing_tokens_counted_on_the_parallel_path(tmp_path):
    from cxterms.io.labels import make_reader
    from cxterms.io.scores import make_parser, read_scores
    from cxterms.io.table import open_table

    f = tmp_path / "big.csv"
    f.write_text("id,score\n" + "".join(f"{i},{['9', 'N/A', '3', 'Offered', ''][i % 5]}\n" for i in range(5000)))
    parse = make_reader(make_parser(Scale(0, 10)), None)
    one = read_scores(open_table(str(f), None), parse, column="score", workers=1)
    many = read_scores(open_table(str(f), None), parse, column="score", workers=3)
    assert one.missing == many.missing == {"missing": 1000, "asked": 1000}
    assert one.overall == many.overall and many.overall.n == 2000 and many.overall.blank == 3000
