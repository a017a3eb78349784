"""NPS core: the published vectors, group boundaries, invariants."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxterms.errors import DataError, EmptyDataError
from cxterms.metrics.nps import compare, group_of, nps, nps_from_counts, nps_from_tally
from cxterms.metrics.tally import Tally


def test_issue_vector_wald():
    r = nps_from_counts(50, 30, 20)
    assert r.nps == 30.0
    assert r.std_error == pytest.approx(7.8102, abs=1e-4)  # 100 * sqrt(.61 / 100)
    assert round(r.margin_of_error, 1) == 15.3
    assert (r.ci_low, r.ci_high) == (pytest.approx(14.692, abs=1e-3), pytest.approx(45.308, abs=1e-3))
    assert r.nps_adjusted is None and r.interval == "wald"
    assert (r.promoters_pct, r.passives_pct, r.detractors_pct) == (50.0, 30.0, 20.0)


def test_issue_vector_adjusted_wald():
    r = nps_from_counts(50, 30, 20, interval="adjusted-wald")
    assert r.nps == 30.0  # the observed score stays
    assert round(r.nps_adjusted, 1) == 29.1
    assert (round(r.ci_low, 2), round(r.ci_high, 2)) == (14.05, 44.20)
    assert (r.ci_low + r.ci_high) / 2 == pytest.approx(r.nps_adjusted)


def test_issue_vector_comparison():
    c = compare(nps_from_counts(50, 30, 20), nps_from_counts(40, 30, 30))
    assert c.difference == 20.0
    assert round(c.z, 3) == 1.754
    assert round(c.p_value, 3) == 0.079
    assert c.significant is False
    assert compare(nps_from_counts(50, 30, 20), nps_from_counts(40, 30, 30), confidence=0.90).significant is True


@pytest.mark.parametrize(
    "score, group",
    [(0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"), (9, "promoter"), (10, "promoter")],
)
def test_group_boundaries(score, group):
    assert group_of(score) == group


@pytest.mark.parametrize("bad", [-1, 11])
def test_out_of_scale(bad):
    with pytest.raises(DataError):
        group_of(bad)
    with pytest.raises(DataError):
        nps([bad])


@pytest.mark.parametrize(
    "scores, expected",
    [([10], 100.0), ([0], -100.0), ([7, 8], 0.0), ([9, 10, 0, 6], 0.0), ([10, 9, 8, 3], 25.0), ([10.0, 6.0], 0.0)],
)
def test_hand_computed_scores(scores, expected):
    assert nps(scores) == expected


def test_empty_and_fractional():
    with pytest.raises(EmptyDataError):
        nps([])
    with pytest.raises(EmptyDataError):
        nps_from_counts(0, 0, 0)
    with pytest.raises(DataError):
        nps([7.5])
    with pytest.raises(ValueError):
        nps_from_counts(1, 1, 1, interval="exact")
    with pytest.raises(DataError):
        nps_from_counts(-1, 1, 1)


def test_degenerate_interval_is_never_certainty():
    r = nps_from_counts(5, 0, 0)
    assert r.nps == 100.0 and r.std_error == 0.0
    assert r.ci_low is None and r.ci_high is None and r.margin_of_error is None and "zero width" in r.note
    for n in (1, 5, 1000):
        a = nps_from_counts(n, 0, 0, interval="adjusted-wald")
        assert a.ci_high - a.ci_low > 0.5 and a.ci_high <= 100.0 and a.std_error > 0 and a.note is None


def test_zero_variance_comparison_is_untested_not_a_crash():
    for other in (nps_from_counts(9, 0, 0), nps_from_counts(0, 0, 5)):
        c = compare(nps_from_counts(5, 0, 0), other)
        assert c.p_value is None and c.z is None and c.significant is None and c.note


def test_tally_keeps_distribution_and_counts():
    r = nps_from_tally(Tally({10: 5, 8: 3, 2: 2}, blank=4, invalid=1))
    assert r.nps == 30.0 and r.blank == 4 and r.invalid == 1
    assert r.distribution == {str(v): {10: 5, 8: 3, 2: 2}.get(v, 0) for v in range(11)}


SCORES = st.lists(st.integers(0, 10), min_size=1, max_size=300)


@given(SCORES)
def test_bounds(scores):
    r = nps_from_tally(Tally.from_values(scores))
    assert -100.0 <= r.nps <= 100.0
    assert r.ci_low is None and r.std_error == 0 or -100.0 <= r.ci_low <= r.nps <= r.ci_high <= 100.0
    a = nps_from_tally(Tally.from_values(scores), interval="adjusted-wald")
    assert -100.0 <= a.ci_low < a.ci_high <= 100.0 and a.ci_low <= a.nps_adjusted <= a.ci_high
    assert r.std_error >= 0 and r.promoters + r.passives + r.detractors == r.n == len(scores)
    assert r.promoters_pct + r.passives_pct + r.detractors_pct == pytest.approx(100.0)


@given(SCORES, st.randoms())
def test_order_independent(scores, rnd):
    shuffled = list(scores)
    rnd.shuffle(shuffled)
    assert nps(shuffled) == nps(scores)


@given(SCORES, SCORES)
def test_merging_partial_counts_equals_whole(a, b):
    merged = Tally.from_values(a) + Tally.from_values(b)
    assert merged == Tally.from_values(a + b)
    assert nps_from_tally(merged) == nps_from_tally(Tally.from_values(a + b))


@given(SCORES)
def test_scores_and_counts_agree(scores):
    r = nps_from_tally(Tally.from_values(scores))
    assert r.nps == pytest.approx(nps(scores))
    assert nps_from_counts(r.promoters, r.passives, r.detractors).std_error == pytest.approx(r.std_error)
