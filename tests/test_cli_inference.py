"""Tests on the command line: segments, periods, trends, small samples, weights,
comparisons and the response rate."""

import importlib
import csv
import io
import json
import math

import pytest

from .conftest import REPO

EX = REPO / "examples"
TEST_KEYS = {"vs", "difference", "difference_std_error", "test", "statistic", "df", "p_value", "p_adjusted",
             "significant", "direction", "test_note", "small_sample"}
TREND_KEYS = {"trend_slope", "trend_std_error", "trend_t", "trend_df", "trend_p_value", "trend_note",
              "control_low", "control_high", "out_of_control"}


def js(r):
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def adjusted_part(p, d, n):
    p, d, n = p + 0.75, d + 0.75, n + 3
    pp, pd = p / n, d / n
    return 100 * (pp - pd), 1e4 * (pp + pd - (pp - pd) ** 2) / n


def test_segments_against_the_rest_by_hand(run):
    rows = js(run("nps", EX / "survey.csv", "--by", "region", "-f", "json"))
    groups, overall = rows[:-1], rows[-1]
    assert [r["group"] for r in groups] == ["East", "North", "South", "West"]
    raw = []
    for r in groups:
        assert TEST_KEYS <= set(r) and r["vs"] == "rest" and r["test"] == "adjusted-Wald z"
        rp, rd, rn = (overall[k] - r[k] for k in ("promoters", "detractors", "n"))
        sa, va = adjusted_part(r["promoters"], r["detractors"], r["n"])
        sb, vb = adjusted_part(rp, rd, rn)
        z = (sa - sb) / math.sqrt(va + vb)
        assert r["statistic"] == pytest.approx(z) and r["difference_std_error"] == pytest.approx(math.sqrt(va + vb))
        assert r["difference"] == pytest.approx(r["nps"] - 100 * (rp - rd) / rn)
        raw.append(math.erfc(abs(z) / math.sqrt(2)))
    # Holm by hand
    order = sorted(range(4), key=lambda i: raw[i])
    holm, run_max = [0.0] * 4, 0.0
    for rank, i in enumerate(order):
        run_max = max(run_max, min(1.0, (4 - rank) * raw[i]))
        holm[i] = run_max
    assert [r["p_adjusted"] for r in groups] == pytest.approx(holm)
    assert [r["direction"] for r in groups] == [None, None, None, "lower"]  # West: 0.0 vs the rest's ~24
    assert overall["p_value"] is None and overall["small_sample"] is False
    none = js(run("nps", EX / "survey.csv", "--by", "region", "--adjust", "none", "-f", "json"))
    assert [r["p_adjusted"] for r in none[:-1]] == pytest.approx(raw)


def test_vs_total_and_named_group(run):
    total = js(run("nps", EX / "survey.csv", "--by", "region", "--vs", "total", "-f", "json"))
    rest = js(run("nps", EX / "survey.csv", "--by", "region", "-f", "json"))
    for t, r in zip(total[:-1], rest[:-1]):
        assert t["vs"] == "total" and t["p_value"] == pytest.approx(r["p_value"])
        assert t["difference"] == pytest.approx(t["nps"] - total[-1]["nps"])
    named = js(run("nps", EX / "survey.csv", "--by", "region", "--vs", "south", "-f", "json"))
    south = next(r for r in named if r["group"] == "South")
    assert south["p_value"] is None and south["test_note"] == "the reference segment"
    west = next(r for r in named if r["group"] == "West")
    assert west["vs"] == "South" and west["difference"] == pytest.approx(west["nps"] - south["nps"])
    r = run("nps", EX / "survey.csv", "--by", "region", "--vs", "Mars")
    assert r.exit_code == 2 and "no group 'Mars'" in r.stderr and r.stdout == ""
    for args in (("--vs", "total"), ("--vs", "total", "--period", "submitted")):
        r = run("nps", EX / "survey.csv", *args)
        assert r.exit_code == 2 and "--vs" in r.stderr and r.stdout == ""


def test_rich_marks_legend_and_quiet_headline(run):
    out = run("nps", EX / "survey.csv", "--by", "region", "-f", "rich").stdout
    assert "0.0 ▼" in out and "adjusted-Wald z, Holm-adjusted p < 0.05" in out
    q = run("nps", EX / "survey.csv", "--by", "region", "-q")
    assert q.stdout.splitlines() == ["East\t19.2", "North\t18.6", "South\t33.3", "West\t0.0"]
    assert "fewer than" not in q.stderr  # no small-sample note: every region has 30+ answers


