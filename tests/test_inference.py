"""Two-sample tests and p-value adjustments, checked against statsmodels and scipy."""

import importlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxterms.metrics.inference import (
    CESMeasure, CSATMeasure, NPSMeasure, adjust_p, benjamini_hochberg, compare_segments, compare_sequence, holm,
    two_proportion_z, welch_t,
)
from cxterms.metrics.nps import compare, nps_from_counts
from cxterms.metrics.tally import Tally

multipletests = importlib.import_module("statsmodels.stats.multitest").multipletests
proportions_ztest = importlib.import_module("statsmodels.stats.proportion").proportions_ztest
stats = importlib.import_module("scipy.stats")

P_LISTS = st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=30)


@settings(max_examples=15, deadline=None)  # statsmodels' multipletests is slow to call
@given(P_LISTS)
def test_holm_and_bh_match_statsmodels(ps):
    assert holm(ps) == pytest.approx(list(multipletests(ps, method="holm")[1]), abs=1e-12)
    assert benjamini_hochberg(ps) == pytest.approx(list(multipletests(ps, method="fdr_bh")[1]), abs=1e-12)


def test_adjustments_skip_missing_and_keep_order():
    ps = [0.04, None, 0.01, 0.03]
    assert holm(ps) == pytest.approx([0.06, None, 0.03, 0.06]) and holm(ps)[1] is None
    assert benjamini_hochberg(ps) == pytest.approx([0.04, None, 0.03, 0.04])
    assert adjust_p(ps, "none") == ps
    with pytest.raises(ValueError):
        adjust_p(ps, "bonferroni")


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 60), st.integers(1, 60), st.integers(0, 60), st.integers(1, 60))
def test_two_proportion_z_matches_statsmodels(x1, n1, x2, n2):
    x1, x2 = min(x1, n1), min(x2, n2)
    r = two_proportion_z(x1 / n1, n1, x2 / n2, n2)
    pooled = (x1 + x2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        assert r is None
        return
    z, p = proportions_ztest([x1, x2], [n1, n2])
    assert r[0] == pytest.approx(z, rel=1e-9, abs=1e-12) and r[1] == pytest.approx(p, rel=1e-9, abs=1e-12)


SAMPLE = st.lists(st.integers(1, 7), min_size=2, max_size=60)


@settings(max_examples=60, deadline=None)
@given(SAMPLE, SAMPLE)
def test_welch_matches_scipy(a, b):
    d = CESMeasure().compare(Tally.from_values(a), Tally.from_values(b))
    if len(set(a)) == 1 and len(set(b)) == 1:
        assert d.p_value is None and d.note
        return
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert d.statistic == pytest.approx(ref.statistic, rel=1e-9)
    assert d.p_value == pytest.approx(ref.pvalue, rel=1e-7, abs=1e-14)
    assert d.df == pytest.approx(ref.df, rel=1e-9)


def test_welch_degenerate_cases_are_none():
    assert welch_t(1, 1, 1, 2, 1, 10) is None  # one answer
    assert welch_t(1, 0, 5, 1, 0, 5) is None  # no spread
    d = CESMeasure().compare(Tally({5: 1}), Tally({3: 4, 4: 4}))
    assert d.p_value is None and d.statistic is None and "at least two answers" in d.note
    assert CESMeasure().compare(Tally(), Tally({3: 4})).p_value is None


def _nps_z_by_hand(a, b, adjusted):
    """Independent computation from the counts (promoters, passives, detractors)."""
    def part(p, pa, d):
        n = p + pa + d
        if adjusted:
            p, d, n = p + 0.75, d + 0.75, n + 3
        pp, pd = p / n, d / n
        return pp - pd, (pp + pd - (pp - pd) ** 2) / n
    (sa, va), (sb, vb) = part(*a), part(*b)
    return (sa - sb) / math.sqrt(va + vb)


@pytest.mark.parametrize("a,b", [((50, 30, 20), (40, 30, 30)), ((9, 2, 1), (3, 3, 6)), ((120, 40, 90), (80, 80, 50))])
def test_nps_difference_by_hand(a, b):
    ta, tb = Tally({10: a[0], 7: a[1], 3: a[2]}), Tally({9: b[0], 8: b[1], 0: b[2]})
    for adjusted in (True, False):
        d = NPSMeasure("adjusted-wald" if adjusted else "wald").compare(ta, tb)
        z = _nps_z_by_hand(a, b, adjusted)
        assert d.statistic == pytest.approx(z)
        assert d.p_value == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
        assert d.difference == pytest.approx(100 * ((a[0] - a[2]) / sum(a) - (b[0] - b[2]) / sum(b)))
        # the result-level compare() follows the interval the same way
        interval = "adjusted-wald" if adjusted else "wald"
        c = compare(nps_from_counts(*a, interval=interval), nps_from_counts(*b, interval=interval))
        assert c.z == pytest.approx(z) and c.std_error == pytest.approx(d.std_error)


def test_issue_vector_wald_stays_1_754():
    d = NPSMeasure("wald").compare(Tally({10: 50, 8: 30, 0: 20}), Tally({10: 40, 8: 30, 0: 30}))
    assert round(d.statistic, 3) == 1.754 and d.difference == 20.0


def test_nps_zero_variance_is_untested_under_wald_only():
    a, b = Tally({10: 5}), Tally({10: 9})
    w = NPSMeasure("wald").compare(a, b)
    assert w.p_value is None and w.statistic is None and w.note
    aw = NPSMeasure().compare(a, b)  # adjusted-Wald always has variance
    assert aw.p_value is not None and 0 <= aw.p_value <= 1


def test_csat_measure_vs_statsmodels():
    a, b = Tally({5: 30, 4: 30, 2: 40}), Tally({5: 20, 4: 25, 1: 55})
    d = CSATMeasure(4).compare(a, b)
    z, p = proportions_ztest([60, 45], [100, 100])
    assert d.statistic == pytest.approx(z) and d.p_value == pytest.approx(p) and d.difference == pytest.approx(15.0)
    assert CSATMeasure(4).compare(Tally({5: 3}), Tally({4: 2})).note  # everyone satisfied: no variance


def test_segments_vs_rest_total_and_group():
    g = {("a",): Tally({10: 30, 0: 10}), ("b",): Tally({10: 10, 0: 30}), ("c",): Tally({10: 20, 0: 20})}
    m = NPSMeasure("wald")
    rest = compare_segments(m, g, vs="rest")
    # each against the union of the others, by hand
    d_a = m.compare(g[("a",)], g[("b",)] + g[("c",)])
    assert rest[("a",)].statistic == pytest.approx(d_a.statistic) and rest[("a",)].vs == "rest"
    raw = [m.compare(g[k], sum((g[o] for o in g if o != k), Tally())).p_value for k in g]
    assert [rest[k].p_adjusted for k in g] == pytest.approx(list(multipletests(raw, method="holm")[1]))
    assert rest[("a",)].direction == "higher" and rest[("b",)].direction == "lower" and rest[("c",)].direction is None
    # against the total: same test, difference against the overall score, SE scaled by (1 - share)
    total = compare_segments(m, g, vs="total")
    assert total[("a",)].p_value == pytest.approx(rest[("a",)].p_value)
    assert total[("a",)].difference == pytest.approx(50.0 - 0.0)
    assert total[("a",)].std_error == pytest.approx(rest[("a",)].std_error * (1 - 40 / 120))
    # against a named group: the reference itself is untested
    named = compare_segments(m, g, vs=("c",), label=lambda k: k[0])
    assert named[("c",)].p_value is None and named[("a",)].vs == "c"
    assert named[("a",)].statistic == pytest.approx(m.compare(g[("a",)], g[("c",)]).statistic)
    bh = compare_segments(m, g, adjust="bh")
    assert [bh[k].p_adjusted for k in g] == pytest.approx(list(multipletests(raw, method="fdr_bh")[1]))


def test_single_segment_has_no_rest():
    r = compare_segments(CSATMeasure(4), {("x",): Tally({5: 3, 1: 2})})
    assert r[("x",)].p_value is None and r[("x",)].significant is None


def test_sequence_skips_empty_periods_and_adjusts():
    ts = [Tally({5: 50, 1: 50}), Tally(), Tally({5: 80, 1: 20}), Tally({5: 78, 1: 22})]
    s = compare_sequence(CSATMeasure(4), ts, labels=["Jan", "Feb", "Mar", "Apr"])
    assert s[0] is None and s[1] is None and s[2].vs == "Jan" and s[3].vs == "Mar"
    raw = [CSATMeasure(4).compare(ts[2], ts[0]).p_value, CSATMeasure(4).compare(ts[3], ts[2]).p_value]
    assert [s[2].p_adjusted, s[3].p_adjusted] == pytest.approx(list(multipletests(raw, method="holm")[1]))
    assert s[2].significant is True and s[3].significant is False


def test_difference_as_dict_has_direction_and_no_nan():
    d = NPSMeasure().compare(Tally({10: 1}), Tally({0: 1}))
    out = d.as_dict()
    assert set(out) >= {"difference", "std_error", "statistic", "p_value", "direction", "note"}
    assert all(not (isinstance(v, float) and not math.isfinite(v)) for v in out.values())


GROUP = st.lists(st.tuples(st.integers(0, 10), st.sampled_from([0.0, 0.001, 1.0, 2.5, 1e6])), max_size=12)


def _weighted(pairs):
    t = Tally()
    for v, w in pairs:
        t.add_weighted(v, 1, w, w * w)
    return t


@settings(max_examples=150, deadline=None)
@given(st.lists(GROUP, min_size=1, max_size=5), st.booleans())
def test_tests_never_produce_nan_or_inf(groups, use_weights):
    tallies = {i: (_weighted(g) if use_weights else Tally.from_values(v for v, _ in g)) for i, g in enumerate(groups)}
    for m in (NPSMeasure(), NPSMeasure("wald"), CSATMeasure(9), CESMeasure()):
        for vs in ("rest", "total", 0):
            for d in compare_segments(m, tallies, vs=vs).values():
                for k, v in d.as_dict().items():
                    assert not (isinstance(v, float) and not math.isfinite(v)), (k, v)
                assert d.p_value is None or 0.0 <= d.p_value <= 1.0
                assert (d.p_value is None) == (d.statistic is None) and (d.p_value is None) <= (d.note is not None)
        for d in compare_sequence(m, list(tallies.values())):
            assert d is None or d.p_value is None or 0.0 <= d.p_adjusted <= 1.0


def test_result_dict_equals_asdict():
    from dataclasses import asdict

    from cxterms.metrics.ces import ces_from_tally
    from cxterms.metrics.csat import csat_from_tally
    from cxterms.metrics.nps import nps_from_tally

    t = Tally({5: 3, 4: 2, 1: 1})
    for r in (nps_from_tally(t), csat_from_tally(t), ces_from_tally(t)):
        d = r.as_dict()
        assert d == asdict(r) and list(d) == list(asdict(r))
        d["distribution"]["5"] = 99
        assert r.distribution["5"] == 3  # a copy
