"""WLS trend and control limits, checked against statsmodels WLS and by hand."""

import importlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxterms.metrics.trends import control_limits, wls_trend

sm = importlib.import_module("statsmodels.api")
np = importlib.import_module("numpy")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-100, 100), st.floats(0.5, 30)), min_size=3, max_size=15))
def test_wls_slope_matches_statsmodels(points):
    y = [p[0] for p in points]
    se = [p[1] for p in points]
    x = list(range(len(points)))
    r = wls_trend(x, y, se)
    fit = sm.WLS(np.array(y), sm.add_constant(np.array(x, dtype=float)), weights=1 / np.array(se) ** 2).fit()
    assert r.slope == pytest.approx(fit.params[1], rel=1e-7, abs=1e-9)
    if r.std_error is None:  # exactly on a line
        assert fit.bse[1] < 1e-9 * max(1.0, abs(fit.params[1])) * 10 and r.note
        return
    assert r.std_error == pytest.approx(fit.bse[1], rel=1e-7)
    assert r.p_value == pytest.approx(fit.pvalues[1], rel=1e-6, abs=1e-12) and r.df == fit.df_resid


def test_gaps_and_zero_se_points_are_left_out():
    r = wls_trend([0, 1, 2, 3, 4], [10, None, 14, 15, 20], [2, None, 0.0, 1, 1])
    fit = sm.WLS(np.array([10, 15, 20.0]), sm.add_constant(np.array([0, 3, 4.0])), weights=[1 / 4, 1, 1]).fit()
    assert r.periods == 3 and r.slope == pytest.approx(fit.params[1])


def test_too_few_periods_and_perfect_line_are_null_with_reason():
    assert wls_trend([0, 1], [1, 2], [1, 1]).p_value is None
    r = wls_trend([0, 1, 2], [1.0, 2.0, 3.0], [1, 1, 1])
    assert r.slope == pytest.approx(1.0) and r.p_value is None and r.t is None and "line" in r.note


def test_control_limits_by_hand():
    lo, hi = control_limits(18.3, 6100.0, 44)
    assert lo == pytest.approx(18.3 - 3 * math.sqrt(6100 / 44)) and hi == pytest.approx(18.3 + 3 * math.sqrt(6100 / 44))
    assert control_limits(95.0, 475.0, 5, bounds=(0, 100))[1] == 100
    assert control_limits(1.0, None, 5) is None and control_limits(1.0, 2.0, 0) is None
