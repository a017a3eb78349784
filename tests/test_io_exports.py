"""Each platform's sample export gives the right answer with the natural
command; the true values are computed here independently with the csv and
json modules (and openpyxl for the workbook)."""

import csv
import io
import json
import re

import pytest

from .conftest import REPO

EX = REPO / "examples"


def nps_of(values):
    values = list(values)
    p = sum(v >= 9 for v in values)
    d = sum(v <= 6 for v in values)
    return pytest.approx(100 * (p - d) / len(values)), len(values)


def js(r):
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def lead_int(cell):
    return int(re.match(r"\s*(\d+)", cell).group(1))


def qualtrics_truth(rows, include_partial=False):
    names = rows[0]
    st, fin, q1 = names.index("Status"), names.index("Finished"), names.index("Q1")
    kept = [r for r in rows[3:] if "Preview" not in r[st] and (include_partial or r[fin] == "True")]
    return nps_of(lead_int(r[q1]) for r in kept if r[q1].strip())


@pytest.mark.parametrize("name", ["qualtrics.csv", "qualtrics.tsv"])
def test_qualtrics(run, name):
    raw = (EX / name).read_bytes()
    text = raw.decode("utf-16") if name.endswith(".tsv") else raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t" if name.endswith(".tsv") else ","))
    want, n = qualtrics_truth(rows)
    for args in ((), ("-c", "Q1")):
        r = run("nps", EX / name, *args, "-f", "json")
        d = js(r)
        assert (d["nps"], d["n"]) == (want, n)
        assert "note: Qualtrics export: header rows 1-3, 2 preview and 5 unfinished responses left out" in r.stderr
    # --include-partial keeps the unfinished ones (with an answer), never the previews
    want_p, n_p = qualtrics_truth(rows, include_partial=True)
    d = js(run("nps", EX / name, "--include-partial", "-f", "json"))
    assert (d["nps"], d["n"]) == (want_p, n_p) and n_p > n


def test_qualtrics_csat_labels(run):
    rows = list(csv.reader(io.StringIO((EX / "qualtrics.csv").read_text(encoding="utf-8-sig"), newline="")))
    st, fin, q2 = rows[0].index("Status"), rows[0].index("Finished"), rows[0].index("Q2")
    kept = [r[q2] for r in rows[3:] if "Preview" not in r[st] and r[fin] == "True" and r[q2]]
    sat = sum(v in ("Somewhat satisfied", "Extremely satisfied") for v in kept)
    r = run("csat", EX / "qualtrics.csv", "-c", "Q2", "-f", "json")
    d = js(r)
    assert d["n"] == len(kept) and d["csat"] == pytest.approx(100 * sat / len(kept))
    assert "5-point satisfaction (Qualtrics)" in r.stderr


def test_qualtrics_by_question_text(run):
    """Row 2 (the question text) names columns too."""
    d = js(run("csat", EX / "qualtrics.csv", "-c", "Overall, how satisfied or dissatisfied are you with Acme?", "-f", "json"))
    assert d["scale"] == "1-5"


def test_surveymonkey_two_header_rows_and_matrix(run):
    rows = list(csv.reader(open(EX / "surveymonkey.csv", newline="", encoding="utf-8")))
    body = rows[2:]
    want, n = nps_of(int(r[6]) for r in body if r[6])
    r = run("nps", EX / "surveymonkey.csv", "-f", "json")
    assert (js(r)["nps"], js(r)["n"]) == (want, n)
    assert "SurveyMonkey export: header rows 1-2" in r.stderr
    quality = [r[7] for r in body if r[7]]
    good = sum(v in ("Satisfied", "Very satisfied") for v in quality)
    d = js(run("csat", EX / "surveymonkey.csv", "-c", "Quality", "-f", "json"))
    assert d["n"] == len(quality) and d["csat"] == pytest.approx(100 * good / len(quality))
    # the matrix question's text plus the row answers to the full name as well
    d2 = js(run("csat", EX / "surveymonkey.csv", "-c", "How satisfied are you with each of the following? - Price", "-f", "json"))
    assert d2["n"] == sum(1 for r in body if r[8])