def test_csv_rows_carry_test_keys(run):
    rows = list(csv.DictReader(io.StringIO(run("csat", EX / "support-csat.csv", "--by", "channel", "-f", "csv").stdout)))
    assert rows and TEST_KEYS <= set(rows[0]) and rows[0]["test"] == "two-proportion z"
    plain = run("ces", EX / "effort.csv", "--by", "channel").stdout.splitlines()
    assert "p_adjusted" in plain[0].split("\t") and "Welch t" in plain[1]


def period_file(tmp_path, months):
    """months: list of (promoters, passives, detractors) per month of 2026."""
    lines = ["date,score"]
    for m, (p, a, d) in enumerate(months, start=1):
        lines += [f"2026-{m:02d}-15,10"] * p + [f"2026-{m:02d}-15,7"] * a + [f"2026-{m:02d}-15,2"] * d
    f = tmp_path / "periods.csv"
    f.write_text("\n".join(lines) + "\n")
    return f


def test_periods_previous_trend_and_control(run, tmp_path):
    sm = importlib.import_module("statsmodels.api")
    np = importlib.import_module("numpy")
    months = [(40, 30, 30), (42, 30, 28), (45, 30, 25), (90, 8, 2), (44, 30, 26)]
    f = period_file(tmp_path, months)
    rows = js(run("nps", f, "--period", "date", "-f", "json"))
    periods, overall = rows[:-1], rows[-1]
    assert TREND_KEYS <= set(overall) and periods[0]["p_value"] is None and periods[1]["vs"] == "2026-01"
    for prev, (r, m) in zip(months, list(zip(periods, months))[1:]):
        sa, va = adjusted_part(m[0], m[2], sum(m))
        sb, vb = adjusted_part(prev[0], prev[2], sum(prev))
        assert r["statistic"] == pytest.approx((sa - sb) / math.sqrt(va + vb))
    fit = sm.WLS(np.array([r["nps"] for r in periods]), sm.add_constant(np.arange(5.0)),
                 weights=1 / np.array([r["std_error"] for r in periods]) ** 2).fit()
    assert overall["trend_slope"] == pytest.approx(fit.params[1]) and overall["trend_p_value"] == pytest.approx(fit.pvalues[1])
    assert all(r["trend_slope"] == overall["trend_slope"] for r in periods)
    # control limits: overall NPS -/+ 3 SE from the overall variance and each period's n
    n = sum(sum(m) for m in months)
    p, d = sum(m[0] for m in months) / n, sum(m[2] for m in months) / n
    var = 1e4 * (p + d - (p - d) ** 2)
    for r in periods:
        assert r["control_low"] == pytest.approx(max(-100, overall["nps"] - 3 * math.sqrt(var / r["n"])))
    assert [r["out_of_control"] for r in periods] == [False, False, False, True, False]
    assert periods[3]["direction"] == "higher" and periods[4]["direction"] == "lower"
    rich = run("nps", f, "--period", "date", "-f", "rich").stdout
    assert "88.0 ▲ !" in rich and "outside the control limits" in rich and "slope" in rich


def test_by_and_period_tests_each_group_series(run):
    rows = js(run("csat", EX / "support-csat.csv", "--by", "channel", "--period", "closed", "--every", "month", "-f", "json"))
    by_group = {}
    for r in rows[:-1]:
        by_group.setdefault(r["group"], []).append(r)
    for series in by_group.values():
        assert series[0]["p_value"] is None
        assert all(r["vs"] == prev["period"] for prev, r in zip(series, series[1:]) if r["p_value"] is not None)
        assert len({r["trend_slope"] for r in series}) == 1
    assert "trend_slope" in rows[-1]


def test_small_samples_flagged(run, tmp_path):
    r = run("nps", "-f", "json", input="10\n9\n3\n")
    d = js(r)
    assert d["small_sample"] is True and d["n"] == 3
    q = run("nps", "-q", input="10\n9\n3\n")
    assert q.stdout == "33.3\n" and len([x for x in q.stderr.splitlines() if "fewer than 30" in x]) == 1
    big = run("nps", "-q", "--min-n", 2, input="10\n9\n3\n")
    assert "fewer than" not in big.stderr
    rows = js(run("nps", EX / "survey.csv", "--by", "region", "--min-n", 100, "-f", "json"))
    assert [r["small_sample"] for r in rows] == [True, False, False, True, False]
    rich = run("nps", EX / "survey.csv", "--by", "region", "--min-n", 100, "-f", "rich").stdout
    assert "dim rows: fewer than 100 answers" in rich


def test_no_certainty_from_one_answer(run):
    one = js(run("nps", "-f", "json", input="10\n"))
    assert one["interval"] == "adjusted-wald" and one["ci_high"] - one["ci_low"] > 50
    w = run("nps", "--interval", "wald", "-f", "json", input="10\n10\n")
    d = js(w)
    assert d["ci_low"] is None and d["ci_high"] is None and "zero width" in d["note"] and "zero width" in w.stderr
    c = js(run("ces", "-f", "json", input="5\n5\n5\n"))
    assert c["ci_low"] is None and c["note"]


