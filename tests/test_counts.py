"""Counts in: a table of counts gives the same tallies, hence the same
statistics, as the raw answers it summarises."""

from __future__ import annotations

import io
import json
import math
from collections import defaultdict
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxterms.io.counts import read_churn_counts, read_counts
from cxterms.io.scores import make_parser, read_scores
from cxterms.io.table import open_table
from cxterms.metrics import nps as nps_core
from cxterms.metrics.scales import Scale

from .conftest import REPO

EXAMPLES = REPO / "examples"
PARSE = make_parser(Scale(0, 10))


def table_of(text: str):
    return open_table(None, io.BytesIO(text.encode("utf-8")), delimiter=",", header=True)


def csv_text(rows) -> str:
    return "\n".join(",".join(str(c) for c in r) for r in rows) + "\n"


answer = st.tuples(
    st.one_of(st.integers(0, 10).map(str), st.just("")),        # score (blank sometimes)
    st.sampled_from(["North", "South", ""]),                     # region (blank group sometimes)
    st.sampled_from(["pro", "free"]),                            # plan
    st.integers(0, 120).map(lambda d: date(2026, 1, 1) + timedelta(days=d)),
    st.sampled_from([0.5, 1.0, 1.25, 2.0, 3.0]),                 # weight
)


def aggregate(answers, *, by, dated, weighted):
    """What a GROUP BY query returns for the answers."""
    acc: dict = defaultdict(lambda: [0, 0.0, 0.0])
    for score, region, plan, day, w in answers:
        key = tuple(x for x, on in ((region, "region" in by), (plan, "plan" in by)) if on)
        key += (day.isoformat(),) if dated else ()
        key += (score,)
        a = acc[key]
        a[0] += 1
        a[1] += w
        a[2] += w * w
    header = [*by, *(["period"] if dated else []), "score", "count", *(["weight_sum", "weight_sq_sum"] if weighted else [])]
    rows = [header]
    for key, (n, ws, wq) in acc.items():
        rows.append([*key, n, *([repr(ws), repr(wq)] if weighted else [])])
    return csv_text(rows)


def raw(answers) -> str:
    return csv_text([["score", "region", "plan", "day", "w"]] + [[s, r, p, d.isoformat(), w] for s, r, p, d, w in answers])


def same_tally(a, b) -> None:
    assert a.counts == b.counts and a.blank == b.blank and a.invalid == b.invalid
    assert (a.wsum is None) == (b.wsum is None)
    if a.wsum is not None:
        for v in a.counts:
            assert math.isclose(a.wsum[v], b.wsum[v], rel_tol=1e-12)
            assert math.isclose(a.wsq[v], b.wsq[v], rel_tol=1e-12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    answers=st.lists(answer, min_size=1, max_size=60).filter(lambda a: any(s for s, *_ in a)),
    by=st.sampled_from([(), ("region",), ("region", "plan")]),
    dated=st.booleans(),
    every=st.sampled_from(["week", "month", "quarter"]),
    weighted=st.booleans(),
)
def test_counts_give_the_same_tallies_and_statistics(answers, by, dated, every, weighted):
    opts = dict(by=list(by), period="day" if dated else None, every=every)
    want = read_scores(table_of(raw(answers)), PARSE, weight="w" if weighted else None, **opts)
    got = read_counts(table_of(aggregate(answers, by=by, dated=dated, weighted=weighted)), PARSE,
                      **{**opts, "period": "period" if dated else None})
    same_tally(want.overall, got.overall)
    assert (want.cells is None) == (got.cells is None)
    if want.cells is not None:
        assert want.cells.keys() == got.cells.keys()
        for k in want.cells:
            same_tally(want.cells[k], got.cells[k])
        assert [(g, p) for g, p, _t in want.table()] == [(g, p) for g, p, _t in got.table()]
    a = nps_core.nps_from_tally(want.overall).as_dict()
    b = nps_core.nps_from_tally(got.overall).as_dict()
    assert a.keys() == b.keys()
    for k in a:
        assert a[k] == b[k] or (isinstance(a[k], float) and math.isclose(a[k], b[k], rel_tol=1e-12)), k


