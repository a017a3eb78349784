"""clv --model bgnbd and retention through the CLI."""

import csv
import io
import json
from datetime import date, timedelta

import pytest

from .conftest import REPO

np = pytest.importorskip("numpy")
pytest.importorskip("scipy")

EX = REPO / "examples"


def js(r):
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_bgnbd_with_gamma_gamma_json(run):
    d = js(run("clv", EX / "orders.csv", "--model", "bgnbd", "-f", "json"))
    assert d["model"] == "bgnbd" and set(d["params"]) == {"r", "alpha", "a", "b"}
    assert d["customers"] == 300 and d["unit"] == "week" and d["horizon"] == 52.0
    assert d["log_likelihood"] < 0 and d["converged"] is True
    assert d["spend"]["model"] == "gamma-gamma" and set(d["spend"]["params"]) == {"p", "q", "gamma"}
    assert d["spend"]["customers"] == d["repeat_customers"]
    assert d["clv_total"] == pytest.approx(d["clv_mean"] * 300)
    quiet = run("clv", EX / "orders.csv", "--model", "bgnbd", "-q").stdout.strip()
    assert quiet == f"{d['clv_mean']:.2f}"


def test_per_customer_rows(run):
    rows = js(run("clv", EX / "orders.csv", "--model", "bgnbd", "--per-customer", "-f", "json"))
    assert len(rows) == 300
    assert set(rows[0]) == {"customer", "frequency", "recency", "T", "monetary_value", "expected_transactions",
                            "probability_alive", "expected_average_value", "clv"}
    assert all(0 <= r["probability_alive"] <= 1 for r in rows)
    assert all(r["probability_alive"] == 1 for r in rows if r["frequency"] == 0)
    table = list(csv.reader(io.StringIO(run("clv", EX / "orders.csv", "--model", "bgnbd", "--per-customer", "-f", "csv").stdout)))
    assert table[0][0] == "customer" and len(table) == 301


def test_discounting_lowers_clv_and_units_scale(run):
    base = js(run("clv", EX / "orders.csv", "--model", "bgnbd", "-f", "json"))
    disc = js(run("clv", EX / "orders.csv", "--model", "bgnbd", "--discount-rate", "1%", "-f", "json"))
    assert disc["clv_mean"] < base["clv_mean"]
    days = js(run("clv", EX / "orders.csv", "--model", "bgnbd", "--unit", "day", "-f", "json"))
    assert days["horizon"] == 365.0 and days["params"]["alpha"] == pytest.approx(7 * base["params"]["alpha"], rel=1e-3)
    assert days["params"]["r"] == pytest.approx(base["params"]["r"], rel=1e-3)


def test_rich_summary(run):
    out = run("clv", EX / "orders.csv", "--model", "bgnbd", "-f", "rich", "--top", "3").stdout
    assert "BG/NBD + Gamma-Gamma" in out and "Top 3 customers" in out and "CLV distribution" in out


def write_log(path, with_amounts=True, whitespace=False):
    """A CDNOW-like log from a BG/NBD simulation: first purchases in the
    first 12 weeks of 1997, repeat purchases spread up to the last one."""
    from cxterms.models.bgnbd import simulate_bgnbd

    rng = np.random.default_rng(7)
    x, tx, T = simulate_bgnbd(0.25, 4.0, 0.8, 2.5, 600, 39.0, rng)
    lines = []
    for c in range(len(x)):
        first = date(1997, 1, 1) + timedelta(days=int(rng.integers(0, 84)))
        nu = rng.gamma(4.0, 1 / 15.0)  # the customer's spend rate (Gamma-Gamma: q = 4, gamma = 15)
        times = [0.0, *sorted(rng.uniform(0, tx[c], int(x[c]) - 1)), tx[c]] if x[c] else [0.0]
        for t in times:
            day = first + timedelta(days=int(round(7 * t)))
            amount = round(float(rng.gamma(6.0, 1 / nu)), 2)  # p = 6
            if whitespace:
                lines.append(f" {c + 1:05d} {c + 1:04d} {day:%Y%m%d}  1   {amount:.2f}")
            else:
                lines.append(f"{c + 1},{day.isoformat()}" + (f",{amount}" if with_amounts else ""))
    header = "" if whitespace else ("customer,date,amount\n" if with_amounts else "customer,date\n")
    path.write_text(header + "\n".join(lines) + "\n")
    return path


