"""nps, csat, ces, churn and clv through the CLI: formats, stdin, errors, exports."""

import csv
import io
import json

import pytest

from .conftest import REPO

EX = REPO / "examples"
NPS_KEYS = {
    "nps", "n", "promoters", "passives", "detractors", "promoters_pct", "passives_pct", "detractors_pct",
    "std_error", "margin_of_error", "ci_low", "ci_high", "confidence", "blank", "invalid",
}


def js(r):
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


# -- nps --------------------------------------------------------------------

def test_nps_counts_vectors(run):
    d = js(run("nps", "--promoters", 50, "--passives", 30, "--detractors", 20, "--interval", "wald", "-f", "json"))
    assert NPS_KEYS <= set(d)
    assert d["nps"] == 30.0 and round(d["std_error"], 2) == 7.81 and round(d["margin_of_error"], 1) == 15.3
    a = js(run("nps", "--promoters", 50, "--passives", 30, "--detractors", 20, "--interval", "adjusted-wald", "-f", "json"))
    assert a["nps"] == 30.0 and round(a["nps_adjusted"], 1) == 29.1
    assert (round(a["ci_low"], 2), round(a["ci_high"], 2)) == (14.05, 44.20)


def test_nps_plain_and_quiet(run):
    r = run("nps", EX / "survey.csv")
    assert r.exit_code == 0 and r.stderr == "cxterms: note: answers read from column 'score' (by its name); choose another with --column\n"
    lines = dict(line.split("\t") for line in r.stdout.splitlines())
    assert lines["nps"] == "18.3" and lines["n"] == "393" and lines["blank"] == "7"
    assert run("nps", EX / "survey.csv", "-q").stdout == "18.3\n"


def test_nps_csv_tsv_rich(run):
    rows = list(csv.DictReader(io.StringIO(run("nps", EX / "survey.csv", "-f", "csv").stdout)))
    assert len(rows) == 1 and float(rows[0]["nps"]) == pytest.approx(18.32, abs=0.01) and "distribution" not in rows[0]
    tsv = run("nps", EX / "survey.csv", "-f", "tsv").stdout.splitlines()
    assert tsv[0].startswith("nps\tn\t") and "\tpromoters\t" in tsv[0] and len(tsv) == 2
    rich = run("nps", EX / "survey.csv", "-f", "rich").stdout
    assert "Net Promoter Score" in rich and "Distribution" in rich and "█" in rich


def test_nps_from_stdin_numbers(run):
    assert run("nps", "-q", input="10 9 3 7\n").stdout == "25.0\n"
    assert run("nps", "-", "-q", input="score\n10\n9\n3\n7\n").stdout == "25.0\n"


def test_terminal_on_stdin_is_a_usage_error(run):
    r = run("nps", stdin_tty=True)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.splitlines()[0] == "cxterms: no input: give a FILE, or pipe scores into stdin"


def test_nps_by_group_json_and_quiet(run):
    rows = js(run("nps", EX / "survey.csv", "--by", "region", "-f", "json"))
    assert [r["group"] for r in rows] == ["East", "North", "South", "West", None]
    assert all(NPS_KEYS <= set(r) for r in rows)
    assert sum(r["n"] for r in rows[:-1]) == rows[-1]["n"] == 393
    quiet = run("nps", EX / "survey.csv", "--by", "region", "-q").stdout.splitlines()
    assert quiet[0].startswith("East\t") and len(quiet) == 4


def test_nps_trend(run):
    rows = js(run("nps", EX / "survey.csv", "--period", "submitted", "--every", "quarter", "-f", "json"))
    assert [r["period"] for r in rows] == ["2026-Q1", "2026-Q2", "2026-Q3", None]
    assert rows[0]["period_start"] == "2026-01-01"
    rich = run("nps", EX / "survey.csv", "--period", "submitted", "-f", "rich").stdout
    assert "NPS trend" in rich