def test_degenerate_segments_never_crash(run, tmp_path):
    f = tmp_path / "same.csv"
    f.write_text("g,score\n" + "a,5\n" * 4 + "b,5\n" * 3 + "c,\n")
    for cmd in ("ces", "csat"):
        r = run(cmd, f, "--by", "g", "-f", "json")
        rows = js(r)
        tested = [x for x in rows if x.get("group") in ("a", "b")]
        assert all(x["p_value"] is None and x["test_note"] for x in tested)
    r = run("nps", f, "--by", "g", "--interval", "wald", "-f", "json")  # all passives: no Wald variance
    assert all(x["p_value"] is None and x["test_note"] for x in js(r)[:-1] if x["group"] in ("a", "b"))


def weight_file(tmp_path, rows, name="w.csv"):
    f = tmp_path / name
    f.write_text("score,w,g\n" + "".join(f"{s},{w},{g}\n" for s, w, g in rows))
    return f


def test_weight_option_by_hand(run, tmp_path):
    rows = [(10, 2, "a"), (9, 1, "a"), (8, 0.5, "b"), (3, 1.5, "b"), (0, 1, "b")]
    f = weight_file(tmp_path, rows)
    d = js(run("nps", f, "--weight", "w", "--interval", "wald", "-f", "json"))
    assert d["n"] == 5 and d["weight_total"] == 6.0 and d["effective_n"] == pytest.approx(36 / 8.5)
    assert d["nps"] == pytest.approx(100 * (3 - 2.5) / 6)
    pp, pd = 0.5, 2.5 / 6
    assert d["std_error"] == pytest.approx(100 * math.sqrt((pp + pd - (pp - pd) ** 2) / (36 / 8.5)))
    c = js(run("csat", f, "--weight", "w", "--scale", "0-10", "--satisfied", "9", "-f", "json"))
    assert c["csat"] == pytest.approx(50.0) and c["effective_n"] == pytest.approx(36 / 8.5)
    e = js(run("ces", f, "--weight", "w", "--scale", "0-10", "-f", "json"))
    assert e["ces"] == pytest.approx((20 + 9 + 4 + 4.5 + 0) / 6)
    # equal weights: the unweighted figures
    g = weight_file(tmp_path, [(s, 3, x) for s, _, x in rows], "eq.csv")
    a, b = js(run("nps", g, "--weight", "w", "-f", "json")), js(run("nps", g, "-c", "score", "-f", "json"))
    for k in ("nps", "std_error", "ci_low", "ci_high", "effective_n"):
        assert a[k] == pytest.approx(b[k])
    assert a["weight_total"] == 15.0 and b["weight_total"] is None


def test_bad_weights_are_invalid_cells(run, tmp_path):
    f = weight_file(tmp_path, [(10, 2, "a"), (9, -1, "a"), (8, "x", "b")])
    r = run("nps", f, "--weight", "w")
    assert r.exit_code == 1 and r.stdout == "" and "weight" in r.stderr
    ok = js(run("nps", f, "--weight", "w", "--skip-invalid", "--max-invalid", "0.7", "-f", "json"))
    assert ok["n"] == 1 and ok["invalid"] == 2


def test_compare_csat_and_ces_files(run, tmp_path):
    stats = importlib.import_module("scipy.stats")
    pz = importlib.import_module("statsmodels.stats.proportion").proportions_ztest
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    va, vb = [5] * 30 + [4] * 30 + [2] * 40, [5] * 20 + [4] * 25 + [1] * 55
    a.write_text("score\n" + "".join(f"{v}\n" for v in va))
    b.write_text("score\n" + "".join(f"{v}\n" for v in vb))
    d = js(run("csat", a, "--compare", b, "-f", "json"))
    z, p = pz([60, 45], [100, 100])
    assert d["z"] == pytest.approx(z) and d["p_value"] == pytest.approx(p) and d["other_csat"] == 45.0
    assert d["difference"] == pytest.approx(15.0) and d["significant"] is True
    e = js(run("ces", a, "--compare", b, "--scale", "1-5", "-f", "json"))
    ref = stats.ttest_ind(va, vb, equal_var=False)
    assert e["t"] == pytest.approx(ref.statistic) and e["p_value"] == pytest.approx(ref.pvalue) and e["df"] == pytest.approx(ref.df)
    assert e["other_ces"] == pytest.approx(sum(vb) / 100) and e["test"] == "Welch t"
    plain = run("ces", a, "--compare", b, "--scale", "1-5").stdout
    assert "test\tWelch t" in plain.splitlines()


