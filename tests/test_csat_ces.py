"""CSAT and CES cores: hand-computed vectors and invariants."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxterms.errors import DataError, EmptyDataError, UsageError
from cxterms.metrics.ces import ces, ces_from_tally, is_difficult, is_easy
from cxterms.metrics.csat import csat, csat_from_tally, threshold
from cxterms.metrics.scales import Scale, parse_scale
from cxterms.metrics.tally import Tally


def test_csat_top2box_and_mean():
    # 40 fives, 40 fours, 10 threes, 6 twos, 4 ones: 80 satisfied of 100, mean 4.06
    r = csat_from_tally(Tally({5: 40, 4: 40, 3: 10, 2: 6, 1: 4}))
    assert r.csat == 80.0 and r.satisfied == 80 and r.satisfied_min == 4 and r.n == 100
    assert r.mean == pytest.approx(4.06)
    assert r.std_dev == pytest.approx(math.sqrt((40 * 0.94**2 + 40 * 0.06**2 + 10 * 1.06**2 + 6 * 2.06**2 + 4 * 3.06**2) / 99))
    assert (r.ci_low, r.ci_high) == (pytest.approx(71.117, abs=1e-3), pytest.approx(86.663, abs=1e-3))


@pytest.mark.parametrize(
    "scores, scale, k, expected",
    [
        ([5, 4, 3, 5, 1], Scale(1, 5), None, 60.0),
        ([5, 4, 3, 5, 1], Scale(1, 5), 5, 40.0),
        ([7, 9, 10], Scale(1, 10), 9, 200 / 3),
        ([0, 10], Scale(0, 10), None, 50.0),  # top-2-box on 0-10 is 9-10
    ],
)
def test_csat_vectors(scores, scale, k, expected):
    assert csat(scores, scale=scale, satisfied=k) == pytest.approx(expected)


def test_csat_errors():
    with pytest.raises(EmptyDataError):
        csat([])
    with pytest.raises(DataError):
        csat([6])
    with pytest.raises(UsageError):
        threshold(Scale(1, 5), 6)


def test_ces_default_scale():
    r = ces_from_tally(Tally({7: 3, 6: 3, 5: 2, 4: 1, 2: 1}))
    assert r.ces == 5.5 and r.easy == 8 and r.difficult == 1 and r.easy_pct == 80.0 and r.difficult_pct == 10.0
    # t-interval checked with scipy: mean -/+ t(0.975, 9) * s / sqrt(10)
    assert (r.ci_low, r.ci_high) == (pytest.approx(4.368921, abs=1e-6), pytest.approx(6.631079, abs=1e-6))


def test_ces_original_lower_is_better_scale():
    r = ces_from_tally(Tally({1: 4, 2: 3, 3: 1, 4: 1, 5: 1}), scale=Scale(1, 5), lower_is_better=True)
    assert r.ces == 2.2 and r.easy == 7 and r.difficult == 2 and r.lower_is_better


def test_easy_and_difficult_bands():
    s7, s5 = Scale(1, 7), Scale(1, 5)
    assert [v for v in range(1, 8) if is_easy(v, s7, False)] == [5, 6, 7]
    assert [v for v in range(1, 8) if is_difficult(v, s7, False)] == [1, 2, 3]
    assert [v for v in range(1, 6) if is_easy(v, s5, True)] == [1, 2]
    assert [v for v in range(1, 6) if is_difficult(v, s5, True)] == [4, 5]


def test_ces_single_answer_has_no_interval():
    r = ces_from_tally(Tally({6: 1}))
    assert r.ces == 6 and r.ci_low is None and r.std_error is None
    with pytest.raises(EmptyDataError):
        ces([])


@pytest.mark.parametrize("text", ["5-1", "1-1", "a-b", "1..5", ""])
def test_bad_scales(text):
    with pytest.raises(UsageError):
        parse_scale(text)


ANSWERS = st.lists(st.integers(1, 7), min_size=2, max_size=200)


@given(ANSWERS)
def test_ces_bounds_and_interval(values):
    r = ces_from_tally(Tally.from_values(values))
    assert 1 <= r.ces <= 7
    if len(set(values)) == 1:  # no spread: no zero-width interval passed off as certainty
        assert r.ci_low is None and r.ci_high is None and r.note
    else:
        assert r.ci_low < r.ces < r.ci_high
    assert r.easy + r.difficult <= r.n


@given(st.lists(st.integers(1, 5), min_size=1, max_size=200), st.lists(st.integers(1, 5), max_size=200))
def test_csat_merge_equals_whole(a, b):
    whole = csat_from_tally(Tally.from_values(a + b))
    assert csat_from_tally(Tally.from_values(a) + Tally.from_values(b)) == whole
    assert 0 <= whole.ci_low <= whole.csat <= whole.ci_high <= 100