def test_cdnow_whitespace_layout(run, tmp_path):
    f = write_log(tmp_path / "cdnow.txt", whitespace=True)
    args = ["clv", f, "--model", "bgnbd", "--customer-column", "1", "--date-column", "3", "--amount-column", "5",
            "--unit", "week", "--calibration-end", "1997-09-30", "-f", "json"]
    r = run(*args)
    d = js(r)
    assert d["calibration_end"] == "1997-09-30" and d["customers"] == 600
    if d["ignored_after_end"]:
        assert f"{d['ignored_after_end']} rows dated after the calibration end" in r.stderr


def test_without_amounts_bgnbd_only(run, tmp_path):
    f = write_log(tmp_path / "log.csv", with_amounts=False)
    d = js(run("clv", f, "--model", "bgnbd", "-f", "json"))
    assert "spend" not in d and "clv_mean" not in d
    assert run("clv", f, "--model", "bgnbd", "-q").stdout.strip() == f"{d['expected_transactions_mean']:.3f}"


def test_rfm_summary_input(run, tmp_path):
    from cxterms.models.bgnbd import simulate_bgnbd

    x, tx, T = simulate_bgnbd(0.25, 4.0, 0.8, 2.5, 2000, 39.0, np.random.default_rng(1))
    f = tmp_path / "rfm.csv"
    with open(f, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["customer_id", "frequency", "recency", "T"])
        for i in range(len(x)):
            w.writerow([f"c{i}", int(x[i]), float(tx[i]), float(T[i])])
    d = js(run("clv", f, "--rfm", "-f", "json"))
    assert d["customers"] == 2000 and 0.15 < d["params"]["r"] < 0.4


@pytest.mark.parametrize(
    "body, message",
    [
        ("customer,date,amount\na,2026-01-01,5\n", "at least two customers"),
        ("customer,date,amount\na,2026-01-01,5\nb,2026-01-02,6\n", "repeat"),
        ("customer,date,amount\na,2026-01-01,5\nb,someday,6\n", "is not a date"),
    ],
)
def test_model_input_errors(run, tmp_path, body, message):
    f = tmp_path / "bad.csv"
    f.write_text(body)
    r = run("clv", f, "--model", "bgnbd")
    assert r.exit_code == 1 and r.stdout == "" and message in r.stderr
    assert "Traceback" not in r.stderr and "nan" not in r.stderr.lower().split()


def test_missing_models_extra_is_explained(run, monkeypatch):
    import cxterms.models as models
    from cxterms.errors import MissingDependencyError

    def missing():
        raise MissingDependencyError("the probability models need numpy and scipy", hint="install them with: pip install 'cxterms[models]'")

    monkeypatch.setattr(models, "require", missing)
    r = run("retention", "--survivors", "1000,800,700")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == ["cxterms: the probability models need numpy and scipy", "hint: install them with: pip install 'cxterms[models]'"]


# -- retention ----------------------------------------------------------------

REGULAR = "1000,631,468,382,326,289,262,241"
HIGH_END = "1000,869,743,653,593,551,517,491"


@pytest.mark.parametrize("data, alpha, beta", [(REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)])
def test_retention_reproduces_fader_hardie_2007(run, data, alpha, beta):
    d = js(run("retention", "--survivors", data, "-f", "json"))
    assert d["model"] == "sbg" and d["params"]["alpha"] == pytest.approx(alpha, abs=2e-3)
    assert d["params"]["beta"] == pytest.approx(beta, abs=2e-3)
    assert d["expected_lifetime"] is None and d["expected_lifetime_note"] == "infinite (alpha <= 1)"
    assert [p["period"] for p in d["projection"]] == [8, 9, 10, 11, 12]
    assert d["derl"] > 0 and d["discount_rate"] == 0.1