def test_invalid_counted_scores_stop_the_run_unless_skipped():
    text = "score,count\n10,5\n11,2\nten,1\n"
    with pytest.raises(Exception) as e:
        read_counts(table_of(text), PARSE)
    assert "3 invalid values" in str(e.value)
    data = read_counts(table_of(text), PARSE, skip_invalid=True)
    assert data.overall.n == 5 and data.overall.invalid == 3


@pytest.mark.parametrize("cell", ["-1", "2.5", "many"])
def test_bad_count_names_file_line_and_column(run, tmp_path, cell):
    path = tmp_path / "c.csv"
    path.write_text(f"score,count\n9,4\n3,{cell}\n")
    out = run("nps", path, "--counts")
    assert out.exit_code == 1
    assert out.stderr.startswith(f"cxterms: count '{cell}' is not a whole number") and f"{path}:3:2" in out.stderr


def test_cli_counts_with_custom_column_names(run, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("answer_value,responses_n,seg\n10,50,a\n8,30,a\n3,20,b\n")
    out = run("nps", path, "--counts", "--column", "answer_value", "--count-column", "responses_n", "--by", "seg", "-f", "json")
    assert out.exit_code == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [(r["group"], r["n"], r["nps"]) for r in rows] == [("a", 80, 62.5), ("b", 20, -100.0), (None, 100, 30.0)]


def test_counts_and_answers_agree_on_the_shipped_survey(run, tmp_path):
    """Aggregate examples/survey.csv by hand; the CLI gives the same JSON."""
    import csv

    with open(EXAMPLES / "survey.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    acc = defaultdict(int)
    for r in rows:
        acc[(r["region"], r["submitted"][:10], r["score"])] += 1
    path = tmp_path / "counts.csv"
    path.write_text(csv_text([["region", "period", "score", "count"]] + [[*k, n] for k, n in acc.items()]))
    for metric, extra in (("nps", []), ("csat", ["--scale", "0-10", "--satisfied", "9"]), ("ces", ["--scale", "0-10"])):
        want = run(metric, EXAMPLES / "survey.csv", "--by", "region", "--period", "submitted", *extra, "-f", "json")
        got = run(metric, path, "--counts", "--by", "region", "--period", "period", *extra, "-f", "json")
        assert got.exit_code == 0, got.stderr
        assert json.loads(got.stdout) == json.loads(want.stdout)


def test_counts_options_need_counts(run, tmp_path):
    out = run("nps", EXAMPLES / "survey.csv", "--count-column", "n")
    assert out.exit_code == 2


def test_churn_counts_equal_the_customer_table(run, tmp_path):
    from cxterms.io.records import read_spans
    from cxterms.metrics.churn import CustomerCounter

    t = open_table(str(EXAMPLES / "customers.csv"), None)
    counter = CustomerCounter("month")
    for _line, s, e in read_spans(t, t.column("start_date"), t.column("end_date")):
        counter.add(s, e)
    rows = [["period", "start", "new", "lost", "lost_new"]]
    rows += [[r.period_start.isoformat(), r.customers_start, r.new, r.lost, r.lost_new] for r in counter.table()]
    path = tmp_path / "churn.csv"
    path.write_text(csv_text(rows))
    for extra in ([], ["--from", "2025-06-01", "--to", "2025-12-31"]):
        want = run("churn", EXAMPLES / "customers.csv", "--every", "month", *extra, "-f", "json")
        got = run("churn", path, "--counts", "--every", "month", *extra, "-f", "json")
        assert got.exit_code == 0, got.stderr
        assert json.loads(got.stdout) == json.loads(want.stdout)


def test_churn_counts_must_chain(tmp_path):
    text = "period,start,new,lost\n2026-01-01,0,10,2\n2026-02-01,9,1,0\n"
    with pytest.raises(Exception) as e:
        read_churn_counts(table_of(text), "month")
    assert "periods before end with 8" in str(e.value)


def test_churn_counts_carry_customers_from_before(run, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("period,start,new,lost,lost_new\n2026-03-01,100,10,5,1\n2026-04-01,104,0,4,0\n")
    out = run("churn", path, "--counts", "--every", "month", "-f", "json")
    assert out.exit_code == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [(r["customers_start"], r["lost"], r["churn_rate"]) for r in rows] == [(100, 5, 0.05), (104, 4, 4 / 104)]
    early = run("churn", path, "--counts", "--every", "month", "--from", "2026-01-01")
    assert early.exit_code == 2
