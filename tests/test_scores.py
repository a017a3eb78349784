"""Streaming a score column into tallies: blanks, invalid cells, groups, periods."""

import io
import tracemalloc
from datetime import date

import pytest

from cxterms.errors import DataError, EmptyDataError, NotFoundError, UsageError
from cxterms.io.scores import RowFilter, make_parser, read_scores
from cxterms.io.table import Table
from cxterms.metrics.scales import Scale

NPS = make_parser(Scale(0, 10))


def read(text: str, **kw):
    t = Table(io.BytesIO(text.encode()), "s.csv")
    return read_scores(t, make_parser(Scale(0, 10), decimal_comma=t.delimiter not in (",", None)), **kw)


def test_counts_blanks_and_answers():
    d = read("score\n10\n9\n\n7\n 3 \n")
    assert d.overall.counts == {10: 1, 9: 1, 7: 1, 3: 1} and d.overall.blank == 1 and d.overall.invalid == 0
    assert d.column == "column 'score'" and d.source == "s.csv" and d.rows == 5


def test_invalid_cells_stop_with_first_five_lines_and_total():
    body = "id,score\n" + "".join(f"{i},{v}\n" for i, v in enumerate(["9", "ten", "11", "7.5", "8", "x", "y", "-1", "10"], 1))
    with pytest.raises(DataError) as err:
        read(body)
    msg = err.value.message
    assert msg.startswith("6 invalid values in s.csv, column 'score' (first 5 shown): ")
    assert "line 3: 'ten' (not a number); line 4: '11' (outside the 0-10 scale); line 5: '7.5' (not a whole number); line 7: 'x' (not a number); line 8: 'y' (not a number)" in msg
    assert "--skip-invalid" in err.value.hint


def test_skip_invalid_counts_them():
    d = read("score\n9\nten\n\n10\n", skip_invalid=True)
    assert d.overall.n == 2 and d.overall.invalid == 1 and d.overall.blank == 1


def test_nothing_valid_left():
    with pytest.raises(EmptyDataError, match=r"no valid answers in s.csv, column 'score' \(2 blank, 1 invalid skipped\)"):
        read("score\n\n\nx\n", skip_invalid=True)


def test_line_numbers_count_embedded_newlines():
    with pytest.raises(DataError, match="line 4: 'oops'"):
        read('c,score\n"a\nb",9\noops-row,oops\n'.replace("oops-row,oops", '"x",oops'))


def test_by_group():
    d = read("region,score\nN,10\nS,0\nN,9\n,7\nS,\n", by="region")
    assert {k: t.counts for k, t in d.groups().items()} == {("N",): {10: 1, 9: 1}, ("S",): {0: 1}, ("(blank)",): {7: 1}}
    assert d.groups()[("S",)].blank == 1 and d.overall.n == 4
    assert d.by == ("region",) and list(d.groups()) == [("(blank)",), ("N",), ("S",)]


def test_blank_only_group_is_kept():
    d = read("region,score\nN,10\nW,\nW,\n", by="region")
    assert d.groups()[("W",)].n == 0 and d.groups()[("W",)].blank == 2


def test_by_several_columns():
    d = read("region,plan,score\nN,Pro,10\nN,Free,0\nN,Pro,9\nS,Pro,7\n", by=["region", "plan"])
    assert {k: t.counts for k, t in d.groups().items()} == {
        ("N", "Free"): {0: 1}, ("N", "Pro"): {10: 1, 9: 1}, ("S", "Pro"): {7: 1},
    }
    assert d.by == ("region", "plan")


def test_by_with_period_fills_every_period():
    d = read(
        "region,when,score\nN,2026-01-03,10\nS,2026-01-09,0\nN,2026-03-01,9\n",
        by="region", period="when", every="month",
    )
    rows = [(g, p, t.n) for g, p, t in d.table()]
    assert rows == [
        (("N",), date(2026, 1, 1), 1), (("N",), date(2026, 2, 1), 0), (("N",), date(2026, 3, 1), 1),
        (("S",), date(2026, 1, 1), 1), (("S",), date(2026, 2, 1), 0), (("S",), date(2026, 3, 1), 0),
    ]
    assert {p: t.n for p, t in d.periods().items()} == {date(2026, 1, 1): 2, date(2026, 2, 1): 0, date(2026, 3, 1): 1}
    assert {g: t.n for g, t in d.groups().items()} == {("N",): 2, ("S",): 1}


def test_weights_sum_per_answer():
    d = read("w,score\n2,10\n0.5,10\n1,3\n", weight="w")
    t = d.overall
    assert t.counts == {10: 2, 3: 1} and t.wsum == {10: 2.5, 3: 1.0} and t.wsq == {10: 4.25, 3: 1.0}
    assert t.effective_n == pytest.approx(3.5 ** 2 / 5.25) and d.weight == "w"


@pytest.mark.parametrize("cell, why", [("", "blank weight"), ("-1", "negative weight"), ("x", "weight is not a number"), ("nan", "weight is not a number")])
def test_bad_weights_are_invalid(cell, why):
    with pytest.raises(DataError, match=why):
        read(f"w,score\n1,10\n{cell},9\n", weight="w")
    d = read(f"w,score\n1,10\n{cell},9\n", weight="w", skip_invalid=True)
    assert d.overall.n == 1 and d.overall.invalid == 1