def test_google_forms_dates_with_gmt_offset(run):
    rows = list(csv.DictReader(open(EX / "google-forms.csv", newline="", encoding="utf-8")))
    col = "How likely are you to recommend us to a friend?"
    by_month = {}
    for r in rows:
        if r[col]:
            y, m = r["Timestamp"].split("/")[:2]
            by_month.setdefault(f"{y}-{m}", []).append(int(r[col]))
    out = js(run("nps", EX / "google-forms.csv", "--period", "Timestamp", "-f", "json"))
    got = {x["period"]: (x["nps"], x["n"]) for x in out if x["period"]}
    assert got == {k: nps_of(v) for k, v in by_month.items()}


def test_typeform_ces_picks_the_ease_question(run):
    rows = list(csv.reader(open(EX / "typeform.csv", newline="", encoding="utf-8")))
    vals = [int(r[2]) for r in rows[1:] if r[2]]
    r = run("ces", EX / "typeform.csv", "-f", "json")
    d = js(r)
    assert d["n"] == len(vals) and d["ces"] == pytest.approx(sum(vals) / len(vals))
    assert "How easy was it" in r.stderr  # the guess is named


def test_ces_given_nps_answers_names_the_right_command(run):
    r = run("ces", EX / "typeform.csv", "-c", "2", "--skip-invalid")
    assert r.exit_code == 1 and r.stdout == ""
    assert "0-10 answers" in r.stderr and "cxterms nps" in r.stderr and "How easy" in r.stderr


def test_delighted(run):
    rows = list(csv.DictReader(open(EX / "delighted.csv", newline="", encoding="utf-8")))
    want, n = nps_of(int(r["Score"]) for r in rows)
    d = js(run("nps", EX / "delighted.csv", "-f", "json"))
    assert (d["nps"], d["n"]) == (want, n)


def test_zendesk_good_bad_and_response_rate(run):
    rows = list(csv.DictReader(open(EX / "zendesk-csat.csv", newline="", encoding="utf-8")))
    c = {k: sum(r["Satisfaction"] == k for r in rows) for k in ("Good", "Bad", "Offered", "Unoffered")}
    r = run("csat", EX / "zendesk-csat.csv", "-f", "json")
    d = js(r)
    assert d["n"] == c["Good"] + c["Bad"]
    assert d["csat"] == pytest.approx(100 * c["Good"] / (c["Good"] + c["Bad"]))
    assert d["response_rate"] == pytest.approx((c["Good"] + c["Bad"]) / (c["Good"] + c["Bad"] + c["Offered"]))
    assert d["blank"] == c["Offered"] + c["Unoffered"] and d["invalid"] == 0


def _records_truth():
    recs = json.loads((EX / "survey.json").read_text(encoding="utf-8"))
    vals = [r["score"] for r in recs if isinstance(r["score"], int)]
    return nps_of(vals), sum(r["score"] in (None, "") for r in recs), sum(r["score"] == "N/A" for r in recs)


@pytest.mark.parametrize("name", ["survey.json", "survey.jsonl", "survey.xlsx", "survey.parquet"])
def test_json_jsonl_xlsx(run, name):
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow")
    (want, n), blanks, na = _records_truth()
    r = run("nps", EX / name, "-f", "json")
    d = js(r)
    assert (d["nps"], d["n"]) == (want, n)
    assert d["blank"] == blanks + na and d["invalid"] == 0
    assert f"{na} missing-value tokens" in r.stderr


def test_xlsx_dates_are_dates(run):
    openpyxl = pytest.importorskip("openpyxl")
    ws = openpyxl.load_workbook(EX / "survey.xlsx").active
    by_month = {}
    for row in list(ws.iter_rows(values_only=True))[1:]:
        if isinstance(row[3], int):
            by_month.setdefault(f"{row[1]:%Y-%m}", []).append(row[3])
    out = js(run("nps", EX / "survey.xlsx", "--period", "date", "-f", "json"))
    assert {x["period"]: (x["nps"], x["n"]) for x in out if x["period"]} == {k: nps_of(v) for k, v in by_month.items()}


