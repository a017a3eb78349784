"""Sample-size formulas against hand computations, and the plan command."""

import importlib
import json
import math
from statistics import NormalDist

import pytest

from cxterms.metrics import plan as P

Z = NormalDist().inv_cdf


def test_nps_formulas_by_hand():
    s2 = 0.45 + 0.25 - 0.2 ** 2
    assert P.nps_n_for_margin(0.45, 0.25, 5) == math.ceil(Z(0.975) ** 2 * s2 / 0.05 ** 2 - 3)
    assert P.nps_n_for_margin(0.45, 0.25, 5, confidence=0.9) == math.ceil(Z(0.95) ** 2 * s2 / 0.05 ** 2 - 3)
    k = Z(0.975) + Z(0.8)
    assert P.nps_n_for_difference(0.45, 0.25, 10) == math.ceil(k * k * 2 * s2 / 0.1 ** 2 - 3)
    k9 = Z(0.975) + Z(0.9)
    assert P.nps_n_for_difference(0.45, 0.25, 10, power=0.9) == math.ceil(k9 * k9 * 2 * s2 / 0.01 - 3)
    assert P.nps_margin_for_n(0.45, 0.25, 400) == pytest.approx(100 * Z(0.975) * math.sqrt(s2 / 403))
    assert P.nps_detectable_difference(0.45, 0.25, 400) == pytest.approx(100 * k * math.sqrt(2 * s2 / 403))


def test_reverse_functions_invert_the_sizes():
    n = P.nps_n_for_margin(0.5, 0.2, 4)
    assert P.nps_margin_for_n(0.5, 0.2, n) <= 4 < P.nps_margin_for_n(0.5, 0.2, n - 1)
    n = P.nps_n_for_difference(0.5, 0.2, 8)
    assert P.nps_detectable_difference(0.5, 0.2, n) <= 8 < P.nps_detectable_difference(0.5, 0.2, n - 1)
    n = P.csat_n_for_difference(0.8, 5)
    assert P.csat_detectable_difference(0.8, n) <= 5 + 1e-9 < P.csat_detectable_difference(0.8, n - 1)
    n = P.ces_n_for_difference(1.2, 0.3)
    assert P.ces_detectable_difference(1.2, n) <= 0.3 < P.ces_detectable_difference(1.2, n - 1)


def test_csat_and_ces_by_hand():
    assert P.csat_n_for_margin(0.8, 3) == math.ceil(Z(0.975) ** 2 * 0.16 / 0.03 ** 2)
    k = Z(0.975) + Z(0.8)
    assert P.csat_n_for_difference(0.8, 10) == math.ceil(k * k * (0.16 + 0.21) / 0.01)  # p2 = 0.7, nearer 50%
    assert P.csat_n_for_difference(0.3, 10) == math.ceil(k * k * (0.21 + 0.24) / 0.01)  # p2 = 0.4
    stats = importlib.import_module("scipy.stats")
    n = P.ces_n_for_margin(1.2, 0.1)
    assert stats.t.ppf(0.975, n - 1) * 1.2 / math.sqrt(n) <= 0.1 < stats.t.ppf(0.975, n - 2) * 1.2 / math.sqrt(n - 1)
    assert P.ces_n_for_difference(1.2, 0.3) == math.ceil(2 * k * k * 1.44 / 0.09)


@pytest.mark.parametrize("call", [
    lambda: P.nps_n_for_margin(0.7, 0.5, 5), lambda: P.nps_n_for_margin(0.4, 0.2, 0),
    lambda: P.csat_n_for_margin(1.5, 3), lambda: P.nps_n_for_difference(0.4, 0.2, 5, power=1.0),
])
def test_bad_inputs_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def js(r):
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_plan_command_shapes(run):
    d = js(run("plan", "nps", "--promoters", "45%", "--detractors", "25%", "--margin", 5, "-f", "json"))
    assert d["n"] == P.nps_n_for_margin(0.45, 0.25, 5) and d["goal"] == "margin" and d["promoters"] == 0.45
    d = js(run("plan", "nps", "--promoters", "45%", "--detractors", "25%", "--difference", 10, "--power", 0.8,
               "--confidence", 0.95, "-f", "json"))
    assert d["n"] == P.nps_n_for_difference(0.45, 0.25, 10) and d["total_n"] == 2 * d["n"]
    assert run("plan", "csat", "--share", "80%", "--margin", 3, "-q").stdout == f"{P.csat_n_for_margin(0.8, 3)}\n"
    assert run("plan", "ces", "--sd", 1.2, "--margin", 0.1, "-q").stdout == f"{P.ces_n_for_margin(1.2, 0.1)}\n"
    d = js(run("plan", "nps", "--promoters", "0.45", "--detractors", "25", "--n", 400, "-f", "json"))
    assert d["detectable_difference"] == pytest.approx(P.nps_detectable_difference(0.45, 0.25, 400))
    assert d["margin_of_error"] == pytest.approx(P.nps_margin_for_n(0.45, 0.25, 400))
    plain = run("plan", "csat", "--share", "80%", "--margin", 3).stdout
    assert "n\t683" in plain.splitlines()


@pytest.mark.parametrize("args", [
    ("nps", "--promoters", "45%", "--margin", 5),  # no detractors
    ("nps", "--promoters", "45%", "--detractors", "25%"),  # no goal
    ("nps", "--promoters", "45%", "--detractors", "25%", "--margin", 5, "--n", 100),  # two goals
    ("csat", "--share", "80%", "--sd", 1, "--margin", 3),  # option of another metric
    ("nps", "--promoters", "80%", "--detractors", "30%", "--margin", 5),  # over 100%
    ("csat", "--share", "eighty", "--margin", 3),
    ("ces", "--sd", 1.2, "--margin", -1),
    ("ces", "--sd", 1.2, "--difference", 0.2, "--power", 1.5),
])
def test_plan_usage_errors(run, args):
    r = run("plan", *args)
    assert r.exit_code == 2 and r.stdout == "" and r.stderr.startswith("cxterms: ")
    assert "Traceback" not in r.stderr