def test_retention_finite_lifetime_and_quiet(run):
    # survivors of an sBG cohort with alpha = 3, beta = 5: S(t) = B(3, 5 + t) / B(3, 5)
    from math import lgamma, exp

    def s(t):
        return exp(lgamma(5 + t) + lgamma(8) - lgamma(5) - lgamma(8 + t))

    counts = ",".join(f"{100000 * s(t):.0f}" for t in range(8))
    d = js(run("retention", "--survivors", counts, "-f", "json"))
    assert d["params"]["alpha"] == pytest.approx(3, rel=0.05) and d["expected_lifetime"] == pytest.approx(3.5, rel=0.05)
    q = run("retention", "--survivors", counts, "-q").stdout.strip()
    assert q == f"{100 * d['next_retention_rate']:.2f}%"


def test_retention_from_file_and_formats(run):
    d = js(run("retention", EX / "cohort.csv", "-f", "json"))
    assert d["observed"][0] == 1000 and d["periods"] == 7
    plain = run("retention", EX / "cohort.csv").stdout
    assert plain.startswith("next_retention_rate\t") and "period\tobserved\tfitted\tretention_rate" in plain
    rows = list(csv.DictReader(io.StringIO(run("retention", EX / "cohort.csv", "-f", "csv").stdout)))
    assert len(rows) == 13 and rows[-1]["observed"] == ""
    assert "Survivors by period" in run("retention", EX / "cohort.csv", "-f", "rich").stdout


@pytest.mark.parametrize(
    "args, code",
    [
        (["--survivors", "1000,1100,900"], 1),  # survivors cannot grow
        (["--survivors", "1000,900"], 1),  # too few periods
        (["--survivors", "a,b,c"], 2),
        (["--survivors", "1000,900,800", "--discount-rate", "150%"], 2),
    ],
)
def test_retention_errors(run, args, code):
    r = run("retention", *args)
    assert r.exit_code == code and r.stdout == "" and r.stderr.startswith("cxterms: ")


def test_margin_scales_model_clv(run):
    # issue 13: --margin used to be ignored with --model
    base = js(run("clv", EX / "orders.csv", "--model", "bgnbd", "-f", "json"))
    cut = js(run("clv", EX / "orders.csv", "--model", "bgnbd", "--margin", "30%", "-f", "json"))
    assert base["margin"] == 1.0 and cut["margin"] == 0.3
    assert cut["clv_mean"] == pytest.approx(0.3 * base["clv_mean"], rel=1e-12)
    assert cut["clv_total"] == pytest.approx(0.3 * base["clv_total"], rel=1e-12)
    assert cut["expected_transactions_mean"] == base["expected_transactions_mean"]
    rows = js(run("clv", EX / "orders.csv", "--model", "bgnbd", "--margin", "0.3", "--per-customer", "-f", "json"))
    full = js(run("clv", EX / "orders.csv", "--model", "bgnbd", "--per-customer", "-f", "json"))
    assert [r["clv"] for r in rows] == pytest.approx([0.3 * r["clv"] for r in full], rel=1e-12)


def test_margin_without_amounts_warns(run, tmp_path):
    f = write_log(tmp_path / "log.csv", with_amounts=False)
    r = run("clv", f, "--model", "bgnbd", "--margin", "30%", "-f", "json")
    assert r.exit_code == 0 and "--margin was not applied" in r.stderr