def test_blank_answer_with_blank_weight_is_blank():
    d = read("w,score\n1,10\n,\n", weight="w")
    assert d.overall.n == 1 and d.overall.blank == 1


def test_row_filters_are_counted():
    f = RowFilter("region", lambda c: c != "S", "region!=S")
    d = read("region,score\nN,10\nS,0\nS,x\nN,9\n", filters=[f])
    assert d.overall.counts == {10: 1, 9: 1} and d.filtered == {"region!=S": 2} and d.filtered_out == 2
    with pytest.raises(EmptyDataError, match="2 filtered out"):
        read("region,score\nS,1\nS,2\n", filters=[f])


def test_by_period_and_bad_dates():
    d = read("when,score\n2026-01-03,10\n2026-01-30T10:00:00Z,0\n2026-02-01,9\n", period="when", every="month")
    assert sorted(d.periods()) == [date(2026, 1, 1), date(2026, 2, 1)]
    assert d.periods()[date(2026, 1, 1)].n == 2
    with pytest.raises(DataError, match=r"line 3: 'soon' \(not a date\)"):
        read("when,score\n2026-01-03,10\nsoon,9\n", period="when")
    with pytest.raises(DataError, match="no date"):
        read("when,score\n2026-01-03,10\n,9\n", period="when")
    d = read("when,score\n03/01/2026,10\n", period="when", date_format="%d/%m/%Y", every="week")
    assert list(d.periods()) == [date(2025, 12, 29)]


def test_bag_of_numbers_from_whitespace():
    d = read("10 9 3 7\n8\n")
    assert d.overall.counts == {10: 1, 9: 1, 3: 1, 7: 1, 8: 1} and d.column == "values"


def test_decimal_comma_only_outside_comma_files():
    assert read("a;score\nx;9,0\n").overall.counts == {9: 1}
    with pytest.raises(DataError):
        read('a,score\nx,"9,0"\n')


def test_column_choice_errors():
    with pytest.raises(NotFoundError):
        read("a,b\n1,2\n", column="c")
    with pytest.raises(UsageError):
        read("a,b\n1,2\n")
    with pytest.raises(NotFoundError, match="--by column"):
        read("a,score\n1,2\n", by="region")


def test_memory_does_not_grow_with_rows(tmp_path):
    def peak(n):
        p = tmp_path / f"{n}.csv"
        with open(p, "w") as fh:
            fh.write("date,segment,score\n")
            for i in range(n):
                fh.write(f"2026-{1 + i % 12:02d}-{1 + i % 28:02d},{'ABCD'[i % 4]},{i % 11}\n")
        tracemalloc.start()
        with open(p, "rb") as fh:
            read_scores(Table(fh, str(p)), NPS, column="score", by="segment")
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(200_000), peak(800_000)
    assert large < 1.3 * small, (small, large)


# -- reading big files in parallel gives the same result as one pass ----------

import csv as _csv  # noqa: E402
import random as _random  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402



def write_survey(path, rng, n, quoted_newlines):
    with open(path, "w", newline="") as fh:
        w = _csv.writer(fh)
        w.writerow(["id", "when", "seg", "score", "comment"])
        for i in range(n):
            score = rng.choice(["9", "10", "3", "", "7", "x", "11", " 8 ", "5.0"])
            note = rng.choice(["ok", "a, b", 'said "hi"', "line one\nline two" if quoted_newlines else "plain", ""])
            w.writerow([i, f"2026-0{1 + i % 3}-1{i % 9}", rng.choice("AB"), score, note])


def outcome(path, workers, **kw):
    try:
        with open(path, "rb") as fh:
            d = read_scores(Table(fh, str(path), path=str(path)), NPS, column="score", skip_invalid=True, workers=workers, **kw)
    except EmptyDataError as e:
        return str(e)
    return d.overall, d.cells, d.invalid, d.rows, d.filtered


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10_000), st.integers(1, 400), st.booleans(), st.sampled_from([2, 3]), st.sampled_from([{}, {"by": "seg"}, {"period": "when"}, {"by": ["seg", "when"]}, {"by": "seg", "period": "when", "weight": "id"}]))
def test_parallel_equals_one_pass(tmp_path, seed, n, quoted_newlines, workers, grouping):
    path = tmp_path / f"s{seed}-{n}.csv"
    write_survey(path, _random.Random(seed), n, quoted_newlines)
    assert outcome(path, workers, **grouping) == outcome(path, 1, **grouping)


def test_parallel_errors_name_absolute_lines(tmp_path):
    path = tmp_path / "bad.csv"
    with open(path, "w") as fh:
        fh.write("id,score\n" + "".join(f"{i},9\n" for i in range(1000)) + "1000,oops\n")
    with pytest.raises(DataError, match="line 1002: 'oops'"):
        with open(path, "rb") as fh:
            read_scores(Table(fh, str(path), path=str(path)), NPS, column="score", workers=3)


def test_parallel_ranges_cover_the_file(tmp_path):
    path = tmp_path / "r.csv"
    write_survey(path, _random.Random(1), 500, True)
    with open(path, "rb") as fh:
        t = Table(fh, str(path), path=str(path))
        spans = t.byte_ranges(3, 0)
    assert spans[0][0] == t._data_start and spans[-1][1] == path.stat().st_size
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