def test_xlsx_is_never_read_as_text(run, tmp_path):
    f = tmp_path / "renamed.csv"
    f.write_bytes((EX / "survey.xlsx").read_bytes())
    d = js(run("nps", f, "-f", "json"))  # content, not name, decides
    assert d["n"] == _records_truth()[0][1]
    r = run("nps", f, "--sheet", "About")
    assert r.exit_code == 1 and "encoding" not in r.stderr


def test_clv_orders_with_money_and_us_dates(run):
    from decimal import Decimal

    rows = list(csv.DictReader(open(EX / "orders-us.csv", newline="", encoding="utf-8")))

    def amount(t):
        neg = t.startswith("(")
        v = Decimal(t.strip("()$").replace(",", ""))
        return -v if neg else v

    revenue = sum(amount(r["Total"]) for r in rows)
    r = run("clv", EX / "orders-us.csv", "-f", "json")
    d = js(r)
    assert d["orders"] == len(rows) and d["customers"] == len({r["Customer Email"] for r in rows})
    assert d["revenue"] == pytest.approx(float(revenue))
    months = sorted({(int(r["Order Date"][6:10]), int(r["Order Date"][:2])) for r in rows})
    assert d["first_date"][:7] == "%04d-%02d" % months[0]
    assert "month/day/year" in r.stderr and "Customer Email" in r.stderr


def test_clv_decimal_mark(run):
    body = "customer;date;amount\na;2026-01-01;1,000\nb;2026-01-02;2,500\n"
    r = run("clv", input=body)
    assert r.exit_code == 1 and "--decimal" in r.stderr and r.stdout == ""
    assert js(run("clv", "--decimal", "comma", "-f", "json", input=body))["revenue"] == pytest.approx(3.5)
    assert js(run("clv", "--decimal", "point", "-f", "json", input=body))["revenue"] == pytest.approx(3500)
    eu = "customer;date;amount\na;2026-01-01;€1.234,56\nb;2026-01-02;3,50\n"
    assert js(run("clv", "-f", "json", input=eu))["revenue"] == pytest.approx(1238.06)


def test_clv_skip_invalid_reports_and_limits(run):
    good = "".join(f"c{i},2026-01-{i % 28 + 1:02d},{i}.50\n" for i in range(40))
    body = "customer,date,amount\n" + good + "z,2026-01-02,oops\n"
    r = run("clv", input=body)
    assert r.exit_code == 1 and "oops" in r.stderr
    r = run("clv", "--skip-invalid", "-q", input=body)
    assert r.exit_code == 0 and "skipped 1 invalid order row" in r.stderr and "oops" in r.stderr
    bad = body + "y,2026-01-02,x\nx,yesterday,3\n"
    r = run("clv", "--skip-invalid", "-q", input=bad)
    assert r.exit_code == 1 and "--max-invalid" in r.stderr and r.stdout == ""


def test_churn_dates_decided_per_column(run):
    body = "customer,start,end\na,28/01/2025,03/02/2025\nb,01/02/2025,\n"
    r = run("churn", "-f", "json", input=body)
    assert r.exit_code == 0 and "day/month/year" in r.stderr
    amb = "customer,start,end\na,03/01/2025,04/02/2025\nb,01/02/2025,\n"
    r = run("churn", input=amb)
    assert r.exit_code == 1 and "--dayfirst" in r.stderr
    assert run("churn", "--dayfirst", "-f", "json", input=amb).exit_code == 0


def test_nps_on_a_csat_column_names_csat(run):
    r = run("nps", EX / "zendesk-csat.csv")
    assert r.exit_code == 1 and r.stdout == "" and "cxterms csat" in r.stderr


def test_one_note_per_layout(run):
    for name, layout in (("google-forms.csv", "Google Forms"), ("typeform.csv", "Typeform"), ("delighted.csv", "Delighted"),
                         ("zendesk-csat.csv", "Zendesk"), ("surveymonkey.csv", "SurveyMonkey"), ("qualtrics.csv", "Qualtrics")):
        r = run("csat" if "zendesk" in name else "nps", EX / name, "-q")
        assert r.exit_code == 0 and r.stderr.count(f"note: {layout} export") == 1, name