def test_nps_by_and_period_together(run):
    rows = js(run("nps", EX / "survey.csv", "--by", "region", "--period", "submitted", "--every", "quarter", "-f", "json"))
    *cells, overall = rows
    assert len(cells) == 12 and [r["group"] for r in cells[:3]] == ["East"] * 3
    assert [r["period"] for r in cells[:3]] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert overall["group"] is None and overall["period"] is None and overall["n"] == sum(r["n"] for r in cells)
    q = run("nps", EX / "survey.csv", "--by", "region", "--period", "submitted", "--every", "quarter", "-q").stdout
    assert q.splitlines()[0].split("\t")[:2] == ["East", "2026-Q1"]


def test_nps_by_several_columns(run):
    rows = js(run("nps", EX / "survey.csv", "--by", "region", "--by", "channel", "-f", "json"))
    assert rows[0]["group"] == "East / chat" and rows[0]["by"] == {"region": "East", "channel": "chat"}
    plain = run("nps", EX / "survey.csv", "--by", "region", "--by", "channel", "-f", "plain").stdout.splitlines()
    assert plain[0].startswith("group\tnps\t") and plain[-1].startswith("all\t")


def test_empty_periods_and_blank_groups_are_rows(run, tmp_path):
    p = tmp_path / "gaps.csv"
    p.write_text("when,region,score\n2026-01-05,N,10\n2026-02-03,W,\n2026-03-09,N,3\n")
    rows = js(run("nps", p, "--period", "when", "-f", "json"))
    assert [(r["period"], r["n"], r["nps"]) for r in rows[:3]] == [("2026-01", 1, 100.0), ("2026-02", 0, None), ("2026-03", 1, -100.0)]
    assert rows[1]["blank"] == 1
    rows = js(run("nps", p, "--by", "region", "-f", "json"))
    assert [(r["group"], r["n"], r["nps"]) for r in rows[:2]] == [("N", 2, 0.0), ("W", 0, None)]
    for fmt_ in ("plain", "csv", "rich"):
        assert run("nps", p, "--period", "when", "-f", fmt_).exit_code == 0


def test_nps_compare(run, tmp_path):
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text("score\n" + "10\n" * 50 + "7\n" * 30 + "0\n" * 20)
    b.write_text("score\n" + "9\n" * 40 + "8\n" * 30 + "5\n" * 30)
    d = js(run("nps", a, "--compare", b, "--interval", "wald", "-f", "json"))
    assert d["difference"] == 20.0 and round(d["z"], 3) == 1.754 and round(d["p_value"], 3) == 0.079
    assert d["significant"] is False and d["other_nps"] == 10.0
    plain = run("nps", a, "--compare", b, "--interval", "wald").stdout
    assert "p_value\t0.0794" in plain and "significant\tno" in plain
    # default adjusted-Wald: +3/4 promoter and detractor, +3 respondents in each sample (hand-computed)
    pa, da, pb, db = 50.75 / 103, 20.75 / 103, 40.75 / 103, 30.75 / 103
    se = 100 * ((pa + da - (pa - da) ** 2) / 103 + (pb + db - (pb - db) ** 2) / 103) ** 0.5
    d = js(run("nps", a, "--compare", b, "-f", "json"))
    assert d["difference"] == 20.0 and d["test"] == "adjusted-Wald z"
    assert d["difference_std_error"] == pytest.approx(se) and d["z"] == pytest.approx(100 * (pa - da - pb + db) / se)