def test_standard_errors_and_intervals(run):
    d = js(run("clv", EX / "orders.csv", "--model", "bgnbd", "-f", "json"))
    assert set(d["standard_errors"]) == {"r", "alpha", "a", "b"} and all(v > 0 for v in d["standard_errors"].values())
    assert set(d["spend"]["standard_errors"]) == {"p", "q", "gamma"}
    assert "intervals" not in d
    args = ("clv", EX / "orders.csv", "--model", "bgnbd", "--intervals", "--bootstrap", "20", "--seed", "3")
    one = js(run(*args, "-f", "json"))
    iv = one["intervals"]
    assert iv["seed"] == 3 and iv["replicates"] + iv["failed"] == 20 and iv["level"] == 0.95
    lo, hi = iv["aggregate"]["clv_total"]
    assert lo < one["clv_total"] < hi
    assert js(run(*args, "-f", "json"))["intervals"] == iv  # reproducible
    rows = js(run(*args, "--per-customer", "-f", "json"))
    assert all(r["clv_lower"] <= r["clv_upper"] and r["probability_alive_lower"] <= r["probability_alive_upper"] for r in rows)
    plain = run(*args).stdout
    assert "clv_total_lower\t" in plain and "r_se\t" in plain


@pytest.mark.parametrize("extra", [["--bootstrap", "50"], ["--seed", "1"]])
def test_bootstrap_options_need_intervals(run, extra):
    r = run("clv", EX / "orders.csv", "--model", "bgnbd", *extra)
    assert r.exit_code == 2 and r.stdout == ""


HOLDOUT = ("clv", EX / "purchases.csv", "--model", "bgnbd", "--calibration-end", "2025-09-30", "--holdout-end", "2026-06-30")


def test_holdout_validation_json_csv_plain_rich(run):
    d = js(run(*HOLDOUT, "-f", "json"))
    ho = d["holdout"]
    assert ho["length"] == 39.0 and ho["calibration_end"] == "2025-09-30" and ho["holdout_end"] == "2026-06-30"
    assert set(ho["errors"]) >= {"mae", "rmse", "bias_percent", "correlation", "actual_total", "predicted_total"}
    assert [r["repeat_purchases"] for r in ho["by_frequency"]] == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert len(ho["tracking"]) == 78
    assert set(ho["tracking"][0]) == {"period", "start", "phase", "actual_incremental", "predicted_incremental",
                                      "actual_cumulative", "predicted_cumulative"}
    rows = list(csv.DictReader(io.StringIO(run(*HOLDOUT, "-f", "csv").stdout)))
    assert [r["table"] for r in rows].count("tracking") == 78 and [r["table"] for r in rows].count("by_frequency") == 8
    assert float(rows[0]["holdout_mae"]) == pytest.approx(ho["errors"]["mae"])
    plain = run(*HOLDOUT).stdout
    assert "holdout_rmse\t" in plain and "# by_frequency" in plain and "# tracking" in plain
    rich = run(*HOLDOUT, "-f", "rich").stdout
    assert "Holdout purchases by calibration repeat purchases" in rich and "● actual" in rich
    per = js(run(*HOLDOUT, "--per-customer", "-f", "json"))
    assert sum(r["holdout_actual"] for r in per) == ho["errors"]["actual_total"]


@pytest.mark.parametrize(
    "args",
    [
        ("--holdout-end", "2026-06-30"),  # no --calibration-end
        ("--calibration-end", "2025-09-30", "--holdout-end", "2025-09-01"),  # before the calibration end
        ("--calibration-end", "2025-09-30", "--holdout-end", "soon"),
    ],
)
def test_holdout_usage_errors(run, args):
    r = run("clv", EX / "purchases.csv", "--model", "bgnbd", *args)
    assert r.exit_code == 2 and r.stdout == "" and r.stderr.startswith("cxterms: ")


# -- more models ------------------------------------------------------------------

from . import lifetimes_data  # noqa: E402