def test_compare_groups(run):
    d = js(run("nps", EX / "survey.csv", "--by", "region", "--compare-groups", "North,South", "-f", "json"))
    rows = js(run("nps", EX / "survey.csv", "--by", "region", "-f", "json"))
    north, south = (next(r for r in rows if r["group"] == g) for g in ("North", "South"))
    assert d["group"] == "North" and d["other_group"] == "South" and d["nps"] == pytest.approx(north["nps"])
    assert d["difference"] == pytest.approx(north["nps"] - south["nps"])
    sa, va = adjusted_part(north["promoters"], north["detractors"], north["n"])
    sb, vb = adjusted_part(south["promoters"], south["detractors"], south["n"])
    assert d["z"] == pytest.approx((sa - sb) / math.sqrt(va + vb))
    for bad in (("--compare-groups", "North"), ("--compare-groups", "North,Mars")):
        r = run("nps", EX / "survey.csv", "--by", "region", *bad)
        assert r.exit_code == 2 and r.stdout == ""
    r = run("nps", EX / "survey.csv", "--compare-groups", "North,South")
    assert r.exit_code == 2 and "needs --by" in r.stderr


def test_invited_response_rate(run):
    d = js(run("nps", EX / "survey.csv", "--invited", 1000, "-f", "json"))
    assert (d["invited"], d["responses"], d["response_rate"]) == (1000, 393, 0.393)
    low = run("nps", EX / "survey.csv", "--invited", 10000, "-q")
    assert low.stdout == "18.3\n" and "response rate 3.9% is below 10%" in low.stderr
    bad = run("nps", EX / "survey.csv", "--invited", 100)
    assert bad.exit_code == 1 and "smaller than the 393 responses" in bad.stderr
    rows = js(run("csat", EX / "support-csat.csv", "--by", "channel", "--invited", 5000, "-f", "json"))
    assert rows[-1]["invited"] == 5000 and "invited" not in rows[0]


def test_huge_weights_are_an_error_not_a_crash(run, tmp_path):
    f = weight_file(tmp_path, [(10, "1e200", "a"), (3, 1, "a")])
    for cmd in ("nps", "csat", "ces"):
        r = run(cmd, f, "--weight", "w", "--scale", "0-10") if cmd != "nps" else run(cmd, f, "--weight", "w")
        assert r.exit_code == 1 and r.stdout == "" and "too large" in r.stderr and "internal" not in r.stderr


def test_compare_groups_with_commas_in_labels(run, tmp_path):
    f = tmp_path / "c.csv"
    f.write_text('city,score\n"Paris, FR",10\n"Paris, FR",9\n"Paris, FR",3\nLyon,5\nLyon,6\nLyon,10\n')
    d = js(run("nps", f, "--by", "city", "--compare-groups", "Paris, FR,Lyon", "-f", "json"))
    assert d["group"] == "Paris, FR" and d["other_group"] == "Lyon"
    r = run("nps", f, "--by", "city", "--compare-groups", "Paris,Lyon")
    assert r.exit_code == 2 and "no group 'Paris'" in r.stderr


def test_sparkline_per_group_series(run):
    out = run("nps", EX / "survey.csv", "--by", "region", "--period", "submitted", "-f", "rich").stdout
    lines = [line for line in out.splitlines() if "NPS trend" in line]
    assert [line.split()[0] for line in lines] == ["East", "North", "South", "West"]
    assert all("slope" in line for line in lines)
    single = [line for line in run("nps", EX / "survey.csv", "--period", "submitted", "-f", "rich").stdout.splitlines()
              if "NPS trend" in line]
    assert len(single) == 1 and single[0].startswith("NPS trend")


def test_group_with_only_zero_weights(run, tmp_path):
    f = weight_file(tmp_path, [(10, 0, "a"), (9, 0, "a"), (8, 1, "b"), (3, 2, "b"), (10, 1, "c")])
    rows = js(run("nps", f, "--weight", "w", "--by", "g", "-f", "json"))
    a = rows[0]
    assert a["group"] == "a" and a["n"] == 2 and a["nps"] is None and a["p_value"] is None and a["test_note"]
    assert rows[1]["p_value"] is not None


def test_compare_needs_one_scale(run, tmp_path):
    a, z = tmp_path / "a.csv", tmp_path / "z.csv"
    a.write_text("score\n5\n4\n3\n")
    z.write_text("Satisfaction\nGood\nBad\nGood\n")
    r = run("csat", a, "--compare", z)
    assert r.exit_code == 1 and r.stdout == "" and "1-5 scale with answers on the 1-2 scale" in r.stderr