def test_nps_invalid_cells(run, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("id,score\n1,9\n2,ten\n3,11\n4,7\n")
    r = run("nps", f)
    assert r.exit_code == 1 and r.stdout == ""
    first, hint = r.stderr.splitlines()
    assert first == f"cxterms: 2 invalid values in {f}, column 'score': line 3: 'ten' (not a number); line 4: '11' (outside the 0-10 scale)"
    assert hint.startswith("hint: fix them, or pass --skip-invalid")
    d = js(run("nps", f, "--skip-invalid", "--max-invalid", "0.5", "-f", "json"))
    assert d["invalid"] == 2 and d["n"] == 2


def test_nothing_valid(run, tmp_path):
    f = tmp_path / "empty.csv"
    f.write_text("score\n\n\n")
    r = run("nps", f)
    assert r.exit_code == 1 and r.stderr.startswith(f"cxterms: no valid answers in {f}, column 'score' (2 blank)")


def test_missing_file_and_column(run, tmp_path):
    r = run("nps", tmp_path / "nope.csv")
    assert r.exit_code == 1 and "no such file" in r.stderr
    r = run("nps", EX / "survey.csv", "-c", "rating")
    assert r.exit_code == 1 and "no column 'rating'" in r.stderr and "hint: columns: 1:respondent_id" in r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--confidence", "95"],
        ["--promoters", "5", "--compare", "x.csv"],
        ["--every", "fortnight", "--period", "submitted"],
    ],
)
def test_nps_usage_errors(run, args):
    r = run("nps", EX / "survey.csv", *args)
    assert r.exit_code == 2 and r.stdout == "" and r.stderr.startswith("cxterms: ")


@pytest.mark.parametrize(
    "args, expected",
    [
        (["surveymonkey-export.csv"], "27.5"),  # the question column is found by its wording
        (["surveymonkey-export.csv", "-c", "7"], "27.5"),
        (["survey-eu.csv", "-c", "empfehlung"], None),
        (["survey-utf16.txt"], "6.2"),
    ],
)
def test_real_looking_exports(run, args, expected):
    r = run("nps", EX / args[0], *args[1:], "-q")
    assert r.exit_code == 0, r.stderr
    if expected:
        assert r.stdout.strip() == expected


def test_european_export_with_day_first_dates(run):
    rows = js(run("nps", EX / "survey-eu.csv", "-c", "Empfehlung", "--period", "Datum", "--date-format", "%d/%m/%Y", "--every", "quarter", "-f", "json"))
    assert [r["period"] for r in rows] == ["2026-Q1", "2026-Q2", None]
    r = run("nps", EX / "survey-eu.csv", "-c", "Empfehlung", "--period", "Datum", "--every", "quarter", "-f", "json")
    assert r.exit_code == 0 and "read as day/month/year" in r.stderr  # decided from the column, and said
    assert [x["period"] for x in json.loads(r.stdout)] == ["2026-Q1", "2026-Q2", None]


# -- csat, ces ----------------------------------------------------------------

def test_csat(run):
    d = js(run("csat", EX / "support-csat.csv", "-f", "json"))
    assert d["csat"] == 77.0 and d["satisfied_min"] == 4 and d["scale"] == "1-5" and d["n"] == 300
    assert d["ci_low"] < 77.0 < d["ci_high"] and 1 <= d["mean"] <= 5
    assert run("csat", "--scale", "1-10", "--satisfied", "9", "-q", input="10\n9\n8\n1\n").stdout == "50.0\n"
    assert run("csat", "--scale", "1-5", "--satisfied", "6", input="5\n").exit_code == 2
    r = run("csat", input="5\n6\n")
    assert r.exit_code == 1 and "outside the 1-5 scale" in r.stderr


def test_ces(run):
    d = js(run("ces", EX / "effort.csv", "-f", "json"))
    assert d["scale"] == "1-7" and d["lower_is_better"] is False and d["n"] == 250
    assert d["ci_low"] < d["ces"] < d["ci_high"]
    assert run("ces", "-q", input="7\n6\n5\n2\n").stdout == "5.00\n"
    low = js(run("ces", "--scale", "1-5", "--lower-is-better", "-f", "json", input="1\n1\n2\n4\n5\n"))
    assert low["easy"] == 3 and low["difficult"] == 2 and low["ces"] == 2.6


# -- churn ----------------------------------------------------------------------