def test_cdnow_published_bgnbd_and_pareto_from_the_raw_log(run):
    # Fader, Hardie & Lee (2005): r 0.243, alpha 4.414, a 0.793, b 2.426; Gamma-Gamma p 6.25, q 3.74, gamma 15.44;
    # Pareto/NBD (Fader & Hardie's note): r 0.553, alpha 10.578, s 0.606, beta 11.669 (3 significant figures)
    log = lifetimes_data.cdnow_log()
    args = ("clv", log, "--customer-column", "1", "--date-column", "3", "--amount-column", "5", "--unit", "week",
            "--calibration-end", "1997-09-30", "-f", "json")
    d = js(run(*args, "--model", "bgnbd"))
    assert d["customers"] == 2357
    assert {k: round(v, 3) for k, v in d["params"].items()} == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert round(d["log_likelihood"], 1) == -9582.4
    assert {k: round(v, 2) for k, v in d["spend"]["params"].items()} == {"p": 6.25, "q": 3.74, "gamma": 15.44}
    p = js(run(*args, "--model", "pareto"))["params"]
    assert {k: float(f"{v:.3g}") for k, v in p.items()} == {"r": 0.553, "alpha": 10.6, "s": 0.606, "beta": 11.7}


@pytest.mark.parametrize("model, names", [("pareto", {"r", "alpha", "s", "beta"}), ("mbgnbd", {"r", "alpha", "a", "b"}),
                                          ("bgbb", {"alpha", "beta", "gamma", "delta"})])
def test_each_model_from_a_log(run, model, names):
    d = js(run("clv", EX / "purchases.csv", "--model", model, "-f", "json"))
    assert d["model"] == model and set(d["params"]) == names and set(d["standard_errors"]) == names
    assert d["clv_total"] > 0 and 0 < d["probability_alive_mean"] <= 1
    rows = js(run("clv", EX / "purchases.csv", "--model", model, "--per-customer", "-f", "json"))
    assert len(rows) == d["customers"] and all(0 <= r["probability_alive"] <= 1 for r in rows)


def test_auto_compares_and_chooses(run):
    r = run("clv", EX / "purchases.csv", "--model", "auto", "-f", "json")
    d = js(r)
    comp = d["comparison"]
    assert [c["model"] for c in comp] == ["bgnbd", "pareto", "mbgnbd"] and d["selected_by"] == "bic"
    best = min(comp, key=lambda c: c["bic"])
    assert best["selected"] and d["model"] == best["model"]
    for c in comp:
        assert c["aic"] == pytest.approx(8 - 2 * c["log_likelihood"])
        assert c["bic"] == pytest.approx(4 * np.log(d["customers"]) - 2 * c["log_likelihood"])
    h = js(run(*HOLDOUT[:3], "auto", *HOLDOUT[4:], "-f", "json"))
    assert h["selected_by"] == "holdout_mae"
    chosen = min(h["comparison"], key=lambda c: c["holdout_mae"])
    assert h["model"] == chosen["model"] and all("holdout_rmse" in c for c in h["comparison"])
    assert "Model comparison" in run(*HOLDOUT[:3], "auto", *HOLDOUT[4:], "-f", "rich").stdout


def test_bgbb_donation_summary_with_counts(run):
    d = js(run("clv", lifetimes_data.donations_path(), "--rfm", "--model", "bgbb", "-f", "json"))
    assert d["customers"] == 11104 and d["unit"] == "period" and d["horizon"] == 6.0
    assert {k: round(v, 3) for k, v in d["params"].items()} == {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}


