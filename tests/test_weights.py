"""Weighted NPS, CSAT and CES: hand-computed vectors, Kish n_eff, and equal
weights giving the unweighted results."""

import importlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxterms.metrics.ces import ces_from_tally
from cxterms.metrics.csat import csat_from_tally
from cxterms.metrics.inference import CESMeasure, CSATMeasure, NPSMeasure
from cxterms.metrics.nps import nps_from_tally
from cxterms.metrics.tally import Tally
from cxterms.metrics.weights import effective_n, weighted_mean, weighted_share, weighted_variance


def weighted(pairs):
    """Tally from (answer, weight) pairs, one respondent each."""
    t = Tally()
    for v, w in pairs:
        t.add_weighted(v, 1, w, w * w)
    return t


# answer, weight
VEC = [(10, 2.0), (9, 1.0), (8, 0.5), (3, 1.5), (0, 1.0)]


def test_kish_effective_n_by_hand():
    t = weighted(VEC)
    sw, sw2 = 6.0, 4 + 1 + 0.25 + 2.25 + 1
    assert t.weight_total == sw and effective_n(t) == pytest.approx(sw * sw / sw2)  # 36 / 8.5


def test_weighted_nps_by_hand():
    r = nps_from_tally(weighted(VEC), interval="wald")
    pp, pd, n_eff = 3 / 6, 2.5 / 6, 36 / 8.5
    assert r.nps == pytest.approx(100 * (pp - pd)) and r.n == 5 and r.weight_total == 6.0
    assert r.effective_n == pytest.approx(n_eff)
    assert (r.promoters, r.passives, r.detractors) == (2, 1, 2)  # raw counts stay counts
    assert r.promoters_pct == pytest.approx(50.0) and r.detractors_pct == pytest.approx(100 * 2.5 / 6)
    assert r.std_error == pytest.approx(100 * math.sqrt((pp + pd - (pp - pd) ** 2) / n_eff))
    a = nps_from_tally(weighted(VEC), interval="adjusted-wald")
    ap, ad = (pp * n_eff + 0.75) / (n_eff + 3), (pd * n_eff + 0.75) / (n_eff + 3)
    assert a.nps_adjusted == pytest.approx(100 * (ap - ad))
    assert a.std_error == pytest.approx(100 * math.sqrt((ap + ad - (ap - ad) ** 2) / (n_eff + 3)))


def test_weighted_csat_and_ces_by_hand():
    pairs = [(5, 3.0), (4, 1.0), (2, 2.0), (1, 2.0)]
    t = weighted(pairs)
    sw, n_eff = 8.0, 64 / 18
    c = csat_from_tally(t)
    assert c.csat == pytest.approx(100 * 4 / 8) and c.satisfied == 2 and c.effective_n == pytest.approx(n_eff)
    mean = (15 + 4 + 4 + 2) / sw
    assert c.mean == pytest.approx(mean)
    var = sum(w * (v - mean) ** 2 for v, w in pairs) / (sw - 18 / sw)
    e = ces_from_tally(t, scale=__import__("cxterms.metrics.scales", fromlist=["Scale"]).Scale(1, 5))
    assert e.ces == pytest.approx(mean) and e.std_dev == pytest.approx(math.sqrt(var))
    assert e.std_error == pytest.approx(math.sqrt(var / n_eff))
    assert weighted_variance(t) == pytest.approx(var) and weighted_mean(t) == pytest.approx(mean)
    assert weighted_share(t, lambda v: v >= 4) == pytest.approx(0.5)


def test_weighted_variance_matches_statsmodels_descrstats():
    sm = importlib.import_module("statsmodels.stats.weightstats")
    pairs = [(5, 3.0), (4, 1.0), (2, 2.0), (1, 2.0), (3, 0.5)]
    t = weighted(pairs)
    d = sm.DescrStatsW([v for v, _ in pairs], weights=[w for _, w in pairs])
    assert weighted_mean(t) == pytest.approx(d.mean)
    # DescrStatsW's ddof=1 divides by (sum w - 1) (frequency weights); ours uses reliability weights:
    # both agree on the population variance, which is what the correction is applied to
    assert weighted_variance(t) * (t.weight_total - t.weight_sq_total / t.weight_total) / t.weight_total == pytest.approx(d.var)


def test_zero_weights_are_empty_not_a_crash():
    t = weighted([(10, 0.0), (3, 0.0)])
    assert t.effective_n == 0.0
    assert NPSMeasure().summary(t) is None
    with pytest.raises(Exception) as e:
        nps_from_tally(t)
    assert "zero weights" in str(e.value)


ANS = st.lists(st.integers(0, 10), min_size=2, max_size=80)


@settings(max_examples=60)
@given(ANS, st.floats(0.01, 50.0, allow_nan=False, allow_infinity=False))
def test_equal_weights_give_unweighted_results(values, w):
    plain = Tally.from_values(values)
    weighted_t = weighted([(v, w) for v in values])
    assert weighted_t.effective_n == pytest.approx(plain.n)
    for interval in ("wald", "adjusted-wald"):
        a, b = nps_from_tally(plain, interval=interval), nps_from_tally(weighted_t, interval=interval)
        for key in ("nps", "std_error", "std_error_observed", "promoters_pct", "detractors_pct"):
            assert getattr(b, key) == pytest.approx(getattr(a, key), abs=1e-9)
        if a.ci_low is not None:
            assert (b.ci_low, b.ci_high) == pytest.approx((a.ci_low, a.ci_high), abs=1e-9)
    c_scale = __import__("cxterms.metrics.scales", fromlist=["Scale"]).Scale(0, 10)
    ca, cb = csat_from_tally(plain, scale=c_scale), csat_from_tally(weighted_t, scale=c_scale)
    assert (cb.csat, cb.ci_low, cb.ci_high, cb.mean) == pytest.approx((ca.csat, ca.ci_low, ca.ci_high, ca.mean), abs=1e-9)
    ea, eb = ces_from_tally(plain, scale=c_scale), ces_from_tally(weighted_t, scale=c_scale)
    assert eb.ces == pytest.approx(ea.ces) and (eb.std_dev or 0) == pytest.approx(ea.std_dev or 0, abs=1e-9)
    if ea.ci_low is not None:
        assert (eb.ci_low, eb.ci_high) == pytest.approx((ea.ci_low, ea.ci_high), abs=1e-7)
    half = len(values) // 2
    for m in (NPSMeasure(), CSATMeasure(9), CESMeasure()):
        da = m.compare(Tally.from_values(values[:half] or [5]), Tally.from_values(values[half:]))
        db = m.compare(weighted([(v, w) for v in values[:half] or [5]]), weighted([(v, w) for v in values[half:]]))
        assert (db.p_value is None) == (da.p_value is None)
        if da.p_value is not None:
            assert db.statistic == pytest.approx(da.statistic, rel=1e-6, abs=1e-9)
            assert db.p_value == pytest.approx(da.p_value, rel=1e-6, abs=1e-12)


def test_one_dominant_weight_gives_no_t_interval():
    t = weighted([(7, 1000.0), (1, 0.001), (2, 0.001)])
    assert 1 < t.effective_n < 2
    e = ces_from_tally(t)
    assert e.ci_low is None and e.note and e.std_dev is not None
    d = CESMeasure().compare(t, Tally.from_values([3, 4, 5, 6]))
    assert d.p_value is None and d.note