def test_churn_counts(run):
    d = js(run("churn", "--start", 200, "--lost", 10, "--new", 15, "--period", "month", "--annualize", "-f", "json"))
    assert d["churn_rate"] == 0.05 and d["customers_end"] == 205 and d["expected_lifetime"] == 20.0
    assert d["annual_churn_rate"] == pytest.approx(1 - 0.95**12)
    assert run("churn", "--start", 200, "--lost", 10, "-q").stdout == "5.00%\n"


def test_churn_revenue(run):
    d = js(run("churn", "--mrr-start", 100000, "--mrr-churned", 4000, "--contraction", 1000, "--expansion", 8000, "-f", "json"))
    assert (d["gross_revenue_churn"], d["net_revenue_churn"], d["grr"], d["nrr"]) == (0.05, -0.03, 0.95, 1.03)
    assert run("churn", "--mrr-start", 1000, "--mrr-churned", 100, "-q").stdout == "90.00%\n"


def test_churn_table(run):
    rows = js(run("churn", EX / "customers.csv", "--every", "quarter", "-f", "json"))
    assert rows[0]["period"] == "2025-Q1" and rows[0]["churn_rate"] is None
    for prev, row in zip(rows, rows[1:]):
        assert row["customers_start"] == prev["customers_end"]
    assert set(rows[0]) == {"period", "period_start", "period_end", "customers_start", "new", "lost", "lost_new", "customers_end", "churn_rate", "retention_rate"}
    quiet = run("churn", EX / "customers.csv", "--every", "quarter", "--from", "2025-04-01", "--to", "2025-09-30", "-q").stdout
    assert quiet.splitlines()[0].startswith("2025-Q2\t") and len(quiet.splitlines()) == 2


def test_churn_impossible_inputs(run, tmp_path):
    r = run("churn", "--start", 10, "--lost", 12)
    assert r.exit_code == 2 and "cannot exceed" in r.stderr
    f = tmp_path / "c.csv"
    f.write_text("id,start,end\n1,2026-01-05,\n2,2026-03-01,2026-02-01\n")
    r = run("churn", f)
    assert r.exit_code == 1
    assert r.stderr.splitlines()[0] == f"cxterms: end date 2026-02-01 is before start date 2026-03-01 ({f}:3:3)"
    f.write_text("id,start,end\n1,yesterday,\n")
    assert f"({f}:2:2)" in run("churn", f).stderr
    assert run("churn", "--start", 10, "--lost", 1, "--mrr-start", 5).exit_code == 2
    assert run("churn", "--start", 10).exit_code == 2
    assert run("churn", "--start", 10, "--lost", 1, "--annualize").exit_code == 1


# -- clv ----------------------------------------------------------------------

def test_clv_formula(run):
    assert run("clv", "--arpu", 50, "--margin", "70%", "--churn", "5%", "-q").stdout == "700.00\n"
    assert run("clv", "--arpu", 50, "--margin", "0.7", "--churn", "0.05", "-q").stdout == "700.00\n"
    d = js(run("clv", "--arpu", 50, "--margin", "0.7", "--retention", "95%", "--discount-rate", "1%", "--timing", "end", "-f", "json"))
    assert d["clv"] == pytest.approx(35 * 0.95 / (1.01 - 0.95)) and d["timing"] == "end"
    r = run("clv", "--arpu", 50, "--margin", "70", "--churn", "5%")
    assert r.exit_code == 2 and "write percentages with a % sign" in r.stderr
    assert run("clv", "--arpu", 50, "--churn", "5%", "--retention", "95%").exit_code == 2
    assert run("clv", "--arpu", 50, "--churn", "0").exit_code == 1