def test_bgbb_errors(run, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("frequency,recency,n,count\n3,2,6,10\n0,0,6,5\n")
    r = run("clv", f, "--rfm", "--model", "bgbb")
    assert r.exit_code == 1 and r.stdout == "" and r.stderr.startswith("cxterms: ")
    r = run("clv", EX / "purchases.csv", "--model", "bgbb", "--horizon", "2.5")
    assert r.exit_code == 2
    r = run(*HOLDOUT[:3], "bgbb", *HOLDOUT[4:])
    assert r.exit_code == 2


# -- cohorts ----------------------------------------------------------------------


def test_retention_cohort_matrix(run):
    r = run("retention", EX / "cohorts.csv", "--value-per-period", "20", "--discount-rate", "1%", "-f", "json")
    d = js(r)
    assert d["layout"] == "matrix" and len(d["cohorts"]) == 8
    first = d["cohorts"][0]
    assert first["cohort"] == "2024-Q1" and first["periods"] == 24 and first["fitted_by"] == "cohort"
    assert len(first["retention_curve"]) == 24 + 5 + 1 and first["retention_curve"][0] == 1.0
    for c in d["cohorts"]:
        assert c["residual_value"] == pytest.approx(c["active"] * 20 * c["derl"])
        assert [p["period"] for p in c["projection"]] == list(range(c["periods"] + 1, c["periods"] + 6))
    total = d["total"]
    assert total["active"] == sum(c["active"] for c in d["cohorts"])
    assert total["residual_value"] == pytest.approx(sum(c["residual_value"] for c in d["cohorts"]))
    assert total["projection"][0]["active"] == pytest.approx(sum(c["projection"][0]["active"] for c in d["cohorts"]))
    assert 0.5 < d["pooled"]["params"]["alpha"] < 1.5  # simulated with alpha 0.9, beta 4.5
    assert run("retention", EX / "cohorts.csv", "--value-per-period", "20", "--discount-rate", "1%", "-q").stdout.strip() == \
        f"{total['residual_value']:.2f}"
    plain = run("retention", EX / "cohorts.csv").stdout
    assert plain.startswith("cohort\tsize\t") and "pooled_alpha\t" in plain
    assert "sBG retention by cohort" in run("retention", EX / "cohorts.csv", "-f", "rich").stdout


def test_retention_long_table_matches_matrix(run, tmp_path):
    rows = list(csv.reader(open(EX / "cohorts.csv")))
    long = tmp_path / "long.csv"
    with open(long, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["cohort", "period", "active"])
        for r in rows[1:]:
            for k, v in enumerate(r[1:]):
                if v:
                    w.writerow([r[0], k, v])
    a = js(run("retention", long, "-f", "json"))
    b = js(run("retention", EX / "cohorts.csv", "-f", "json"))
    assert a["layout"] == "long" and a["pooled"]["params"] == pytest.approx(b["pooled"]["params"])
    assert [c["cohort"] for c in a["cohorts"]] == [c["cohort"] for c in b["cohorts"]]


def test_single_cohort_residual_value(run):
    d = js(run("retention", "--survivors", REGULAR, "--value-per-period", "10", "-f", "json"))
    assert d["residual_value"] == pytest.approx(241 * 10 * d["derl"])


@pytest.mark.parametrize("body", ["cohort,m0,m1,m2\nA,100,120,90\n", "cohort,m0,m1,m2\nA,100,,90\n",
                                  "cohort,period,active\nA,0,100\nA,2,50\n", "cohort,m0,m1,m2\nA,100,x,90\n"])
def test_retention_cohort_errors(run, tmp_path, body):
    f = tmp_path / "bad.csv"
    f.write_text(body)
    r = run("retention", f)
    assert r.exit_code == 1 and r.stdout == "" and r.stderr.startswith("cxterms: ") and "Traceback" not in r.stderr


def test_bgbb_gamma_and_spend_gamma_stay_apart(run):
    d = js(run("clv", EX / "purchases.csv", "--model", "bgbb", "-f", "json"))
    plain = dict(line.split("\t", 1) for line in run("clv", EX / "purchases.csv", "--model", "bgbb", "-f", "plain").stdout.splitlines())
    assert float(plain["gamma"]) == pytest.approx(d["params"]["gamma"], abs=1e-4)
    assert float(plain["spend_gamma"]) == pytest.approx(d["spend"]["params"]["gamma"], abs=1e-4)
    assert "delta" in plain and "delta_se" in plain