def test_clv_historic(run):
    d = js(run("clv", EX / "orders.csv", "-f", "json"))
    for key in ("customers", "orders", "revenue", "average_order_value", "purchase_frequency", "lifespan_days", "clv_mean", "clv_median"):
        assert key in d
    assert d["customers"] == 300 and d["clv_mean"] == pytest.approx(d["revenue"] / 300)
    assert d["purchase_frequency"] == pytest.approx(d["orders"] / 300)
    weeks = js(run("clv", EX / "orders.csv", "--unit", "week", "-f", "json"))
    assert weeks["lifespan_weeks"] == pytest.approx(d["lifespan_days"] / 7)
    rows = js(run("clv", EX / "orders.csv", "--per-customer", "-f", "json"))
    assert isinstance(rows, list) and len(rows) == 300 and {"customer", "orders", "revenue", "lifespan_days"} <= set(rows[0])
    table = list(csv.reader(io.StringIO(run("clv", EX / "orders.csv", "--per-customer", "-f", "csv").stdout)))
    assert table[0][0] == "customer" and len(table) == 301


def test_clv_bad_amount(run, tmp_path):
    f = tmp_path / "o.csv"
    f.write_text("customer,date,amount\na,2026-01-01,12\nb,2026-01-02,lots\n")
    r = run("clv", f)
    assert r.exit_code == 1 and r.stderr.startswith(f"cxterms: amount 'lots' is not a number ({f}:3:3)")


ORDER_ERRORS = [
    ("a,2026-01-01,12\n,2026-01-02,5\n", "customer is blank", 3, 1),
    ("a,2026-01-01,12\nb,,5\n", "order date is blank", 3, 2),
    ("a,2026-01-01,12\nb\n", "order date is blank", 3, 2),  # a short row
    ("a,2026-01-01,12\nb,2026-13-45,5\n", "order date '2026-13-45' in column 'date' is not a date", 3, 2),
    ("a,2026-01-01,12\nb,2026-01-02,\n", "amount '' is not a number", 3, 3),
    ("a,2026-01-01,12\nb,2026-01-02\n", "amount '' is not a number", 3, 3),
    (" , , ,note\n", "customer is blank", 2, 1),  # other cells filled: not a blank row
]


@pytest.mark.parametrize("body,message,line,column", ORDER_ERRORS)
def test_clv_order_row_errors_name_line_and_column(run, tmp_path, body, message, line, column):
    f = tmp_path / "o.csv"
    f.write_text("customer,date,amount,note\n" + "z,2025-12-30,7,x\n" * 3 + body)
    r = run("clv", f)
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.startswith(f"cxterms: {message}") and f"({f}:{line + 3}:{column})" in r.stderr.splitlines()[0]


def test_clv_skips_blank_rows_and_reads_repeated_cells_alike(run, tmp_path):
    f = tmp_path / "o.csv"
    rows = "".join(f"c{i % 7},2026-01-{1 + i % 28:02d},{10 + i % 3}.50\n" for i in range(300))
    f.write_text("customer,date,amount\n" + rows + "\n , ,\n,,\n" + rows)
    d = js(run("clv", f, "-f", "json"))
    assert d["orders"] == 600 and d["customers"] == 7
    assert d["revenue"] == pytest.approx(2 * sum(10 + i % 3 + 0.5 for i in range(300)))


def test_progress_bar_only_on_a_terminal(run, tmp_path, monkeypatch):
    import cxterms.cli.progress as progress

    monkeypatch.setattr(progress, "PROGRESS_BYTES", 1)
    f = tmp_path / "big.csv"
    f.write_text("score\n" + "9\n7\n3\n" * 2000)
    on_tty = run("nps", f, "-q", tty=True)
    assert on_tty.exit_code == 0 and on_tty.stdout == "0.0\n"
    assert "Reading" in on_tty.stderr  # drawn on stderr, data on stdout untouched
    piped = run("nps", f, "-q")
    assert piped.stderr == "" and piped.stdout == "0.0\n"
    dumb = run("nps", f, "-q", tty=True, env={"TERM": "dumb"})
    assert dumb.stderr == ""
